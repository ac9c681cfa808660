use {
    super::{apply_revoke, Change},
    crate::{constants::*, errors::ConsentError, state::*},
    anchor_lang::prelude::*,
    records::state::Patient,
};

/// The patient (or guardian) revokes a consent; its version is bumped.
#[event_cpi]
#[derive(Accounts)]
pub struct RevokeConsent<'info> {
    pub authority: Signer<'info>,
    pub patient: Account<'info, Patient>,
    #[account(
        mut,
        seeds = [CONSENT_SEED, consent.patient.as_ref(), consent.grantee.as_ref(), &[consent.purpose as u8]],
        bump = consent.bump,
        constraint = consent.patient == patient.authority @ ConsentError::NotPatientOrGuardian,
    )]
    pub consent: Account<'info, Consent>,
}

pub fn handler(mut ctx: Context<RevokeConsent>) -> Result<()> {
    let accounts = &mut ctx.accounts;
    let change = Change::by_signer(&accounts.patient, accounts.authority.key)?;
    let event = apply_revoke(&mut accounts.consent, change)?;
    emit_cpi!(event);
    Ok(())
}
