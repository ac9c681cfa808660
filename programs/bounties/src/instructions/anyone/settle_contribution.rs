use {
    super::super::{
        check_payout_mint, contribution_permission, now, pay_out, require_contribution_of, totals,
    },
    crate::{constants::*, errors::BountiesError, events::ContributionSettled, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface},
};

/// Once the review window has passed without a decision, anyone pays the
/// full reward to a token account the patient owns, while the patient's
/// consent and grant still permit it. The researcher's standing is not
/// checked: a suspended researcher's pending offers still settle.
#[event_cpi]
#[derive(Accounts)]
pub struct SettleContribution<'info> {
    pub settler: Signer<'info>,
    #[account(mut, address = contribution.bounty)]
    pub bounty: Box<Account<'info, Bounty>>,
    #[account(mut, address = bounty.vault @ BountiesError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(address = bounty.mint @ BountiesError::InvalidTokenAccount)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut)]
    pub contribution: Box<Account<'info, Contribution>>,
    #[account(
        mut,
        seeds = [TALLY_SEED, contribution.bounty.as_ref(), contribution.patient.as_ref()],
        bump = tally.bump,
    )]
    pub tally: Box<Account<'info, PatientTally>>,
    /// CHECK: the patient's Research consent; checked by `research_permission`.
    pub consent: UncheckedAccount<'info>,
    /// CHECK: the grant the offer named; checked by `research_permission`.
    pub grant: UncheckedAccount<'info>,
    #[account(
        mut,
        constraint = patient_tokens.owner == contribution.patient @ BountiesError::PayoutNotPatient,
        constraint = patient_tokens.mint == bounty.mint @ BountiesError::InvalidTokenAccount,
        constraint = patient_tokens.delegate.is_none() @ BountiesError::PayoutDelegated,
        token::token_program = token_program,
    )]
    pub patient_tokens: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(address = bounty.token_program @ BountiesError::InvalidTokenAccount)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl SettleContribution<'_> {
    pub fn validate(&self, now: i64) -> Result<()> {
        let bounty = &self.bounty;
        let contribution = &self.contribution;
        require_contribution_of(bounty, contribution, &self.tally, self.grant.key)?;
        require!(
            contribution.status == ContributionStatus::Pending,
            BountiesError::InvalidContributionStatus
        );
        require!(
            now >= contribution.review_deadline,
            BountiesError::ReviewWindowOpen
        );
        check_payout_mint(&self.mint.to_account_info())?;
        contribution_permission(&self.consent, &self.grant, bounty, contribution, now)
            .map_err(|e| error!(e))?;
        Ok(())
    }
}

pub fn handler(mut ctx: Context<SettleContribution>) -> Result<()> {
    let now = now()?;
    ctx.accounts.validate(now)?;
    let accounts = &mut ctx.accounts;
    accounts.bounty.absorb_donations(accounts.vault.amount)?;
    let amount = accounts.contribution.reward;
    pay_out(
        &accounts.bounty,
        &accounts.vault.to_account_info(),
        &accounts.mint.to_account_info(),
        &accounts.patient_tokens.to_account_info(),
        &accounts.token_program.to_account_info(),
        amount,
        accounts.mint.decimals,
    )?;
    accounts.vault.reload()?;
    let bounty = &mut accounts.bounty;
    let contribution = &mut accounts.contribution;
    bounty.pay(contribution, amount, None, now)?;
    accounts.tally.paid()?;
    bounty.check_escrow(accounts.vault.amount)?;
    let event = ContributionSettled {
        settler: accounts.settler.key(),
        bounty: bounty.key(),
        contribution: contribution.key(),
        patient: contribution.patient,
        amount,
        totals: totals(bounty),
    };
    emit_cpi!(event);
    Ok(())
}
