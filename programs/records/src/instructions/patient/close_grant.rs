use {
    crate::{
        constants::*,
        errors::RecordsError,
        events::GrantClosed,
        instructions::{load_account, now},
        state::*,
    },
    anchor_lang::prelude::*,
};

/// Closes a revoked or expired grant, returning its rent to whoever paid it:
/// the patient, the guardian or the grantee may do it. A grant given under a
/// registration that has ended (the profile was closed, perhaps registered
/// again since) reaches nothing any more: anyone may close it, so its rent
/// is never stranded and its address is free for a new grant.
#[event_cpi]
#[derive(Accounts)]
pub struct CloseGrant<'info> {
    pub authority: Signer<'info>,
    /// CHECK: the patient's profile address (seeds); read in `validate`,
    /// it may no longer exist.
    #[account(seeds = [PATIENT_SEED, grant.patient.as_ref()], bump)]
    pub patient: UncheckedAccount<'info>,
    #[account(
        mut,
        close = rent_payer,
        seeds = [GRANT_SEED, grant.patient.as_ref(), grant.grantee.as_ref(), grant.target.as_ref()],
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
        let grant = &self.grant;
        let patient = load_account::<Patient>(&self.patient)?;
        let live_registration = patient
            .as_ref()
            .is_some_and(|p| Patient::same_registration(grant.target_serial, p.registration()));
        if !live_registration {
            // Given under a registration that has ended: it reaches nothing.
            return Ok(());
        }
        let patient = patient.expect("a live registration has a profile");
        let signer = self.authority.key;
        require!(
            patient.is_patient_or_guardian(signer) || grant.grantee == *signer,
            RecordsError::NotPatientOrGuardian
        );
        require!(
            grant.is_revoked() || grant.is_expired(now()?),
            RecordsError::GrantStillActive
        );
        require!(
            !grant.emergency || patient.is_patient_or_guardian(signer),
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
