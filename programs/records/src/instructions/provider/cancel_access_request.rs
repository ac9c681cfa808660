use {
    crate::{
        acting::{authorize, ActingError, EntityAt},
        constants::*,
        errors::RecordsError,
        events::AccessRequestCancelled,
        instructions::now,
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
    /// The requester (its authority, or a member of it with a role the
    /// request's purpose allows: its `Member` and `Entity` accounts in the
    /// remaining accounts), or anyone once the request has expired.
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
    /// Returns whether the request is closed as expired, and the member
    /// who closed it for the requester.
    pub fn validate(&self, remaining: &[AccountInfo], now: i64) -> Result<(bool, Option<Pubkey>)> {
        let request = &self.access_request;
        let expired = request.is_expired(now);
        if self.closer.key() == request.requester {
            return Ok((expired, None));
        }
        let acting = authorize(
            self.closer.key,
            &request.requester,
            EntityAt::Remaining,
            remaining,
            roles::for_purpose(request.purpose),
            now,
        );
        match acting {
            Ok((actor, _)) => Ok((expired, actor.member)),
            // Anyone closes an expired request.
            Err(_) if expired => Ok((true, None)),
            Err(ActingError::NotEntityAuthorityOrMember) => {
                err!(RecordsError::AccessRequestNotExpired)
            }
            Err(e) => Err(e.into()),
        }
    }
}

pub fn handler(ctx: Context<CancelAccessRequest>) -> Result<()> {
    let (expired, actor_member) = ctx.accounts.validate(ctx.remaining_accounts, now()?)?;
    let request = &ctx.accounts.access_request;
    emit_cpi!(AccessRequestCancelled {
        actor: ctx.accounts.closer.key(),
        patient: request.patient,
        requester: request.requester,
        request: request.key(),
        expired,
        actor_member,
    });
    Ok(())
}
