//! `panacea claim decide CLAIM (--approve AMOUNT | --deny)`

use {
    super::Which,
    crate::{context::Ctx, output::Report, parse},
    anyhow::Result,
    panacea_sdk::{
        claims_program::state::{Claim, Policy},
        Acting,
    },
};

#[derive(clap::Args, Debug)]
#[group(required = true, multiple = false, id = "decision")]
pub struct Decision {
    /// Approve this much (in mint units; at most the amount payable)
    #[arg(long, value_name = "AMOUNT")]
    pub approve: Option<String>,
    /// Deny the claim
    #[arg(long)]
    pub deny: bool,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub which: Which,
    #[command(flatten)]
    pub decision: Decision,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let approved = match &args.decision.approve {
        Some(amount) => {
            let client = ctx.reader();
            let claim: Claim = client.get(&args.which.claim).await?;
            let policy: Policy = client.get(&claim.policy).await?;
            let decimals = client.mint_info(&policy.payout_mint).await?.decimals;
            Some(parse::token_amount(amount, decimals)?)
        }
        None => None,
    };
    let verb = if approved.is_some() {
        "approved"
    } else {
        "denied"
    };
    super::act(
        ctx,
        args.which,
        verb,
        |client, adjudicator, entity, claim| async move {
            client
                .decide_claim(Acting::member(&*adjudicator, entity), &claim, approved)
                .await
        },
    )
    .await
}
