//! The command line: global options shared by every command, and the
//! command groups.

use {
    crate::commands::{
        access::AccessCommand, audit, claim::ClaimCommand, consent::ConsentCommand, demo, migrate,
        patient::PatientCommand, policy::PolicyCommand, record::RecordCommand,
        registry::RegistryCommand, rent,
    },
    clap::{Args, Parser, Subcommand, ValueEnum},
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

/// The Solana CLI's options, read from its config file when not given.
#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Configuration file [default: ~/.config/solana/cli/config.yml]
    #[arg(short = 'C', long, global = true, value_name = "PATH")]
    pub config: Option<String>,
    /// JSON-RPC URL or moniker (mainnet-beta, testnet, devnet, localhost; or m, t, d, l)
    #[arg(short = 'u', long, global = true, value_name = "URL_OR_MONIKER")]
    pub url: Option<String>,
    /// Keypair file of the signer (the actor running the command)
    #[arg(short = 'k', long, global = true, value_name = "KEYPAIR")]
    pub keypair: Option<String>,
    /// Keypair file of the fee and rent payer [default: the signer]
    #[arg(long, global = true, value_name = "KEYPAIR")]
    pub fee_payer: Option<String>,
    /// Commitment level for reads and confirmations
    #[arg(long, global = true, value_enum)]
    pub commitment: Option<Commitment>,
    /// Priority fee, in micro-lamports per compute unit
    #[arg(long, global = true, value_name = "MICRO_LAMPORTS")]
    pub with_compute_unit_price: Option<u64>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Where encrypted payloads and key envelopes are kept: a directory, file://, s3:// or memory:// URL
    #[arg(
        long,
        global = true,
        env = "PANACEA_STORE",
        value_name = "DIR_OR_URL",
        default_value = "~/.config/panacea/store"
    )]
    pub store: String,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Commitment {
    Processed,
    Confirmed,
    Finalized,
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
