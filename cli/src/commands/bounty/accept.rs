//! `panacea bounty accept CONTRIBUTION [--amount N] --quality 0..100`

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::{
        bounties_program::state::{Bounty, Contribution},
        Pubkey,
    },
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(value_parser = parse::address)]
    pub contribution: Pubkey,
    /// Pay this much, in mint units [default: the full reward]
    #[arg(long)]
    pub amount: Option<String>,
    /// Quality score, 0 to 100
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub quality: u8,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let researcher = ctx.signer()?;
    let client = ctx.client()?;
    let amount = match &args.amount {
        Some(amount) => {
            let c: Contribution = client.get(&args.contribution).await?;
            let bounty: Bounty = client.get(&c.bounty).await?;
            let decimals = client.mint_info(&bounty.mint).await?.decimals;
            Some(parse::token_amount(amount, decimals)?)
        }
        None => None,
    };
    let outcome = client
        .accept_contribution(
            ctx.acting(&*researcher)?,
            &args.contribution,
            amount,
            args.quality,
        )
        .await?;
    super::after(&client, &args.contribution, "accepted", &outcome).await
}
