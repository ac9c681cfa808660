//! `panacea claim settle CLAIM [--to TOKEN_ACCOUNT]`: anyone may settle.

use {
    super::Which,
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    panacea_sdk::Pubkey,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub which: Which,
    /// The provider's token account [default: its associated account, created if missing]
    #[arg(long, value_parser = crate::parse::address)]
    pub to: Option<Pubkey>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let to = args.to;
    super::act(
        ctx,
        args.which,
        "settled",
        |client, _, _, claim| async move { client.settle_claim(&claim, to.as_ref()).await },
    )
    .await
}
