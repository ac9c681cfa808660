//! `panacea registry set-status ENTITY suspended`

use {
    crate::{
        context::Ctx,
        output::Report,
        parse::{self, EntityStatusArg},
    },
    anyhow::Result,
    panacea_sdk::{records_program::state::EntityStatus, Pubkey},
    serde_json::json,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The entity's authority (its wallet address)
    #[arg(value_parser = parse::address)]
    pub entity: Pubkey,
    #[arg(value_enum)]
    pub status: EntityStatusArg,
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
        json!({ "entity": args.entity.to_string(), "status": format!("{status:?}") }),
    ))
}
