//! `panacea consent`: a patient's consent, given directly or signed in a
//! wallet for a relayer to submit.

mod export;
mod file;
mod grant;
mod list;
mod revoke;
mod show;
mod sign;
mod submit;

use {
    crate::{
        context::Ctx,
        output::Report,
        parse::{self, ActionArg, ConsentPurposeArg, DecisionArg, KindsArg},
    },
    anyhow::Result,
    clap::Subcommand,
    panacea_sdk::{consent_program::state::ConsentTerms, Pubkey},
};

#[derive(Subcommand, Debug)]
pub enum ConsentCommand {
    /// Give (or update) consent, signing the transaction (the patient or guardian)
    Grant(grant::Args),
    /// Revoke consent (the patient or guardian)
    Revoke(revoke::Args),
    /// Sign a consent message off-line, for a relayer to submit (the patient's wallet)
    Sign(sign::Args),
    /// Submit a consent message a patient signed, paying its fees (a relayer)
    Submit(submit::Args),
    /// Show a consent
    Show(show::Args),
    /// List a patient's consents
    List(list::Args),
    /// Export a consent as a FHIR R4 Consent resource
    Export(export::Args),
}

pub async fn run(ctx: &Ctx, command: ConsentCommand) -> Result<Report> {
    match command {
        ConsentCommand::Grant(args) => grant::run(ctx, args).await,
        ConsentCommand::Revoke(args) => revoke::run(ctx, args).await,
        ConsentCommand::Sign(args) => sign::run(ctx, args).await,
        ConsentCommand::Submit(args) => submit::run(ctx, args).await,
        ConsentCommand::Show(args) => show::run(ctx, args).await,
        ConsentCommand::List(args) => list::run(ctx, args).await,
        ConsentCommand::Export(args) => export::run(ctx, args).await,
    }
}

/// Who a consent is for and why: its address's seeds.
#[derive(clap::Args, Debug)]
pub struct Subject {
    /// The grantee: an insurer, provider or researcher's wallet address
    #[arg(long, value_parser = parse::address)]
    pub to: Pubkey,
    #[arg(long, value_enum)]
    pub purpose: ConsentPurposeArg,
}

/// The terms of a consent.
#[derive(clap::Args, Debug)]
pub struct TermsArgs {
    #[arg(long, value_enum, default_value = "permit")]
    pub decision: DecisionArg,
    /// Record kinds covered
    #[arg(long, value_enum, value_delimiter = ',', default_value = "all")]
    pub kinds: Vec<KindsArg>,
    /// What the grantee may do
    #[arg(long, value_enum, value_delimiter = ',', default_value = "access")]
    pub actions: Vec<ActionArg>,
    /// How long the consent lasts, from now
    #[arg(long = "for", value_parser = parse::duration, default_value = "365d")]
    pub valid_for: i64,
    /// The consent document shown to the patient; only its SHA-256 goes on chain
    #[arg(long, value_name = "FILE")]
    pub document: Option<String>,
}

impl TermsArgs {
    pub fn terms(&self, now: i64) -> Result<ConsentTerms> {
        Ok(ConsentTerms {
            decision: self.decision.into(),
            kinds: parse::kinds_mask(&self.kinds),
            actions: parse::actions_mask(&self.actions),
            period_start: now,
            period_end: now.saturating_add(self.valid_for),
            policy_commitment: match &self.document {
                Some(path) => parse::file_commitment(path)?,
                None => [0; 32],
            },
        })
    }
}
