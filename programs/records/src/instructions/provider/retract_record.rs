use {
    crate::{
        constants::*, errors::RecordsError, events::RecordRetracted, instructions::now, pda,
        state::*, token::RecordToken,
    },
    anchor_lang::prelude::*,
    anchor_spl::token_2022::Token2022,
};

/// The issuer withdraws an active record it issued: the token is burned, the
/// record stays as a Retracted tombstone. Allowed while the issuer is
/// suspended too (withdrawing a wrong record must stay possible), not once
/// it is revoked. Retracting an amendment makes the version it superseded
/// Active again (pass it as `previous_record`), so a record is never left
/// without a current version by whoever amended it; but only that very
/// version: whatever else lives at the address now (the patient erased it,
/// another record was issued there) is left untouched. A chain therefore
/// never has two Active versions.
#[event_cpi]
#[derive(Accounts)]
pub struct RetractRecord<'info> {
    pub issuer: Signer<'info>,
    #[account(seeds = [ENTITY_SEED, issuer.key().as_ref()], bump = issuer_entity.bump)]
    pub issuer_entity: Account<'info, Entity>,
    #[account(
        mut,
        seeds = [RECORD_SEED, record.patient.as_ref(), record.record_id.as_ref()],
        bump = record.bump,
        has_one = issuer @ RecordsError::NotRecordIssuer,
    )]
    pub record: Account<'info, Record>,
    /// CHECK: the record's mint (address checked).
    #[account(mut, address = record.mint)]
    pub record_mint: UncheckedAccount<'info>,
    /// CHECK: program PDA, signs as permanent delegate.
    #[account(seeds = [RECORD_AUTHORITY_SEED], bump)]
    pub record_authority: UncheckedAccount<'info>,
    /// CHECK: the patient's associated token account (address checked).
    #[account(
        mut,
        address = pda::record_token_account(&record.patient, &record.mint) @ RecordsError::InvalidTokenAccount,
    )]
    pub patient_token_account: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token2022>,
    /// CHECK: the record this one supersedes, when it does (checked in the handler).
    #[account(mut)]
    pub previous_record: Option<UncheckedAccount<'info>>,
}

impl RetractRecord<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.record.status == RecordStatus::Active,
            RecordsError::RecordNotActive
        );
        require!(
            self.issuer_entity.status != EntityStatus::Revoked,
            RecordsError::EntityRevoked
        );
        require!(
            self.record.supersedes == self.previous_record.as_ref().map(|p| p.key()),
            RecordsError::PreviousRecordMismatch
        );
        Ok(())
    }
}

pub fn handler(mut ctx: Context<RetractRecord>) -> Result<()> {
    ctx.accounts.validate()?;
    let accounts = &mut ctx.accounts;
    RecordToken {
        record: accounts.record.key(),
        mint: accounts.record_mint.as_ref(),
        mint_bump: accounts.record.mint_bump,
        authority: accounts.record_authority.as_ref(),
        authority_bump: ctx.bumps.record_authority,
        token_account: accounts.patient_token_account.as_ref(),
        token_program: accounts.token_program.as_ref(),
    }
    .burn()?;
    let now = now()?;
    if let Some(previous) = &accounts.previous_record {
        reactivate_superseded(previous, &accounts.record.key(), now)?;
    }
    let record = &mut accounts.record;
    record.status = RecordStatus::Retracted;
    record.updated_at = now.max(record.updated_at);
    record.check_invariant()?;
    let event = RecordRetracted {
        issuer: record.issuer,
        patient: record.patient,
        record: record.key(),
    };
    emit_cpi!(event);
    Ok(())
}

/// Makes `previous` Active again when it is the version that `amendment`
/// superseded: a `records` Record, Superseded, whose forward link names the
/// amendment. Anything else at that address (nothing, after an erasure; a
/// record issued there since) is not this chain's and is left as it is.
fn reactivate_superseded(previous: &AccountInfo, amendment: &Pubkey, now: i64) -> Result<()> {
    if previous.owner != &crate::ID || previous.data_is_empty() {
        return Ok(());
    }
    let mut state = Record::try_deserialize(&mut &previous.try_borrow_data()?[..])?;
    if state.status != RecordStatus::Superseded || state.superseded_by != Some(*amendment) {
        return Ok(());
    }
    state.status = RecordStatus::Active;
    state.superseded_by = None;
    state.updated_at = now.max(state.updated_at);
    state.check_invariant()?;
    state.try_serialize(&mut &mut previous.try_borrow_mut_data()?[..])?;
    Ok(())
}
