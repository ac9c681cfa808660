//! `panacea member close MEMBER_KEY`

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

/// `member close`'s fields.
#[derive(Serialize)]
pub struct Closed {
    pub member: String,
    /// Who paid the rent and gets it back.
    pub refunded_to: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let admin = ctx.signer()?;
    let acting = ctx.acting(&*admin)?;
    let client = ctx.client()?;
    let member = &args.which.member;
    let before = super::show::fetch(&client, &acting.entity, member).await?;
    let outcome = client.close_member(acting, member).await?;
    Ok(Report::outcome(
        format!(
            "Member {member} closed: its rent goes back to {}",
            before.rent_payer
        ),
        &outcome,
        &Closed {
            member: member.to_string(),
            refunded_to: before.rent_payer,
        },
    ))
}
