//! `panacea claim dispute CLAIM`

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
        "disputed",
        |client, adjudicator, entity, claim| async move {
            client
                .dispute_claim(Acting::member(&*adjudicator, entity), &claim)
                .await
        },
    )
    .await
}
