//! `panacea claim void CLAIM`: the insurer or the adjudicator voids an
//! approved claim whose provider is no longer active.

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
        "voided",
        |client, authority, entity, claim| async move {
            client
                .void_claim(Acting::member(&*authority, entity), &claim)
                .await
        },
    )
    .await
}
