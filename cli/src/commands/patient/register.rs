//! `panacea patient register [--guardian KEYPAIR]`

use {
    crate::{
        context::{encryption_keys, Ctx},
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
    let patient = ctx.keypair()?;
    let guardian = match &args.guardian {
        Some(source) => Some(ctx.role_signer(source, "guardian")?),
        None => None,
    };
    let keys = encryption_keys(&patient);
    let client = ctx.client()?;
    let outcome = client
        .register_patient(&patient, &keys, guardian.as_deref())
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
