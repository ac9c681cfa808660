use {
    super::{now, Change},
    crate::{constants::*, errors::ConsentError, events::ConsentClosed, state::*},
    anchor_lang::prelude::*,
    records::state::Patient,
};

/// Closes a revoked or ended consent, returning its rent to whoever paid.
/// Not within a day of its last change: re-creating it would start its
/// version at 0 again, and no message signed before must still be valid.
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
    let consent = &ctx.accounts.consent;
    let event = ConsentClosed {
        actor: change.actor,
        patient: consent.patient,
        grantee: consent.grantee,
        purpose: consent.purpose,
        consent: consent.key(),
    };
    emit_cpi!(event);
    Ok(())
}
