use {
    super::super::now,
    crate::{errors::BountiesError, events::BountyIntakeClosed, state::*},
    anchor_lang::prelude::*,
};

/// The researcher ends intake early: no new offers; pending ones are still
/// reviewed or settled.
#[event_cpi]
#[derive(Accounts)]
pub struct CloseIntake<'info> {
    pub researcher: Signer<'info>,
    #[account(mut, has_one = researcher @ BountiesError::NotResearcher)]
    pub bounty: Box<Account<'info, Bounty>>,
}

impl CloseIntake<'_> {
    pub fn validate(&self, now: i64) -> Result<()> {
        require!(self.bounty.intake_open(now), BountiesError::IntakeClosed);
        Ok(())
    }
}

pub fn handler(ctx: Context<CloseIntake>) -> Result<()> {
    let now = now()?;
    ctx.accounts.validate(now)?;
    let bounty = &mut ctx.accounts.bounty;
    bounty.status = BountyStatus::IntakeClosed;
    bounty.intake_ends_at = now;
    bounty.check_invariant()?;
    let event = BountyIntakeClosed {
        researcher: bounty.researcher,
        bounty: bounty.key(),
        at: now,
    };
    emit_cpi!(event);
    Ok(())
}
