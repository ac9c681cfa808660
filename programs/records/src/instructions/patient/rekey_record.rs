use {
    crate::{constants::*, errors::RecordsError, events::RecordRekeyed, state::*},
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RekeyRecordArgs {
    /// SHA-256 of the payload re-encrypted under a fresh data key (its
    /// locator is derived from it).
    pub commitment: [u8; 32],
}

/// The patient (or guardian) points a record at its re-encrypted payload,
/// after revoking a grant: the revoked grantee's copy of the old data key no
/// longer opens what the record commits to. Only the ciphertext commitment
/// changes (and with it the locator): the issuer's `content_commitment` does not, and
/// readers check the decrypted payload against it, so a re-key can change
/// the encryption, never what the issuer attested.
#[event_cpi]
#[derive(Accounts)]
pub struct RekeyRecord<'info> {
    pub authority: Signer<'info>,
    #[account(
        seeds = [PATIENT_SEED, patient.authority.as_ref()],
        bump = patient.bump,
        constraint = patient.is_patient_or_guardian(authority.key) @ RecordsError::NotPatientOrGuardian,
    )]
    pub patient: Account<'info, Patient>,
    #[account(
        mut,
        seeds = [RECORD_SEED, record.patient.as_ref(), record.record_id.as_ref()],
        bump = record.bump,
        constraint = record.patient == patient.authority @ RecordsError::RecordPatientMismatch,
    )]
    pub record: Account<'info, Record>,
}

impl RekeyRecord<'_> {
    pub fn validate(&self, args: &RekeyRecordArgs) -> Result<()> {
        require!(
            self.record.status != RecordStatus::Retracted,
            RecordsError::RecordNotActive
        );
        require!(args.commitment != [0; 32], RecordsError::InvalidCommitment);
        Ok(())
    }
}

pub fn handler(ctx: Context<RekeyRecord>, args: RekeyRecordArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let record = &mut ctx.accounts.record;
    let old_commitment = record.commitment;
    record.commitment = args.commitment;
    record.check_invariant()?;
    let event = RecordRekeyed {
        actor: ctx.accounts.authority.key(),
        patient: record.patient,
        record: record.key(),
        old_commitment,
        new_commitment: record.commitment,
        content_commitment: record.content_commitment,
    };
    emit_cpi!(event);
    Ok(())
}
