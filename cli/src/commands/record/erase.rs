//! `panacea record erase RECORD`

use {
    crate::{
        context::Ctx,
        output::{Nothing, Report},
        parse,
    },
    anyhow::Result,
    panacea_sdk::{records_program::state::Record, Pubkey},
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The record to erase (signed by the patient or their guardian)
    #[arg(value_parser = parse::address)]
    pub record: Pubkey,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    ctx.online_only("record erase")?;
    let authority = ctx.signer()?;
    let client = ctx.client()?;
    let store = ctx.store()?;
    let record: Record = client.get(&args.record).await?;
    // The patient's envelope has a keyed name: only the patient's own
    // encryption key finds it to delete it (a guardian's erasure leaves it,
    // harmless once the ciphertext is gone).
    let keys = if authority.pubkey() == record.patient {
        Some(ctx.encryption_keys(&record.patient)?)
    } else {
        None
    };
    let outcome = client
        .erase_record(
            &*authority,
            &record.patient,
            &args.record,
            keys.as_ref(),
            &store,
        )
        .await?;
    Ok(Report::outcome(
        format!(
            "Record {} erased: payload shredded, token burned, rent refunded",
            args.record
        ),
        &outcome,
        &Nothing {},
    ))
}
