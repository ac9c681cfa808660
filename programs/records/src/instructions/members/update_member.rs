use {
    super::{
        authorize_admin, check_admin_rule, check_admin_validity, check_commitment, check_roles,
        check_validity, require_not_revoked,
    },
    crate::{
        acting::Actor, constants::*, errors::RecordsError, events::MemberUpdated,
        instructions::now, state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdateMemberArgs {
    /// New [`roles`] mask.
    pub roles: Option<u16>,
    /// New end of validity (in the future, at most 5 years ahead).
    pub valid_until: Option<i64>,
    /// New credential commitment.
    pub credential_commitment: Option<[u8; 32]>,
}

/// Changes a member's roles, validity or credential commitment; its
/// revision goes up by one, so a credential naming the old revision is stale.
#[event_cpi]
#[derive(Accounts)]
pub struct UpdateMember<'info> {
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

impl UpdateMember<'_> {
    pub fn validate(
        &self,
        args: &UpdateMemberArgs,
        remaining: &[AccountInfo],
        now: i64,
    ) -> Result<Actor> {
        let entity = &self.entity;
        let member = &self.member;
        let actor = authorize_admin(self.admin.key, &entity.key(), entity, remaining, now)?;
        require!(entity.is_active(now), RecordsError::EntityNotActive);
        require_not_revoked(member)?;
        check_admin_rule(&actor, member.roles | args.roles.unwrap_or(0))?;
        if let Some(roles) = args.roles {
            check_roles(roles)?;
        }
        if let Some(valid_until) = args.valid_until {
            check_validity(valid_until, now)?;
            check_admin_validity(&actor, remaining, valid_until)?;
        }
        if let Some(commitment) = &args.credential_commitment {
            check_commitment(commitment)?;
        }
        let changes = args.roles.is_some_and(|r| r != member.roles)
            || args.valid_until.is_some_and(|v| v != member.valid_until)
            || args
                .credential_commitment
                .is_some_and(|c| c != member.credential_commitment);
        require!(changes, RecordsError::MemberUnchanged);
        Ok(actor)
    }
}

pub fn handler(ctx: Context<UpdateMember>, args: UpdateMemberArgs) -> Result<()> {
    let now = now()?;
    let actor = ctx.accounts.validate(&args, ctx.remaining_accounts, now)?;
    let entity_authority = ctx.accounts.entity.authority;
    let member = &mut ctx.accounts.member;
    if let Some(roles) = args.roles {
        member.roles = roles;
    }
    if let Some(valid_until) = args.valid_until {
        member.valid_until = valid_until;
    }
    if let Some(commitment) = args.credential_commitment {
        member.credential_commitment = commitment;
    }
    member.revision = member
        .revision
        .checked_add(1)
        .ok_or(RecordsError::Overflow)?;
    member.updated_at = now.max(member.updated_at);
    member.check_invariant()?;
    emit_cpi!(MemberUpdated {
        entity: entity_authority,
        member_account: member.key(),
        member: member.member,
        roles: member.roles,
        valid_until: member.valid_until,
        credential_commitment: member.credential_commitment,
        revision: member.revision,
        actor_member: actor.member,
    });
    Ok(())
}
