//! `panacea policy close POLICY [--to TOKEN_ACCOUNT]`

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
    /// The token account that receives the remaining escrow [default: the signer's associated account]
    #[arg(long, value_parser = parse::address)]
    pub to: Option<Pubkey>,
}

/// `policy close`'s fields.
#[derive(Serialize)]
pub struct Closed {
    pub destination: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let insurer = ctx.signer()?;
    let client = ctx.client()?;
    let policy: Policy = client.get(&args.policy).await?;
    let destination = match args.to {
        Some(to) => to,
        None => client
            .create_associated_token_account(&insurer.pubkey(), &policy.payout_mint)
            .await?
            .address("token account")
            .expect("named"),
    };
    let outcome = client
        .close_policy(&insurer, &args.policy, &destination)
        .await?;
    Ok(Report::outcome(
        format!("Policy {} closed", args.policy),
        &outcome,
        &Closed {
            destination: destination.to_string(),
        },
    ))
}
