use {
    crate::instructions::book::*,
    crate::{
        compressed::{check_leaf, replace_record, LeafProof},
        constants::*,
        errors::RecordsError,
        events::RecordErased,
        instructions::load_account,
        state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct EraseCompressedRecordArgs {
    /// The record erased: its fields and the proof of its leaf.
    pub record: LeafProof,
}

/// Crypto-shredding of a compressed record: the patient (or guardian; the
/// patient's wallet alone once the profile is closed) replaces its leaf with
/// the empty leaf, which no instruction ever accepts as a record again (an
/// erased slot cannot be written). The record book loses one when the record
/// was Active. The SDK deletes the data key and the blob.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: EraseCompressedRecordArgs)]
pub struct EraseCompressedRecord<'info> {
    pub authority: Signer<'info>,
    /// CHECK: the record's patient's profile address (seeds); read in
    /// `validate`, it may no longer exist.
    #[account(seeds = [PATIENT_SEED, args.record.record.patient.as_ref()], bump)]
    pub patient: UncheckedAccount<'info>,
    #[account(mut)]
    pub tree: Account<'info, RecordTree>,
    pub book: BookAccounts<'info>,
}

impl EraseCompressedRecord<'_> {
    pub fn validate(&self, args: &EraseCompressedRecordArgs) -> Result<()> {
        check_leaf(&self.tree, &args.record)?;
        let record = &args.record.record;
        let signer = self.authority.key;
        let allowed = match load_account::<Patient>(&self.patient)? {
            Some(patient) => patient.is_patient_or_guardian(signer),
            None => *signer == record.patient,
        };
        require!(allowed, RecordsError::NotPatientOrGuardian);
        self.book.check_patient(&record.patient)
    }
}

pub fn handler(
    mut ctx: Context<EraseCompressedRecord>,
    args: EraseCompressedRecordArgs,
) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let accounts = &mut ctx.accounts;
    let record = &args.record.record;
    let written = replace_record(&mut accounts.tree, &args.record, None)?;
    let was_active = record.status == RecordStatus::Active;
    if was_active {
        accounts
            .book
            .book(&ctx.bumps.book)
            .burn_one(accounts.book.patient_book.as_ref())?;
    }
    let erased = RecordErased {
        actor: accounts.authority.key(),
        patient: record.patient,
        record: written.address,
        was_active,
    };
    let leaf = written.event(accounts.tree.key(), None);
    emit_cpi!(erased);
    emit_cpi!(leaf);
    Ok(())
}
