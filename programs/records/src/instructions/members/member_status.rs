use {
    super::{authorize_admin, check_admin_rule, require_not_revoked},
    crate::{
        acting::Actor, constants::*, errors::RecordsError, events::MemberStatusChanged,
        instructions::now, state::*,
    },
    anchor_lang::prelude::*,
};

/// Suspends (Active → Suspended), reinstates (Suspended → Active, the entity
/// active) or revokes (Active or Suspended → Revoked, final) a member. The
/// entity's authority may suspend or revoke whatever the entity's status:
/// cutting access off is always allowed.
#[event_cpi]
#[derive(Accounts)]
pub struct ChangeMemberStatus<'info> {
    /// The entity's authority, or an EntityAdmin member.
    pub admin: Signer<'info>,
    #[account(seeds = [ENTITY_SEED, entity.authority.as_ref()], bump = entity.bump)]
    pub entity: Account<'info, Entity>,
    #[account(
        mut,
        seeds = [MEMBER_SEED, entity.key().as_ref(), member.member.as_ref()],
        bump = member.bump,
        constraint = member.entity == entity.key() @ RecordsError::MemberOfAnotherEntity,
    )]
    pub member: Account<'info, Member>,
}

impl ChangeMemberStatus<'_> {
    pub fn validate(&self, to: MemberStatus, remaining: &[AccountInfo], now: i64) -> Result<Actor> {
        let entity = &self.entity;
        let member = &self.member;
        let actor = authorize_admin(self.admin.key, &entity.key(), entity, remaining, now)?;
        require_not_revoked(member)?;
        check_admin_rule(&actor, member.roles)?;
        let allowed = match to {
            MemberStatus::Suspended => member.status == MemberStatus::Active,
            MemberStatus::Active => member.status == MemberStatus::Suspended,
            MemberStatus::Revoked => true,
        };
        require!(allowed, RecordsError::InvalidMemberTransition);
        if to == MemberStatus::Active {
            require!(entity.is_active(now), RecordsError::EntityNotActive);
        }
        Ok(actor)
    }
}

/// The one handler of `suspend_member`, `reinstate_member` and `revoke_member`.
pub fn change(ctx: Context<ChangeMemberStatus>, to: MemberStatus) -> Result<()> {
    let now = now()?;
    let actor = ctx.accounts.validate(to, ctx.remaining_accounts, now)?;
    let entity_authority = ctx.accounts.entity.authority;
    let member = &mut ctx.accounts.member;
    let old_status = member.status;
    member.status = to;
    member.revision = member
        .revision
        .checked_add(1)
        .ok_or(RecordsError::Overflow)?;
    member.updated_at = now.max(member.updated_at);
    member.check_invariant()?;
    emit_cpi!(MemberStatusChanged {
        entity: entity_authority,
        member_account: member.key(),
        member: member.member,
        old_status,
        new_status: to,
        revision: member.revision,
        actor_member: actor.member,
    });
    Ok(())
}
