//! One file per instruction, grouped by the actor that signs it. Each file
//! holds the instruction's arguments, its `Accounts`, a `validate()` run
//! before the handler, and the handler.

pub mod admin;
pub mod book;
pub mod grantee;
pub mod members;
pub mod patient;
pub mod provider;
pub mod trees;

// Each module has a `handler`; lib.rs calls them by path.
#[allow(ambiguous_glob_reexports)]
pub use {admin::*, grantee::*, members::*, patient::*, provider::*, trees::*};

use anchor_lang::prelude::*;

/// The `T` at `info`, if one of this program lives there (owner and
/// discriminator checked; the caller checks the address): for accounts an
/// instruction reads only when they exist (a care link, a grantee's entity,
/// a profile that may have been closed).
pub(crate) fn load_account<T: AccountDeserialize>(info: &AccountInfo) -> Result<Option<T>> {
    if info.owner != &crate::ID || info.data_is_empty() {
        return Ok(None);
    }
    Ok(Some(T::try_deserialize(&mut &info.try_borrow_data()?[..])?))
}

/// Cluster time, in seconds since the Unix epoch.
pub(crate) fn now() -> Result<i64> {
    Ok(Clock::get()?.unix_timestamp)
}

use crate::{
    compressed::{load_record, LeafProof},
    errors::RecordsError,
    state::*,
};

/// What a grant or an access request reaches.
pub struct Target {
    /// The record's own kind for one record, or the requested kinds.
    pub kinds: u16,
    /// The record's serial for one record, the patient's registration for
    /// the patient's records.
    pub serial: u64,
    /// What the grant or request names: the record's address (an
    /// account's, or a compressed record's), or the `Patient` account.
    pub address: Pubkey,
}

/// Checks what a grant or an access request over `target` covers: one
/// Active record of this patient, or the patient account itself with a kinds
/// mask. Issue permission is only ever given over the patient's records.
pub(crate) fn resolve_target(
    patient_key: &Pubkey,
    patient: &Patient,
    target: &AccountInfo,
    leaf: Option<&LeafProof>,
    scope: GrantScope,
    kinds: u16,
    permissions: u8,
) -> Result<Target> {
    require!(
        permissions::is_valid(permissions),
        RecordsError::InvalidPermissions
    );
    match scope {
        GrantScope::Patient => {
            require_keys_eq!(target.key(), *patient_key, RecordsError::InvalidTarget);
            require!(leaf.is_none(), RecordsError::LeafProofUnexpected);
            require!(kinds::is_valid(kinds), RecordsError::InvalidKinds);
            Ok(Target {
                kinds,
                serial: patient.registration(),
                address: *patient_key,
            })
        }
        GrantScope::Record => {
            require!(
                permissions & permissions::ISSUE == 0,
                RecordsError::IssueNeedsPatientScope
            );
            // Owner and discriminator are checked here: a Patient, a Grant or
            // a foreign account passed as the target is refused. A record
            // tree needs the proof of the leaf.
            let loaded = load_record(target, leaf)
                .map_err(|e| error!(e.to_records_error(RecordsError::InvalidTarget)))?;
            let record = &loaded.record;
            require_keys_eq!(
                record.patient,
                patient.authority,
                RecordsError::RecordPatientMismatch
            );
            require!(
                record.status == RecordStatus::Active,
                RecordsError::RecordNotActive
            );
            Ok(Target {
                kinds: record.kind.bit(),
                serial: record.serial,
                address: loaded.address,
            })
        }
    }
}

/// Grant and request durations: positive and at most five years.
pub(crate) fn validate_duration(duration: i64) -> Result<()> {
    require!(
        duration > 0 && duration <= crate::constants::MAX_GRANT_DURATION,
        RecordsError::InvalidDuration
    );
    Ok(())
}

/// A key rotation's new X25519 key: not all zeroes, and not the key it
/// replaces (entity, patient and guardian rotations alike).
pub(crate) fn check_new_encryption_key(new_key: &[u8; 32], current: &[u8; 32]) -> Result<()> {
    require!(*new_key != [0; 32], RecordsError::ZeroEncryptionKey);
    require!(new_key != current, RecordsError::EncryptionKeyUnchanged);
    Ok(())
}

/// May `signer` act for the entity at `entity` with one of `roles` now? Its
/// authority acts as before; a member passes its `Member` account first in
/// the remaining accounts (see [`crate::acting::authorize`]).
pub(crate) fn act(
    signer: &Pubkey,
    entity: &Account<Entity>,
    remaining: &[AccountInfo],
    roles: u16,
    now: i64,
) -> Result<crate::acting::Actor> {
    let (actor, _) = crate::acting::authorize(
        signer,
        &entity.authority,
        crate::acting::EntityAt::Given {
            address: &entity.key(),
            entity,
        },
        remaining,
        roles,
        now,
    )?;
    Ok(actor)
}

/// A member does not write its own medical record for its entity (no
/// self-issued prescription or diagnosis): segregation of duties. The
/// entity's authority, and a member acting for a patient it is the
/// guardian of, are not concerned.
pub(crate) fn require_not_own_record(
    actor: &crate::acting::Actor,
    patient: &Patient,
) -> Result<()> {
    require!(
        actor.member != Some(patient.authority),
        RecordsError::MemberIsPatient
    );
    Ok(())
}
