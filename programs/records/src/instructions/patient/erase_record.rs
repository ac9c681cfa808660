use {
    crate::{constants::*, errors::RecordsError, events::RecordErased, pda, state::*, token},
    anchor_lang::prelude::*,
    anchor_spl::token_2022::Token2022,
};

/// The on-chain half of crypto-shredding: the patient (or guardian) burns
/// the record token, closes the mint and the record, and their rent goes
/// back to whoever paid it. The SDK deletes the data key and the blob.
#[event_cpi]
#[derive(Accounts)]
pub struct EraseRecord<'info> {
    pub authority: Signer<'info>,
    #[account(
        seeds = [PATIENT_SEED, patient.authority.as_ref()],
        bump = patient.bump,
        constraint = patient.is_patient_or_guardian(authority.key) @ RecordsError::NotPatientOrGuardian,
    )]
    pub patient: Account<'info, Patient>,
    #[account(
        mut,
        close = rent_payer,
        seeds = [RECORD_SEED, record.patient.as_ref(), record.record_id.as_ref()],
        bump = record.bump,
        constraint = record.patient == patient.authority @ RecordsError::RecordPatientMismatch,
        has_one = rent_payer @ RecordsError::RentPayerMismatch,
    )]
    pub record: Account<'info, Record>,
    /// CHECK: receives the rent of the record and the mint; the recorded payer.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
    /// CHECK: the record's mint (address checked), operated on by Token-2022.
    #[account(mut, address = record.mint)]
    pub record_mint: UncheckedAccount<'info>,
    /// CHECK: program PDA, signs as permanent delegate and close authority.
    #[account(seeds = [RECORD_AUTHORITY_SEED], bump)]
    pub record_authority: UncheckedAccount<'info>,
    /// CHECK: the patient's associated token account for the mint (address checked).
    #[account(
        mut,
        address = pda::record_token_account(&record.patient, &record.mint) @ RecordsError::InvalidTokenAccount,
    )]
    pub patient_token_account: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token2022>,
}

pub fn handler(ctx: Context<EraseRecord>) -> Result<()> {
    let accounts = &ctx.accounts;
    let record_token = token::RecordToken {
        record: accounts.record.key(),
        mint: accounts.record_mint.as_ref(),
        mint_bump: accounts.record.mint_bump,
        authority: accounts.record_authority.as_ref(),
        authority_bump: ctx.bumps.record_authority,
        token_account: accounts.patient_token_account.as_ref(),
        token_program: accounts.token_program.as_ref(),
    };
    record_token.burn()?;
    record_token.close_mint(accounts.rent_payer.as_ref())?;
    emit_cpi!(RecordErased {
        actor: accounts.authority.key(),
        patient: accounts.record.patient,
        record: accounts.record.key(),
    });
    Ok(())
}
