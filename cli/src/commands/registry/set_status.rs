//! `panacea registry set-status ENTITY suspended`

use {
    crate::{
        context::Ctx,
        output::Report,
        parse::{self, EntityStatusArg},
    },
    anyhow::Result,
    panacea_sdk::{records_program::state::EntityStatus, Pubkey},
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The entity's authority (its wallet address)
    #[arg(value_parser = parse::address)]
    pub entity: Pubkey,
    #[arg(value_enum)]
    pub status: EntityStatusArg,
}

/// `registry set-status`'s fields.
#[derive(Serialize)]
pub struct StatusSet {
    pub entity: String,
    pub status: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let admin = ctx.signer()?;
    let client = ctx.client()?;
    let status = EntityStatus::from(args.status);
    let outcome = client
        .set_entity_status(&admin, &args.entity, status)
        .await?;
    Ok(Report::outcome(
        format!("Entity {} is now {status:?}", args.entity),
        &outcome,
        &StatusSet {
            entity: args.entity.to_string(),
            status: format!("{status:?}"),
        },
    ))
}
