//! `panacea patient register [--guardian KEYPAIR]`

use {
    crate::{
        context::{encryption_keys, read_keypair, Ctx},
        output::Report,
        view::hex,
    },
    anyhow::Result,
    serde_json::json,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Keypair file of a guardian who co-signs and may act for the patient
    #[arg(long, value_name = "KEYPAIR")]
    pub guardian: Option<String>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let patient = ctx.signer()?;
    let guardian = match &args.guardian {
        Some(path) => Some(read_keypair(path, "guardian keypair")?),
        None => None,
    };
    let keys = encryption_keys(&patient);
    let client = ctx.client()?;
    let outcome = client
        .register_patient(&patient, &keys, guardian.as_ref())
        .await?;
    let title = if outcome.already_existed {
        "Patient already registered"
    } else {
        "Patient registered"
    };
    Ok(Report::outcome(
        title,
        &outcome,
        json!({ "encryption_key": hex(&keys.public_key_bytes()) }),
    ))
}
