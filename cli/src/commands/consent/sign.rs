//! `panacea consent sign --to ADDRESS --purpose payment [terms | --revoke] --out FILE`
//!
//! What a patient's wallet does: sign the canonical consent message. The
//! file holds the message, its fields and the signature; a relayer submits
//! it with `panacea consent submit FILE` and pays the fees.

use {
    super::{Subject, TermsArgs},
    crate::{context::Ctx, output::Report, view::hex as view_hex},
    anyhow::{Context as _, Result},
    panacea_sdk::{
        backend::Backend,
        consent_program::{message::ConsentMessage, state::ConsentPurpose},
        ops::patient::sign_consent_message,
    },
    serde_json::{json, Value},
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
    let file = to_json(&message, &signature);
    std::fs::write(&args.out, serde_json::to_vec_pretty(&file)?)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    Ok(Report::object(
        format!("Consent message signed into {}", args.out.display()),
        json!({
            "out": args.out.display().to_string(),
            "patient": message.patient.to_string(),
            "grantee": message.grantee.to_string(),
            "purpose": purpose.name(),
            "action": if message.terms.is_some() { "grant" } else { "revoke" },
            "deployment": message.deployment,
            "consent_epoch": message.consent_epoch,
            "consent_version": message.consent_version,
            "expires_at": panacea_sdk::audit::iso8601(message.expires_at),
        }),
    ))
}

/// The signed-consent file.
pub fn to_json(message: &ConsentMessage, signature: &[u8; 64]) -> Value {
    json!({
        "message": String::from_utf8_lossy(&message.encode()),
        "signature": bs58::encode(signature).into_string(),
        "deployment": message.deployment,
        "program_id": message.program_id.to_string(),
        "patient": message.patient.to_string(),
        "grantee": message.grantee.to_string(),
        "purpose": message.purpose.name(),
        "consent_epoch": message.consent_epoch,
        "consent_version": message.consent_version,
        "issued_at": message.issued_at,
        "expires_at": message.expires_at,
        "terms": message.terms.map(|t| json!({
            "decision": t.decision.name(),
            "kinds": t.kinds,
            "actions": t.actions,
            "period_start": t.period_start,
            "period_end": t.period_end,
            "policy_commitment": view_hex(&t.policy_commitment),
        })),
    })
}
