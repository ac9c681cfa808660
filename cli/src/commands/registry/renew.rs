//! `panacea registry renew ENTITY --valid-for 365d`

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::{
        audit::iso8601, backend::Backend, records_program::instructions::RenewEntityArgs, Pubkey,
    },
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The entity's authority (its wallet address)
    #[arg(value_parser = parse::address)]
    pub entity: Pubkey,
    /// How long the renewed credential is valid, from now
    #[arg(long, value_parser = parse::duration, default_value = "365d")]
    pub valid_for: i64,
    /// The renewed credential document (a keyed hash goes on chain) [default: unchanged]
    #[arg(long, value_name = "FILE")]
    pub credential: Option<String>,
}

/// `registry renew`'s fields.
#[derive(Serialize)]
pub struct Renewed {
    pub valid_until: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let admin = ctx.signer()?;
    let client = ctx.client()?;
    let entity: panacea_sdk::records_program::state::Entity = client
        .get(&panacea_sdk::records_program::pda::entity(&args.entity).0)
        .await?;
    let credential_commitment = match &args.credential {
        Some(path) => parse::keyed_file_commitment(&ctx.keypair()?, "credential", path)?,
        None => entity.credential_commitment,
    };
    let valid_until = client.backend().unix_timestamp().await? + args.valid_for;
    let renew = RenewEntityArgs {
        valid_until,
        credential_commitment,
    };
    let outcome = client.renew_entity(&admin, &args.entity, renew).await?;
    Ok(Report::outcome(
        format!("Entity {} renewed", args.entity),
        &outcome,
        &Renewed {
            valid_until: iso8601(valid_until),
        },
    ))
}
