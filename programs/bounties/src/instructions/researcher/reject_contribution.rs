use {
    super::super::{act_as_researcher, now, require_reviewable, totals},
    crate::{constants::*, errors::BountiesError, events::ContributionRejected, state::*},
    anchor_lang::prelude::*,
    anchor_spl::token_interface::TokenAccount,
    records::{acting::Actor, constants::ENTITY_SEED, state::Entity},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RejectContributionArgs {
    /// Why (a code the study publishes; never free text); not 0.
    pub reason_code: u16,
}

/// Within the review window, the researcher (or a Researcher member)
/// rejects a pending contribution with a reason: nothing is paid, the
/// reward goes back to the unreserved escrow and the patient's slot is free.
#[event_cpi]
#[derive(Accounts)]
pub struct RejectContribution<'info> {
    pub researcher: Signer<'info>,
    #[account(
        seeds = [ENTITY_SEED, bounty.researcher.as_ref()],
        seeds::program = records::ID,
        bump = researcher_entity.bump,
    )]
    pub researcher_entity: Box<Account<'info, Entity>>,
    #[account(mut, address = contribution.bounty)]
    pub bounty: Box<Account<'info, Bounty>>,
    #[account(address = bounty.vault @ BountiesError::InvalidTokenAccount)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut)]
    pub contribution: Box<Account<'info, Contribution>>,
    #[account(
        mut,
        seeds = [TALLY_SEED, contribution.bounty.as_ref(), contribution.patient.as_ref()],
        bump = tally.bump,
    )]
    pub tally: Box<Account<'info, PatientTally>>,
}

impl RejectContribution<'_> {
    pub fn validate(
        &self,
        args: &RejectContributionArgs,
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
        require_reviewable(bounty, contribution, &self.tally, None, now)?;
        require!(args.reason_code != 0, BountiesError::InvalidReasonCode);
        Ok(actor)
    }
}

pub fn handler<'info>(
    mut ctx: Context<'info, RejectContribution<'info>>,
    args: RejectContributionArgs,
) -> Result<()> {
    let now = now()?;
    let actor = ctx.accounts.validate(&args, ctx.remaining_accounts, now)?;
    let accounts = &mut ctx.accounts;
    let bounty = &mut accounts.bounty;
    let contribution = &mut accounts.contribution;
    bounty.absorb_donations(accounts.vault.amount)?;
    bounty.release(
        contribution,
        ContributionStatus::Rejected,
        args.reason_code,
        now,
    )?;
    accounts.tally.released()?;
    bounty.check_escrow(accounts.vault.amount)?;
    let event = ContributionRejected {
        actor: actor.entity,
        actor_member: actor.member,
        researcher: bounty.researcher,
        bounty: bounty.key(),
        contribution: contribution.key(),
        patient: contribution.patient,
        reason_code: args.reason_code,
        totals: totals(bounty),
    };
    emit_cpi!(event);
    Ok(())
}
