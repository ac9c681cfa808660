//! `panacea member suspend|reinstate|revoke MEMBER_KEY`

use {
    super::Which,
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub which: Which,
}

/// Which status move.
#[derive(Clone, Copy, Debug)]
pub enum Move {
    Suspend,
    Reinstate,
    Revoke,
}

/// A status move's fields: the member's status and revision after it.
#[derive(Serialize)]
pub struct Moved {
    pub member: String,
    pub status: String,
    pub revision: u32,
}

pub async fn run(ctx: &Ctx, args: Args, to: Move) -> Result<Report> {
    let admin = ctx.signer()?;
    let acting = ctx.acting(&*admin)?;
    let client = ctx.client()?;
    let member = &args.which.member;
    // Named before anything is signed: no such member.
    super::show::fetch(&client, &acting.entity, member).await?;
    let (outcome, verb) = match to {
        Move::Suspend => (client.suspend_member(acting, member).await?, "suspended"),
        Move::Reinstate => (client.reinstate_member(acting, member).await?, "reinstated"),
        Move::Revoke => (client.revoke_member(acting, member).await?, "revoked"),
    };
    let after = super::show::fetch(&client, &acting.entity, member).await?;
    Ok(Report::outcome(
        format!("Member {member} {verb}: now {}", after.status),
        &outcome,
        &Moved {
            member: member.to_string(),
            status: after.status,
            revision: after.revision,
        },
    ))
}
