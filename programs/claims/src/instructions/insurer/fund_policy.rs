use {
    super::super::{check_payout_mint, checked_sub, totals},
    crate::{errors::ClaimsError, events::PolicyFunded, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{self, Mint, TokenAccount, TokenInterface, TransferChecked},
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
    accounts.policy.absorb_donations(accounts.vault.amount)?;
    let before = accounts.vault.amount;
    token_interface::transfer_checked(
        CpiContext::new(
            accounts.token_program.key(),
            TransferChecked {
                from: accounts.source.to_account_info(),
                mint: accounts.payout_mint.to_account_info(),
                to: accounts.vault.to_account_info(),
                authority: accounts.funder.to_account_info(),
            },
        ),
        args.amount,
        accounts.payout_mint.decimals,
    )?;
    accounts.vault.reload()?;
    // Count what arrived (a fee-bearing mint may deliver less than sent).
    let received = checked_sub(accounts.vault.amount, before)?;
    let policy = &mut accounts.policy;
    policy.deposit(received)?;
    policy.check_escrow(accounts.vault.amount)?;
    let event = PolicyFunded {
        funder: accounts.funder.key(),
        policy: policy.key(),
        amount: received,
        totals: totals(policy),
    };
    emit_cpi!(event);
    Ok(())
}
