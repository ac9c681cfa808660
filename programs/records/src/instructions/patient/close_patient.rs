use {
    crate::{
        constants::*, errors::RecordsError, events::PatientClosed, pda, state::*,
        token::book_balance,
    },
    anchor_lang::prelude::*,
    anchor_spl::token_2022::{self, Token2022},
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
    /// by its owner, the patient, who signs.
    #[account(
        mut,
        address = pda::record_book_account(authority.key) @ RecordsError::InvalidTokenAccount,
    )]
    pub patient_book: UncheckedAccount<'info>,
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
    token_2022::close_account(CpiContext::new(
        accounts.token_program.key(),
        token_2022::CloseAccount {
            account: accounts.patient_book.to_account_info(),
            destination: accounts.rent_payer.to_account_info(),
            authority: accounts.authority.to_account_info(),
        },
    ))?;
    emit_cpi!(PatientClosed {
        patient: accounts.authority.key(),
    });
    Ok(())
}
