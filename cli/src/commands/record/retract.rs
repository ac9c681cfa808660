//! `panacea record retract RECORD`

use {
    crate::{
        context::Ctx,
        output::{Nothing, Report},
        parse,
    },
    anyhow::Result,
    panacea_sdk::compression::RecordRef,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The record to retract (signed by its issuer): its address, or TREE:INDEX for a compressed record
    #[arg(value_parser = parse::record)]
    pub record: RecordRef,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let issuer = ctx.signer()?;
    let acting = ctx.acting(&*issuer)?;
    let client = ctx.client()?;
    client.resolve_record(&args.record).await?;
    let outcome = client.retract_any_record(acting, &args.record).await?;
    Ok(Report::outcome(
        format!("Record {} retracted", args.record),
        &outcome,
        &Nothing {},
    ))
}
