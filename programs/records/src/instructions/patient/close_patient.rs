use {
    crate::{constants::*, errors::RecordsError, events::PatientClosed, state::*},
    anchor_lang::prelude::*,
};

/// Closes the patient's profile and returns its rent. Records and grants
/// are separate accounts with their own close paths.
#[event_cpi]
#[derive(Accounts)]
pub struct ClosePatient<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        close = rent_payer,
        seeds = [PATIENT_SEED, authority.key().as_ref()],
        bump = patient.bump,
        has_one = authority @ RecordsError::NotPatientOrGuardian,
        has_one = rent_payer @ RecordsError::RentPayerMismatch,
    )]
    pub patient: Account<'info, Patient>,
    /// CHECK: receives the rent; must be the payer recorded in the profile.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

pub fn handler(ctx: Context<ClosePatient>) -> Result<()> {
    emit_cpi!(PatientClosed {
        patient: ctx.accounts.authority.key(),
    });
    Ok(())
}
