use {
    super::super::{intake_over_for, now},
    crate::{errors::BountiesError, events::PatientTallyClosed, state::*},
    anchor_lang::prelude::*,
};

/// A patient's tally with nothing pending, on a bounty that takes no more
/// offers, caps nothing: anyone closes it and its rent goes back to whoever
/// paid it.
#[event_cpi]
#[derive(Accounts)]
pub struct ClosePatientTally<'info> {
    #[account(
        mut,
        close = rent_payer,
        has_one = rent_payer @ BountiesError::RentPayerMismatch,
    )]
    pub tally: Box<Account<'info, PatientTally>>,
    /// CHECK: the tally's bounty; it may be closed.
    #[account(address = tally.bounty)]
    pub bounty: UncheckedAccount<'info>,
    /// CHECK: receives the rent; the tally's recorded payer.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

impl ClosePatientTally<'_> {
    pub fn validate(&self, now: i64) -> Result<()> {
        require!(self.tally.pending == 0, BountiesError::PendingContributions);
        require!(
            intake_over_for(&self.bounty, self.tally.bounty_opened_at, now),
            BountiesError::IntakeStillOpen
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<ClosePatientTally>) -> Result<()> {
    ctx.accounts.validate(now()?)?;
    let tally = &ctx.accounts.tally;
    let event = PatientTallyClosed {
        bounty: tally.bounty,
        patient: tally.patient,
    };
    emit_cpi!(event);
    Ok(())
}
