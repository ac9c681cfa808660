//! `panacea consent revoke --to ADDRESS --purpose payment`

use {
    super::Subject,
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::{
        consent as cx,
        consent_program::state::{Consent, ConsentPurpose},
        Pubkey,
    },
    serde::Serialize,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub subject: Subject,
    /// The patient, when a guardian signs [default: the signer]
    #[arg(long, value_parser = parse::address)]
    pub patient: Option<Pubkey>,
}

/// `consent revoke`'s fields.
#[derive(Serialize)]
pub struct Revoked {
    pub consent: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let authority = ctx.signer()?;
    let patient = args.patient.unwrap_or(authority.pubkey());
    let purpose = ConsentPurpose::from(args.subject.purpose);
    let address = cx::consent_address(&patient, &args.subject.to, purpose);
    let client = ctx.client()?;
    let _: Consent = client.get(&address).await?;
    let outcome = client
        .revoke_consent(&authority, &patient, &args.subject.to, purpose)
        .await?;
    Ok(Report::outcome(
        format!(
            "Consent for {} revoked from {}",
            purpose.name(),
            args.subject.to
        ),
        &outcome,
        &Revoked {
            consent: address.to_string(),
        },
    ))
}
