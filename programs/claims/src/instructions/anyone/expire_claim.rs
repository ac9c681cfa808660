use {
    super::super::{now, require_current_policy, status_changed},
    crate::{errors::ClaimsError, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::TokenAccount,
};

/// Times out a claim the adjudicator did not decide within the policy's
/// review window; anyone may call it once the claim's review deadline has
/// passed:
/// - a claim under review (PendingReview) is denied; the provider may
///   appeal it within the appeal window like any denial;
/// - a claim on appeal (Appealed) is approved in full, payable at once: an
///   appeal left unanswered is decided for the provider.
///
/// `decided_by` is then this program's id.
#[event_cpi]
#[derive(Accounts)]
pub struct ExpireClaim<'info> {
    pub actor: Signer<'info>,
    #[account(mut, address = claim.policy)]
    pub policy: Box<Account<'info, Policy>>,
    #[account(address = policy.vault @ ClaimsError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut)]
    pub claim: Box<Account<'info, Claim>>,
}

impl ExpireClaim<'_> {
    pub fn validate(&self, now: i64) -> Result<()> {
        let claim = &self.claim;
        require_current_policy(&self.policy, claim)?;
        require!(
            matches!(
                claim.status,
                ClaimStatus::PendingReview | ClaimStatus::Appealed
            ),
            ClaimsError::InvalidClaimStatus
        );
        require!(now >= claim.review_deadline, ClaimsError::ReviewNotExpired);
        Ok(())
    }
}

pub fn handler(mut ctx: Context<ExpireClaim>) -> Result<()> {
    let now = now()?;
    ctx.accounts.validate(now)?;
    let accounts = &mut ctx.accounts;
    let policy = &mut accounts.policy;
    let claim = &mut accounts.claim;
    policy.absorb_donations(accounts.vault.amount)?;
    let old_status = claim.status;
    if claim.status == ClaimStatus::Appealed {
        // Already reserved in full when the appeal was made.
        policy.approve_on_timeout(claim, now)?;
    } else {
        policy.deny(claim, now)?;
    }
    claim.decided(crate::ID, now);
    claim.check_invariant()?;
    policy.check_escrow(accounts.vault.amount)?;
    let event = status_changed(
        accounts.actor.key(),
        None,
        policy.key(),
        policy,
        claim,
        old_status,
    );
    emit_cpi!(event);
    Ok(())
}
