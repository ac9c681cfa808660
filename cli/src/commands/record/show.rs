//! `panacea record show RECORD`

use {
    crate::{context::Ctx, output::Report, parse, view},
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
    let reader = ctx.reader();
    let record: Record = reader.get(&args.record).await?;
    let book = reader.record_book_balance(&record.patient).await?;
    let mut value = view::record(&args.record, &record);
    value["record_book_balance"] = serde_json::json!(book);
    Ok(Report::object(
        format!(
            "{:?} record, {:?} (the patient's record book holds {} active)",
            record.kind,
            record.status,
            book.unwrap_or(0)
        ),
        value,
    ))
}
