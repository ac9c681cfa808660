use {
    super::super::{after, now, require_current_policy, status_changed},
    crate::{errors::ClaimsError, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::TokenAccount,
};

/// The provider appeals a denial or a partial approval, once, within the
/// appeal window. The amount requested is reserved again for re-review, and
/// the adjudicator has the policy's review window to decide the appeal.
#[event_cpi]
#[derive(Accounts)]
pub struct AppealClaim<'info> {
    pub provider: Signer<'info>,
    #[account(mut, address = claim.policy)]
    pub policy: Box<Account<'info, Policy>>,
    #[account(address = policy.vault @ ClaimsError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, has_one = provider @ ClaimsError::NotClaimProvider)]
    pub claim: Box<Account<'info, Claim>>,
}

impl AppealClaim<'_> {
    pub fn validate(&self, now: i64) -> Result<()> {
        let claim = &self.claim;
        require_current_policy(&self.policy, claim)?;
        require!(!claim.appealed, ClaimsError::AlreadyAppealed);
        let partial = claim.status == ClaimStatus::Approved
            && claim.decided_by.is_some()
            && claim.amount_payable < claim.amount_requested;
        require!(
            claim.status == ClaimStatus::Denied || partial,
            ClaimsError::InvalidClaimStatus
        );
        let decided_at = claim.decided_at.ok_or(ClaimsError::InvalidClaimStatus)?;
        require!(
            now < decided_at.saturating_add(self.policy.appeal_window),
            ClaimsError::AppealWindowClosed
        );
        Ok(())
    }
}

pub fn handler(mut ctx: Context<AppealClaim>) -> Result<()> {
    let now = now()?;
    ctx.accounts.validate(now)?;
    let accounts = &mut ctx.accounts;
    let policy = &mut accounts.policy;
    let claim = &mut accounts.claim;
    policy.absorb_donations(accounts.vault.amount)?;
    let old_status = claim.status;
    let deadline = after(now, policy.review_window)?;
    policy.appeal(claim, deadline)?;
    policy.check_escrow(accounts.vault.amount)?;
    let event = status_changed(
        accounts.provider.key(),
        policy.key(),
        policy,
        claim,
        old_status,
    );
    emit_cpi!(event);
    Ok(())
}
