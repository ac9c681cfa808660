//! `panacea record erase RECORD` (an address, or `TREE:INDEX` for a
//! compressed record)

use {
    crate::{
        context::Ctx,
        output::{Nothing, Report},
        parse,
    },
    anyhow::Result,
    panacea_sdk::compression::RecordRef,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The record to erase (signed by the patient or their guardian)
    #[arg(value_parser = parse::record)]
    pub record: RecordRef,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    ctx.online_only("record erase")?;
    let authority = ctx.signer()?;
    let client = ctx.client()?;
    let store = ctx.store()?;
    let record = client.resolve_record(&args.record).await?.record;
    // The patient's envelope has a keyed name: only the patient's own
    // encryption key finds it to delete it (a guardian's erasure leaves it,
    // harmless once the ciphertext is gone).
    let keys = if authority.pubkey() == record.patient {
        Some(ctx.encryption_keys(&record.patient)?)
    } else {
        None
    };
    let outcome = client
        .erase_any_record(&*authority, &args.record, keys.as_ref(), &store)
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
