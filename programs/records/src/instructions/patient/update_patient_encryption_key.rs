use {
    crate::{
        constants::*, errors::RecordsError, events::EncryptionKeyRotated,
        instructions::check_new_encryption_key, state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdatePatientEncryptionKeyArgs {
    /// The patient's new X25519 public key.
    pub new_key: [u8; 32],
}

/// The patient replaces the X25519 key to which their data keys are
/// wrapped. The patient only, never the guardian: a guardian who could
/// name the patient's key could have every new record wrapped to a key the
/// guardian holds.
#[event_cpi]
#[derive(Accounts)]
pub struct UpdatePatientEncryptionKey<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [PATIENT_SEED, authority.key().as_ref()],
        bump = patient.bump,
        has_one = authority @ RecordsError::NotPatientOrGuardian,
    )]
    pub patient: Account<'info, Patient>,
}

impl UpdatePatientEncryptionKey<'_> {
    pub fn validate(&self, args: &UpdatePatientEncryptionKeyArgs) -> Result<()> {
        check_new_encryption_key(&args.new_key, &self.patient.encryption_key)
    }
}

pub fn handler(
    ctx: Context<UpdatePatientEncryptionKey>,
    args: UpdatePatientEncryptionKeyArgs,
) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let patient = &mut ctx.accounts.patient;
    let old_key = patient.encryption_key;
    patient.encryption_key = args.new_key;
    patient.check_invariant()?;
    let event = EncryptionKeyRotated {
        authority: patient.authority,
        account: patient.key(),
        holder: KeyHolder::Patient,
        old_key,
        new_key: args.new_key,
    };
    emit_cpi!(event);
    Ok(())
}
