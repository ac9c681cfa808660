//! `panacea policy show POLICY`

use {
    crate::{
        context::Ctx,
        output::Report,
        parse::{self, ui_amount},
        view,
    },
    anyhow::Result,
    panacea_sdk::{claims_program::state::Policy, Pubkey},
};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(value_parser = parse::address)]
    pub policy: Pubkey,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let client = ctx.reader();
    let policy: Policy = client.get(&args.policy).await?;
    let decimals = client.mint_info(&policy.payout_mint).await?.decimals;
    let available = policy
        .deposited
        .saturating_sub(policy.paid + policy.withdrawn + policy.reserved);
    Ok(Report::object(
        format!(
            "Policy of {}: {} deposited, {} reserved, {} paid, {} available",
            policy.patient,
            ui_amount(policy.deposited, decimals),
            ui_amount(policy.reserved, decimals),
            ui_amount(policy.paid, decimals),
            ui_amount(available, decimals),
        ),
        &view::policy(&args.policy, &policy, decimals),
    ))
}
