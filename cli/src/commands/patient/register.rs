//! `panacea patient register [--guardian SIGNER [--guardian-encryption-key HEX]]`

use {
    crate::{context::Ctx, output::Report, parse, view::hex},
    anyhow::Result,
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A guardian who co-signs and may act for the patient, any signer source (a keypair file, prompt://, usb://ledger, stdin, or a public key with --signer / --sign-only)
    #[arg(long, value_name = "SIGNER")]
    pub guardian: Option<String>,
    /// The guardian's X25519 public key [default: derived from the guardian's keypair, when --guardian is one]
    #[arg(long, value_name = "HEX", value_parser = parse::encryption_key, requires = "guardian")]
    pub guardian_encryption_key: Option<[u8; 32]>,
}

/// `patient register`'s fields.
#[derive(Serialize)]
pub struct PatientRegistered {
    pub encryption_key: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let patient = ctx.signer()?;
    let guardian = match &args.guardian {
        Some(source) => Some(super::set_guardian::guardian_with_key(
            ctx,
            source,
            args.guardian_encryption_key,
        )?),
        None => None,
    };
    let keys = ctx.encryption_keys(&patient.pubkey())?;
    let client = ctx.client()?;
    let outcome = client
        .register_patient_with_guardian(
            &*patient,
            &keys,
            guardian.as_ref().map(|(g, key)| (&**g, *key)),
        )
        .await?;
    let title = if outcome.already_existed {
        "Patient already registered"
    } else {
        "Patient registered"
    };
    Ok(Report::outcome(
        title,
        &outcome,
        &PatientRegistered {
            encryption_key: hex(&keys.public_key_bytes()),
        },
    ))
}
