use {
    super::super::{check_payout_mint, checked_sub, totals},
    crate::{errors::BountiesError, events::BountyFunded, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{self, Mint, TokenAccount, TokenInterface, TransferChecked},
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
    accounts.bounty.absorb_donations(accounts.vault.amount)?;
    let before = accounts.vault.amount;
    token_interface::transfer_checked(
        CpiContext::new(
            accounts.token_program.key(),
            TransferChecked {
                from: accounts.source.to_account_info(),
                mint: accounts.mint.to_account_info(),
                to: accounts.vault.to_account_info(),
                authority: accounts.funder.to_account_info(),
            },
        ),
        args.amount,
        accounts.mint.decimals,
    )?;
    accounts.vault.reload()?;
    // Count what arrived.
    let received = checked_sub(accounts.vault.amount, before)?;
    let bounty = &mut accounts.bounty;
    bounty.deposit(received)?;
    bounty.check_escrow(accounts.vault.amount)?;
    let event = BountyFunded {
        funder: accounts.funder.key(),
        bounty: bounty.key(),
        amount: received,
        totals: totals(bounty),
    };
    emit_cpi!(event);
    Ok(())
}
