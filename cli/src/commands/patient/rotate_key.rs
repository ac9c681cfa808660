//! `panacea patient rotate-key`
//!
//! A new X25519 key for the patient: every record of theirs in the store
//! gets an envelope for it, the new public key goes on chain, then the old
//! key's envelopes are deleted (the SDK's `rotate_patient_key`). The new
//! key waits in `<key file>.pending` until the rotation landed; then the
//! old key file is kept as `<key file>.old-<unix time>` and the new one
//! takes its place.

use {
    crate::{context::Ctx, keyfile, output::Report, view::hex},
    anyhow::{Context as _, Result},
    panacea_sdk::backend::Backend,
    serde::Serialize,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {}

/// `patient rotate-key`'s fields.
#[derive(Serialize)]
pub struct Rotated {
    pub old_encryption_key: String,
    pub encryption_key: String,
    /// The key file, now holding the new key.
    pub key_file: String,
    /// Where the old key is kept.
    pub old_key_file: String,
}

pub async fn run(ctx: &Ctx, _args: Args) -> Result<Report> {
    ctx.online_only("patient rotate-key")?;
    let patient = ctx.signer()?;
    let (old, path) = ctx.rotation_keys(&patient.pubkey())?;
    let store = ctx.lasting_store()?;
    let client = ctx.client()?;
    let (new, resumed) = keyfile::pending_or_new(&path)?;
    if resumed {
        eprintln!(
            "Resuming the rotation with the new key left in {}",
            keyfile::pending_path(&path).display()
        );
    }
    let outcome = client
        .rotate_patient_key(&*patient, &old, &new, &store)
        .await
        .with_context(|| {
            format!(
                "the encryption key was not rotated; the new key stays in {} until the same command is run again",
                keyfile::pending_path(&path).display()
            )
        })?;
    let now = client.backend().unix_timestamp().await?;
    let kept = keyfile::install(&path, &old, now)?;
    Ok(Report::outcome(
        format!(
            "Encryption key rotated; the old key is kept in {}",
            kept.display()
        ),
        &outcome,
        &Rotated {
            old_encryption_key: hex(&old.public_key_bytes()),
            encryption_key: hex(&new.public_key_bytes()),
            key_file: path.display().to_string(),
            old_key_file: kept.display().to_string(),
        },
    ))
}
