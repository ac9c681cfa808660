//! `panacea member list [ENTITY_AUTHORITY]`

use {
    crate::{context::Ctx, output::Report, parse, view},
    anyhow::Result,
    panacea_sdk::Pubkey,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The entity's authority [default: --entity, or the signer]
    #[arg(value_parser = parse::address, value_name = "ENTITY_AUTHORITY")]
    pub entity: Option<Pubkey>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let entity = match args.entity {
        Some(entity) => entity,
        None => ctx.acting_entity()?,
    };
    let mut members = ctx.reader().members_of_entity(&entity).await?;
    members.sort_by_key(|(_, m)| m.member);
    let rows: Vec<view::MemberView> = members
        .iter()
        .map(|(address, m)| view::member(address, &entity, m))
        .collect();
    Ok(Report::list(
        format!("{} members of {entity}", rows.len()),
        &rows,
        &["member", "roles", "status", "valid_until", "revision"],
    ))
}
