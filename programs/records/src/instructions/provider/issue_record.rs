use {
    super::require_active,
    crate::{
        constants::*, errors::RecordsError, events::RecordIssued, instructions::now, pda, state::*,
        token::RecordToken,
    },
    anchor_lang::prelude::*,
    anchor_spl::{associated_token::AssociatedToken, token_2022::Token2022},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct IssueRecordArgs {
    /// Random 16 bytes; opaque, never derived from PHI.
    pub record_id: [u8; 16],
    /// SHA-256 of the encrypted payload.
    pub commitment: [u8; 32],
    /// The issuer's attestation of the content: SHA-256 of the domain tag,
    /// the payload's salt and the plaintext (see `Record::content_commitment`).
    pub content_commitment: [u8; 32],
    /// Opaque location of the ciphertext.
    pub uri: String,
    pub kind: RecordKind,
}

/// A provider, laboratory or pharmacy issues a record to a patient: the
/// `Record` account and a record token in the patient's wallet. Only under
/// the patient's care link: a live grant over the patient's records, with
/// Issue permission for this kind, that only the patient (or guardian)
/// creates. Nobody can push records to a patient, nor bill for them.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: IssueRecordArgs)]
pub struct IssueRecord<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub issuer: Signer<'info>,
    #[account(seeds = [ENTITY_SEED, issuer.key().as_ref()], bump = issuer_entity.bump)]
    pub issuer_entity: Account<'info, Entity>,
    /// CHECK: the patient's wallet, bound to `patient` by its seeds.
    pub patient_authority: UncheckedAccount<'info>,
    #[account(mut, seeds = [PATIENT_SEED, patient_authority.key().as_ref()], bump = patient.bump)]
    pub patient: Account<'info, Patient>,
    /// CHECK: the patient's grant to the issuer over the patient's records
    /// (the care link), at its derived address; it must exist and allow
    /// Issue for this kind now (checked in `validate`).
    #[account(
        seeds = [GRANT_SEED, patient_authority.key().as_ref(), issuer.key().as_ref(), patient.key().as_ref()],
        bump,
    )]
    pub care_link: UncheckedAccount<'info>,
    #[account(
        init,
        payer = payer,
        space = Record::DISCRIMINATOR.len() + Record::INIT_SPACE,
        seeds = [RECORD_SEED, patient_authority.key().as_ref(), args.record_id.as_ref()],
        bump,
    )]
    pub record: Account<'info, Record>,
    /// CHECK: the record mint PDA, created in the handler.
    #[account(mut, seeds = [RECORD_MINT_SEED, record.key().as_ref()], bump)]
    pub record_mint: UncheckedAccount<'info>,
    /// CHECK: program PDA, the mint's authorities.
    #[account(seeds = [RECORD_AUTHORITY_SEED], bump)]
    pub record_authority: UncheckedAccount<'info>,
    /// CHECK: the patient's associated token account, created in the handler.
    #[account(
        mut,
        address = pda::record_token_account(patient_authority.key, record_mint.key) @ RecordsError::InvalidTokenAccount,
    )]
    pub patient_token_account: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token2022>,
    pub associated_token_program: Program<'info, AssociatedToken>,
    pub system_program: Program<'info, System>,
}

impl IssueRecord<'_> {
    pub fn validate(&self, args: &IssueRecordArgs, now: i64) -> Result<()> {
        validate_issuer(&self.issuer_entity, now)?;
        validate_content(
            &args.record_id,
            &args.commitment,
            &args.content_commitment,
            &args.uri,
        )?;
        let link = load_grant(&self.care_link)?;
        require!(
            link.is_some_and(|link| link.allows_issue(args.kind, now)),
            RecordsError::IssueNotPermitted
        );
        Ok(())
    }
}

/// The `Grant` at `info`, if one lives there (owner and discriminator
/// checked; the caller checks the address).
pub(crate) fn load_grant(info: &AccountInfo) -> Result<Option<Grant>> {
    if info.owner != &crate::ID || info.data_is_empty() {
        return Ok(None);
    }
    Ok(Some(Grant::try_deserialize(
        &mut &info.try_borrow_data()?[..],
    )?))
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
    uri: &str,
) -> Result<()> {
    require!(record_id != &[0; 16], RecordsError::InvalidRecordId);
    require!(commitment != &[0; 32], RecordsError::InvalidCommitment);
    require!(
        content_commitment != &[0; 32],
        RecordsError::InvalidContentCommitment
    );
    require!(is_valid_uri(uri), RecordsError::InvalidUri);
    Ok(())
}

/// What a new record holds besides its addresses.
pub(crate) struct NewRecord {
    pub record_id: [u8; 16],
    pub commitment: [u8; 32],
    pub content_commitment: [u8; 32],
    pub uri: String,
    pub kind: RecordKind,
    pub record_version: u16,
    pub supersedes: Option<Pubkey>,
    /// (origin, original issuer) of the amendment chain; `None` for an original.
    pub chain: Option<(Pubkey, Pubkey)>,
}

/// The accounts that create a record token for the patient.
pub(crate) struct Minting<'a, 'info> {
    pub payer: &'a AccountInfo<'info>,
    pub patient_authority: &'a AccountInfo<'info>,
    pub system_program: &'a AccountInfo<'info>,
    pub associated_token_program: &'a AccountInfo<'info>,
    pub token: RecordToken<'a, 'info>,
}

/// Writes a new record (its serial taken from the patient), mints its token
/// and returns the event announcing it.
pub(crate) fn create_record(
    record: &mut Account<Record>,
    bump: u8,
    patient: &mut Account<Patient>,
    issuer: Pubkey,
    new: NewRecord,
    minting: Minting,
    now: i64,
) -> Result<RecordIssued> {
    let serial = patient.take_record_serial()?;
    patient.check_invariant()?;
    record.set_inner(Record {
        version: ACCOUNT_VERSION,
        bump,
        mint_bump: minting.token.mint_bump,
        patient: minting.patient_authority.key(),
        issuer,
        mint: minting.token.mint.key(),
        record_id: new.record_id,
        commitment: new.commitment,
        content_commitment: new.content_commitment,
        serial,
        uri: new.uri,
        kind: new.kind,
        status: RecordStatus::Active,
        record_version: new.record_version,
        supersedes: new.supersedes,
        superseded_by: None,
        origin: new.chain.map_or(record.key(), |(origin, _)| origin),
        original_issuer: new.chain.map_or(issuer, |(_, original)| original),
        issued_at: now,
        updated_at: now,
        rent_payer: minting.payer.key(),
    });
    record.check_invariant()?;
    minting.token.mint_to_patient(
        minting.payer,
        minting.patient_authority,
        minting.system_program,
        minting.associated_token_program,
    )?;
    Ok(RecordIssued {
        issuer,
        patient: record.patient,
        record: record.key(),
        mint: record.mint,
        kind: record.kind,
        record_version: record.record_version,
        supersedes: record.supersedes,
        commitment: record.commitment,
        content_commitment: record.content_commitment,
        serial: record.serial,
    })
}

pub fn handler(mut ctx: Context<IssueRecord>, args: IssueRecordArgs) -> Result<()> {
    let now = now()?;
    ctx.accounts.validate(&args, now)?;
    let accounts = &mut ctx.accounts;
    let record_key = accounts.record.key();
    let minting = Minting {
        payer: accounts.payer.as_ref(),
        patient_authority: accounts.patient_authority.as_ref(),
        system_program: accounts.system_program.as_ref(),
        associated_token_program: accounts.associated_token_program.as_ref(),
        token: RecordToken {
            record: record_key,
            mint: accounts.record_mint.as_ref(),
            mint_bump: ctx.bumps.record_mint,
            authority: accounts.record_authority.as_ref(),
            authority_bump: ctx.bumps.record_authority,
            token_account: accounts.patient_token_account.as_ref(),
            token_program: accounts.token_program.as_ref(),
        },
    };
    let event = create_record(
        &mut accounts.record,
        ctx.bumps.record,
        &mut accounts.patient,
        accounts.issuer.key(),
        NewRecord {
            record_id: args.record_id,
            commitment: args.commitment,
            content_commitment: args.content_commitment,
            uri: args.uri,
            kind: args.kind,
            record_version: 1,
            supersedes: None,
            chain: None,
        },
        minting,
        now,
    )?;
    emit_cpi!(event);
    Ok(())
}
