//! `panacea claim`: billing a policy for services backed by records,
//! adjudication, appeal and settlement.

mod appeal;
mod decide;
mod dispute;
mod expire;
mod list;
mod reinstate;
mod settle;
mod show;
mod submit;
mod void;
mod withdraw;

use {
    crate::{context::Ctx, output::Report},
    anyhow::Result,
    clap::Subcommand,
};

#[derive(Subcommand, Debug)]
pub enum ClaimCommand {
    /// Bill a policy for services backed by records (the provider)
    Submit(submit::Args),
    /// Dispute an approved claim within its challenge window (the adjudicator)
    Dispute(dispute::Args),
    /// Approve (all or part) or deny a pending claim (the adjudicator)
    Decide(decide::Args),
    /// Appeal a decision within the appeal window (the provider)
    Appeal(appeal::Args),
    /// Pay an approved claim once its windows have passed (anyone)
    Settle(settle::Args),
    /// Withdraw a claim not yet decided (the provider)
    Withdraw(withdraw::Args),
    /// Void an approved claim whose provider is no longer active (the insurer or the adjudicator)
    Void(void::Args),
    /// Reinstate a voided claim once active again, within the appeal window (the provider)
    Reinstate(reinstate::Args),
    /// Time out a claim not decided by its review deadline: under review it is denied, on appeal approved (anyone)
    Expire(expire::Args),
    /// Show a claim
    Show(show::Args),
    /// List a policy's claims
    List(list::Args),
}

pub async fn run(ctx: &Ctx, command: ClaimCommand) -> Result<Report> {
    match command {
        ClaimCommand::Submit(args) => submit::run(ctx, args).await,
        ClaimCommand::Dispute(args) => dispute::run(ctx, args).await,
        ClaimCommand::Decide(args) => decide::run(ctx, args).await,
        ClaimCommand::Appeal(args) => appeal::run(ctx, args).await,
        ClaimCommand::Settle(args) => settle::run(ctx, args).await,
        ClaimCommand::Withdraw(args) => withdraw::run(ctx, args).await,
        ClaimCommand::Void(args) => void::run(ctx, args).await,
        ClaimCommand::Reinstate(args) => reinstate::run(ctx, args).await,
        ClaimCommand::Expire(args) => expire::run(ctx, args).await,
        ClaimCommand::Show(args) => show::run(ctx, args).await,
        ClaimCommand::List(args) => list::run(ctx, args).await,
    }
}

/// A claim and what it is a claim on.
#[derive(clap::Args, Debug)]
pub struct Which {
    /// The claim's address
    #[arg(value_parser = crate::parse::address)]
    pub claim: panacea_sdk::Pubkey,
}

/// A claim action's fields: the claim and its status after the action.
#[derive(serde::Serialize)]
pub struct ClaimAfter {
    pub claim: String,
    pub status: String,
    pub amount_payable: u64,
}

/// Runs a claim action that only needs the signer and the claim, and
/// reports the claim's status after it. The action gets the entity the
/// signer acts for (`--entity`, else the signer itself: see
/// [`Ctx::acting`]).
pub async fn act<F, Fut>(ctx: &Ctx, which: Which, verb: &str, action: F) -> Result<Report>
where
    F: FnOnce(
        crate::context::Client,
        std::sync::Arc<panacea_sdk::client::AnySigner>,
        panacea_sdk::Pubkey,
        panacea_sdk::Pubkey,
    ) -> Fut,
    Fut: std::future::Future<Output = panacea_sdk::Result<panacea_sdk::Outcome>>,
{
    use panacea_sdk::claims_program::state::Claim;
    let signer = ctx.signer()?;
    let entity = ctx.acting(&*signer)?.entity;
    let client = ctx.client()?;
    // The operation reads the claim (and names it when it is missing).
    let outcome = action(client.clone(), signer, entity, which.claim).await?;
    let claim: Claim = client.get(&which.claim).await?;
    Ok(Report::outcome(
        format!("Claim {} {verb}: now {:?}", which.claim, claim.status),
        &outcome,
        &ClaimAfter {
            claim: which.claim.to_string(),
            status: format!("{:?}", claim.status),
            amount_payable: claim.amount_payable,
        },
    ))
}
