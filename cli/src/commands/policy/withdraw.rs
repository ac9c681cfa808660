//! `panacea policy withdraw POLICY AMOUNT [--to TOKEN_ACCOUNT]`

use {
    crate::{
        commands::{associated_account, load, mint_info},
        context::Ctx,
        output::Report,
        parse,
    },
    anyhow::Result,
    panacea_sdk::{claims_program::state::Policy, Pubkey},
    serde_json::json,
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

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let insurer = ctx.signer()?;
    let client = ctx.client()?;
    let policy: Policy = load(&client, &args.policy, "policy").await?;
    let (decimals, _) = mint_info(&client, &policy.payout_mint).await?;
    let amount = parse::token_amount(&args.amount, decimals)?;
    let destination = match args.to {
        Some(to) => to,
        None => associated_account(&client, &insurer.pubkey(), &policy.payout_mint).await?,
    };
    let outcome = client
        .withdraw_unreserved(&insurer, &args.policy, &destination, amount)
        .await?;
    Ok(Report::outcome(
        format!("Withdrew {} from the policy's escrow", args.amount),
        &outcome,
        json!({ "amount": amount, "destination": destination.to_string() }),
    ))
}
