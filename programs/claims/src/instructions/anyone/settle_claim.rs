use {
    super::super::{
        check_claim, checked_add, checked_sub, now, pay_out, require_active,
        require_current_policy, totals,
    },
    crate::{errors::ClaimsError, events::ClaimSettled, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface},
    records::state::Entity,
};

/// Pays an approved claim once `settle_after` has passed. Anyone may call
/// it; the money only ever goes to a token account the provider owns, and
/// the claim becomes Paid, so it pays exactly once.
#[event_cpi]
#[derive(Accounts)]
pub struct SettleClaim<'info> {
    pub settler: Signer<'info>,
    #[account(mut, address = claim.policy)]
    pub policy: Box<Account<'info, Policy>>,
    #[account(mut, address = policy.vault @ ClaimsError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(address = policy.payout_mint @ ClaimsError::InvalidTokenAccount)]
    pub payout_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut)]
    pub claim: Box<Account<'info, Claim>>,
    #[account(
        mut,
        constraint = provider_token_account.owner == claim.provider @ ClaimsError::InvalidTokenAccount,
        constraint = provider_token_account.mint == policy.payout_mint @ ClaimsError::InvalidTokenAccount,
    )]
    pub provider_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(address = policy.token_program @ ClaimsError::InvalidTokenAccount)]
    pub token_program: Interface<'info, TokenInterface>,
    /// The provider must still be credentialed when paid.
    #[account(
        seeds = [records::constants::ENTITY_SEED, claim.provider.as_ref()],
        seeds::program = records::ID,
        bump = provider_entity.bump,
    )]
    pub provider_entity: Box<Account<'info, Entity>>,
}

impl SettleClaim<'_> {
    pub fn validate(&self, now: i64) -> Result<()> {
        require_current_policy(&self.policy, &self.claim)?;
        require_active(&self.provider_entity, now)?;
        require!(
            self.claim.status == ClaimStatus::Approved,
            ClaimsError::InvalidClaimStatus
        );
        require!(
            now >= self.claim.settle_after,
            ClaimsError::SettlementNotDue
        );
        Ok(())
    }
}

pub fn handler(mut ctx: Context<SettleClaim>) -> Result<()> {
    let now = now()?;
    ctx.accounts.validate(now)?;
    let accounts = &mut ctx.accounts;
    accounts.policy.absorb_donations(accounts.vault.amount)?;
    let amount = accounts.claim.amount_payable;
    pay_out(
        &accounts.policy,
        &accounts.vault.to_account_info(),
        &accounts.payout_mint.to_account_info(),
        &accounts.provider_token_account.to_account_info(),
        &accounts.token_program.to_account_info(),
        amount,
        accounts.payout_mint.decimals,
    )?;
    accounts.vault.reload()?;
    let policy = &mut accounts.policy;
    let claim = &mut accounts.claim;
    policy.paid = checked_add(policy.paid, amount)?;
    policy.reserved = checked_sub(policy.reserved, amount)?;
    policy.open_claims = policy
        .open_claims
        .checked_sub(1)
        .ok_or(ClaimsError::EscrowInvariantViolated)?;
    claim.status = ClaimStatus::Paid;
    claim.paid_at = Some(now);
    policy.check_invariant(accounts.vault.amount)?;
    check_claim(claim)?;
    let event = ClaimSettled {
        settler: accounts.settler.key(),
        policy: policy.key(),
        claim: claim.key(),
        provider: claim.provider,
        amount,
        totals: totals(policy),
    };
    emit_cpi!(event);
    Ok(())
}
