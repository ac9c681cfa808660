use {
    crate::{constants::*, errors::RecordsError, events::AccessRequestDenied, state::*},
    anchor_lang::prelude::*,
};

/// The patient (or guardian) denies a request; it is closed and its rent
/// returned to the requester.
#[event_cpi]
#[derive(Accounts)]
pub struct DenyAccessRequest<'info> {
    pub authority: Signer<'info>,
    #[account(
        seeds = [PATIENT_SEED, patient.authority.as_ref()],
        bump = patient.bump,
        constraint = patient.is_patient_or_guardian(authority.key) @ RecordsError::NotPatientOrGuardian,
    )]
    pub patient: Account<'info, Patient>,
    #[account(
        mut,
        close = rent_payer,
        seeds = [
            ACCESS_REQUEST_SEED,
            patient.authority.as_ref(),
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

impl DenyAccessRequest<'_> {
    /// The request is the patient's (its seeds name the patient; checked
    /// again here against the stored field).
    pub fn validate(&self) -> Result<()> {
        require_keys_eq!(
            self.access_request.patient,
            self.patient.authority,
            RecordsError::NotPatientOrGuardian
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<DenyAccessRequest>) -> Result<()> {
    ctx.accounts.validate()?;
    let request = &ctx.accounts.access_request;
    emit_cpi!(AccessRequestDenied {
        actor: ctx.accounts.authority.key(),
        patient: request.patient,
        requester: request.requester,
        request: request.key(),
    });
    Ok(())
}
