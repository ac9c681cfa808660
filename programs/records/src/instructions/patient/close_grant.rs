use {
    crate::{constants::*, errors::RecordsError, events::GrantClosed, instructions::now, state::*},
    anchor_lang::prelude::*,
};

/// Closes a revoked or expired grant, returning its rent to whoever paid it.
/// The patient, the guardian or the grantee may do it.
#[event_cpi]
#[derive(Accounts)]
pub struct CloseGrant<'info> {
    pub authority: Signer<'info>,
    #[account(
        seeds = [PATIENT_SEED, patient.authority.as_ref()],
        bump = patient.bump,
        constraint = patient.is_patient_or_guardian(authority.key) || grant.grantee == authority.key()
            @ RecordsError::NotPatientOrGuardian,
    )]
    pub patient: Account<'info, Patient>,
    #[account(
        mut,
        close = rent_payer,
        seeds = [GRANT_SEED, patient.authority.as_ref(), grant.grantee.as_ref(), grant.target.as_ref()],
        bump = grant.bump,
        has_one = rent_payer @ RecordsError::RentPayerMismatch,
    )]
    pub grant: Account<'info, Grant>,
    /// CHECK: receives the rent; must be the grant's recorded payer.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

impl CloseGrant<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.grant.is_revoked() || self.grant.is_expired(now()?),
            RecordsError::GrantStillActive
        );
        require!(
            !self.grant.emergency || self.patient.is_patient_or_guardian(self.authority.key),
            RecordsError::EmergencyGrantClosedByPatientOnly
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<CloseGrant>) -> Result<()> {
    ctx.accounts.validate()?;
    emit_cpi!(GrantClosed {
        actor: ctx.accounts.authority.key(),
        patient: ctx.accounts.grant.patient,
        grant: ctx.accounts.grant.key(),
    });
    Ok(())
}
