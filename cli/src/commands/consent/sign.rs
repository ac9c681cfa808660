//! `panacea consent sign --to ADDRESS --purpose payment [terms | --revoke] --out FILE`
//!
//! What a patient's wallet does: sign the canonical consent message. The
//! file holds the message, its fields and the signature; a relayer submits
//! it with `panacea consent submit FILE` and pays the fees.

use {
    super::file::SignedConsent,
    super::{Subject, TermsArgs},
    crate::{context::Ctx, output::Report},
    anyhow::{Context as _, Result},
    panacea_sdk::{
        backend::Backend, consent_program::state::ConsentPurpose,
        ops::patient::sign_consent_message,
    },
    serde::Serialize,
    solana_signer::Signer,
    std::path::PathBuf,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub subject: Subject,
    #[command(flatten)]
    pub terms: TermsArgs,
    /// Sign a revocation instead of a grant
    #[arg(long)]
    pub revoke: bool,
    /// Where to write the signed consent
    #[arg(long)]
    pub out: PathBuf,
}

/// `consent sign`'s fields: where the signed message went and what it says.
#[derive(Serialize)]
pub struct Signed {
    pub out: String,
    pub patient: String,
    pub grantee: String,
    pub purpose: &'static str,
    /// `grant` or `revoke`.
    pub action: &'static str,
    pub deployment: String,
    pub consent_epoch: u64,
    pub consent_version: u32,
    pub expires_at: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let patient = ctx.signer()?;
    let client = ctx.reader();
    let purpose = ConsentPurpose::from(args.subject.purpose);
    let terms = if args.revoke {
        None
    } else {
        Some(args.terms.terms(client.backend().unix_timestamp().await?)?)
    };
    let message = client
        .consent_message(&patient.pubkey(), &args.subject.to, purpose, terms)
        .await?;
    let signature = sign_consent_message(&patient, &message)?;
    let file = SignedConsent::new(&message, &signature);
    std::fs::write(&args.out, serde_json::to_vec_pretty(&file)?)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    Ok(Report::object(
        format!("Consent message signed into {}", args.out.display()),
        &Signed {
            out: args.out.display().to_string(),
            patient: message.patient.to_string(),
            grantee: message.grantee.to_string(),
            purpose: purpose.name(),
            action: if message.terms.is_some() {
                "grant"
            } else {
                "revoke"
            },
            deployment: message.deployment.clone(),
            consent_epoch: message.consent_epoch,
            consent_version: message.consent_version,
            expires_at: panacea_sdk::audit::iso8601(message.expires_at),
        },
    ))
}
