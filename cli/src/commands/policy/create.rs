//! `panacea policy create --patient ADDRESS --mint MINT --coverage 10000 ...`

use {
    crate::{
        commands::mint_info,
        context::Ctx,
        output::Report,
        parse::{self, token_amount},
    },
    anyhow::Result,
    panacea_sdk::{
        backend::Backend, claims_program::instructions::CreatePolicyArgs, ops::provider::random_id,
        Pubkey,
    },
    serde_json::json,
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
    /// Time to dispute an approved claim before it can be settled
    #[arg(long, value_parser = parse::duration, default_value = "3d")]
    pub challenge_window: i64,
    /// Time to appeal a decision
    #[arg(long, value_parser = parse::duration, default_value = "14d")]
    pub appeal_window: i64,
    /// How long the policy is in force, from now
    #[arg(long, value_parser = parse::duration, default_value = "365d")]
    pub valid_for: i64,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<Report> {
    let insurer = ctx.signer()?;
    let adjudicator = ctx.or_signer(args.adjudicator)?;
    let client = ctx.client()?;
    let (decimals, token_program) = mint_info(&client, &args.mint).await?;
    let now = client.backend().unix_timestamp().await?;
    let create = CreatePolicyArgs {
        policy_id: random_id(),
        adjudicator,
        coverage_limit: token_amount(&args.coverage, decimals)?,
        deductible: token_amount(&args.deductible, decimals)?,
        copay_bps: args.copay_bps,
        auto_approve_limit: token_amount(&args.auto_approve, decimals)?,
        challenge_window: args.challenge_window,
        appeal_window: args.appeal_window,
        valid_from: now,
        valid_until: now.saturating_add(args.valid_for),
    };
    let outcome = client
        .create_policy(&insurer, &args.patient, &args.mint, &token_program, create)
        .await?;
    Ok(Report::outcome(
        format!("Policy created for {}", args.patient),
        &outcome,
        json!({ "adjudicator": adjudicator.to_string() }),
    ))
}
