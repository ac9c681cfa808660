//! `panacea claim expire CLAIM`: anyone times out a claim the adjudicator
//! did not decide by its review deadline.

use {
    super::Which,
    crate::{context::Ctx, output::Report},
    anyhow::Result,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub which: Which,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    super::act(
        ctx,
        args.which,
        "timed out",
        |client, _, _, claim| async move { client.expire_claim(&claim).await },
    )
    .await
}
