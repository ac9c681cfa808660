use {
    crate::{
        constants::*,
        errors::RecordsError,
        events::AccessLogged,
        instructions::{load_account, now},
        pda,
        state::*,
    },
    anchor_lang::prelude::*,
};

/// The grantee records that it accessed a record under a grant; refused when
/// the grant is revoked, expired, lacks Read, or does not cover the record.
#[event_cpi]
#[derive(Accounts)]
pub struct LogAccess<'info> {
    pub grantee: Signer<'info>,
    #[account(
        mut,
        seeds = [GRANT_SEED, grant.patient.as_ref(), grantee.key().as_ref(), grant.target.as_ref()],
        bump = grant.bump,
    )]
    pub grant: Account<'info, Grant>,
    #[account(seeds = [RECORD_SEED, record.patient.as_ref(), record.record_id.as_ref()], bump = record.bump)]
    pub record: Account<'info, Record>,
    /// CHECK: the grantee's `Entity` address. When an entity lives there it
    /// must be active: a suspended, revoked or expired provider stops reading.
    /// Grants to keys that are not entities (a relative's wallet) need none,
    /// except emergency grants, which only providers hold.
    #[account(address = pda::entity(grantee.key).0)]
    pub grantee_entity: UncheckedAccount<'info>,
}

impl LogAccess<'_> {
    pub fn validate(&self, now: i64) -> Result<()> {
        let grant = &self.grant;
        require!(!grant.is_revoked(), RecordsError::GrantRevoked);
        require!(!grant.is_expired(now), RecordsError::GrantExpired);
        require!(
            grant.permissions & permissions::READ != 0,
            RecordsError::ReadNotPermitted
        );
        require!(
            grant.covers(&self.record.key(), &self.record),
            RecordsError::GrantDoesNotCoverRecord
        );
        match load_account::<Entity>(&self.grantee_entity)? {
            Some(entity) => require!(entity.is_active(now), RecordsError::EntityNotActive),
            None => require!(!grant.emergency, RecordsError::EntityNotActive),
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<LogAccess>) -> Result<()> {
    let now = now()?;
    ctx.accounts.validate(now)?;
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
        record: ctx.accounts.record.key(),
        purpose: grant.purpose,
        emergency: grant.emergency,
        access_count: grant.access_count,
        accessed_at: now,
    });
    Ok(())
}
