use {
    super::super::now,
    crate::{errors::BountiesError, events::BountyCancelled, state::*},
    anchor_lang::prelude::*,
};

/// The researcher cancels a bounty with no pending offers: no offer, review
/// or payment again; the money can then be withdrawn or the bounty closed.
#[event_cpi]
#[derive(Accounts)]
pub struct CancelBounty<'info> {
    pub researcher: Signer<'info>,
    #[account(mut, has_one = researcher @ BountiesError::NotResearcher)]
    pub bounty: Box<Account<'info, Bounty>>,
}

impl CancelBounty<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.bounty.status != BountyStatus::Cancelled,
            BountiesError::IntakeClosed
        );
        require!(
            self.bounty.pending == 0,
            BountiesError::PendingContributions
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<CancelBounty>) -> Result<()> {
    let now = now()?;
    ctx.accounts.validate()?;
    let bounty = &mut ctx.accounts.bounty;
    bounty.status = BountyStatus::Cancelled;
    bounty.intake_ends_at = bounty.intake_ends_at.min(now);
    bounty.check_invariant()?;
    let event = BountyCancelled {
        researcher: bounty.researcher,
        bounty: bounty.key(),
    };
    emit_cpi!(event);
    Ok(())
}
