use {
    super::{authorize_admin, check_admin_rule, require_not_revoked},
    crate::{
        acting::Actor, constants::*, errors::RecordsError, events::MemberClosed, instructions::now,
        state::*,
    },
    anchor_lang::prelude::*,
};

/// Closes an Active or Suspended member (the ordinary departure): its rent
/// goes back to its payer and the key may be added again later. A revoked
/// member stays as its tombstone. Any entity status: the authority recovers
/// the rent.
#[event_cpi]
#[derive(Accounts)]
pub struct CloseMember<'info> {
    /// The entity's authority, or an EntityAdmin member.
    pub admin: Signer<'info>,
    #[account(seeds = [ENTITY_SEED, entity.authority.as_ref()], bump = entity.bump)]
    pub entity: Account<'info, Entity>,
    #[account(
        mut,
        close = rent_payer,
        seeds = [MEMBER_SEED, entity.key().as_ref(), member.member.as_ref()],
        bump = member.bump,
        constraint = member.entity == entity.key() @ RecordsError::MemberOfAnotherEntity,
        has_one = rent_payer @ RecordsError::RentPayerMismatch,
    )]
    pub member: Account<'info, Member>,
    /// CHECK: receives the rent; must be the member's recorded payer.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
}

impl CloseMember<'_> {
    pub fn validate(&self, remaining: &[AccountInfo], now: i64) -> Result<Actor> {
        let entity = &self.entity;
        let member = &self.member;
        let actor = authorize_admin(self.admin.key, &entity.key(), entity, remaining, now)?;
        require_not_revoked(member)?;
        check_admin_rule(&actor, member.roles)?;
        Ok(actor)
    }
}

pub fn handler(ctx: Context<CloseMember>) -> Result<()> {
    let now = now()?;
    let actor = ctx.accounts.validate(ctx.remaining_accounts, now)?;
    let member = &ctx.accounts.member;
    emit_cpi!(MemberClosed {
        entity: ctx.accounts.entity.authority,
        member_account: member.key(),
        member: member.member,
        refunded: member.to_account_info().lamports(),
        actor_member: actor.member,
    });
    Ok(())
}
