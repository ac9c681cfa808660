//! `panacea bounty settle CONTRIBUTION`

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::Pubkey,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(value_parser = parse::address)]
    pub contribution: Pubkey,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let client = ctx.client()?;
    let outcome = client.settle_contribution(&args.contribution).await?;
    super::after(&client, &args.contribution, "settled", &outcome).await
}
