use {
    crate::{
        constants::*, errors::RecordsError, events::AccessRevoked, instructions::now, state::*,
    },
    anchor_lang::prelude::*,
};

/// The patient (or guardian) revokes a grant, emergency grants included.
/// The grant stays as evidence until `close_grant`.
#[event_cpi]
#[derive(Accounts)]
pub struct RevokeAccess<'info> {
    pub authority: Signer<'info>,
    #[account(
        seeds = [PATIENT_SEED, patient.authority.as_ref()],
        bump = patient.bump,
        constraint = patient.is_patient_or_guardian(authority.key) @ RecordsError::NotPatientOrGuardian,
    )]
    pub patient: Account<'info, Patient>,
    #[account(
        mut,
        seeds = [GRANT_SEED, patient.authority.as_ref(), grant.grantee.as_ref(), grant.target.as_ref()],
        bump = grant.bump,
    )]
    pub grant: Account<'info, Grant>,
}

impl RevokeAccess<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(!self.grant.is_revoked(), RecordsError::GrantRevoked);
        Ok(())
    }
}

pub fn handler(ctx: Context<RevokeAccess>) -> Result<()> {
    ctx.accounts.validate()?;
    let now = now()?;
    let grant = &mut ctx.accounts.grant;
    grant.revoked_at = Some(now.max(grant.granted_at));
    grant.check_invariant()?;
    emit_cpi!(AccessRevoked {
        actor: ctx.accounts.authority.key(),
        patient: grant.patient,
        grantee: grant.grantee,
        grant: grant.key(),
        revoked_at: now,
    });
    Ok(())
}
