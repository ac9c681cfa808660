//! `panacea access authorize --issuer ENTITY [--kinds all] [--read] [--duration 365d]`

use {
    crate::{
        context::Ctx,
        output::Report,
        parse::{self, KindsArg, PurposeArg},
    },
    anyhow::Result,
    panacea_sdk::{
        ops::patient::AccessTerms,
        records_program::{
            pda,
            state::{permissions, Entity},
        },
        Pubkey,
    },
    serde::Serialize,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The provider, laboratory or pharmacy that may issue records to you
    #[arg(long, value_parser = parse::address)]
    pub issuer: Pubkey,
    /// The record kinds it may issue
    #[arg(long, value_enum, value_delimiter = ',', default_value = "all")]
    pub kinds: Vec<KindsArg>,
    /// Also let it read your records of these kinds
    #[arg(long)]
    pub read: bool,
    #[arg(long, value_enum, default_value = "treatment")]
    pub purpose: PurposeArg,
    /// How long the link lasts (at most 5 years)
    #[arg(long, value_parser = parse::duration, default_value = "365d")]
    pub duration: i64,
    /// The patient, when a guardian signs [default: the signer]
    #[arg(long, value_parser = parse::address)]
    pub patient: Option<Pubkey>,
}

/// `access authorize`'s fields.
#[derive(Serialize)]
pub struct Authorized {
    pub issuer: String,
    pub kinds: Vec<String>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let authority = ctx.signer()?;
    let patient = args.patient.unwrap_or(authority.pubkey());
    let client = ctx.client()?;
    let _: Entity = client.get(&pda::entity(&args.issuer).0).await?;
    let kinds = parse::kinds_mask(&args.kinds);
    let terms = AccessTerms {
        permissions: if args.read { permissions::READ } else { 0 },
        purpose: args.purpose.into(),
        duration: args.duration,
    };
    let outcome = client
        .authorize_issuer(&authority, &patient, &args.issuer, kinds, terms)
        .await?;
    Ok(Report::outcome(
        format!("{} may issue records to {patient}", args.issuer),
        &outcome,
        &Authorized {
            issuer: args.issuer.to_string(),
            kinds: parse::kinds_names(kinds),
        },
    ))
}
