use {
    crate::{
        acting::{authorize, load_entity, Actor, EntityAt},
        compressed::{load_record, LeafProof, LoadedRecord, RecordLoadError},
        constants::*,
        errors::RecordsError,
        events::AccessLogged,
        instructions::{load_account, now},
        state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, Clone, Debug, Default)]
pub struct LogAccessArgs {
    /// For a compressed record (`record` is then its tree): the record and
    /// the proof of its leaf.
    pub leaf: Option<LeafProof>,
}

/// Borsh, except that the trailing `leaf` (added with compressed records)
/// may be left out, as clients built before it do: it then reads as
/// `None`, and those clients' instructions keep working.
impl AnchorDeserialize for LogAccessArgs {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        Ok(Self {
            leaf: crate::compressed::trailing_option(reader)?,
        })
    }
}

/// The grantee records that it accessed a record under a grant; refused when
/// the grant is revoked, expired, lacks Read, or does not cover the record.
#[event_cpi]
#[derive(Accounts)]
pub struct LogAccess<'info> {
    /// The grantee, or a member of the grantee entity with a role the
    /// grant's purpose allows (`roles::for_purpose`; its `Member` account
    /// first in the remaining accounts).
    pub grantee: Signer<'info>,
    #[account(
        mut,
        seeds = [GRANT_SEED, grant.patient.as_ref(), grant.grantee.as_ref(), grant.target.as_ref()],
        bump = grant.bump,
    )]
    pub grant: Account<'info, Grant>,
    /// CHECK: the `Record` read, or the `RecordTree` holding it (with
    /// `args.leaf`); loaded in `validate`.
    pub record: UncheckedAccount<'info>,
    /// CHECK: the grantee's `Entity` address. When an entity lives there it
    /// must be active: a suspended, revoked or expired provider stops reading.
    /// Grants to keys that are not entities (a relative's wallet) need none,
    /// except emergency grants, which only providers hold.
    #[account(seeds = [ENTITY_SEED, grant.grantee.as_ref()], bump)]
    pub grantee_entity: UncheckedAccount<'info>,
}

impl LogAccess<'_> {
    /// Returns the record read.
    /// The grantee itself, or a member of the grantee entity: a member needs
    /// that `Entity` to exist (else `MemberOfAnotherEntity`).
    fn actor(&self, remaining: &[AccountInfo], now: i64) -> Result<Actor> {
        let grant = &self.grant;
        let roles = roles::for_purpose(grant.purpose);
        let signer = self.grantee.key;
        let entity = if *signer == grant.grantee {
            None
        } else {
            load_entity(&self.grantee_entity)
        };
        let acting = match &entity {
            Some(entity) => authorize(
                signer,
                &grant.grantee,
                EntityAt::Given {
                    address: self.grantee_entity.key,
                    entity,
                },
                remaining,
                roles,
                now,
            ),
            // No entity: only the Member account is read (the entity is
            // then missing: `MemberOfAnotherEntity`).
            None => authorize(
                signer,
                &grant.grantee,
                EntityAt::Remaining,
                &remaining[..remaining.len().min(1)],
                roles,
                now,
            ),
        };
        Ok(acting?.0)
    }

    pub fn validate(
        &self,
        args: &LogAccessArgs,
        remaining: &[AccountInfo],
        now: i64,
    ) -> Result<(Actor, LoadedRecord)> {
        let actor = self.actor(remaining, now)?;
        // The errors an `Account<Record>` gives for what is no record.
        require!(
            !(self.record.owner == &system_program::ID && self.record.lamports() == 0),
            ErrorCode::AccountNotInitialized
        );
        require_keys_eq!(
            *self.record.owner,
            crate::ID,
            ErrorCode::AccountOwnedByWrongProgram
        );
        let loaded = load_record(&self.record, args.leaf.as_ref()).map_err(|e| match e {
            RecordLoadError::NotARecord => error!(ErrorCode::AccountDiscriminatorMismatch),
            e => error!(e.to_records_error(RecordsError::InvalidTarget)),
        })?;
        let grant = &self.grant;
        require!(!grant.is_revoked(), RecordsError::GrantRevoked);
        require!(!grant.is_expired(now), RecordsError::GrantExpired);
        require!(
            grant.permissions & permissions::READ != 0,
            RecordsError::ReadNotPermitted
        );
        require!(
            grant.covers(&loaded.address, &loaded.record),
            RecordsError::GrantDoesNotCoverRecord
        );
        match load_account::<Entity>(&self.grantee_entity)? {
            Some(entity) => require!(entity.is_active(now), RecordsError::EntityNotActive),
            None => require!(!grant.emergency, RecordsError::EntityNotActive),
        }
        Ok((actor, loaded))
    }
}

pub fn handler(ctx: Context<LogAccess>, args: LogAccessArgs) -> Result<()> {
    let now = now()?;
    let (actor, loaded) = ctx.accounts.validate(&args, ctx.remaining_accounts, now)?;
    let grant = &mut ctx.accounts.grant;
    grant.access_count = grant
        .access_count
        .checked_add(1)
        .ok_or(RecordsError::Overflow)?;
    grant.last_access_at = Some(now);
    grant.check_invariant()?;
    emit_cpi!(AccessLogged {
        grantee: grant.grantee,
        patient: grant.patient,
        grant: grant.key(),
        record: loaded.address,
        purpose: grant.purpose,
        emergency: grant.emergency,
        access_count: grant.access_count,
        accessed_at: now,
        actor_member: actor.member,
    });
    Ok(())
}
