//! `panacea consent export CONSENT`: a FHIR R4 Consent resource.

use {
    super::show,
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    panacea_sdk::{audit::consent_to_fhir, consent_program::state::Consent},
};

/// The same ways of naming a consent as `consent show`.
pub type Args = show::Args;

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let address = show::address(ctx, &args)?;
    let consent: Consent = ctx.reader().get(&address).await?;
    let fhir = consent_to_fhir(&address, &consent);
    Ok(Report::raw(&fhir))
}
