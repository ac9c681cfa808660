//! `panacea consent grant --to ADDRESS --purpose payment [terms]`

use {
    super::{Subject, TermsArgs},
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::{backend::Backend, consent_program::state::ConsentPurpose, Pubkey},
    serde::Serialize,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub subject: Subject,
    #[command(flatten)]
    pub terms: TermsArgs,
    /// The patient, when a guardian signs [default: the signer]
    #[arg(long, value_parser = parse::address)]
    pub patient: Option<Pubkey>,
}

/// `consent grant`'s fields (the consent's address is `consent`).
#[derive(Serialize)]
pub struct Given {
    pub decision: &'static str,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let authority = ctx.signer()?;
    let patient = args.patient.unwrap_or(authority.pubkey());
    let client = ctx.client()?;
    let terms = args.terms.terms(client.backend().unix_timestamp().await?)?;
    let purpose = ConsentPurpose::from(args.subject.purpose);
    let outcome = client
        .grant_consent(&authority, &patient, &args.subject.to, purpose, terms)
        .await?;
    Ok(Report::outcome(
        format!(
            "Consent for {} given to {}",
            purpose.name(),
            args.subject.to
        ),
        &outcome,
        &Given {
            decision: terms.decision.name(),
        },
    ))
}
