//! `panacea bounty fund BOUNTY --amount 500 [--from TOKEN_ACCOUNT]`

use {
    crate::{context::Ctx, output::Report, parse},
    anchor_spl::associated_token::get_associated_token_address_with_program_id,
    anyhow::Result,
    panacea_sdk::{bounties_program::state::Bounty, Pubkey},
    serde::Serialize,
    solana_signer::Signer,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(value_parser = parse::address)]
    pub bounty: Pubkey,
    /// Amount in mint units
    #[arg(long)]
    pub amount: String,
    /// The token account to pay from [default: the signer's associated account]
    #[arg(long, value_parser = parse::address)]
    pub from: Option<Pubkey>,
}

/// `bounty fund`'s fields: the amount in base units.
#[derive(Serialize)]
pub struct Funded {
    pub amount: u64,
    pub source: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let funder = ctx.signer()?;
    let client = ctx.client()?;
    let bounty: Bounty = client.get(&args.bounty).await?;
    let decimals = client.mint_info(&bounty.mint).await?.decimals;
    let amount = parse::token_amount(&args.amount, decimals)?;
    let source = args.from.unwrap_or_else(|| {
        get_associated_token_address_with_program_id(
            &funder.pubkey(),
            &bounty.mint,
            &bounty.token_program,
        )
    });
    let outcome = client
        .fund_bounty(&funder, &args.bounty, &source, amount)
        .await?;
    Ok(Report::outcome(
        format!("Bounty funded with {}", args.amount),
        &outcome,
        &Funded {
            amount,
            source: source.to_string(),
        },
    ))
}
