//! Instructions that manage an entity's staff: add, update, suspend,
//! reinstate, revoke and close a `Member`. An admin is the entity's
//! authority or an EntityAdmin member (its `Member` account first in the
//! remaining accounts). Only the authority adds, promotes to, demotes from
//! or manages an EntityAdmin.

pub mod add_member;
pub mod close_member;
pub mod member_status;
pub mod update_member;

#[allow(ambiguous_glob_reexports)]
pub use {add_member::*, close_member::*, member_status::*, update_member::*};

use {
    crate::{
        acting::{authorize, load_member, Actor, EntityAt},
        constants::MAX_MEMBER_DURATION,
        errors::RecordsError,
        state::*,
    },
    anchor_lang::prelude::*,
};

/// The admin may manage the entity's members: its authority (any entity
/// status; the caller checks activity where the action needs it), or an
/// Active, unexpired EntityAdmin member of an active entity.
pub(crate) fn authorize_admin(
    admin: &Pubkey,
    entity_address: &Pubkey,
    entity: &Entity,
    remaining: &[AccountInfo],
    now: i64,
) -> Result<Actor> {
    let (actor, _) = authorize(
        admin,
        &entity.authority,
        EntityAt::Given {
            address: entity_address,
            entity,
        },
        remaining,
        roles::ENTITY_ADMIN,
        now,
    )?;
    Ok(actor)
}

/// Only the entity's authority touches an EntityAdmin, or gives the role.
pub(crate) fn check_admin_rule(actor: &Actor, roles_involved: u16) -> Result<()> {
    require!(
        actor.member.is_none() || roles_involved & roles::ENTITY_ADMIN == 0,
        RecordsError::AdminRoleReservedToAuthority
    );
    Ok(())
}

/// An EntityAdmin member gives no validity beyond its own (its `Member`
/// account is `remaining[0]`, already checked by [`authorize_admin`]): the
/// staff it adds or renews stop when its own credential ends, so a
/// short-lived admin cannot leave long-lived credentials behind. The
/// authority's grants are bounded by [`MAX_MEMBER_DURATION`] only.
#[inline(never)] // the admin's Member lives in this frame, not the caller's
pub(crate) fn check_admin_validity(
    actor: &Actor,
    remaining: &[AccountInfo],
    valid_until: i64,
) -> Result<()> {
    if actor.member.is_none() {
        return Ok(());
    }
    let admin = remaining
        .first()
        .and_then(load_member)
        .ok_or(RecordsError::MemberNotFound)?;
    require!(
        valid_until <= admin.valid_until,
        RecordsError::ValidityBeyondAdmin
    );
    Ok(())
}

/// Roles: at least one, only known bits.
pub(crate) fn check_roles(mask: u16) -> Result<()> {
    require!(roles::is_valid(mask), RecordsError::InvalidRoles);
    Ok(())
}

/// Validity: in the future, at most [`MAX_MEMBER_DURATION`] from now.
pub(crate) fn check_validity(valid_until: i64, now: i64) -> Result<()> {
    let latest = now
        .checked_add(MAX_MEMBER_DURATION)
        .ok_or(RecordsError::Overflow)?;
    require!(
        valid_until > now && valid_until <= latest,
        RecordsError::InvalidMemberValidity
    );
    Ok(())
}

/// The credential commitment is not all zeroes.
pub(crate) fn check_commitment(commitment: &[u8; 32]) -> Result<()> {
    require!(
        *commitment != [0; 32],
        RecordsError::InvalidCredentialCommitment
    );
    Ok(())
}

/// A revoked member stays a tombstone: nothing changes it any more.
pub(crate) fn require_not_revoked(member: &Member) -> Result<()> {
    require!(
        member.status != MemberStatus::Revoked,
        RecordsError::MemberRevoked
    );
    Ok(())
}
