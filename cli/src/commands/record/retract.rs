//! `panacea record retract RECORD`

use {
    crate::{
        context::Ctx,
        output::{Nothing, Report},
        parse,
    },
    anyhow::Result,
    panacea_sdk::{records_program::state::Record, Pubkey},
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The record to retract (signed by its issuer)
    #[arg(value_parser = parse::address)]
    pub record: Pubkey,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let issuer = ctx.signer()?;
    let client = ctx.client()?;
    let _: Record = client.get(&args.record).await?;
    let outcome = client.retract_record(&issuer, &args.record).await?;
    Ok(Report::outcome(
        format!("Record {} retracted", args.record),
        &outcome,
        &Nothing {},
    ))
}
