use {
    crate::{constants::*, errors::ClaimsError, events::ClaimedRecordClosed, state::*},
    anchor_lang::prelude::*,
};

/// Once its policy is closed, a `ClaimedRecord` marker guards nothing:
/// anyone may close it and its rent goes back to whoever paid it.
#[event_cpi]
#[derive(Accounts)]
pub struct CloseClaimedRecord<'info> {
    pub actor: Signer<'info>,
    /// CHECK: the marker's policy, which must no longer exist.
    #[account(address = claimed_record.policy)]
    pub policy: UncheckedAccount<'info>,
    #[account(
        mut,
        close = rent_payer,
        seeds = [CLAIMED_RECORD_SEED, claimed_record.policy.as_ref(), &claimed_record.origin.to_le_bytes()],
        bump = claimed_record.bump,
        has_one = rent_payer @ ClaimsError::RentPayerMismatch,
    )]
    pub claimed_record: Box<Account<'info, ClaimedRecord>>,
    /// CHECK: receives the rent; the marker's recorded payer.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

impl CloseClaimedRecord<'_> {
    /// The marker's policy no longer exists.
    pub fn validate(&self) -> Result<()> {
        require!(self.policy.data_is_empty(), ClaimsError::PolicyStillOpen);
        Ok(())
    }
}

pub fn handler(ctx: Context<CloseClaimedRecord>) -> Result<()> {
    ctx.accounts.validate()?;
    let event = ClaimedRecordClosed {
        policy: ctx.accounts.claimed_record.policy,
        record: ctx.accounts.claimed_record.record,
    };
    emit_cpi!(event);
    Ok(())
}
