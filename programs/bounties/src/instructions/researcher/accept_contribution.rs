use {
    super::super::{
        act_as_researcher, check_payout_mint, checked_sub, contribution_permission, now, pay_out,
        require_reviewable, totals,
    },
    crate::{constants::*, errors::BountiesError, events::ContributionAccepted, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface},
    records::{acting::Actor, constants::ENTITY_SEED, state::Entity},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct AcceptContributionArgs {
    /// Paid now: 1 to the contribution's reward; the rest goes back to the
    /// unreserved escrow.
    pub amount: u64,
    /// 0 to `MAX_QUALITY_SCORE`.
    pub quality_score: u8,
}

/// Within the review window, the researcher (or a Researcher member, its
/// `Member` account first in the remaining accounts) accepts a pending
/// contribution and pays all or part of its reward to a token account the
/// patient owns, while the patient's consent and grant still permit it.
#[event_cpi]
#[derive(Accounts)]
pub struct AcceptContribution<'info> {
    pub researcher: Signer<'info>,
    #[account(
        seeds = [ENTITY_SEED, bounty.researcher.as_ref()],
        seeds::program = records::ID,
        bump = researcher_entity.bump,
    )]
    pub researcher_entity: Box<Account<'info, Entity>>,
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

impl AcceptContribution<'_> {
    pub fn validate(
        &self,
        args: &AcceptContributionArgs,
        remaining: &[AccountInfo],
        now: i64,
    ) -> Result<Actor> {
        let bounty = &self.bounty;
        let contribution = &self.contribution;
        let actor = act_as_researcher(
            self.researcher.key,
            bounty,
            &self.researcher_entity.key(),
            &self.researcher_entity,
            remaining,
            now,
        )?;
        require_reviewable(bounty, contribution, &self.tally, Some(self.grant.key), now)?;
        require!(
            args.amount > 0 && args.amount <= contribution.reward,
            BountiesError::InvalidAmount
        );
        require!(
            args.quality_score <= MAX_QUALITY_SCORE,
            BountiesError::InvalidQualityScore
        );
        check_payout_mint(&self.mint.to_account_info())?;
        contribution_permission(&self.consent, &self.grant, bounty, contribution, now)
            .map_err(|e| error!(e))?;
        Ok(actor)
    }
}

pub fn handler<'info>(
    mut ctx: Context<'info, AcceptContribution<'info>>,
    args: AcceptContributionArgs,
) -> Result<()> {
    let now = now()?;
    let actor = ctx.accounts.validate(&args, ctx.remaining_accounts, now)?;
    let accounts = &mut ctx.accounts;
    accounts.bounty.absorb_donations(accounts.vault.amount)?;
    pay_out(
        &accounts.bounty,
        &accounts.vault.to_account_info(),
        &accounts.mint.to_account_info(),
        &accounts.patient_tokens.to_account_info(),
        &accounts.token_program.to_account_info(),
        args.amount,
        accounts.mint.decimals,
    )?;
    accounts.vault.reload()?;
    let bounty = &mut accounts.bounty;
    let contribution = &mut accounts.contribution;
    let released = checked_sub(contribution.reward, args.amount)?;
    bounty.pay(contribution, args.amount, Some(args.quality_score), now)?;
    accounts.tally.paid()?;
    bounty.check_escrow(accounts.vault.amount)?;
    let event = ContributionAccepted {
        actor: actor.entity,
        actor_member: actor.member,
        researcher: bounty.researcher,
        bounty: bounty.key(),
        contribution: contribution.key(),
        patient: contribution.patient,
        amount: args.amount,
        released,
        quality_score: args.quality_score,
        totals: totals(bounty),
    };
    emit_cpi!(event);
    Ok(())
}
