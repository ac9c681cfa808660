//! `panacea registry rotate-key`
//!
//! A new X25519 key for the signing entity (`update_entity_encryption_key`,
//! signed by the entity's authority). The new key waits in `<key
//! file>.pending` until the rotation landed; then the old key file is kept
//! as `<key file>.old-<unix time>`: grants and envelopes wrapped to the old
//! key (before the rotation, or by an issuer who had not seen it) open only
//! with it.

use {
    crate::{context::Ctx, keyfile, output::Report, view::hex},
    anyhow::{bail, Context as _, Result},
    panacea_sdk::{
        backend::Backend,
        records_program::{
            pda,
            state::{Entity, KeyHolder},
        },
    },
    serde::Serialize,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {}

/// `registry rotate-key`'s fields.
#[derive(Serialize)]
pub struct Rotated {
    pub entity: String,
    pub old_encryption_key: String,
    pub encryption_key: String,
    /// The key file, now holding the new key.
    pub key_file: String,
    /// Where the old key is kept.
    pub old_key_file: String,
}

pub async fn run(ctx: &Ctx, _args: Args) -> Result<Report> {
    if ctx.sign_only() {
        bail!(
            "registry rotate-key cannot be signed offline (--sign-only): the new key file is written only once the rotation has landed, which a command that does not send cannot see; sign it in one run (a keypair, prompt:// or usb://ledger)"
        );
    }
    let authority = ctx.signer()?;
    let (old, path) = ctx.rotation_keys(&authority.pubkey())?;
    let client = ctx.client()?;
    let entity: Entity = client.get(&pda::entity(&authority.pubkey()).0).await?;
    let (new, resumed) = keyfile::pending_or_new(&path)?;
    let outcome = if resumed && entity.encryption_key == new.public_key_bytes() {
        // An earlier run landed and stopped before installing the key.
        panacea_sdk::Outcome::default()
    } else {
        if entity.encryption_key != old.public_key_bytes() {
            bail!(
                "entity {} is registered with the encryption key {}, not {} (the key in {}): nothing was rotated",
                authority.pubkey(),
                hex(&entity.encryption_key),
                hex(&old.public_key_bytes()),
                path.display()
            );
        }
        client
            .update_encryption_key(&*authority, KeyHolder::Entity, new.public_key_bytes())
            .await
            .with_context(|| {
                format!(
                    "the encryption key was not rotated; the new key stays in {} until the same command is run again",
                    keyfile::pending_path(&path).display()
                )
            })?
    };
    let now = client.backend().unix_timestamp().await?;
    let kept = keyfile::install(&path, &old, now)?;
    Ok(Report::outcome(
        format!(
            "Encryption key rotated; the old key is kept in {}",
            kept.display()
        ),
        &outcome,
        &Rotated {
            entity: authority.pubkey().to_string(),
            old_encryption_key: hex(&old.public_key_bytes()),
            encryption_key: hex(&new.public_key_bytes()),
            key_file: path.display().to_string(),
            old_key_file: kept.display().to_string(),
        },
    ))
}
