use {
    super::super::{act_as_adjudicator, after, now, require_current_policy, status_changed},
    crate::{errors::ClaimsError, state::*},
    anchor_lang::prelude::*,
    records::acting::Actor,
};

/// The adjudicator stops an auto-approved claim inside its challenge
/// window: it goes to review, its reservation kept, to be decided within
/// the policy's review window. A disputed claim can no longer be withdrawn
/// (its records billed again would be approved by rule again): it ends by
/// the adjudicator's decision or the review timeout.
#[event_cpi]
#[derive(Accounts)]
pub struct DisputeClaim<'info> {
    pub adjudicator: Signer<'info>,
    #[account(address = claim.policy)]
    pub policy: Box<Account<'info, Policy>>,
    #[account(mut)]
    pub claim: Box<Account<'info, Claim>>,
}

impl DisputeClaim<'_> {
    /// The policy's adjudicator, or a ClaimsAdjudicator member of the entity
    /// whose authority it is (its `Member` and `Entity` accounts in the
    /// remaining accounts).
    fn actor(&self, remaining: &[AccountInfo], now: i64) -> Result<Actor> {
        act_as_adjudicator(self.adjudicator.key, &self.policy, remaining, now)
    }

    pub fn validate(&self, remaining: &[AccountInfo], now: i64) -> Result<Actor> {
        let actor = self.actor(remaining, now)?;
        let claim = &self.claim;
        require_current_policy(&self.policy, claim)?;
        require!(
            claim.status == ClaimStatus::Approved && claim.decided_by.is_none(),
            ClaimsError::InvalidClaimStatus
        );
        require!(now < claim.settle_after, ClaimsError::ChallengeWindowClosed);
        Ok(actor)
    }
}

pub fn handler(ctx: Context<DisputeClaim>) -> Result<()> {
    let now = now()?;
    let actor = ctx.accounts.validate(ctx.remaining_accounts, now)?;
    let deadline = after(now, ctx.accounts.policy.review_window)?;
    let claim = &mut ctx.accounts.claim;
    let old_status = claim.status;
    claim.dispute(deadline)?;
    let event = status_changed(
        actor.entity,
        actor.member,
        claim.policy,
        &ctx.accounts.policy,
        claim,
        old_status,
    );
    emit_cpi!(event);
    Ok(())
}
