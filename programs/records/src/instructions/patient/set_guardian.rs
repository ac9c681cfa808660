use {
    crate::{constants::*, errors::RecordsError, events::GuardianChanged, state::*},
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SetGuardianArgs {
    /// The new guardian's X25519 public key, to which the records the
    /// guardian must be able to share are wrapped; all zeroes when the
    /// guardian is removed.
    pub guardian_encryption_key: [u8; 32],
}

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

/// A guardian comes with a non-zero encryption key; no guardian, with
/// none (all zeroes).
pub fn validate_guardian_key(has_guardian: bool, key: &[u8; 32]) -> Result<()> {
    if has_guardian {
        require!(*key != [0; 32], RecordsError::ZeroEncryptionKey);
    } else {
        require!(*key == [0; 32], RecordsError::GuardianKeyWithoutGuardian);
    }
    Ok(())
}

impl SetGuardian<'_> {
    pub fn validate(&self, args: &SetGuardianArgs) -> Result<()> {
        if let Some(guardian) = &self.new_guardian {
            require_keys_neq!(
                guardian.key(),
                self.authority.key(),
                RecordsError::GuardianIsPatient
            );
        }
        validate_guardian_key(self.new_guardian.is_some(), &args.guardian_encryption_key)
    }
}

pub fn handler(ctx: Context<SetGuardian>, args: SetGuardianArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let patient = &mut ctx.accounts.patient;
    let old_guardian = patient.guardian;
    patient.guardian = ctx.accounts.new_guardian.as_ref().map(|g| g.key());
    patient.guardian_encryption_key = args.guardian_encryption_key;
    patient.check_invariant()?;
    emit_cpi!(GuardianChanged {
        patient: patient.authority,
        old_guardian,
        new_guardian: patient.guardian,
    });
    Ok(())
}
