use {
    super::issue_record::{
        act_as_issuer, issued_event, new_record, validate_commitments, NewRecord,
    },
    crate::acting::Actor,
    crate::instructions::book::*,
    crate::{
        compressed::{append_record, next_leaf, record_id_of},
        constants::*,
        errors::RecordsError,
        instructions::{load_account, now},
        state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct IssueCompressedRecordArgs {
    /// SHA-256 of the encrypted payload.
    pub commitment: [u8; 32],
    /// The issuer's attestation of the content (see `Record::content_commitment`).
    pub content_commitment: [u8; 32],
    pub kind: RecordKind,
}

/// Issues a compressed record: the record becomes the next leaf of a record
/// tree (no account, no rent), its `record_id` the first 16 bytes of its
/// address `pda::compressed_record(tree, index)`. The same rules as
/// `issue_record`: an active issuing entity, under the patient's care link
/// for this kind; the patient's record book gains one. A tree of an entity
/// takes only that entity's records; a shared tree any issuer's. Appends
/// need no proof, so any number land in one slot.
#[event_cpi]
#[derive(Accounts)]
pub struct IssueCompressedRecord<'info> {
    /// The entity's authority or a member of it (see `issue_record`).
    pub issuer: Signer<'info>,
    #[account(seeds = [ENTITY_SEED, issuer_entity.authority.as_ref()], bump = issuer_entity.bump)]
    pub issuer_entity: Account<'info, Entity>,
    /// CHECK: the patient's wallet, bound to `patient` by its seeds.
    pub patient_authority: UncheckedAccount<'info>,
    #[account(mut, seeds = [PATIENT_SEED, patient_authority.key().as_ref()], bump = patient.bump)]
    pub patient: Account<'info, Patient>,
    /// CHECK: the patient's care link to the issuer (see `issue_record`).
    #[account(
        seeds = [GRANT_SEED, patient_authority.key().as_ref(), issuer_entity.authority.as_ref(), patient.key().as_ref()],
        bump,
    )]
    pub care_link: UncheckedAccount<'info>,
    #[account(mut)]
    pub tree: Account<'info, RecordTree>,
    pub book: BookAccounts<'info>,
    pub system_program: Program<'info, System>,
}

impl IssueCompressedRecord<'_> {
    pub fn validate(
        &self,
        args: &IssueCompressedRecordArgs,
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
        validate_commitments(&args.commitment, &args.content_commitment)?;
        if let Some(issuer) = self.tree.issuer {
            require_keys_eq!(issuer, actor.entity, RecordsError::TreeIssuerMismatch);
        }
        self.book.check_patient(self.patient_authority.key)?;
        let link = load_account::<Grant>(&self.care_link)?;
        require!(
            link.is_some_and(|link| link.allows_issue(args.kind, &self.patient, now)),
            RecordsError::IssueNotPermitted
        );
        Ok(actor)
    }
}

pub fn handler(
    mut ctx: Context<IssueCompressedRecord>,
    args: IssueCompressedRecordArgs,
) -> Result<()> {
    let now = now()?;
    let actor = ctx.accounts.validate(&args, ctx.remaining_accounts, now)?;
    let accounts = &mut ctx.accounts;
    let (_, address) = next_leaf(&accounts.tree)?;
    let record = new_record(
        0,
        &mut accounts.patient,
        actor.entity,
        NewRecord {
            record_id: record_id_of(&address),
            commitment: args.commitment,
            content_commitment: args.content_commitment,
            kind: args.kind,
            record_version: 1,
            supersedes: [0; 16],
            chain: None,
        },
        now,
    )?;
    let written = append_record(&mut accounts.tree, &record)?;
    accounts
        .book
        .book(&ctx.bumps.book)
        .mint_one(accounts.book.patient_book.as_ref())?;
    let issued = issued_event(written.address, &record, actor.member);
    let leaf = written.event(accounts.tree.key(), Some(record));
    emit_cpi!(issued);
    emit_cpi!(leaf);
    Ok(())
}
