//! `panacea access grant RECORD --to GRANTEE [--permissions read] [--purpose treatment] [--duration 30d]`

use {
    crate::{
        context::Ctx,
        output::Report,
        parse::{self, PermissionArg, PurposeArg},
    },
    anyhow::Result,
    panacea_sdk::{
        ops::patient::AccessTerms,
        records_program::{
            pda,
            state::{Entity, Record},
        },
        Pubkey,
    },
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The record to share
    #[arg(value_parser = parse::address)]
    pub record: Pubkey,
    /// The grantee: a registered entity's wallet address
    #[arg(long, value_parser = parse::address)]
    pub to: Pubkey,
    #[arg(long, value_enum, value_delimiter = ',', default_value = "read")]
    pub permissions: Vec<PermissionArg>,
    #[arg(long, value_enum, default_value = "treatment")]
    pub purpose: PurposeArg,
    #[arg(long, value_parser = parse::duration, default_value = "30d")]
    pub duration: i64,
}

/// `access grant`'s fields.
#[derive(Serialize)]
pub struct Granted {
    pub grantee: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let patient = ctx.signer()?;
    let keys = ctx.encryption_keys(&patient.pubkey())?;
    let client = ctx.client()?;
    let store = ctx.store()?;
    let record: Record = client.get(&args.record).await?;
    let _: Entity = client.get(&pda::entity(&args.to).0).await?;
    let terms = AccessTerms {
        permissions: parse::permissions_mask(&args.permissions),
        purpose: args.purpose.into(),
        duration: args.duration,
    };
    let outcome = client
        .grant_access(
            &*patient,
            &record.patient,
            &args.record,
            &args.to,
            terms,
            &keys,
            &store,
        )
        .await?;
    Ok(Report::outcome(
        format!("Access to record {} granted to {}", args.record, args.to),
        &outcome,
        &Granted {
            grantee: args.to.to_string(),
        },
    ))
}
