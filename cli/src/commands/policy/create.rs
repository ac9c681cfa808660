//! `panacea policy create --patient ADDRESS --mint MINT --coverage 10000 ...`

use {
    crate::{
        context::Ctx,
        output::Report,
        parse::{self, token_amount},
    },
    anyhow::Result,
    panacea_sdk::{
        backend::Backend, claims_program::instructions::CreatePolicyArgs, ops::provider::random_id,
        Pubkey,
    },
    serde::Serialize,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The insured patient's wallet address
    #[arg(long, value_parser = parse::address)]
    pub patient: Pubkey,
    /// The payout mint (SPL Token or Token-2022)
    #[arg(long, value_parser = parse::address)]
    pub mint: Pubkey,
    /// Who decides claims above the auto-approve limit [default: the signer]
    #[arg(long, value_parser = parse::address)]
    pub adjudicator: Option<Pubkey>,
    /// Total the policy pays, in mint units
    #[arg(long)]
    pub coverage: String,
    /// Deductible, in mint units
    #[arg(long, default_value = "0")]
    pub deductible: String,
    /// Patient's share after the deductible, in basis points
    #[arg(long, default_value_t = 0)]
    pub copay_bps: u16,
    /// Claims paying at most this much are approved without the adjudicator
    #[arg(long, default_value = "0")]
    pub auto_approve: String,
    /// Most one provider is approved by rule per auto-approve period, in mint
    /// units; beyond it its claims wait for the adjudicator [default: the coverage]
    #[arg(long)]
    pub provider_auto_cap: Option<String>,
    /// Length of the auto-approve period the per-provider cap counts over (at most 366d)
    #[arg(long, value_parser = parse::duration, default_value = "30d")]
    pub auto_approve_period: i64,
    /// Time to dispute an approved claim before it can be settled (at most 30d)
    #[arg(long, value_parser = parse::duration, default_value = "3d")]
    pub challenge_window: i64,
    /// Time to appeal a decision, or to reinstate a voided claim (1d to 90d)
    #[arg(long, value_parser = parse::duration, default_value = "14d")]
    pub appeal_window: i64,
    /// Time the adjudicator has to decide a claim under review or on appeal
    /// before it times out (1d to 90d)
    #[arg(long, value_parser = parse::duration, default_value = "30d")]
    pub review_window: i64,
    /// How long the policy is in force, from now (at most ten years)
    #[arg(long, value_parser = parse::duration, default_value = "365d")]
    pub valid_for: i64,
}

/// `policy create`'s fields.
#[derive(Serialize)]
pub struct Created {
    pub adjudicator: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let insurer = ctx.signer()?;
    let adjudicator = ctx.or_signer(args.adjudicator)?;
    let client = ctx.client()?;
    let panacea_sdk::ops::token::MintInfo {
        decimals,
        token_program,
        ..
    } = client.mint_info(&args.mint).await?;
    let now = client.backend().unix_timestamp().await?;
    let coverage_limit = token_amount(&args.coverage, decimals)?;
    let provider_auto_approve_cap = match &args.provider_auto_cap {
        Some(cap) => token_amount(cap, decimals)?,
        None => coverage_limit,
    };
    let create = CreatePolicyArgs {
        policy_id: random_id(),
        adjudicator,
        coverage_limit,
        deductible: token_amount(&args.deductible, decimals)?,
        copay_bps: args.copay_bps,
        auto_approve_limit: token_amount(&args.auto_approve, decimals)?,
        provider_auto_approve_cap,
        auto_approve_period: args.auto_approve_period,
        challenge_window: args.challenge_window,
        appeal_window: args.appeal_window,
        review_window: args.review_window,
        valid_from: now,
        valid_until: now.saturating_add(args.valid_for),
    };
    let outcome = client
        .create_policy(&insurer, &args.patient, &args.mint, &token_program, create)
        .await?;
    Ok(Report::outcome(
        format!("Policy created for {}", args.patient),
        &outcome,
        &Created {
            adjudicator: adjudicator.to_string(),
        },
    ))
}
