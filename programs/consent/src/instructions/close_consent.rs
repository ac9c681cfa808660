use {
    super::{now, Change},
    crate::{
        constants::*,
        errors::ConsentError,
        events::{ConsentClosed, ConsentEpochChanged},
        state::*,
    },
    anchor_lang::prelude::*,
    records::state::Patient,
};

/// Closes a revoked or ended consent, returning its rent to whoever paid,
/// and moves the patient's consent epoch on: a consent re-created here
/// starts at version 0 again, and no message signed before this close (it
/// names the earlier epoch) can ever be submitted, whatever its dates. Not
/// within a day of the consent's last change (a second, time-based bound).
#[event_cpi]
#[derive(Accounts)]
pub struct CloseConsent<'info> {
    pub authority: Signer<'info>,
    pub patient: Account<'info, Patient>,
    #[account(
        mut,
        close = rent_payer,
        seeds = [CONSENT_SEED, consent.patient.as_ref(), consent.grantee.as_ref(), &[consent.purpose as u8]],
        bump = consent.bump,
        constraint = consent.patient == patient.authority @ ConsentError::NotPatientOrGuardian,
        has_one = rent_payer @ ConsentError::RentPayerMismatch,
    )]
    pub consent: Account<'info, Consent>,
    /// The patient's consent epoch (it exists: it was created with the consent).
    #[account(
        mut,
        seeds = [CONSENT_EPOCH_SEED, consent.patient.as_ref()],
        bump = consent_epoch.bump,
    )]
    pub consent_epoch: Account<'info, ConsentEpoch>,
    /// CHECK: receives the rent; must be the consent's recorded payer.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

impl CloseConsent<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = now()?;
        require!(
            self.consent.status == ConsentStatus::Revoked || now >= self.consent.period_end,
            ConsentError::ConsentStillActive
        );
        require!(
            now >= self.consent.updated_at.saturating_add(MAX_MESSAGE_LIFETIME),
            ConsentError::CloseTooEarly
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<CloseConsent>) -> Result<()> {
    let change = Change::by_signer(&ctx.accounts.patient, ctx.accounts.authority.key)?;
    ctx.accounts.validate()?;
    let epoch = &mut ctx.accounts.consent_epoch;
    let old = epoch.epoch;
    epoch.epoch = old.checked_add(1).ok_or(ConsentError::Overflow)?;
    epoch.check_invariant()?;
    let moved = ConsentEpochChanged {
        actor: change.actor,
        patient: epoch.patient,
        consent_epoch: epoch.key(),
        old: Some(old),
        new: epoch.epoch,
    };
    let consent = &ctx.accounts.consent;
    let event = ConsentClosed {
        actor: change.actor,
        patient: consent.patient,
        grantee: consent.grantee,
        purpose: consent.purpose,
        consent: consent.key(),
    };
    emit_cpi!(event);
    emit_cpi!(moved);
    Ok(())
}
