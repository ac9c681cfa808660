use {
    crate::{
        compressed::{check_leaf, replace_record, LeafProof},
        constants::*,
        errors::RecordsError,
        events::RecordRekeyed,
        state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RekeyCompressedRecordArgs {
    /// SHA-256 of the payload re-encrypted under a fresh data key.
    pub commitment: [u8; 32],
    /// The record re-keyed: its fields and the proof of its leaf.
    pub record: LeafProof,
}

/// `rekey_record` for a compressed record: the patient (or guardian) points
/// the leaf at its re-encrypted payload after a revocation; only the
/// ciphertext commitment changes.
#[event_cpi]
#[derive(Accounts)]
pub struct RekeyCompressedRecord<'info> {
    pub authority: Signer<'info>,
    #[account(
        seeds = [PATIENT_SEED, patient.authority.as_ref()],
        bump = patient.bump,
        constraint = patient.is_patient_or_guardian(authority.key) @ RecordsError::NotPatientOrGuardian,
    )]
    pub patient: Account<'info, Patient>,
    #[account(mut)]
    pub tree: Account<'info, RecordTree>,
}

impl RekeyCompressedRecord<'_> {
    pub fn validate(&self, args: &RekeyCompressedRecordArgs) -> Result<()> {
        check_leaf(&self.tree, &args.record)?;
        let record = &args.record.record;
        require_keys_eq!(
            record.patient,
            self.patient.authority,
            RecordsError::RecordPatientMismatch
        );
        require!(
            record.status != RecordStatus::Retracted,
            RecordsError::RecordNotActive
        );
        require!(args.commitment != [0; 32], RecordsError::InvalidCommitment);
        Ok(())
    }
}

pub fn handler(
    mut ctx: Context<RekeyCompressedRecord>,
    args: RekeyCompressedRecordArgs,
) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let accounts = &mut ctx.accounts;
    let old = &args.record.record;
    let mut record = old.clone();
    record.commitment = args.commitment;
    record.check_invariant()?;
    let written = replace_record(&mut accounts.tree, &args.record, Some(&record))?;
    let rekeyed = RecordRekeyed {
        actor: accounts.authority.key(),
        patient: record.patient,
        record: written.address,
        old_commitment: old.commitment,
        new_commitment: record.commitment,
        content_commitment: record.content_commitment,
    };
    let leaf = written.event(accounts.tree.key(), Some(record));
    emit_cpi!(rekeyed);
    emit_cpi!(leaf);
    Ok(())
}
