use {
    super::super::{check_payout_mint, now, pay_out},
    crate::{constants::*, errors::ClaimsError, events::PolicyClosed, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{self, CloseAccount, Mint, TokenAccount, TokenInterface},
};

/// After its period, with no open claims, the insurer closes the policy: the
/// vault's balance goes to `destination`, the vault and the policy are
/// closed and their rent returned.
#[event_cpi]
#[derive(Accounts)]
pub struct ClosePolicy<'info> {
    pub insurer: Signer<'info>,
    #[account(
        mut,
        close = rent_payer,
        has_one = insurer @ ClaimsError::NotInsurer,
        has_one = rent_payer @ ClaimsError::RentPayerMismatch,
    )]
    pub policy: Box<Account<'info, Policy>>,
    #[account(mut, address = policy.vault @ ClaimsError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(address = policy.payout_mint @ ClaimsError::InvalidTokenAccount)]
    pub payout_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut, token::mint = payout_mint, token::token_program = token_program)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// CHECK: receives the rent of the policy and the vault; the recorded payer.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
    #[account(address = policy.token_program @ ClaimsError::InvalidTokenAccount)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl ClosePolicy<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            now()? >= self.policy.valid_until,
            ClaimsError::PolicyStillRunning
        );
        require!(self.policy.open_claims == 0, ClaimsError::OpenClaims);
        require!(
            now()? >= self.policy.appealable_until,
            ClaimsError::AppealWindowOpen
        );
        check_payout_mint(&self.payout_mint.to_account_info())?;
        Ok(())
    }
}

pub fn handler(mut ctx: Context<ClosePolicy>) -> Result<()> {
    ctx.accounts.validate()?;
    let accounts = &mut ctx.accounts;
    accounts.policy.absorb_donations(accounts.vault.amount)?;
    let remaining = accounts.vault.amount;
    pay_out(
        &accounts.policy,
        &accounts.vault.to_account_info(),
        &accounts.payout_mint.to_account_info(),
        &accounts.destination.to_account_info(),
        &accounts.token_program.to_account_info(),
        remaining,
        accounts.payout_mint.decimals,
    )?;
    accounts.vault.reload()?;
    let policy = &mut accounts.policy;
    policy.withdraw(remaining)?;
    policy.check_escrow(accounts.vault.amount)?;
    let seeds: &[&[u8]] = &[
        POLICY_SEED,
        policy.insurer.as_ref(),
        &policy.policy_id,
        &[policy.bump],
    ];
    token_interface::close_account(CpiContext::new_with_signer(
        accounts.token_program.key(),
        CloseAccount {
            account: accounts.vault.to_account_info(),
            destination: accounts.rent_payer.to_account_info(),
            authority: policy.to_account_info(),
        },
        &[seeds],
    ))?;
    let event = PolicyClosed {
        insurer: policy.insurer,
        policy: policy.key(),
        returned: remaining,
    };
    emit_cpi!(event);
    Ok(())
}
