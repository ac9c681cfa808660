use {
    super::super::{check_payout_mint, totals},
    crate::{errors::BountiesError, events::BountyFunded, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct FundBountyArgs {
    pub amount: u64,
}

/// Moves tokens into the bounty's vault. Anyone may fund a bounty; only the
/// researcher withdraws.
#[event_cpi]
#[derive(Accounts)]
pub struct FundBounty<'info> {
    pub funder: Signer<'info>,
    #[account(mut)]
    pub bounty: Box<Account<'info, Bounty>>,
    #[account(mut, address = bounty.vault @ BountiesError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(address = bounty.mint @ BountiesError::InvalidTokenAccount)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        mut,
        token::mint = mint,
        token::authority = funder,
        token::token_program = token_program,
    )]
    pub source: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(address = bounty.token_program @ BountiesError::InvalidTokenAccount)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl FundBounty<'_> {
    /// A positive amount of a mint the program still accepts.
    pub fn validate(&self, args: &FundBountyArgs) -> Result<()> {
        require!(args.amount > 0, BountiesError::InvalidAmount);
        check_payout_mint(&self.mint.to_account_info())
    }
}

pub fn handler(mut ctx: Context<FundBounty>, args: FundBountyArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let accounts = &mut ctx.accounts;
    let received = panacea_common::vault::fund(
        &mut **accounts.bounty,
        &mut accounts.vault,
        accounts.source.to_account_info(),
        accounts.mint.to_account_info(),
        accounts.funder.to_account_info(),
        &accounts.token_program.to_account_info(),
        args.amount,
        accounts.mint.decimals,
    )?;
    let bounty = &accounts.bounty;
    let event = BountyFunded {
        funder: accounts.funder.key(),
        bounty: bounty.key(),
        amount: received,
        totals: totals(bounty),
    };
    emit_cpi!(event);
    Ok(())
}
