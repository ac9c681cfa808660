//! `panacea bounty contribute BOUNTY RECORD [--patient WALLET] [--grant-days N]`

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::{compression::RecordRef, Pubkey},
    serde::Serialize,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(value_parser = parse::address)]
    pub bounty: Pubkey,
    /// The record to offer (an address, or TREE:INDEX for a compressed record)
    #[arg(value_parser = parse::record)]
    pub record: RecordRef,
    /// The patient, when a guardian signs [default: the signer]
    #[arg(long, value_parser = parse::address)]
    pub patient: Option<Pubkey>,
    /// How long the research grant created for the offer lasts, in days [default: the review window plus 7 days]
    #[arg(long)]
    pub grant_days: Option<u32>,
}

/// `bounty contribute`'s fields (the addresses are `contribution`, `grant` and `tally`).
#[derive(Serialize)]
pub struct Offered {
    /// What the researcher gets, in plain words.
    pub access: String,
    /// Bytes of the offer's transaction (grant and offer, for an account record).
    pub transaction_bytes: usize,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let authority = ctx.signer()?;
    let patient = args.patient.unwrap_or(authority.pubkey());
    let keys = ctx.encryption_keys(&authority.pubkey())?;
    let store = ctx.store()?;
    let client = ctx.client()?;
    let duration = args.grant_days.map(|days| i64::from(days) * 86_400);
    let prepared = client
        .prepare_offer(
            &authority.pubkey(),
            &patient,
            &args.bounty,
            &args.record,
            &keys,
            &store,
            duration,
        )
        .await?;
    let transaction_bytes = prepared.transaction_size(&client.payer());
    let outcome = client
        .offer_contribution(
            &authority,
            &patient,
            &args.bounty,
            &args.record,
            &keys,
            &store,
            duration,
        )
        .await?;
    Ok(Report::outcome(
        format!(
            "Record offered to bounty {} ({transaction_bytes} bytes). {}",
            args.bounty, prepared.statement
        ),
        &outcome,
        &Offered {
            access: prepared.statement,
            transaction_bytes,
        },
    ))
}
