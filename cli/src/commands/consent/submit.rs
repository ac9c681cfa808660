//! `panacea consent submit FILE`: the relayer's side of a wallet-signed
//! consent. The file is checked (message matches its fields, signature is
//! the patient's, deployment and consent epoch are this cluster's) before
//! anything is paid for.

use {
    super::file::SignedConsent,
    crate::{context::Ctx, output::Report},
    anyhow::{anyhow, bail, Context as _, Result},
    panacea_sdk::ops::patient::verify_consent_message,
    serde::Serialize,
    std::path::PathBuf,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A file written by `panacea consent sign`
    pub file: PathBuf,
}

/// `consent submit`'s fields (the consent's address is `consent`).
#[derive(Serialize)]
pub struct Relayed {
    pub relayer: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let name = args.file.display().to_string();
    let text =
        std::fs::read_to_string(&args.file).with_context(|| format!("cannot read {name}"))?;
    let file: SignedConsent = serde_json::from_str(&text)
        .map_err(|e| anyhow!("{name} is not a signed consent file: {e}"))?;
    let (message, signature) = file
        .decode()
        .map_err(|e| anyhow!("{name} is not a signed consent file: {e}"))?;
    if file.message != String::from_utf8_lossy(&message.encode()) {
        bail!("{name}: the signed text does not match the consent fields");
    }
    if !verify_consent_message(&message.patient, &message, &signature) {
        bail!(
            "{name}: the signature is not the patient's ({})",
            message.patient
        );
    }
    let client = ctx.client()?;
    // What the program will check, said plainly before anything is paid.
    let now = client
        .message_context(&message.patient, &message.grantee, message.purpose)
        .await?;
    if message.deployment != now.deployment {
        bail!(
            "{name}: signed for deployment '{}', but this cluster is '{}'",
            message.deployment,
            now.deployment
        );
    }
    if message.consent_epoch != now.consent_epoch {
        bail!(
            "{name}: signed in consent epoch {}, but the patient's consent epoch is now {} (a consent was closed since): the patient must sign again",
            message.consent_epoch,
            now.consent_epoch
        );
    }
    let outcome = client.relay_consent(&message, &signature).await?;
    Ok(Report::outcome(
        format!(
            "Signed consent of {} relayed ({})",
            message.patient,
            if message.terms.is_some() {
                "grant"
            } else {
                "revoke"
            }
        ),
        &outcome,
        &Relayed {
            relayer: client.payer().to_string(),
        },
    ))
}
