//! `panacea member show MEMBER_KEY` (of the entity `--entity` names, or
//! the signer's)

use {
    super::Which,
    crate::{
        context::{Client, Ctx},
        output::Report,
        view,
    },
    anyhow::{anyhow, Result},
    panacea_sdk::{acting::member_address, Pubkey},
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub which: Which,
}

/// The member `member` of the entity whose authority is `entity`, as a
/// view; a clear error when there is none.
pub async fn fetch(client: &Client, entity: &Pubkey, member: &Pubkey) -> Result<view::MemberView> {
    let address = member_address(entity, member);
    let account = client.member(entity, member).await?.ok_or_else(|| {
        anyhow!("{member} is not a member of entity {entity} (no Member account at {address}: never added, or closed)")
    })?;
    Ok(view::member(&address, entity, &account))
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let entity = ctx.acting_entity()?;
    let member = fetch(&ctx.reader(), &entity, &args.which.member).await?;
    Ok(Report::object(
        format!(
            "Member {} of {entity} ({}, {})",
            args.which.member, member.roles, member.status
        ),
        &member,
    ))
}
