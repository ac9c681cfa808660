//! `panacea policy fund POLICY AMOUNT [--from TOKEN_ACCOUNT]`

use {
    crate::{context::Ctx, output::Report, parse},
    anchor_spl::associated_token::get_associated_token_address_with_program_id,
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
    /// The token account to pay from [default: the signer's associated account]
    #[arg(long, value_parser = parse::address)]
    pub from: Option<Pubkey>,
}

/// `policy fund`'s fields: the amount in base units.
#[derive(Serialize)]
pub struct Funded {
    pub amount: u64,
    pub source: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let funder = ctx.signer()?;
    let client = ctx.client()?;
    let policy: Policy = client.get(&args.policy).await?;
    let panacea_sdk::ops::token::MintInfo {
        decimals,
        token_program,
        ..
    } = client.mint_info(&policy.payout_mint).await?;
    let amount = parse::token_amount(&args.amount, decimals)?;
    let source = args.from.unwrap_or_else(|| {
        get_associated_token_address_with_program_id(
            &funder.pubkey(),
            &policy.payout_mint,
            &token_program,
        )
    });
    let outcome = client
        .fund_policy(&funder, &args.policy, &source, amount)
        .await?;
    Ok(Report::outcome(
        format!("Policy funded with {}", args.amount),
        &outcome,
        &Funded {
            amount,
            source: source.to_string(),
        },
    ))
}
