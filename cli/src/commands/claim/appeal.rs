//! `panacea claim appeal CLAIM`

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
        "appealed",
        |client, provider, entity, claim| async move {
            client
                .appeal_claim(Acting::member(&*provider, entity), &claim)
                .await
        },
    )
    .await
}
