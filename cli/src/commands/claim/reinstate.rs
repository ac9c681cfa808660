//! `panacea claim reinstate CLAIM`: the provider, active again, reinstates
//! a voided claim.

use {
    super::Which,
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    panacea_sdk::Acting,
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
        "reinstated",
        |client, provider, entity, claim| async move {
            client
                .reinstate_claim(Acting::member(&*provider, entity), &claim)
                .await
        },
    )
    .await
}
