//! `panacea record list [--patient ADDRESS]`

use {
    crate::{context::Ctx, output::Report, parse, view},
    anyhow::Result,
    panacea_sdk::Pubkey,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The patient's wallet address [default: the signer]
    #[arg(long, value_parser = parse::address)]
    pub patient: Option<Pubkey>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let patient = ctx.or_signer(args.patient)?;
    let reader = ctx.reader();
    let mut records = reader.records_of_patient(&patient).await?;
    let book = reader.record_book_balance(&patient).await?.unwrap_or(0);
    records.sort_by_key(|(_, r)| r.issued_at);
    let items: Vec<_> = records.iter().map(|(a, r)| view::record(a, r)).collect();
    Ok(Report::list(
        format!(
            "{} records of {patient}; record book: {book} active",
            records.len()
        ),
        &items,
        &["address", "kind", "status", "issuer", "issued_at"],
    ))
}
