use {
    super::issue_record::{act_as_issuer, create_record, validate_content, NewRecord},
    crate::acting::Actor,
    crate::{
        constants::*, errors::RecordsError, events::RecordSuperseded, instructions::now, state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct AmendRecordArgs {
    /// Random 16-byte id of the new version.
    pub record_id: [u8; 16],
    /// SHA-256 of the new encrypted payload.
    pub commitment: [u8; 32],
    /// The amending issuer's attestation of the new content.
    pub content_commitment: [u8; 32],
}

/// Issues a new version of a record: a new `Record` (rent paid by the
/// amending issuer), the two linked both ways by serial, the old one
/// Superseded. The record book does not move: one Active version replaces
/// another. The chain's original issuer may
/// amend (a correction needs no new care link); anyone else, including an
/// entity that amended the chain before, needs a live grant with Amend
/// permission that covers the current version.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: AmendRecordArgs)]
pub struct AmendRecord<'info> {
    /// The entity's authority or a member of it (see `issue_record`).
    /// Signs and pays the new version's rent.
    #[account(mut)]
    pub issuer: Signer<'info>,
    #[account(seeds = [ENTITY_SEED, issuer_entity.authority.as_ref()], bump = issuer_entity.bump)]
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
        payer = issuer,
        space = Record::SPACE,
        seeds = [RECORD_SEED, patient_authority.key().as_ref(), args.record_id.as_ref()],
        bump,
    )]
    pub record: Account<'info, Record>,
    pub system_program: Program<'info, System>,
}

impl AmendRecord<'_> {
    pub fn validate(
        &self,
        args: &AmendRecordArgs,
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
        let previous = &self.previous_record;
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
                && grant.covers(&previous.key(), previous),
            RecordsError::AmendNotPermitted
        );
        require!(!grant.is_revoked(), RecordsError::GrantRevoked);
        require!(!grant.is_expired(now), RecordsError::GrantExpired);
        Ok(actor)
    }
}

pub fn handler(mut ctx: Context<AmendRecord>, args: AmendRecordArgs) -> Result<()> {
    let now = now()?;
    let actor = ctx.accounts.validate(&args, ctx.remaining_accounts, now)?;
    let (superseded, issued) = {
        let accounts = &mut ctx.accounts;
        let previous = &accounts.previous_record;
        let record_version = previous
            .record_version
            .checked_add(1)
            .ok_or(RecordsError::Overflow)?;
        let new = NewRecord {
            record_id: args.record_id,
            commitment: args.commitment,
            content_commitment: args.content_commitment,
            kind: previous.kind,
            record_version,
            supersedes: previous.record_id,
            chain: Some((previous.origin, previous.original_issuer)),
        };
        let issued = create_record(
            &mut accounts.record,
            ctx.bumps.record,
            &mut accounts.patient,
            actor,
            new,
            now,
        )?;
        let previous = &mut accounts.previous_record;
        previous.status = RecordStatus::Superseded;
        previous.superseded_by = issued.serial;
        previous.check_invariant()?;
        let superseded = RecordSuperseded {
            actor: issued.issuer,
            patient: issued.patient,
            record: previous.key(),
            superseded_by: issued.record,
            actor_member: actor.member,
        };
        (superseded, issued)
    };
    emit_cpi!(superseded);
    emit_cpi!(issued);
    Ok(())
}
