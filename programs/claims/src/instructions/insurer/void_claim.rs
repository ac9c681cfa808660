use {
    super::super::{act, entity_is_active, now, require_current_policy, status_changed},
    crate::{errors::ClaimsError, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::TokenAccount,
    records::{
        acting::{load_entity, Actor, EntityAt},
        state::roles,
    },
};

/// The insurer or the adjudicator voids an approved claim whose provider is
/// no longer active (suspended, revoked, credential expired, or its entity
/// closed), so that it cannot hold its reservation and the policy for ever.
/// The reservation is released. Within the appeal window the provider,
/// active again, may reinstate the claim; until then the insurer neither
/// withdraws nor closes the policy.
#[event_cpi]
#[derive(Accounts)]
pub struct VoidClaim<'info> {
    /// The policy's insurer or its adjudicator.
    pub authority: Signer<'info>,
    #[account(mut, address = claim.policy)]
    pub policy: Box<Account<'info, Policy>>,
    #[account(address = policy.vault @ ClaimsError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut)]
    pub claim: Box<Account<'info, Claim>>,
    /// CHECK: the provider's entity address in `records`; read only to show
    /// it holds no active entity (it may be closed).
    #[account(
        seeds = [records::constants::ENTITY_SEED, claim.provider.as_ref()],
        seeds::program = records::ID,
        bump,
    )]
    pub provider_entity: UncheckedAccount<'info>,
}

impl VoidClaim<'_> {
    pub fn validate(&self, remaining: &[AccountInfo], now: i64) -> Result<Actor> {
        let (policy, claim) = (&self.policy, &self.claim);
        let signer = self.authority.key;
        let actor = if *signer == policy.insurer || *signer == policy.adjudicator {
            Actor {
                entity: *signer,
                member: None,
            }
        } else {
            // A ClaimsAdjudicator member of the insurer's or the
            // adjudicator's entity: the Entity passed picks which.
            let insurer_or_adjudicator =
                |a: &Pubkey| *a == policy.insurer || *a == policy.adjudicator;
            let authority = remaining
                .get(1)
                .and_then(load_entity)
                .map(|e| e.authority)
                .filter(insurer_or_adjudicator)
                .unwrap_or(policy.insurer);
            act(
                signer,
                &authority,
                EntityAt::Remaining,
                remaining,
                roles::ADJUDICATE,
                now,
                ClaimsError::NotInsurerOrAdjudicator,
            )?
            .0
        };
        require_current_policy(policy, claim)?;
        require!(
            claim.status == ClaimStatus::Approved,
            ClaimsError::InvalidClaimStatus
        );
        require!(
            !entity_is_active(&self.provider_entity, &claim.provider, now),
            ClaimsError::ProviderStillActive
        );
        Ok(actor)
    }
}

pub fn handler(mut ctx: Context<VoidClaim>) -> Result<()> {
    let now = now()?;
    let actor = ctx.accounts.validate(ctx.remaining_accounts, now)?;
    let accounts = &mut ctx.accounts;
    let policy = &mut accounts.policy;
    let claim = &mut accounts.claim;
    policy.absorb_donations(accounts.vault.amount)?;
    let old_status = claim.status;
    policy.void(claim, now)?;
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
