//! `panacea patient set-guardian (--guardian SIGNER [--guardian-encryption-key HEX] | --none)`

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::client::AnySigner,
    serde::Serialize,
    solana_signer::Signer,
    std::sync::Arc,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The new guardian, who co-signs: any signer source (a keypair file, prompt://, usb://ledger, stdin, or a public key with --signer / --sign-only)
    #[arg(long, value_name = "SIGNER")]
    pub guardian: Option<String>,
    /// Remove the guardian (and its key envelopes)
    #[arg(
        long,
        conflicts_with = "guardian",
        required_unless_present = "guardian"
    )]
    pub none: bool,
    /// The guardian's X25519 public key [default: derived from the guardian's keypair, when --guardian is one]
    #[arg(long, value_name = "HEX", value_parser = parse::encryption_key, requires = "guardian")]
    pub guardian_encryption_key: Option<[u8; 32]>,
}

/// `patient set-guardian`'s fields.
#[derive(Serialize)]
pub struct GuardianSet {
    pub guardian: Option<String>,
}

/// The guardian's signer and X25519 public key: `--guardian-encryption-key`,
/// or the public key of the guardian's encryption key file (created on
/// first use in the default directory, or derived from its keypair file
/// with `--derive-encryption-key-from-seed`): what the guardian's own
/// commands decrypt with.
pub fn guardian_with_key(
    ctx: &Ctx,
    source: &str,
    given: Option<[u8; 32]>,
) -> Result<(Arc<AnySigner>, [u8; 32])> {
    let signer = ctx.role_signer(source, "guardian")?;
    let key = match given {
        Some(key) => key,
        None => ctx
            .role_encryption_keys(source, "guardian", &signer.pubkey())?
            .public_key_bytes(),
    };
    Ok((signer, key))
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let patient = ctx.signer()?;
    let guardian = match &args.guardian {
        Some(source) => Some(guardian_with_key(
            ctx,
            source,
            args.guardian_encryption_key,
        )?),
        None => None,
    };
    let client = ctx.client()?;
    // Online, the patient's key opens their
    // envelopes to wrap each record to the new guardian (or delete the
    // former guardian's): the store must last. Signed offline, only the
    // transaction is built.
    let keys = match ctx.online_only("wrapping the records to the guardian") {
        Ok(()) => Some(ctx.encryption_keys(&patient.pubkey())?),
        Err(_) => None,
    };
    let store = if keys.is_some() {
        ctx.lasting_store()?
    } else {
        ctx.store()?
    };
    let outcome = client
        .set_guardian(
            &patient,
            guardian.as_ref().map(|(g, key)| (&**g, *key)),
            keys.as_ref(),
            &store,
        )
        .await?;
    let named = guardian.as_ref().map(|(g, _)| g.pubkey().to_string());
    let title = match (&named, keys.is_some()) {
        (Some(g), true) => format!("Guardian set to {g}; the patient's records are wrapped to its key"),
        (Some(g), false) => format!("Guardian set to {g} (records not yet wrapped to it: run again online)"),
        (None, true) => "Guardian removed; its key envelopes deleted (a re-key is the remedy for keys it copied)".to_string(),
        (None, false) => "Guardian removed".to_string(),
    };
    Ok(Report::outcome(
        title,
        &outcome,
        &GuardianSet { guardian: named },
    ))
}
