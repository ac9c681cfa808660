use {
    crate::{
        constants::*, errors::RecordsError, events::AccessRequestCancelled, instructions::now,
        state::*,
    },
    anchor_lang::prelude::*,
};

/// The requester withdraws an access request the patient has not answered;
/// once it has waited [`ACCESS_REQUEST_TTL`], anyone may close it. Either
/// way the request is closed and its rent goes back to whoever paid it, so
/// an unanswered request never strands rent.
#[event_cpi]
#[derive(Accounts)]
pub struct CancelAccessRequest<'info> {
    /// The requester, or anyone once the request has expired.
    pub closer: Signer<'info>,
    #[account(
        mut,
        close = rent_payer,
        seeds = [
            ACCESS_REQUEST_SEED,
            access_request.patient.as_ref(),
            access_request.requester.as_ref(),
            access_request.target.as_ref(),
        ],
        bump = access_request.bump,
        has_one = rent_payer @ RecordsError::RentPayerMismatch,
    )]
    pub access_request: Account<'info, AccessRequest>,
    /// CHECK: receives the request's rent; must be its recorded payer.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

impl CancelAccessRequest<'_> {
    /// Returns whether the request is closed as expired.
    pub fn validate(&self, now: i64) -> Result<bool> {
        let expired = self.access_request.is_expired(now);
        require!(
            expired || self.closer.key() == self.access_request.requester,
            RecordsError::AccessRequestNotExpired
        );
        Ok(expired)
    }
}

pub fn handler(ctx: Context<CancelAccessRequest>) -> Result<()> {
    let expired = ctx.accounts.validate(now()?)?;
    let request = &ctx.accounts.access_request;
    emit_cpi!(AccessRequestCancelled {
        actor: ctx.accounts.closer.key(),
        patient: request.patient,
        requester: request.requester,
        request: request.key(),
        expired,
    });
    Ok(())
}
