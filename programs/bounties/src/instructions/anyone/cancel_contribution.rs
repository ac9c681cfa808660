use {
    super::super::{contribution_permission, now, require_contribution_of, totals},
    crate::{constants::*, errors::BountiesError, events::ContributionCancelled, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::TokenAccount,
    consent::state::ConsentPurpose,
};

/// The patient withdrew (revoked the consent or the grant) or either ended
/// before payment: anyone cancels the pending contribution, nothing is paid
/// and its reservation and the patient's slot are released. Refused while
/// the consent and the grant the offer named still permit the payment.
#[event_cpi]
#[derive(Accounts)]
pub struct CancelContribution<'info> {
    pub actor: Signer<'info>,
    #[account(mut, address = contribution.bounty)]
    pub bounty: Box<Account<'info, Bounty>>,
    #[account(address = bounty.vault @ BountiesError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut)]
    pub contribution: Box<Account<'info, Contribution>>,
    #[account(
        mut,
        seeds = [TALLY_SEED, contribution.bounty.as_ref(), contribution.patient.as_ref()],
        bump = tally.bump,
    )]
    pub tally: Box<Account<'info, PatientTally>>,
    /// CHECK: must be the patient's Research consent address for the
    /// researcher (it may be closed); checked by `research_permission`.
    pub consent: UncheckedAccount<'info>,
    /// CHECK: the grant the offer named (it may be closed); checked by
    /// `research_permission`.
    pub grant: UncheckedAccount<'info>,
}

impl CancelContribution<'_> {
    /// Returns the error code of the check that no longer passes.
    pub fn validate(&self, now: i64) -> Result<BountiesError> {
        let bounty = &self.bounty;
        let contribution = &self.contribution;
        require_contribution_of(bounty, contribution, &self.tally, self.grant.key)?;
        let (consent_address, _) = consent::pda::consent(
            &contribution.patient,
            &bounty.researcher,
            ConsentPurpose::Research,
        );
        require_keys_eq!(
            self.consent.key(),
            consent_address,
            BountiesError::ConsentAddressMismatch
        );
        require!(
            contribution.status == ContributionStatus::Pending,
            BountiesError::InvalidContributionStatus
        );
        match contribution_permission(&self.consent, &self.grant, bounty, contribution, now) {
            Ok(_) => err!(BountiesError::ContributionStillValid),
            Err(cause) => Ok(cause),
        }
    }
}

pub fn handler(mut ctx: Context<CancelContribution>) -> Result<()> {
    let now = now()?;
    let cause = ctx.accounts.validate(now)?;
    let accounts = &mut ctx.accounts;
    let bounty = &mut accounts.bounty;
    let contribution = &mut accounts.contribution;
    bounty.absorb_donations(accounts.vault.amount)?;
    bounty.release(contribution, ContributionStatus::Cancelled, 0, now)?;
    accounts.tally.released()?;
    bounty.check_escrow(accounts.vault.amount)?;
    let event = ContributionCancelled {
        actor: accounts.actor.key(),
        bounty: bounty.key(),
        contribution: contribution.key(),
        patient: contribution.patient,
        cause: cause.into(),
        totals: totals(bounty),
    };
    emit_cpi!(event);
    Ok(())
}
