//! `panacea record`: issuing FHIR payloads as record tokens and everything
//! that follows.

mod amend;
mod erase;
mod fetch;
mod issue;
mod list;
mod retract;
mod show;

use {
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    clap::Subcommand,
};

#[derive(Subcommand, Debug)]
pub enum RecordCommand {
    /// Issue a FHIR JSON file, or every *.json file of a directory (resumable), as records
    Issue(issue::Args),
    /// Show a record
    Show(show::Args),
    /// List a patient's records
    List(list::Args),
    /// Fetch and decrypt a record (as the patient, or as a grantee under a grant)
    Fetch(fetch::Args),
    /// Issue a new version of a record from a FHIR JSON file
    Amend(amend::Args),
    /// Retract a record issued in error (its issuer)
    Retract(retract::Args),
    /// Erase a record: shred its payload and keys, burn its token (the patient)
    Erase(erase::Args),
}

pub async fn run(ctx: &Ctx, command: RecordCommand) -> Result<Report> {
    match command {
        RecordCommand::Issue(args) => issue::run(ctx, args).await,
        RecordCommand::Show(args) => show::run(ctx, args).await,
        RecordCommand::List(args) => list::run(ctx, args).await,
        RecordCommand::Fetch(args) => fetch::run(ctx, args).await,
        RecordCommand::Amend(args) => amend::run(ctx, args).await,
        RecordCommand::Retract(args) => retract::run(ctx, args).await,
        RecordCommand::Erase(args) => erase::run(ctx, args).await,
    }
}

/// Reads a FHIR JSON file and checks it before anything is stored or sent.
pub fn read_fhir(path: &std::path::Path) -> Result<(Vec<u8>, panacea_sdk::offchain::FhirSummary)> {
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let summary = panacea_sdk::offchain::validate_fhir(&bytes)
        .map_err(|e| anyhow::anyhow!("{} is not a FHIR R4 JSON resource: {e}", path.display()))?;
    Ok((bytes, summary))
}
