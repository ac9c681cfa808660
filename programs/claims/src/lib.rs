//! # Panacea `claims`
//!
//! Insurer policies with an escrow vault of an SPL Token or Token-2022 mint,
//! and claims that the program checks against credentials (`records`),
//! consent (`consent`) and records, then pays by rule or after adjudication.
//!
//! Escrow invariants, checked after every change against the vault's
//! balance: vault = deposited - paid - withdrawn; reserved <= vault;
//! paid + reserved <= coverage limit; a claim is paid at most once;
//! deductible_met (the deductible used by paid claims) <= deductible.

use anchor_lang::prelude::*;

pub mod constants;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod pda;
pub mod state;

use instructions::*;

declare_id!("AQTDbhgkH8oYVRN1nUvQhtZPn1LKQRGiFkDdoBq3BL4q");

panacea_common::security_txt!("Panacea claims");

#[program]
pub mod claims {
    use super::*;

    // ----- insurer -----

    /// Opens a policy for a patient, with its escrow vault.
    pub fn create_policy(ctx: Context<CreatePolicy>, args: CreatePolicyArgs) -> Result<()> {
        insurer::create_policy::handler(ctx, args)
    }

    /// Moves payout tokens into the vault (anyone may fund).
    pub fn fund_policy(ctx: Context<FundPolicy>, args: FundPolicyArgs) -> Result<()> {
        insurer::fund_policy::handler(ctx, args)
    }

    /// Takes back vault money no claim has reserved.
    pub fn withdraw_unreserved(
        ctx: Context<WithdrawUnreserved>,
        args: WithdrawUnreservedArgs,
    ) -> Result<()> {
        insurer::withdraw_unreserved::handler(ctx, args)
    }

    /// After valid_until, with no open claims: empties and closes the vault and the policy.
    pub fn close_policy(ctx: Context<ClosePolicy>) -> Result<()> {
        insurer::close_policy::handler(ctx)
    }

    /// Voids an approved claim whose provider is no longer active (insurer or adjudicator).
    pub fn void_claim(ctx: Context<VoidClaim>) -> Result<()> {
        insurer::void_claim::handler(ctx)
    }

    // ----- provider -----

    /// Bills the policy for records the provider issued to its patient.
    pub fn submit_claim<'info>(
        ctx: Context<'info, SubmitClaim<'info>>,
        args: SubmitClaimArgs,
    ) -> Result<()> {
        provider::submit_claim::handler(ctx, args)
    }

    /// Appeals a denial or partial approval, once, inside the appeal window.
    pub fn appeal_claim(ctx: Context<AppealClaim>) -> Result<()> {
        provider::appeal_claim::handler(ctx)
    }

    /// Withdraws a claim before any decision, unless it was disputed.
    pub fn withdraw_claim<'info>(ctx: Context<'info, WithdrawClaim<'info>>) -> Result<()> {
        provider::withdraw_claim::handler(ctx)
    }

    /// Reinstates a voided claim once the provider is active again, within the appeal window
    /// (a claim approved by rule gets back what was left of its challenge window).
    pub fn reinstate_claim(ctx: Context<ReinstateClaim>) -> Result<()> {
        provider::reinstate_claim::handler(ctx)
    }

    // ----- adjudicator -----

    /// Sends an auto-approved claim to review inside its challenge window.
    pub fn dispute_claim(ctx: Context<DisputeClaim>) -> Result<()> {
        adjudicator::dispute_claim::handler(ctx)
    }

    /// Approves in full or in part, or denies.
    pub fn decide_claim(ctx: Context<DecideClaim>, args: DecideClaimArgs) -> Result<()> {
        adjudicator::decide_claim::handler(ctx, args)
    }

    // ----- anyone -----

    /// Pays an approved claim after settle_after; exactly once.
    pub fn settle_claim(ctx: Context<SettleClaim>) -> Result<()> {
        anyone::settle_claim::handler(ctx)
    }

    /// Times out a claim not decided within the review window: under review
    /// it is denied (appealable); on appeal it is approved in full.
    pub fn expire_claim(ctx: Context<ExpireClaim>) -> Result<()> {
        anyone::expire_claim::handler(ctx)
    }

    /// Closes a final claim and returns its rent.
    pub fn close_claim(ctx: Context<CloseClaim>) -> Result<()> {
        anyone::close_claim::handler(ctx)
    }

    /// Closes a ClaimedRecord marker once its policy is closed.
    pub fn close_claimed_record(ctx: Context<CloseClaimedRecord>) -> Result<()> {
        anyone::close_claimed_record::handler(ctx)
    }

    /// Closes a provider's auto-approval counter once its policy has ended
    /// (past valid_until) or is closed.
    pub fn close_provider_usage(ctx: Context<CloseProviderUsage>) -> Result<()> {
        anyone::close_provider_usage::handler(ctx)
    }
}

#[cfg(all(test, not(feature = "no-entrypoint")))]
mod security_txt_tests {
    #[test]
    fn the_program_carries_a_security_txt() {
        let txt = crate::SECURITY_TXT;
        assert!(txt.starts_with("=======BEGIN SECURITY.TXT V1=======\0"));
        assert!(txt.ends_with("=======END SECURITY.TXT V1=======\0"));
        assert!(txt.contains("\0name\0Panacea claims\0"));
        assert!(txt.contains("\0contacts\0link:https://"));
        assert!(txt.contains("/security/advisories/new\0"));
        assert!(txt.contains("/blob/main/README.md#security\0"));
    }
}
