//! "May this signer act for this entity, with this role, now?": the one
//! check every instruction an entity performs makes, in `records` and in
//! `claims`. The entity's authority acts as before; a member acts when its
//! `Member` account is the first remaining account (and, where the
//! instruction carries no `Entity` account, the `Entity` the second).

use {
    crate::{errors::RecordsError, state::*},
    anchor_lang::{prelude::*, Discriminator},
};

/// Who acts: the entity (its authority) and, in member mode, the member's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    /// The entity's authority: what records, grants, requests and claims name.
    pub entity: Pubkey,
    /// The member who signed; `None` when the authority signed.
    pub member: Option<Pubkey>,
}

/// Why a signer may not act for an entity (mapped to each program's error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActingError {
    NotEntityAuthorityOrMember,
    MemberNotFound,
    MemberOfAnotherEntity,
    NotThisMember,
    EntityNotActive,
    MemberSuspended,
    MemberRevoked,
    MemberExpired,
    RoleNotAllowed,
}

/// Where the entity's `Entity` account is: an account of the instruction
/// (already checked by its constraints), or `remaining[1]`.
pub enum EntityAt<'a> {
    Given {
        address: &'a Pubkey,
        entity: &'a Entity,
    },
    Remaining,
}

/// May `signer` act for the entity whose authority is `authority`, with one
/// of `roles`, at `now`? `Ok((actor, n))`: `n` remaining accounts were
/// consumed (0 for the authority, 1 or 2 for a member). Nothing is written.
///
/// Safe without PDA derivation: only `add_member` creates `Member`
/// accounts (at their PDA, with `entity` and `member` equal to the seeds)
/// and only `register_entity` creates `Entity` accounts; owner and
/// discriminator are checked.
#[inline(never)] // Member + Entity locals live in this function's own SBF frame
pub fn authorize(
    signer: &Pubkey,
    authority: &Pubkey,
    entity: EntityAt,
    remaining: &[AccountInfo],
    roles: u16,
    now: i64,
) -> core::result::Result<(Actor, usize), ActingError> {
    if signer == authority {
        return Ok((
            Actor {
                entity: *authority,
                member: None,
            },
            0,
        ));
    }
    let member_info = remaining
        .first()
        .ok_or(ActingError::NotEntityAuthorityOrMember)?;
    let member = load_member(member_info).ok_or(ActingError::MemberNotFound)?;
    let loaded;
    let (entity_address, entity, used) = match entity {
        EntityAt::Given { address, entity } => (*address, entity, 1),
        EntityAt::Remaining => {
            let info = remaining.get(1).ok_or(ActingError::MemberOfAnotherEntity)?;
            loaded = load_entity(info).ok_or(ActingError::MemberOfAnotherEntity)?;
            (*info.key, &loaded, 2)
        }
    };
    if entity.authority != *authority || member.entity != entity_address {
        return Err(ActingError::MemberOfAnotherEntity);
    }
    if member.member != *signer {
        return Err(ActingError::NotThisMember);
    }
    if !entity.is_active(now) {
        return Err(ActingError::EntityNotActive);
    }
    match member.status {
        MemberStatus::Active => {}
        MemberStatus::Suspended => return Err(ActingError::MemberSuspended),
        MemberStatus::Revoked => return Err(ActingError::MemberRevoked),
    }
    if now >= member.valid_until {
        return Err(ActingError::MemberExpired);
    }
    if member.roles & roles == 0 {
        return Err(ActingError::RoleNotAllowed);
    }
    Ok((
        Actor {
            entity: *authority,
            member: Some(*signer),
        },
        used,
    ))
}

fn load<T: AccountDeserialize + Discriminator>(info: &AccountInfo) -> Option<T> {
    if info.owner != &crate::ID || info.data_is_empty() {
        return None;
    }
    let data = info.try_borrow_data().ok()?;
    if !data.starts_with(T::DISCRIMINATOR) {
        return None;
    }
    T::try_deserialize(&mut &data[..]).ok()
}

/// The `Member` at `info`: owned by `records`, not empty, with the `Member`
/// discriminator. The caller checks what it names.
pub fn load_member(info: &AccountInfo) -> Option<Member> {
    load(info)
}

/// The `Entity` at `info`, checked as [`load_member`] checks a `Member`.
pub fn load_entity(info: &AccountInfo) -> Option<Entity> {
    load(info)
}

impl From<ActingError> for RecordsError {
    fn from(e: ActingError) -> Self {
        match e {
            ActingError::NotEntityAuthorityOrMember => Self::NotEntityAuthorityOrMember,
            ActingError::MemberNotFound => Self::MemberNotFound,
            ActingError::MemberOfAnotherEntity => Self::MemberOfAnotherEntity,
            ActingError::NotThisMember => Self::NotThisMember,
            ActingError::EntityNotActive => Self::EntityNotActive,
            ActingError::MemberSuspended => Self::MemberSuspended,
            ActingError::MemberRevoked => Self::MemberRevoked,
            ActingError::MemberExpired => Self::MemberExpired,
            ActingError::RoleNotAllowed => Self::RoleNotAllowed,
        }
    }
}

impl From<ActingError> for anchor_lang::error::Error {
    fn from(e: ActingError) -> Self {
        error!(RecordsError::from(e))
    }
}
