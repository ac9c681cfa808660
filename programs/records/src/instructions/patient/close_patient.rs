use {
    crate::{
        constants::*,
        errors::RecordsError,
        events::PatientClosed,
        pda,
        state::*,
        token::{book_balance, RecordBook},
    },
    anchor_lang::prelude::*,
    anchor_spl::token_2022::Token2022,
};

/// Closes the patient's profile and their record book account, once no
/// record of theirs is Active (erase them, or have them retracted, first);
/// the rent of both goes back to whoever paid for the registration. Grants,
/// consents and retracted records are separate accounts with their own
/// close paths; closing the profile ends every grant and care link given
/// under it (they name this registration), even if the wallet registers
/// again later.
#[event_cpi]
#[derive(Accounts)]
pub struct ClosePatient<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        close = rent_payer,
        seeds = [PATIENT_SEED, authority.key().as_ref()],
        bump = patient.bump,
        has_one = authority @ RecordsError::NotPatientOrGuardian,
        has_one = rent_payer @ RecordsError::RentPayerMismatch,
    )]
    pub patient: Account<'info, Patient>,
    /// CHECK: receives the rent; must be the payer recorded in the profile.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
    /// CHECK: the patient's record book account (address checked), closed
    /// by its close authority, the program's PDA.
    #[account(
        mut,
        address = pda::record_book_account(authority.key) @ RecordsError::InvalidTokenAccount,
    )]
    pub patient_book: UncheckedAccount<'info>,
    /// CHECK: the record book mint (its address).
    #[account(seeds = [RECORD_BOOK_SEED], bump)]
    pub book_mint: UncheckedAccount<'info>,
    /// CHECK: program PDA, the book's freeze authority and the account's
    /// close authority.
    #[account(seeds = [RECORD_AUTHORITY_SEED], bump)]
    pub record_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token2022>,
}

impl ClosePatient<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            book_balance(&self.patient_book)? == 0,
            RecordsError::PatientHasActiveRecords
        );
        // Not in the registration's own slot: a later registration must
        // start a new range of serials.
        require!(
            Clock::get()?.slot > self.patient.registered_slot(),
            RecordsError::PatientCloseTooSoon
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<ClosePatient>) -> Result<()> {
    ctx.accounts.validate()?;
    let accounts = &ctx.accounts;
    RecordBook {
        mint: accounts.book_mint.as_ref(),
        authority: accounts.record_authority.as_ref(),
        authority_bump: ctx.bumps.record_authority,
        token_program: accounts.token_program.as_ref(),
    }
    .close_account(accounts.patient_book.as_ref(), accounts.rent_payer.as_ref())?;
    emit_cpi!(PatientClosed {
        patient: accounts.authority.key(),
    });
    Ok(())
}
