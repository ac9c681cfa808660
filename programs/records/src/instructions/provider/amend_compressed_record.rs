use {
    super::issue_record::{
        act_as_issuer, issued_event, new_record, validate_commitments, NewRecord,
    },
    crate::acting::Actor,
    crate::{
        compressed::{
            append_record, check_leaf, next_leaf, record_id_of, replace_record, LeafProof,
        },
        constants::*,
        errors::RecordsError,
        events::RecordSuperseded,
        instructions::now,
        state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct AmendCompressedRecordArgs {
    /// SHA-256 of the new encrypted payload.
    pub commitment: [u8; 32],
    /// The amending issuer's attestation of the new content.
    pub content_commitment: [u8; 32],
    /// The version amended: its fields and the proof of its leaf.
    pub previous: LeafProof,
}

/// Issues a new version of a compressed record, appended to the same tree;
/// the previous leaf becomes its Superseded form. The same rules as
/// `amend_record`: the chain's original issuer, or an entity holding a live
/// grant with Amend permission that covers the previous version (by its
/// address). The record book does not move.
#[event_cpi]
#[derive(Accounts)]
pub struct AmendCompressedRecord<'info> {
    /// The entity's authority or a member of it (see `issue_record`).
    pub issuer: Signer<'info>,
    #[account(seeds = [ENTITY_SEED, issuer_entity.authority.as_ref()], bump = issuer_entity.bump)]
    pub issuer_entity: Account<'info, Entity>,
    /// CHECK: the patient's wallet, bound to `patient` by its seeds.
    pub patient_authority: UncheckedAccount<'info>,
    #[account(mut, seeds = [PATIENT_SEED, patient_authority.key().as_ref()], bump = patient.bump)]
    pub patient: Account<'info, Patient>,
    /// A grant with Amend permission, when the signer is not the original issuer.
    pub grant: Option<Account<'info, Grant>>,
    #[account(mut)]
    pub tree: Account<'info, RecordTree>,
}

impl AmendCompressedRecord<'_> {
    pub fn validate(
        &self,
        args: &AmendCompressedRecordArgs,
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
        let address = check_leaf(&self.tree, &args.previous)?;
        let previous = &args.previous.record;
        require_keys_eq!(
            previous.patient,
            self.patient_authority.key(),
            RecordsError::RecordPatientMismatch
        );
        require!(
            previous.status == RecordStatus::Active,
            RecordsError::RecordNotActive
        );
        if previous.original_issuer == actor.entity {
            return Ok(actor);
        }
        let grant = self
            .grant
            .as_ref()
            .ok_or(error!(RecordsError::AmendNotPermitted))?;
        require!(
            grant.grantee == actor.entity
                && grant.permissions & permissions::AMEND != 0
                && grant.covers(&address, previous),
            RecordsError::AmendNotPermitted
        );
        require!(!grant.is_revoked(), RecordsError::GrantRevoked);
        require!(!grant.is_expired(now), RecordsError::GrantExpired);
        Ok(actor)
    }
}

pub fn handler(
    mut ctx: Context<AmendCompressedRecord>,
    args: AmendCompressedRecordArgs,
) -> Result<()> {
    let now = now()?;
    let actor = ctx.accounts.validate(&args, ctx.remaining_accounts, now)?;
    let accounts = &mut ctx.accounts;
    let previous = &args.previous.record;
    let record_version = previous
        .record_version
        .checked_add(1)
        .ok_or(RecordsError::Overflow)?;
    let (_, address) = next_leaf(&accounts.tree)?;
    let record = new_record(
        0,
        &mut accounts.patient,
        actor.entity,
        NewRecord {
            record_id: record_id_of(&address),
            commitment: args.commitment,
            content_commitment: args.content_commitment,
            kind: previous.kind,
            record_version,
            supersedes: previous.record_id,
            chain: Some((previous.origin, previous.original_issuer)),
        },
        now,
    )?;
    let mut superseded = previous.clone();
    superseded.status = RecordStatus::Superseded;
    superseded.superseded_by = record.serial;
    superseded.check_invariant()?;
    let old = replace_record(&mut accounts.tree, &args.previous, Some(&superseded))?;
    let new = append_record(&mut accounts.tree, &record)?;
    let tree = accounts.tree.key();
    let superseded_event = RecordSuperseded {
        actor: record.issuer,
        patient: record.patient,
        record: old.address,
        superseded_by: new.address,
        actor_member: actor.member,
    };
    let issued = issued_event(new.address, &record, actor.member);
    let old_leaf = old.event(tree, Some(superseded));
    let new_leaf = new.event(tree, Some(record));
    emit_cpi!(superseded_event);
    emit_cpi!(issued);
    emit_cpi!(old_leaf);
    emit_cpi!(new_leaf);
    Ok(())
}
