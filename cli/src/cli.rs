//! The command line: global options shared by every command, and the
//! command groups.

pub use crate::global::GlobalArgs;

use {
    crate::{
        commands::{
            access::{self, AccessCommand},
            audit,
            bounty::{self, BountyCommand},
            claim::{self, ClaimCommand},
            consent::{self, ConsentCommand},
            demo,
            member::{self, MemberCommand},
            migrate,
            patient::{self, PatientCommand},
            policy::{self, PolicyCommand},
            record::{self, RecordCommand},
            registry::{self, RegistryCommand},
            rent,
        },
        commands::{
            custodian::{self, CustodianCommand},
            emergency::{self, EmergencyCommand},
            tree::{self, TreeCommand},
        },
        context::Ctx,
        explain,
        output::Report,
    },
    anyhow::Result,
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
    /// Staff of an entity: members with roles who sign for it with their own keys (--entity)
    #[command(subcommand)]
    Member(MemberCommand),
    /// Insurance policies and their escrow
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Claims: submit, adjudicate, appeal, settle
    #[command(subcommand)]
    Claim(ClaimCommand),
    /// Research data bounties: researchers pay patients for records offered under Research consent
    #[command(subcommand)]
    Bounty(BountyCommand),
    /// A patient's audit trail, as text, JSON or FHIR AuditEvents
    Audit(audit::Args),
    /// What every account and operation costs in rent
    Rent(rent::Args),
    /// Run the whole Panacea story (in-process unless --url is given)
    Demo(demo::Args),
    /// Post-deploy set-up of a cluster: the registry and its first admin (idempotent)
    Migrate(migrate::Args),
    /// Emergency key custodian service (a custodian)
    #[command(subcommand)]
    Custodian(CustodianCommand),
    /// Emergency summary: custodians (admin), mark/unmark (patient), read (an ER)
    #[command(subcommand)]
    Emergency(EmergencyCommand),
    /// Record trees for compressed records: create, show, close
    #[command(subcommand)]
    Tree(TreeCommand),
}

/// Runs the command and prints its report.
pub async fn run(cli: Cli) -> Result<()> {
    let ctx = Ctx::new(&cli.global)?;
    let report = match dispatch(&ctx, cli.command).await {
        Ok(report) => report,
        Err(error) => {
            let error = explain::in_context(error, &ctx).await;
            // One line still: a key file created before the failure (kept:
            // the retry needs it) is named at its end.
            return Err(match ctx.created_key_files_note() {
                Some(note) => anyhow::anyhow!("{} ({note})", explain::one_line(&error)),
                None => error,
            });
        }
    };
    if let Some(note) = ctx.created_key_files_note() {
        eprintln!("Note: {note}.");
    }
    let report = if ctx.dump_message {
        report
    } else {
        report.without_message()
    };
    report.print(ctx.output);
    Ok(())
}

async fn dispatch(ctx: &Ctx, command: Command) -> Result<Report> {
    match command {
        Command::Registry(c) => registry::run(ctx, c).await,
        Command::Patient(c) => patient::run(ctx, c).await,
        Command::Record(c) => record::run(ctx, c).await,
        Command::Access(c) => access::run(ctx, c).await,
        Command::Consent(c) => consent::run(ctx, c).await,
        Command::Member(c) => member::run(ctx, c).await,
        Command::Policy(c) => policy::run(ctx, c).await,
        Command::Claim(c) => claim::run(ctx, c).await,
        Command::Bounty(c) => bounty::run(ctx, c).await,
        Command::Audit(args) => audit::run(ctx, args).await,
        Command::Rent(args) => rent::run(ctx, args).await,
        Command::Demo(args) => demo::run(ctx, args).await,
        Command::Migrate(args) => migrate::run(ctx, args).await,
        Command::Custodian(c) => custodian::run(ctx, c).await,
        Command::Emergency(c) => emergency::run(ctx, c).await,
        Command::Tree(c) => tree::run(ctx, c).await,
    }
}
