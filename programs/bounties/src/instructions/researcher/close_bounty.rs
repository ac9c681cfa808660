use {
    super::super::{check_payout_mint, now, pay_out},
    crate::{constants::*, errors::BountiesError, events::BountyClosed, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{self, CloseAccount, Mint, TokenAccount, TokenInterface},
};

/// Once intake is over, with nothing pending, the researcher closes the
/// bounty: the vault's balance goes to `destination`, the vault and the
/// bounty are closed and their rent returned to whoever paid it.
#[event_cpi]
#[derive(Accounts)]
pub struct CloseBounty<'info> {
    pub researcher: Signer<'info>,
    #[account(
        mut,
        close = rent_payer,
        has_one = researcher @ BountiesError::NotResearcher,
        has_one = rent_payer @ BountiesError::RentPayerMismatch,
    )]
    pub bounty: Box<Account<'info, Bounty>>,
    #[account(mut, address = bounty.vault @ BountiesError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(address = bounty.mint @ BountiesError::InvalidTokenAccount)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        mut,
        constraint = destination.mint == bounty.mint @ BountiesError::InvalidTokenAccount,
        constraint = destination.key() != bounty.vault @ BountiesError::InvalidTokenAccount,
        token::token_program = token_program,
    )]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// CHECK: receives the rent of the bounty and the vault; the recorded payer.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
    #[account(address = bounty.token_program @ BountiesError::InvalidTokenAccount)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl CloseBounty<'_> {
    pub fn validate(&self, now: i64) -> Result<()> {
        require!(self.bounty.intake_over(now), BountiesError::IntakeStillOpen);
        // Contributions and tallies tell a later bounty at this address by
        // `opened_at`: closing in the opening second would let a bounty
        // re-created in that second inherit them.
        require!(
            now > self.bounty.opened_at,
            BountiesError::ClosedInOpeningSecond
        );
        require!(
            self.bounty.pending == 0,
            BountiesError::PendingContributions
        );
        check_payout_mint(&self.mint.to_account_info())
    }
}

pub fn handler(mut ctx: Context<CloseBounty>) -> Result<()> {
    ctx.accounts.validate(now()?)?;
    let accounts = &mut ctx.accounts;
    accounts.bounty.absorb_donations(accounts.vault.amount)?;
    let remaining = accounts.vault.amount;
    pay_out(
        &accounts.bounty,
        &accounts.vault.to_account_info(),
        &accounts.mint.to_account_info(),
        &accounts.destination.to_account_info(),
        &accounts.token_program.to_account_info(),
        remaining,
        accounts.mint.decimals,
    )?;
    accounts.vault.reload()?;
    let bounty = &mut accounts.bounty;
    bounty.withdraw(remaining)?;
    bounty.check_escrow(accounts.vault.amount)?;
    let seeds: &[&[u8]] = &[
        BOUNTY_SEED,
        bounty.researcher.as_ref(),
        &bounty.bounty_id,
        &[bounty.bump],
    ];
    token_interface::close_account(CpiContext::new_with_signer(
        accounts.token_program.key(),
        CloseAccount {
            account: accounts.vault.to_account_info(),
            destination: accounts.rent_payer.to_account_info(),
            authority: bounty.to_account_info(),
        },
        &[seeds],
    ))?;
    let event = BountyClosed {
        researcher: bounty.researcher,
        bounty: bounty.key(),
        returned: remaining,
    };
    emit_cpi!(event);
    Ok(())
}
