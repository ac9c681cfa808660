//! `panacea claim settle CLAIM [--to TOKEN_ACCOUNT]`: anyone may settle.

use {
    super::Which,
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    panacea_sdk::{
        claims_program::state::{Claim, Policy},
        Pubkey,
    },
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
    let destination = match args.to {
        Some(to) => to,
        None => {
            let client = ctx.client()?;
            let claim: Claim = client.get(&args.which.claim).await?;
            let policy: Policy = client.get(&claim.policy).await?;
            client
                .create_associated_token_account(&claim.provider, &policy.payout_mint)
                .await?
                .address("token account")
                .expect("named")
        }
    };
    super::act(ctx, args.which, "settled", |client, _, claim| async move {
        client.settle_claim(&claim, &destination).await
    })
    .await
}
