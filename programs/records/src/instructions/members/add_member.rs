use {
    super::{
        authorize_admin, check_admin_rule, check_admin_validity, check_commitment, check_roles,
        check_validity,
    },
    crate::{
        acting::Actor, constants::*, errors::RecordsError, events::MemberAdded, instructions::now,
        state::*,
    },
    anchor_lang::prelude::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct AddMemberArgs {
    /// The member's signing key.
    pub member: Pubkey,
    /// The [`roles`] mask.
    pub roles: u16,
    /// The member acts strictly before this time (at most 5 years ahead).
    pub valid_until: i64,
    /// Keyed hash of the licence or of a W3C Verifiable Credential.
    pub credential_commitment: [u8; 32],
}

/// Adds a member to an entity's staff. The admin is the entity's authority
/// or an EntityAdmin member (its `Member` account first in the remaining
/// accounts). A revoked member's account stays as a tombstone: the key
/// cannot be added again under this entity.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: AddMemberArgs)]
pub struct AddMember<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The entity's authority, or an EntityAdmin member.
    pub admin: Signer<'info>,
    #[account(seeds = [ENTITY_SEED, entity.authority.as_ref()], bump = entity.bump)]
    pub entity: Account<'info, Entity>,
    /// Created here; an existing member at this address is refused by
    /// `validate` with a named error.
    #[account(
        init_if_needed,
        payer = payer,
        space = Member::SPACE,
        seeds = [MEMBER_SEED, entity.key().as_ref(), args.member.as_ref()],
        bump,
    )]
    pub member: Account<'info, Member>,
    pub system_program: Program<'info, System>,
}

impl AddMember<'_> {
    pub fn validate(
        &self,
        args: &AddMemberArgs,
        remaining: &[AccountInfo],
        now: i64,
    ) -> Result<Actor> {
        let entity = &self.entity;
        let actor = authorize_admin(self.admin.key, &entity.key(), entity, remaining, now)?;
        require!(entity.is_active(now), RecordsError::EntityNotActive);
        if self.member.version != 0 {
            require!(
                self.member.status != MemberStatus::Revoked,
                RecordsError::MemberRevoked
            );
            return err!(RecordsError::MemberAlreadyExists);
        }
        require_keys_neq!(
            args.member,
            Pubkey::default(),
            RecordsError::InvalidMemberKey
        );
        require_keys_neq!(
            args.member,
            entity.authority,
            RecordsError::MemberIsEntityAuthority
        );
        check_roles(args.roles)?;
        check_admin_rule(&actor, args.roles)?;
        check_validity(args.valid_until, now)?;
        check_admin_validity(&actor, remaining, args.valid_until)?;
        check_commitment(&args.credential_commitment)?;
        Ok(actor)
    }
}

pub fn handler(ctx: Context<AddMember>, args: AddMemberArgs) -> Result<()> {
    let now = now()?;
    let actor = ctx.accounts.validate(&args, ctx.remaining_accounts, now)?;
    let entity_address = ctx.accounts.entity.key();
    let entity_authority = ctx.accounts.entity.authority;
    let member = &mut ctx.accounts.member;
    member.set_inner(Member {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.member,
        entity: entity_address,
        member: args.member,
        roles: args.roles,
        status: MemberStatus::Active,
        credential_commitment: args.credential_commitment,
        valid_until: args.valid_until,
        added_by: ctx.accounts.admin.key(),
        added_at: now,
        updated_at: now,
        revision: 1,
        rent_payer: ctx.accounts.payer.key(),
    });
    member.check_invariant()?;
    emit_cpi!(MemberAdded {
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
