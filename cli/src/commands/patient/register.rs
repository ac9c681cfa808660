//! `panacea patient register [--guardian SIGNER]`

use {
    crate::{context::Ctx, output::Report, view::hex},
    anyhow::Result,
    serde::Serialize,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A guardian who co-signs and may act for the patient, any signer source (a keypair file, prompt://, usb://ledger, stdin, or a public key with --signer / --sign-only)
    #[arg(long, value_name = "SIGNER")]
    pub guardian: Option<String>,
}

/// `patient register`'s fields.
#[derive(Serialize)]
pub struct PatientRegistered {
    pub encryption_key: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let patient = ctx.signer()?;
    let guardian = match &args.guardian {
        Some(source) => Some(ctx.role_signer(source, "guardian")?),
        None => None,
    };
    let keys = ctx.encryption_keys(&patient.pubkey())?;
    let client = ctx.client()?;
    let outcome = client
        .register_patient(&*patient, &keys, guardian.as_deref())
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
