//! `panacea policy withdraw POLICY AMOUNT [--to TOKEN_ACCOUNT]`

use {
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::{claims_program::state::Policy, Pubkey},
    serde::Serialize,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(value_parser = parse::address)]
    pub policy: Pubkey,
    /// Amount in mint units
    pub amount: String,
    /// The token account to pay into [default: the signer's associated account]
    #[arg(long, value_parser = parse::address)]
    pub to: Option<Pubkey>,
}

/// `policy withdraw`'s fields: the amount in base units.
#[derive(Serialize)]
pub struct Withdrawn {
    pub amount: u64,
    pub destination: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let insurer = ctx.signer()?;
    let client = ctx.client()?;
    let policy: Policy = client.get(&args.policy).await?;
    let decimals = client.mint_info(&policy.payout_mint).await?.decimals;
    let amount = parse::token_amount(&args.amount, decimals)?;
    let destination = match args.to {
        Some(to) => to,
        None => client
            .create_associated_token_account(&insurer.pubkey(), &policy.payout_mint)
            .await?
            .address("token account")
            .expect("named"),
    };
    let outcome = client
        .withdraw_unreserved(&insurer, &args.policy, &destination, amount)
        .await?;
    Ok(Report::outcome(
        format!("Withdrew {} from the policy's escrow", args.amount),
        &outcome,
        &Withdrawn {
            amount,
            destination: destination.to_string(),
        },
    ))
}
