use {
    super::super::{
        check_payout_mint, checked_sub, now, pay_out, require_active, require_current_policy,
        totals,
    },
    crate::{errors::ClaimsError, events::ClaimSettled, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface},
    records::state::Entity,
};

/// Pays an approved claim once `settle_after` has passed. Anyone may call
/// it; the money only ever goes to a token account the provider owns, and
/// the claim becomes Paid, so it pays exactly once. The deductible is
/// applied here, to what earlier payments left unmet; the part of the
/// reservation it saves goes back to the escrow.
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
        check_payout_mint(&self.payout_mint.to_account_info())?;
        require_current_policy(&self.policy, &self.claim)?;
        require!(
            self.claim.status == ClaimStatus::Approved,
            ClaimsError::InvalidClaimStatus
        );
        require_active(&self.provider_entity, now)?;
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
    let (deductible, amount) = accounts.policy.settlement(&accounts.claim)?;
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
    let released = checked_sub(claim.reservation(), amount)?;
    policy.pay(claim, amount, deductible, now)?;
    policy.check_escrow(accounts.vault.amount)?;
    let event = ClaimSettled {
        settler: accounts.settler.key(),
        policy: policy.key(),
        claim: claim.key(),
        provider: claim.provider,
        amount,
        deductible_applied: deductible,
        released,
        totals: totals(policy),
    };
    emit_cpi!(event);
    Ok(())
}
