use {
    super::{apply_revoke, now, validate_revoke, Change},
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

impl RevokeConsent<'_> {
    /// The signer is the patient or the guardian, and the consent is Active.
    pub fn validate(&self) -> Result<Change> {
        let change = Change::by_signer(&self.patient, self.authority.key)?;
        validate_revoke(&self.consent)?;
        Ok(change)
    }
}

pub fn handler(ctx: Context<RevokeConsent>) -> Result<()> {
    let change = ctx.accounts.validate()?;
    let event = apply_revoke(&mut ctx.accounts.consent, change, now()?)?;
    emit_cpi!(event);
    Ok(())
}
