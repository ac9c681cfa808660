//! `panacea record show RECORD`

use {
    crate::{
        context::Ctx,
        output::Report,
        parse,
        view::{self, RecordView},
    },
    anyhow::Result,
    panacea_sdk::{records_program::state::Record, Pubkey},
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The record's address
    #[arg(value_parser = parse::address)]
    pub record: Pubkey,
}

/// `record show`: the record, and how many active records the patient's
/// record book counts (`None` when the patient has no book account).
#[derive(Serialize)]
pub struct Shown {
    #[serde(flatten)]
    pub record: RecordView,
    pub record_book_balance: Option<u64>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let reader = ctx.reader();
    let record: Record = reader.get(&args.record).await?;
    let book = reader.record_book_balance(&record.patient).await?;
    Ok(Report::object(
        format!(
            "{:?} record, {:?} (the patient's record book holds {} active)",
            record.kind,
            record.status,
            book.unwrap_or(0)
        ),
        &Shown {
            record: view::record(&args.record, &record),
            record_book_balance: book,
        },
    ))
}
