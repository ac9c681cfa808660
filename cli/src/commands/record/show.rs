//! `panacea record show RECORD`

use {
    crate::{commands::load, context::Ctx, output::Report, parse, view},
    anyhow::Result,
    panacea_sdk::{records_program::state::Record, Pubkey},
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The record's address
    #[arg(value_parser = parse::address)]
    pub record: Pubkey,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let record: Record = load(&ctx.reader(), &args.record, "record").await?;
    Ok(Report::object(
        format!("{:?} record, {:?}", record.kind, record.status),
        view::record(&args.record, &record),
    ))
}
