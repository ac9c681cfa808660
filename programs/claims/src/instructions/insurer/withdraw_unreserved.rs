use {
    super::super::{check_payout_mint, now, pay_out, totals},
    crate::{errors::ClaimsError, events::FundsWithdrawn, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct WithdrawUnreservedArgs {
    pub amount: u64,
}

/// The insurer takes back vault money that no claim has reserved.
#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawUnreserved<'info> {
    pub insurer: Signer<'info>,
    #[account(mut, has_one = insurer @ ClaimsError::NotInsurer)]
    pub policy: Box<Account<'info, Policy>>,
    #[account(mut, address = policy.vault @ ClaimsError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(address = policy.payout_mint @ ClaimsError::InvalidTokenAccount)]
    pub payout_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut, token::mint = payout_mint, token::token_program = token_program)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(address = policy.token_program @ ClaimsError::InvalidTokenAccount)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl WithdrawUnreserved<'_> {
    /// A positive amount, a payout mint the program still accepts, and no
    /// appeal window open: money released by a denial may be claimed again
    /// on appeal. (Whether the amount is unreserved is checked by
    /// `Policy::withdraw`, after donations are counted.)
    pub fn validate(&self, args: &WithdrawUnreservedArgs, now: i64) -> Result<()> {
        require!(args.amount > 0, ClaimsError::InvalidAmount);
        check_payout_mint(&self.payout_mint.to_account_info())?;
        require!(
            now >= self.policy.appealable_until,
            ClaimsError::AppealWindowOpen
        );
        Ok(())
    }
}

pub fn handler(mut ctx: Context<WithdrawUnreserved>, args: WithdrawUnreservedArgs) -> Result<()> {
    ctx.accounts.validate(&args, now()?)?;
    let accounts = &mut ctx.accounts;
    accounts.policy.absorb_donations(accounts.vault.amount)?;
    require!(
        args.amount <= accounts.policy.unreserved()?,
        ClaimsError::InsufficientEscrow
    );
    pay_out(
        &accounts.policy,
        &accounts.vault.to_account_info(),
        &accounts.payout_mint.to_account_info(),
        &accounts.destination.to_account_info(),
        &accounts.token_program.to_account_info(),
        args.amount,
        accounts.payout_mint.decimals,
    )?;
    accounts.vault.reload()?;
    let policy = &mut accounts.policy;
    policy.withdraw(args.amount)?;
    policy.check_escrow(accounts.vault.amount)?;
    let event = FundsWithdrawn {
        insurer: policy.insurer,
        policy: policy.key(),
        amount: args.amount,
        totals: totals(policy),
    };
    emit_cpi!(event);
    Ok(())
}
