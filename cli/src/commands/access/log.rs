//! `panacea access log GRANT --record RECORD`

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::{compression::RecordRef, records_program::state::Grant, Pubkey},
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The grant the access is made under
    #[arg(value_parser = parse::address)]
    pub grant: Pubkey,
    /// The record accessed: its address, or TREE:INDEX for a compressed record
    #[arg(long, value_parser = parse::record)]
    pub record: RecordRef,
}

/// `access log`'s fields.
#[derive(Serialize)]
pub struct Logged {
    pub grant: String,
    pub access_count: u64,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let grantee = ctx.signer()?;
    let acting = ctx.acting(&*grantee)?;
    let client = ctx.client()?;
    let _: Grant = client.get(&args.grant).await?;
    let outcome = client
        .log_record_access(acting, &args.grant, &args.record)
        .await?;
    let grant: Grant = client.get(&args.grant).await?;
    Ok(Report::outcome(
        format!("Access #{} logged", grant.access_count),
        &outcome,
        &Logged {
            grant: args.grant.to_string(),
            access_count: grant.access_count,
        },
    ))
}
