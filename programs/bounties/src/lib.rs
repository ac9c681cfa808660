//! # Panacea `bounties`
//!
//! Research data bounties: a Researcher entity escrows a reward per record
//! of the kinds it wants, in a vault of an SPL Token or Token-2022 mint.
//! Patients (or guardians; a relayer may pay) offer their records issued
//! before the bounty opened, only under a Research consent to that
//! researcher naming the study's consent text and with a Research read
//! grant (`consent` and `records` accounts, read by owner, discriminator and
//! address). The researcher accepts (all or part) or rejects within the
//! review window; after it anyone settles the full reward. Payment goes only
//! to a token account the patient owns, and only while the consent and the
//! grant still permit it; otherwise the contribution is cancelled.
//!
//! Escrow invariants, checked after every change against the vault's
//! balance: vault = deposited - paid - withdrawn; reserved <= vault;
//! reserved = pending x reward; pending + rewarded <= max_contributions;
//! paid <= rewarded x reward; a contribution is paid at most once.

use anchor_lang::prelude::*;

pub mod constants;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod pda;
pub mod state;

use instructions::*;

declare_id!("H24obj7owCEuhkKtbrBeAFrdJnAx4y3RPd7qPsGzs2jy");

panacea_common::security_txt!("Panacea bounties");

#[program]
pub mod bounties {
    use super::*;

    // ----- researcher -----

    /// Opens a bounty with its escrow vault (an active Researcher entity).
    pub fn create_bounty(ctx: Context<CreateBounty>, args: CreateBountyArgs) -> Result<()> {
        researcher::create_bounty::handler(ctx, args)
    }

    /// Ends intake early; pending offers are still reviewed or settled.
    pub fn close_intake(ctx: Context<CloseIntake>) -> Result<()> {
        researcher::close_intake::handler(ctx)
    }

    /// Cancels a bounty with no pending offers.
    pub fn cancel_bounty(ctx: Context<CancelBounty>) -> Result<()> {
        researcher::cancel_bounty::handler(ctx)
    }

    /// Takes back vault money no pending offer holds.
    pub fn withdraw_unreserved(
        ctx: Context<WithdrawUnreserved>,
        args: WithdrawUnreservedArgs,
    ) -> Result<()> {
        researcher::withdraw_unreserved::handler(ctx, args)
    }

    /// Once intake is over, with nothing pending: empties and closes the
    /// vault and the bounty.
    pub fn close_bounty(ctx: Context<CloseBounty>) -> Result<()> {
        researcher::close_bounty::handler(ctx)
    }

    /// Accepts a pending contribution within its review window and pays all
    /// or part of the reward to the patient (the researcher or a Researcher member).
    pub fn accept_contribution<'info>(
        ctx: Context<'info, AcceptContribution<'info>>,
        args: AcceptContributionArgs,
    ) -> Result<()> {
        researcher::accept_contribution::handler(ctx, args)
    }

    /// Rejects a pending contribution within its review window, with a reason.
    pub fn reject_contribution<'info>(
        ctx: Context<'info, RejectContribution<'info>>,
        args: RejectContributionArgs,
    ) -> Result<()> {
        researcher::reject_contribution::handler(ctx, args)
    }

    // ----- patient -----

    /// Offers one of the patient's records under Research consent; the
    /// reward is reserved.
    pub fn offer_contribution(
        ctx: Context<OfferContribution>,
        args: OfferContributionArgs,
    ) -> Result<()> {
        patient::offer_contribution::handler(ctx, args)
    }

    // ----- anyone -----

    /// Moves tokens into the bounty's vault (anyone may fund).
    pub fn fund_bounty(ctx: Context<FundBounty>, args: FundBountyArgs) -> Result<()> {
        anyone::fund_bounty::handler(ctx, args)
    }

    /// After the review window: pays the full reward to the patient, once.
    pub fn settle_contribution(ctx: Context<SettleContribution>) -> Result<()> {
        anyone::settle_contribution::handler(ctx)
    }

    /// Cancels a pending contribution whose consent or grant no longer
    /// permits payment; its reservation is released.
    pub fn cancel_contribution(ctx: Context<CancelContribution>) -> Result<()> {
        anyone::cancel_contribution::handler(ctx)
    }

    /// Closes a final contribution once its bounty takes no more offers.
    pub fn close_contribution(ctx: Context<CloseContribution>) -> Result<()> {
        anyone::close_contribution::handler(ctx)
    }

    /// Closes a patient's tally with nothing pending once its bounty takes
    /// no more offers.
    pub fn close_patient_tally(ctx: Context<ClosePatientTally>) -> Result<()> {
        anyone::close_patient_tally::handler(ctx)
    }
}

#[cfg(all(test, not(feature = "no-entrypoint")))]
mod security_txt_tests {
    #[test]
    fn the_program_carries_a_security_txt() {
        let txt = crate::SECURITY_TXT;
        assert!(txt.starts_with("=======BEGIN SECURITY.TXT V1=======\0"));
        assert!(txt.ends_with("=======END SECURITY.TXT V1=======\0"));
        assert!(txt.contains("\0name\0Panacea bounties\0"));
        assert!(txt.contains("\0contacts\0link:https://"));
    }
}
