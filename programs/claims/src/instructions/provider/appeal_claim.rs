use {
    super::super::{act, after, now, require_current_policy, status_changed},
    crate::{errors::ClaimsError, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::TokenAccount,
    records::{
        acting::{Actor, EntityAt},
        state::roles,
    },
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
    #[account(mut)]
    pub claim: Box<Account<'info, Claim>>,
}

impl AppealClaim<'_> {
    /// The provider's authority, or a Billing member of it (its `Member`
    /// and `Entity` accounts first in the remaining accounts).
    fn actor(&self, remaining: &[AccountInfo], now: i64) -> Result<(Actor, usize)> {
        let signer = self.provider.key;
        let provider = &self.claim.provider;
        act(
            signer,
            provider,
            EntityAt::Remaining,
            remaining,
            roles::BILL,
            now,
            ClaimsError::NotClaimProvider,
        )
    }

    pub fn validate(&self, remaining: &[AccountInfo], now: i64) -> Result<Actor> {
        let (actor, _) = self.actor(remaining, now)?;
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
        Ok(actor)
    }
}

pub fn handler(mut ctx: Context<AppealClaim>) -> Result<()> {
    let now = now()?;
    let actor = ctx.accounts.validate(ctx.remaining_accounts, now)?;
    let accounts = &mut ctx.accounts;
    let policy = &mut accounts.policy;
    let claim = &mut accounts.claim;
    policy.absorb_donations(accounts.vault.amount)?;
    let old_status = claim.status;
    let deadline = after(now, policy.review_window)?;
    policy.appeal(claim, deadline)?;
    policy.check_escrow(accounts.vault.amount)?;
    let event = status_changed(
        actor.entity,
        actor.member,
        policy.key(),
        policy,
        claim,
        old_status,
    );
    emit_cpi!(event);
    Ok(())
}
