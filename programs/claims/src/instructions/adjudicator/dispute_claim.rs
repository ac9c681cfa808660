use {
    super::super::{after, now, require_current_policy, status_changed},
    crate::{errors::ClaimsError, state::*},
    anchor_lang::prelude::*,
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
    #[account(address = claim.policy, has_one = adjudicator @ ClaimsError::NotAdjudicator)]
    pub policy: Box<Account<'info, Policy>>,
    #[account(mut)]
    pub claim: Box<Account<'info, Claim>>,
}

impl DisputeClaim<'_> {
    pub fn validate(&self, now: i64) -> Result<()> {
        let claim = &self.claim;
        require_current_policy(&self.policy, claim)?;
        require!(
            claim.status == ClaimStatus::Approved && claim.decided_by.is_none(),
            ClaimsError::InvalidClaimStatus
        );
        require!(now < claim.settle_after, ClaimsError::ChallengeWindowClosed);
        Ok(())
    }
}

pub fn handler(ctx: Context<DisputeClaim>) -> Result<()> {
    let now = now()?;
    ctx.accounts.validate(now)?;
    let deadline = after(now, ctx.accounts.policy.review_window)?;
    let claim = &mut ctx.accounts.claim;
    let old_status = claim.status;
    claim.dispute(deadline)?;
    let event = status_changed(
        ctx.accounts.adjudicator.key(),
        claim.policy,
        &ctx.accounts.policy,
        claim,
        old_status,
    );
    emit_cpi!(event);
    Ok(())
}
