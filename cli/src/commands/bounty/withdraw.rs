//! `panacea bounty withdraw BOUNTY --amount 100 [--to TOKEN_ACCOUNT]`

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::{bounties_program::state::Bounty, Pubkey},
    serde::Serialize,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(value_parser = parse::address)]
    pub bounty: Pubkey,
    /// Amount in mint units (at most what no pending offer holds)
    #[arg(long)]
    pub amount: String,
    /// The token account to pay into [default: the signer's associated account]
    #[arg(long, value_parser = parse::address)]
    pub to: Option<Pubkey>,
}

/// `bounty withdraw`'s fields: the amount in base units.
#[derive(Serialize)]
pub struct Withdrawn {
    pub amount: u64,
    pub destination: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let researcher = ctx.signer()?;
    let client = ctx.client()?;
    let bounty: Bounty = client.get(&args.bounty).await?;
    let decimals = client.mint_info(&bounty.mint).await?.decimals;
    let amount = parse::token_amount(&args.amount, decimals)?;
    let destination = match args.to {
        Some(to) => to,
        None => client
            .create_associated_token_account(&researcher.pubkey(), &bounty.mint)
            .await?
            .address("token account")
            .expect("named"),
    };
    let outcome = client
        .withdraw_bounty_funds(&researcher, &args.bounty, &destination, amount)
        .await?;
    Ok(Report::outcome(
        format!("Withdrew {} from the bounty's escrow", args.amount),
        &outcome,
        &Withdrawn {
            amount,
            destination: destination.to_string(),
        },
    ))
}
