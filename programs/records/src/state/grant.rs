use {
    super::{
        kinds, permissions, GrantScope, Invariant, Patient, Purpose, Record, RecordKind,
        RecordStatus,
    },
    crate::constants::*,
    anchor_lang::prelude::*,
};

/// Access to a patient's records: `["grant", patient_authority, grantee, target]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Grant {
    pub version: u8,
    pub bump: u8,
    /// The patient's wallet.
    pub patient: Pubkey,
    pub grantee: Pubkey,
    /// A `Record` address, or the patient's `Patient` address.
    pub target: Pubkey,
    pub scope: GrantScope,
    /// For a single-record grant, the serial of the record it was given
    /// for; for a grant over the patient's records, the patient's
    /// registration (`Patient::registration`): a grant never outlives the
    /// registration it was given under.
    pub target_serial: u64,
    /// Record kinds covered when the scope is `Patient` (all kinds for a
    /// single record).
    pub kinds: u16,
    pub permissions: u8,
    pub purpose: Purpose,
    /// Break-glass grant, created by `emergency_access`.
    pub emergency: bool,
    /// Coded reason of the request or emergency (0 when granted directly).
    pub reason_code: u16,
    /// Who granted it: the patient, their guardian, or the emergency provider.
    pub granted_by: Pubkey,
    pub granted_at: i64,
    /// The grant is usable strictly before this time.
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub access_count: u64,
    pub last_access_at: Option<i64>,
    /// The record's data key wrapped to the grantee's X25519 key.
    #[max_len(MAX_WRAPPED_KEY_LEN)]
    pub wrapped_key: Vec<u8>,
    pub rent_payer: Pubkey,
}

impl Grant {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }

    pub fn is_expired(&self, now: i64) -> bool {
        now >= self.expires_at
    }

    /// Whether this grant reaches `record` (address `record_key`): an
    /// Active record of the patient, the very one it was given for (a record
    /// erased and re-issued at the same address has another serial), or,
    /// for a grant over the patient's records, one of its kinds. Superseded
    /// and Retracted versions are reached by nobody.
    pub fn covers(&self, record_key: &Pubkey, record: &Record) -> bool {
        if record.patient != self.patient || record.status != RecordStatus::Active {
            return false;
        }
        match self.scope {
            GrantScope::Record => self.target == *record_key && record.serial == self.target_serial,
            GrantScope::Patient => {
                self.kinds & record.kind.bit() != 0
                    && Patient::same_registration(record.serial, self.target_serial)
            }
        }
    }

    /// Whether this grant lets its grantee issue a record of `kind` to
    /// `patient` now.
    pub fn allows_issue(&self, kind: RecordKind, patient: &Patient, now: i64) -> bool {
        self.scope == GrantScope::Patient
            && self.target_serial == patient.registration()
            && self.permissions & permissions::ISSUE != 0
            && self.kinds & kind.bit() != 0
            && !self.is_revoked()
            && !self.is_expired(now)
    }
}

impl Invariant for Grant {
    fn violation() -> anchor_lang::error::Error {
        error!(crate::errors::RecordsError::InvariantViolated)
    }

    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && permissions::is_valid(self.permissions)
            && kinds::is_valid(self.kinds)
            && self.expires_at > self.granted_at
            && self.wrapped_key.len() <= MAX_WRAPPED_KEY_LEN
            && self.emergency == (self.purpose == Purpose::Emergency)
            && self.revoked_at.is_none_or(|t| t >= self.granted_at)
            && (self.access_count == 0) == self.last_access_at.is_none()
            && self.grantee != self.patient
            && self.target_serial != 0
            && (self.scope == GrantScope::Record
                || self
                    .target_serial
                    .is_multiple_of(super::SERIALS_PER_REGISTRATION))
            && (self.scope == GrantScope::Patient || self.permissions & permissions::ISSUE == 0)
    }
}

impl Grant {
    /// The event announcing this grant.
    pub fn granted_event(
        &self,
        grant: Pubkey,
        actor_member: Option<Pubkey>,
    ) -> crate::events::AccessGranted {
        crate::events::AccessGranted {
            actor: self.granted_by,
            patient: self.patient,
            grantee: self.grantee,
            grant,
            target: self.target,
            scope: self.scope,
            kinds: self.kinds,
            permissions: self.permissions,
            purpose: self.purpose,
            expires_at: self.expires_at,
            emergency: self.emergency,
            reason_code: self.reason_code,
            actor_member,
        }
    }
}

/// Byte offsets (discriminator included) of the fields `Grant` accounts are
/// listed by; tested against a serialized account.
pub mod grant_offsets {
    /// `patient`: after the discriminator, version and bump.
    pub const PATIENT: usize = 8 + 1 + 1;
    /// `grantee`.
    pub const GRANTEE: usize = PATIENT + 32;
}
