use {
    super::super::{intake_over_for, now},
    crate::{errors::BountiesError, events::ContributionClosed, state::*},
    anchor_lang::prelude::*,
};

/// A final contribution (paid, rejected or cancelled) whose bounty takes no
/// more offers (intake over, or the bounty closed) guards nothing: anyone
/// closes it and its rent goes back to whoever paid it.
#[event_cpi]
#[derive(Accounts)]
pub struct CloseContribution<'info> {
    #[account(
        mut,
        close = rent_payer,
        has_one = rent_payer @ BountiesError::RentPayerMismatch,
    )]
    pub contribution: Box<Account<'info, Contribution>>,
    /// CHECK: the contribution's bounty; it may be closed.
    #[account(address = contribution.bounty)]
    pub bounty: UncheckedAccount<'info>,
    /// CHECK: receives the rent; the contribution's recorded payer.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

impl CloseContribution<'_> {
    pub fn validate(&self, now: i64) -> Result<()> {
        require!(
            self.contribution.is_final(),
            BountiesError::InvalidContributionStatus
        );
        require!(
            intake_over_for(&self.bounty, self.contribution.bounty_opened_at, now),
            BountiesError::IntakeStillOpen
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<CloseContribution>) -> Result<()> {
    ctx.accounts.validate(now()?)?;
    let contribution = &ctx.accounts.contribution;
    let event = ContributionClosed {
        bounty: contribution.bounty,
        contribution: contribution.key(),
        patient: contribution.patient,
    };
    emit_cpi!(event);
    Ok(())
}
