use {
    super::issue_record::{create_record, validate_content, validate_issuer, Minting, NewRecord},
    crate::{
        constants::*, errors::RecordsError, events::RecordSuperseded, instructions::now, pda,
        state::*, token::RecordToken,
    },
    anchor_lang::prelude::*,
    anchor_spl::{associated_token::AssociatedToken, token_2022::Token2022},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct AmendRecordArgs {
    /// Random 16-byte id of the new version.
    pub record_id: [u8; 16],
    /// SHA-256 of the new encrypted payload.
    pub commitment: [u8; 32],
    /// The amending issuer's attestation of the new content.
    pub content_commitment: [u8; 32],
    pub uri: String,
}

/// Issues a new version of a record: a new `Record` and token, the two
/// linked both ways, the old one Superseded. The chain's original issuer may
/// amend (a correction needs no new care link); anyone else, including an
/// entity that amended the chain before, needs a live grant with Amend
/// permission that covers the current version.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: AmendRecordArgs)]
pub struct AmendRecord<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub issuer: Signer<'info>,
    #[account(seeds = [ENTITY_SEED, issuer.key().as_ref()], bump = issuer_entity.bump)]
    pub issuer_entity: Account<'info, Entity>,
    /// CHECK: the patient's wallet, bound to `patient` by its seeds.
    pub patient_authority: UncheckedAccount<'info>,
    #[account(mut, seeds = [PATIENT_SEED, patient_authority.key().as_ref()], bump = patient.bump)]
    pub patient: Account<'info, Patient>,
    #[account(
        mut,
        seeds = [RECORD_SEED, patient_authority.key().as_ref(), previous_record.record_id.as_ref()],
        bump = previous_record.bump,
    )]
    pub previous_record: Account<'info, Record>,
    /// A grant with Amend permission, when the signer is not the original issuer.
    pub grant: Option<Account<'info, Grant>>,
    #[account(
        init,
        payer = payer,
        space = Record::DISCRIMINATOR.len() + Record::INIT_SPACE,
        seeds = [RECORD_SEED, patient_authority.key().as_ref(), args.record_id.as_ref()],
        bump,
    )]
    pub record: Account<'info, Record>,
    /// CHECK: the new record's mint PDA, created in the handler.
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

impl AmendRecord<'_> {
    pub fn validate(&self, args: &AmendRecordArgs, now: i64) -> Result<()> {
        validate_issuer(&self.issuer_entity, now)?;
        validate_content(
            &args.record_id,
            &args.commitment,
            &args.content_commitment,
            &args.uri,
        )?;
        let previous = &self.previous_record;
        require!(
            previous.status == RecordStatus::Active,
            RecordsError::RecordNotActive
        );
        if previous.original_issuer == self.issuer.key() {
            return Ok(());
        }
        let grant = self
            .grant
            .as_ref()
            .ok_or(error!(RecordsError::AmendNotPermitted))?;
        require!(
            grant.grantee == self.issuer.key()
                && grant.permissions & permissions::AMEND != 0
                && grant.covers(&previous.key(), previous),
            RecordsError::AmendNotPermitted
        );
        require!(!grant.is_revoked(), RecordsError::GrantRevoked);
        require!(!grant.is_expired(now), RecordsError::GrantExpired);
        Ok(())
    }
}

pub fn handler(mut ctx: Context<AmendRecord>, args: AmendRecordArgs) -> Result<()> {
    let now = now()?;
    ctx.accounts.validate(&args, now)?;
    let accounts = &mut ctx.accounts;
    let record_key = accounts.record.key();
    let previous_key = accounts.previous_record.key();
    let record_version = accounts
        .previous_record
        .record_version
        .checked_add(1)
        .ok_or(RecordsError::Overflow)?;

    let previous = &mut accounts.previous_record;
    previous.status = RecordStatus::Superseded;
    previous.superseded_by = Some(record_key);
    previous.updated_at = now.max(previous.updated_at);
    previous.check_invariant()?;
    let kind = previous.kind;
    let chain = (previous.origin, previous.original_issuer);

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
    let issued = create_record(
        &mut accounts.record,
        ctx.bumps.record,
        &mut accounts.patient,
        accounts.issuer.key(),
        NewRecord {
            record_id: args.record_id,
            commitment: args.commitment,
            content_commitment: args.content_commitment,
            uri: args.uri,
            kind,
            record_version,
            supersedes: Some(previous_key),
            chain: Some(chain),
        },
        minting,
        now,
    )?;
    let superseded = RecordSuperseded {
        actor: issued.issuer,
        patient: issued.patient,
        record: previous_key,
        superseded_by: record_key,
    };
    emit_cpi!(superseded);
    emit_cpi!(issued);
    Ok(())
}
