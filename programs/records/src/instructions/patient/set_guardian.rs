use {
    crate::{constants::*, errors::RecordsError, events::GuardianChanged, state::*},
    anchor_lang::prelude::*,
};

/// Names, replaces or (when `new_guardian` is absent) removes the guardian.
/// Only the patient may do this; a new guardian co-signs to accept.
#[event_cpi]
#[derive(Accounts)]
pub struct SetGuardian<'info> {
    pub authority: Signer<'info>,
    pub new_guardian: Option<Signer<'info>>,
    #[account(
        mut,
        seeds = [PATIENT_SEED, authority.key().as_ref()],
        bump = patient.bump,
        has_one = authority @ RecordsError::NotPatientOrGuardian,
    )]
    pub patient: Account<'info, Patient>,
}

impl SetGuardian<'_> {
    pub fn validate(&self) -> Result<()> {
        if let Some(guardian) = &self.new_guardian {
            require_keys_neq!(
                guardian.key(),
                self.authority.key(),
                RecordsError::GuardianIsPatient
            );
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<SetGuardian>) -> Result<()> {
    ctx.accounts.validate()?;
    let patient = &mut ctx.accounts.patient;
    let old_guardian = patient.guardian;
    patient.guardian = ctx.accounts.new_guardian.as_ref().map(|g| g.key());
    patient.check_invariant()?;
    emit_cpi!(GuardianChanged {
        patient: patient.authority,
        old_guardian,
        new_guardian: patient.guardian,
    });
    Ok(())
}
