//! The accounts that move a patient's record book, shared by every
//! instruction that changes whether a record is Active.

use {
    crate::{constants::*, errors::RecordsError, pda, token::RecordBook},
    anchor_lang::prelude::*,
    anchor_spl::token_2022::Token2022,
};

/// The record book mint, the patient's book account and the program
/// authority that mints and burns: what every change of a record's
/// activity moves.
#[derive(Accounts)]
pub struct BookAccounts<'info> {
    /// CHECK: the record book mint (its address).
    #[account(mut, seeds = [RECORD_BOOK_SEED], bump)]
    pub book_mint: UncheckedAccount<'info>,
    /// CHECK: program PDA, mint authority and permanent delegate of the book.
    #[account(seeds = [RECORD_AUTHORITY_SEED], bump)]
    pub record_authority: UncheckedAccount<'info>,
    /// CHECK: the patient's book account: their associated token account
    /// of the book (address checked against the patient of the record in
    /// each instruction's `validate`).
    #[account(mut)]
    pub patient_book: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token2022>,
}

impl<'info> BookAccounts<'info> {
    /// The book, ready to mint or burn.
    pub fn book(&self, bumps: &BookAccountsBumps) -> RecordBook<'_, 'info> {
        RecordBook {
            mint: self.book_mint.as_ref(),
            authority: self.record_authority.as_ref(),
            authority_bump: bumps.record_authority,
            token_program: self.token_program.as_ref(),
        }
    }

    /// The book account must be `patient`'s.
    pub fn check_patient(&self, patient: &Pubkey) -> Result<()> {
        require_keys_eq!(
            self.patient_book.key(),
            pda::record_book_account(patient),
            RecordsError::InvalidTokenAccount
        );
        Ok(())
    }
}
