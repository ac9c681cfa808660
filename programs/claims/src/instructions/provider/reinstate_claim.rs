use {
    super::super::{act, now, require_active, require_current_policy, status_changed},
    crate::{errors::ClaimsError, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::TokenAccount,
    records::{
        acting::{Actor, EntityAt},
        state::roles,
    },
};

/// The provider, active again, reinstates a claim voided while it was not,
/// within the appeal window after the voiding: the claim is Approved again
/// for the same amount, reserved again if the coverage and the unreserved
/// escrow still allow it. A claim approved by rule gets back what was left
/// of its challenge window when it was voided, so the adjudicator may still
/// dispute it; one the adjudicator approved keeps its `settle_after`.
#[event_cpi]
#[derive(Accounts)]
pub struct ReinstateClaim<'info> {
    pub provider: Signer<'info>,
    #[account(mut, address = claim.policy)]
    pub policy: Box<Account<'info, Policy>>,
    #[account(address = policy.vault @ ClaimsError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut)]
    pub claim: Box<Account<'info, Claim>>,
    /// The provider's entity: it must be active again.
    #[account(
        seeds = [records::constants::ENTITY_SEED, claim.provider.as_ref()],
        seeds::program = records::ID,
        bump = provider_entity.bump,
    )]
    pub provider_entity: Box<Account<'info, records::state::Entity>>,
}

impl ReinstateClaim<'_> {
    pub fn validate(&self, remaining: &[AccountInfo], now: i64) -> Result<Actor> {
        let entity = &self.provider_entity;
        let (actor, _) = act(
            self.provider.key,
            &self.claim.provider,
            EntityAt::Given {
                address: &entity.key(),
                entity,
            },
            remaining,
            roles::BILL,
            now,
            ClaimsError::NotClaimProvider,
        )?;
        let (policy, claim) = (&self.policy, &self.claim);
        require_current_policy(policy, claim)?;
        require!(
            claim.status == ClaimStatus::Voided,
            ClaimsError::InvalidClaimStatus
        );
        require_active(&self.provider_entity, now)?;
        let voided_at = claim.voided_at.ok_or(ClaimsError::InvalidClaimStatus)?;
        require!(
            now < voided_at.saturating_add(policy.appeal_window),
            ClaimsError::ReinstateWindowClosed
        );
        Ok(actor)
    }
}

pub fn handler(mut ctx: Context<ReinstateClaim>) -> Result<()> {
    let now = now()?;
    let actor = ctx.accounts.validate(ctx.remaining_accounts, now)?;
    let accounts = &mut ctx.accounts;
    let policy = &mut accounts.policy;
    let claim = &mut accounts.claim;
    policy.absorb_donations(accounts.vault.amount)?;
    let old_status = claim.status;
    policy.reinstate(claim, now)?;
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
