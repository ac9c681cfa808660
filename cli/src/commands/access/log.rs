//! `panacea access log GRANT --record RECORD`

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::{records_program::state::Grant, Pubkey},
    serde_json::json,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The grant the access is made under
    #[arg(value_parser = parse::address)]
    pub grant: Pubkey,
    /// The record accessed
    #[arg(long, value_parser = parse::address)]
    pub record: Pubkey,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let grantee = ctx.signer()?;
    let client = ctx.client()?;
    let _: Grant = client.get(&args.grant).await?;
    let outcome = client
        .log_access(&grantee, &args.grant, &args.record)
        .await?;
    let grant: Grant = client.get(&args.grant).await?;
    Ok(Report::outcome(
        format!("Access #{} logged", grant.access_count),
        &outcome,
        json!({ "grant": args.grant.to_string(), "access_count": grant.access_count }),
    ))
}
