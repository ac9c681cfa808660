use {
    crate::{
        constants::*, errors::RecordsError, events::PatientRegistered, instructions::now, state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RegisterPatientArgs {
    /// X25519 public key to which the patient's data keys are wrapped.
    pub encryption_key: [u8; 32],
}

/// Creates a patient profile. A guardian named here must co-sign.
#[event_cpi]
#[derive(Accounts)]
pub struct RegisterPatient<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    pub guardian: Option<Signer<'info>>,
    #[account(
        init,
        payer = payer,
        space = Patient::DISCRIMINATOR.len() + Patient::INIT_SPACE,
        seeds = [PATIENT_SEED, authority.key().as_ref()],
        bump,
    )]
    pub patient: Account<'info, Patient>,
    pub system_program: Program<'info, System>,
}

impl RegisterPatient<'_> {
    pub fn validate(&self) -> Result<()> {
        if let Some(guardian) = &self.guardian {
            require_keys_neq!(
                guardian.key(),
                self.authority.key(),
                RecordsError::GuardianIsPatient
            );
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<RegisterPatient>, args: RegisterPatientArgs) -> Result<()> {
    ctx.accounts.validate()?;
    let patient = &mut ctx.accounts.patient;
    patient.set_inner(Patient {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.patient,
        authority: ctx.accounts.authority.key(),
        guardian: ctx.accounts.guardian.as_ref().map(|g| g.key()),
        encryption_key: args.encryption_key,
        registered_at: now()?,
        rent_payer: ctx.accounts.payer.key(),
        next_record_serial: Patient::first_record_serial(Clock::get()?.slot),
    });
    patient.check_invariant()?;
    emit_cpi!(PatientRegistered {
        patient: patient.authority,
        guardian: patient.guardian,
    });
    Ok(())
}
