use {
    super::require_active,
    crate::acting::Actor,
    crate::instructions::book::*,
    crate::{
        constants::*,
        errors::RecordsError,
        events::RecordIssued,
        instructions::{act, load_account, now, require_not_own_record},
        state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct IssueRecordArgs {
    /// Random 16 bytes; opaque, never derived from PHI.
    pub record_id: [u8; 16],
    /// SHA-256 of the encrypted payload (the ciphertext's locator is derived
    /// from it).
    pub commitment: [u8; 32],
    /// The issuer's attestation of the content: SHA-256 of the domain tag,
    /// the payload's salt and the plaintext (see `Record::content_commitment`).
    pub content_commitment: [u8; 32],
    pub kind: RecordKind,
}

/// A provider, laboratory or pharmacy issues a record to a patient: the
/// `Record` account (its rent paid by the issuer) and one more record in
/// the patient's record book. Only under the patient's care link: a live
/// grant over the patient's records, with Issue permission for this kind,
/// that only the patient (or guardian) creates. Nobody can push records to
/// a patient, nor bill for them.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: IssueRecordArgs)]
pub struct IssueRecord<'info> {
    /// The entity's authority or a member of it (Clinician, LabTechnician or
    /// Pharmacist; its `Member` account first in the remaining accounts).
    /// Signs and pays the record's rent (refunded to it on erasure).
    #[account(mut)]
    pub issuer: Signer<'info>,
    #[account(seeds = [ENTITY_SEED, issuer_entity.authority.as_ref()], bump = issuer_entity.bump)]
    pub issuer_entity: Account<'info, Entity>,
    /// CHECK: the patient's wallet, bound to `patient` by its seeds.
    pub patient_authority: UncheckedAccount<'info>,
    #[account(mut, seeds = [PATIENT_SEED, patient_authority.key().as_ref()], bump = patient.bump)]
    pub patient: Account<'info, Patient>,
    /// CHECK: the patient's grant to the issuer over the patient's records
    /// (the care link), at its derived address; it must exist and allow
    /// Issue for this kind now (checked in `validate`).
    #[account(
        seeds = [GRANT_SEED, patient_authority.key().as_ref(), issuer_entity.authority.as_ref(), patient.key().as_ref()],
        bump,
    )]
    pub care_link: UncheckedAccount<'info>,
    #[account(
        init,
        payer = issuer,
        space = Record::SPACE,
        seeds = [RECORD_SEED, patient_authority.key().as_ref(), args.record_id.as_ref()],
        bump,
    )]
    pub record: Account<'info, Record>,
    pub book: BookAccounts<'info>,
    pub system_program: Program<'info, System>,
}

impl IssueRecord<'_> {
    pub fn validate(
        &self,
        args: &IssueRecordArgs,
        remaining: &[AccountInfo],
        now: i64,
    ) -> Result<Actor> {
        let actor = act_as_issuer(
            self.issuer.key,
            &self.issuer_entity,
            &self.patient,
            remaining,
            now,
        )?;
        validate_content(&args.record_id, &args.commitment, &args.content_commitment)?;
        self.book.check_patient(self.patient_authority.key)?;
        let link = load_account::<Grant>(&self.care_link)?;
        require!(
            link.is_some_and(|link| link.allows_issue(args.kind, &self.patient, now)),
            RecordsError::IssueNotPermitted
        );
        Ok(actor)
    }
}

/// May `signer` write a record of `patient` for the entity at `entity`
/// (issue or amend, account or compressed)? It acts for the entity with an
/// issuing role ([`act`]), the entity is an active issuer
/// ([`validate_issuer`]) and a member is not writing its own record
/// ([`require_not_own_record`]), checked in that order.
pub(crate) fn act_as_issuer(
    signer: &Pubkey,
    entity: &Account<Entity>,
    patient: &Patient,
    remaining: &[AccountInfo],
    now: i64,
) -> Result<Actor> {
    let actor = act(signer, entity, remaining, roles::ISSUE, now)?;
    validate_issuer(entity, now)?;
    require_not_own_record(&actor, patient)?;
    Ok(actor)
}

/// Only active providers, laboratories and pharmacies create records.
pub(crate) fn validate_issuer(entity: &Entity, now: i64) -> Result<()> {
    require_active(entity, now)?;
    require!(
        entity.kind.issues_records(),
        RecordsError::EntityKindNotAllowed
    );
    Ok(())
}

pub(crate) fn validate_content(
    record_id: &[u8; 16],
    commitment: &[u8; 32],
    content_commitment: &[u8; 32],
) -> Result<()> {
    require!(record_id != &[0; 16], RecordsError::InvalidRecordId);
    validate_commitments(commitment, content_commitment)
}

/// A new version's commitments: neither all zeroes.
pub(crate) fn validate_commitments(
    commitment: &[u8; 32],
    content_commitment: &[u8; 32],
) -> Result<()> {
    require!(commitment != &[0; 32], RecordsError::InvalidCommitment);
    require!(
        content_commitment != &[0; 32],
        RecordsError::InvalidContentCommitment
    );
    Ok(())
}

/// What a new record holds besides its addresses.
pub(crate) struct NewRecord {
    pub record_id: [u8; 16],
    pub commitment: [u8; 32],
    pub content_commitment: [u8; 32],
    pub kind: RecordKind,
    pub record_version: u16,
    /// Record id of the version amended (zero for an original).
    pub supersedes: [u8; 16],
    /// (origin serial, original issuer) of the amendment chain; `None` for
    /// an original.
    pub chain: Option<(u64, Pubkey)>,
}

/// A new record's fields (its serial taken from the patient), for an
/// account (`bump` its address's) or a leaf (`bump` 0).
pub(crate) fn new_record(
    bump: u8,
    patient: &mut Account<Patient>,
    issuer: Pubkey,
    new: NewRecord,
    now: i64,
) -> Result<Record> {
    let serial = patient.take_record_serial()?;
    patient.check_invariant()?;
    let record = Record {
        version: ACCOUNT_VERSION,
        bump,
        kind: new.kind,
        status: RecordStatus::Active,
        record_version: new.record_version,
        patient: patient.authority,
        issuer,
        original_issuer: new.chain.map_or(issuer, |(_, original)| original),
        record_id: new.record_id,
        commitment: new.commitment,
        content_commitment: new.content_commitment,
        serial,
        supersedes: new.supersedes,
        superseded_by: 0,
        origin: new.chain.map_or(serial, |(origin, _)| origin),
        issued_at: now,
    };
    record.check_invariant()?;
    Ok(record)
}

/// The event announcing `record`, at `address` (an account's or a leaf's).
pub(crate) fn issued_event(
    address: Pubkey,
    record: &Record,
    actor_member: Option<Pubkey>,
) -> RecordIssued {
    RecordIssued {
        issuer: record.issuer,
        patient: record.patient,
        record: address,
        kind: record.kind,
        record_version: record.record_version,
        supersedes: record.supersedes,
        commitment: record.commitment,
        content_commitment: record.content_commitment,
        serial: record.serial,
        origin: record.origin,
        actor_member,
    }
}

/// Writes a new record (its serial taken from the patient) and returns the
/// event announcing it. The caller moves the record book.
pub(crate) fn create_record(
    record: &mut Account<Record>,
    bump: u8,
    patient: &mut Account<Patient>,
    actor: Actor,
    new: NewRecord,
    now: i64,
) -> Result<RecordIssued> {
    let value = new_record(bump, patient, actor.entity, new, now)?;
    record.set_inner(value);
    record.check_invariant()?;
    Ok(issued_event(record.key(), record, actor.member))
}

pub fn handler(mut ctx: Context<IssueRecord>, args: IssueRecordArgs) -> Result<()> {
    let now = now()?;
    let actor = ctx.accounts.validate(&args, ctx.remaining_accounts, now)?;
    let accounts = &mut ctx.accounts;
    let event = create_record(
        &mut accounts.record,
        ctx.bumps.record,
        &mut accounts.patient,
        actor,
        NewRecord {
            record_id: args.record_id,
            commitment: args.commitment,
            content_commitment: args.content_commitment,
            kind: args.kind,
            record_version: 1,
            supersedes: [0; 16],
            chain: None,
        },
        now,
    )?;
    accounts
        .book
        .book(&ctx.bumps.book)
        .mint_one(accounts.book.patient_book.as_ref())?;
    emit_cpi!(event);
    Ok(())
}
