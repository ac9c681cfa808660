use {
    crate::instructions::book::*,
    crate::{
        constants::*, errors::RecordsError, events::RecordErased, instructions::load_account,
        state::*,
    },
    anchor_lang::prelude::*,
};

/// The on-chain half of crypto-shredding: the patient (or guardian) closes
/// the record; every lamport of its rent goes back to the issuer that paid
/// it, and the record book loses one when the record was Active. The SDK
/// deletes the data key and the blob. Once the patient's profile is closed
/// (only possible with no Active record left), the patient's own wallet
/// still erases what remains, so no record's rent is stranded.
#[event_cpi]
#[derive(Accounts)]
pub struct EraseRecord<'info> {
    pub authority: Signer<'info>,
    /// CHECK: the patient's profile address (seeds); read in `validate`,
    /// it may no longer exist.
    #[account(seeds = [PATIENT_SEED, record.patient.as_ref()], bump)]
    pub patient: UncheckedAccount<'info>,
    #[account(
        mut,
        close = issuer,
        seeds = [RECORD_SEED, record.patient.as_ref(), record.record_id.as_ref()],
        bump = record.bump,
        has_one = issuer @ RecordsError::RentPayerMismatch,
    )]
    pub record: Account<'info, Record>,
    /// CHECK: the issuer of this version, which paid its rent and gets it back.
    #[account(mut)]
    pub issuer: UncheckedAccount<'info>,
    pub book: BookAccounts<'info>,
}

impl EraseRecord<'_> {
    pub fn validate(&self) -> Result<()> {
        let signer = self.authority.key;
        let allowed = match load_account::<Patient>(&self.patient)? {
            Some(patient) => patient.is_patient_or_guardian(signer),
            None => *signer == self.record.patient,
        };
        require!(allowed, RecordsError::NotPatientOrGuardian);
        self.book.check_patient(&self.record.patient)
    }
}

pub fn handler(ctx: Context<EraseRecord>) -> Result<()> {
    ctx.accounts.validate()?;
    let accounts = &ctx.accounts;
    let was_active = accounts.record.status == RecordStatus::Active;
    if was_active {
        accounts
            .book
            .book(&ctx.bumps.book)
            .burn_one(accounts.book.patient_book.as_ref())?;
    }
    emit_cpi!(RecordErased {
        actor: accounts.authority.key(),
        patient: accounts.record.patient,
        record: accounts.record.key(),
        was_active,
    });
    Ok(())
}
