use {
    super::super::{check_payout_mint, totals},
    crate::{errors::ClaimsError, events::PolicyFunded, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct FundPolicyArgs {
    pub amount: u64,
}

/// Moves payout tokens into the policy's vault. Anyone may fund a policy
/// (the insurer, an employer); only the insurer withdraws.
#[event_cpi]
#[derive(Accounts)]
pub struct FundPolicy<'info> {
    pub funder: Signer<'info>,
    #[account(mut)]
    pub policy: Box<Account<'info, Policy>>,
    #[account(mut, address = policy.vault @ ClaimsError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(address = policy.payout_mint @ ClaimsError::InvalidTokenAccount)]
    pub payout_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        mut,
        token::mint = payout_mint,
        token::authority = funder,
        token::token_program = token_program,
    )]
    pub source: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(address = policy.token_program @ ClaimsError::InvalidTokenAccount)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl FundPolicy<'_> {
    /// A positive amount of a payout mint the program still accepts.
    pub fn validate(&self, args: &FundPolicyArgs) -> Result<()> {
        require!(args.amount > 0, ClaimsError::InvalidAmount);
        check_payout_mint(&self.payout_mint.to_account_info())
    }
}

pub fn handler(mut ctx: Context<FundPolicy>, args: FundPolicyArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let accounts = &mut ctx.accounts;
    let received = panacea_common::vault::fund(
        &mut **accounts.policy,
        &mut accounts.vault,
        accounts.source.to_account_info(),
        accounts.payout_mint.to_account_info(),
        accounts.funder.to_account_info(),
        &accounts.token_program.to_account_info(),
        args.amount,
        accounts.payout_mint.decimals,
    )?;
    let policy = &accounts.policy;
    let event = PolicyFunded {
        funder: accounts.funder.key(),
        policy: policy.key(),
        amount: received,
        totals: totals(policy),
    };
    emit_cpi!(event);
    Ok(())
}
