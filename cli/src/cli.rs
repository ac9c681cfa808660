//! The command line: global options shared by every command, and the
//! command groups.

pub use crate::global::GlobalArgs;

use {
    crate::commands::{
        access::AccessCommand, audit, claim::ClaimCommand, consent::ConsentCommand, demo, migrate,
        patient::PatientCommand, policy::PolicyCommand, record::RecordCommand,
        registry::RegistryCommand, rent,
    },
    clap::{Parser, Subcommand},
};

#[derive(Parser, Debug)]
#[command(
    name = "panacea",
    version,
    about = "Patient-controlled health records, consent and insurance claims on Solana",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Registry admin: the registry, credentialed entities
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// Patients: profile and guardian
    #[command(subcommand)]
    Patient(PatientCommand),
    /// Records: issue FHIR payloads as record tokens, read, amend, retract, erase
    #[command(subcommand)]
    Record(RecordCommand),
    /// Access: grants, requests, break-glass, access logging
    #[command(subcommand)]
    Access(AccessCommand),
    /// Consent: direct or wallet-signed for a relayer, FHIR export
    #[command(subcommand)]
    Consent(ConsentCommand),
    /// Insurance policies and their escrow
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Claims: submit, adjudicate, appeal, settle
    #[command(subcommand)]
    Claim(ClaimCommand),
    /// A patient's audit trail, as text, JSON or FHIR AuditEvents
    Audit(audit::Args),
    /// What every account and operation costs in rent
    Rent(rent::Args),
    /// Run the whole Panacea story (in-process unless --url is given)
    Demo(demo::Args),
    /// Post-deploy set-up of a cluster: the registry and its first admin (idempotent)
    Migrate(migrate::Args),
}
