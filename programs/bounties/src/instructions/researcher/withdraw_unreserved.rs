use {
    super::super::{check_payout_mint, pay_out, totals},
    crate::{errors::BountiesError, events::BountyFundsWithdrawn, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct WithdrawUnreservedArgs {
    pub amount: u64,
}

/// The researcher takes back vault money no pending contribution holds, to
/// any token account of the mint.
#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawUnreserved<'info> {
    pub researcher: Signer<'info>,
    #[account(mut, has_one = researcher @ BountiesError::NotResearcher)]
    pub bounty: Box<Account<'info, Bounty>>,
    #[account(mut, address = bounty.vault @ BountiesError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(address = bounty.mint @ BountiesError::InvalidTokenAccount)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        mut,
        constraint = destination.mint == bounty.mint @ BountiesError::InvalidTokenAccount,
        token::token_program = token_program,
    )]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(address = bounty.token_program @ BountiesError::InvalidTokenAccount)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl WithdrawUnreserved<'_> {
    pub fn validate(&self, args: &WithdrawUnreservedArgs) -> Result<()> {
        require!(args.amount > 0, BountiesError::InvalidAmount);
        require_keys_neq!(
            self.destination.key(),
            self.vault.key(),
            BountiesError::InvalidTokenAccount
        );
        check_payout_mint(&self.mint.to_account_info())
    }
}

pub fn handler(mut ctx: Context<WithdrawUnreserved>, args: WithdrawUnreservedArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let accounts = &mut ctx.accounts;
    accounts.bounty.absorb_donations(accounts.vault.amount)?;
    require!(
        args.amount <= accounts.bounty.unreserved()?,
        BountiesError::InsufficientEscrow
    );
    pay_out(
        &accounts.bounty,
        &accounts.vault.to_account_info(),
        &accounts.mint.to_account_info(),
        &accounts.destination.to_account_info(),
        &accounts.token_program.to_account_info(),
        args.amount,
        accounts.mint.decimals,
    )?;
    accounts.vault.reload()?;
    let bounty = &mut accounts.bounty;
    bounty.withdraw(args.amount)?;
    bounty.check_escrow(accounts.vault.amount)?;
    let event = BountyFundsWithdrawn {
        researcher: bounty.researcher,
        bounty: bounty.key(),
        amount: args.amount,
        totals: totals(bounty),
    };
    emit_cpi!(event);
    Ok(())
}
