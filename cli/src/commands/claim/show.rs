//! `panacea claim show CLAIM`

use {
    super::Which,
    crate::{context::Ctx, output::Report, view},
    anyhow::Result,
    panacea_sdk::claims_program::state::Claim,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub which: Which,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let claim: Claim = ctx.reader().get(&args.which.claim).await?;
    Ok(Report::object(
        format!("Claim {:?}", claim.status),
        &view::claim(&args.which.claim, &claim),
    ))
}
