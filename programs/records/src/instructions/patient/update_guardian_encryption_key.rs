use {
    crate::{
        constants::*, errors::RecordsError, events::EncryptionKeyRotated,
        instructions::check_new_encryption_key, state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdateGuardianEncryptionKeyArgs {
    /// The guardian's new X25519 public key.
    pub new_key: [u8; 32],
}

/// The patient's guardian replaces its own X25519 key (kept in the
/// patient's profile). The guardian only: the patient changes the
/// guardian's key by naming the guardian again (`set_guardian`, which the
/// guardian co-signs), never alone.
#[event_cpi]
#[derive(Accounts)]
pub struct UpdateGuardianEncryptionKey<'info> {
    pub guardian: Signer<'info>,
    #[account(
        mut,
        seeds = [PATIENT_SEED, patient.authority.as_ref()],
        bump = patient.bump,
        constraint = patient.guardian == Some(guardian.key()) @ RecordsError::NotGuardian,
    )]
    pub patient: Account<'info, Patient>,
}

impl UpdateGuardianEncryptionKey<'_> {
    pub fn validate(&self, args: &UpdateGuardianEncryptionKeyArgs) -> Result<()> {
        check_new_encryption_key(&args.new_key, &self.patient.guardian_encryption_key)
    }
}

pub fn handler(
    ctx: Context<UpdateGuardianEncryptionKey>,
    args: UpdateGuardianEncryptionKeyArgs,
) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let patient = &mut ctx.accounts.patient;
    let old_key = patient.guardian_encryption_key;
    patient.guardian_encryption_key = args.new_key;
    patient.check_invariant()?;
    let event = EncryptionKeyRotated {
        authority: ctx.accounts.guardian.key(),
        account: patient.key(),
        holder: KeyHolder::Guardian,
        old_key,
        new_key: args.new_key,
    };
    emit_cpi!(event);
    Ok(())
}
