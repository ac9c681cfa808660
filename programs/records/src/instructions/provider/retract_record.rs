use {
    crate::instructions::book::*,
    crate::{
        acting::Actor,
        constants::*,
        errors::RecordsError,
        events::RecordRetracted,
        instructions::{act, now},
        pda,
        state::*,
    },
    anchor_lang::prelude::*,
};

/// The issuer withdraws an active record it issued: the record stays as a
/// Retracted tombstone and the patient's record book loses one. Allowed
/// while the issuer is suspended too (withdrawing a wrong record must stay
/// possible), not once it is revoked. Retracting an amendment makes the
/// version it superseded Active again (its address, derived from
/// `supersedes`, must be passed), so a record is never left without a
/// current version by whoever amended it, and then the book does not move;
/// but only that very version (same patient, Superseded by this one's
/// serial): whatever else lives at the address now (nothing after an
/// erasure, a record issued there since) is left alone and the book loses
/// one. A chain therefore never has two Active
/// versions, and the book always counts the Active records.
#[event_cpi]
#[derive(Accounts)]
pub struct RetractRecord<'info> {
    /// The entity's authority or a member of it (see `issue_record`).
    pub issuer: Signer<'info>,
    #[account(seeds = [ENTITY_SEED, issuer_entity.authority.as_ref()], bump = issuer_entity.bump)]
    pub issuer_entity: Account<'info, Entity>,
    #[account(
        mut,
        seeds = [RECORD_SEED, record.patient.as_ref(), record.record_id.as_ref()],
        bump = record.bump,
        constraint = record.issuer == issuer_entity.authority @ RecordsError::NotRecordIssuer,
    )]
    pub record: Account<'info, Record>,
    pub book: BookAccounts<'info>,
    /// CHECK: the address of the version this one amends (derived from
    /// `supersedes`), required for an amendment and absent for an original;
    /// read in the handler: when that version is still there, Superseded by
    /// this one, it becomes Active again.
    #[account(mut)]
    pub previous_record: Option<UncheckedAccount<'info>>,
}

impl RetractRecord<'_> {
    pub fn validate(&self, remaining: &[AccountInfo]) -> Result<Actor> {
        let actor = act(
            self.issuer.key,
            &self.issuer_entity,
            remaining,
            roles::ISSUE,
            now()?,
        )?;
        let record = &self.record;
        require!(
            record.status == RecordStatus::Active,
            RecordsError::RecordNotActive
        );
        require!(
            self.issuer_entity.status != EntityStatus::Revoked,
            RecordsError::EntityRevoked
        );
        self.book.check_patient(&record.patient)?;
        let expected = (record.supersedes != [0; 16])
            .then(|| pda::record(&record.patient, &record.supersedes).0);
        require!(
            self.previous_record.as_ref().map(|p| p.key()) == expected,
            RecordsError::PreviousRecordMismatch
        );
        Ok(actor)
    }
}

/// The version `amendment` replaced, when it is still at `previous`: a
/// `records` Record of the same patient, Superseded by exactly this
/// amendment (by serial). Nothing else there is this chain's (it was erased;
/// another record may have been issued at the address since).
fn superseded_version(previous: &AccountInfo, amendment: &Record) -> Result<Option<Record>> {
    if previous.owner != &crate::ID || previous.data_is_empty() {
        return Ok(None);
    }
    let state = Record::try_deserialize(&mut &previous.try_borrow_data()?[..])?;
    let ours = state.patient == amendment.patient
        && state.status == RecordStatus::Superseded
        && state.superseded_by == amendment.serial;
    Ok(ours.then_some(state))
}

pub fn handler(mut ctx: Context<RetractRecord>) -> Result<()> {
    let actor = ctx.accounts.validate(ctx.remaining_accounts)?;
    let event = {
        let accounts = &mut ctx.accounts;
        let previous = accounts.previous_record.as_ref().map(|p| p.as_ref());
        let restored = match previous {
            Some(info) => superseded_version(info, &accounts.record)?.map(|mut state| {
                state.status = RecordStatus::Active;
                state.superseded_by = 0;
                (info, state)
            }),
            None => None,
        };
        let restored_key = match restored {
            // The version it replaced is current again: one Active record
            // for another, the book does not move.
            Some((info, state)) => {
                state.check_invariant()?;
                state.try_serialize(&mut &mut info.try_borrow_mut_data()?[..])?;
                Some(info.key())
            }
            None => {
                accounts
                    .book
                    .book(&ctx.bumps.book)
                    .burn_one(accounts.book.patient_book.as_ref())?;
                None
            }
        };
        let record = &mut accounts.record;
        record.status = RecordStatus::Retracted;
        record.check_invariant()?;
        RecordRetracted {
            issuer: record.issuer,
            patient: record.patient,
            record: record.key(),
            restored: restored_key,
            actor_member: actor.member,
        }
    };
    emit_cpi!(event);
    Ok(())
}
