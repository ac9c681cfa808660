//! Enumerations and bit masks shared by the accounts and events.

use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum EntityKind {
    Provider,
    Laboratory,
    Pharmacy,
    Insurer,
    Researcher,
}

impl EntityKind {
    /// Kinds that create clinical records (and, in `claims`, bill for them).
    pub fn issues_records(self) -> bool {
        matches!(self, Self::Provider | Self::Laboratory | Self::Pharmacy)
    }
}

/// Whose X25519 encryption key changed: an entity's, a patient's, or a
/// patient's guardian's (kept in the `Patient` account).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum KeyHolder {
    Entity,
    Patient,
    Guardian,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum EntityStatus {
    Active,
    Suspended,
    /// Final: a revoked entity never becomes active again.
    Revoked,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum RecordKind {
    LabResult,
    DiagnosticReport,
    Condition,
    Medication,
    Immunization,
    Procedure,
    Encounter,
    Imaging,
    ClinicalNote,
    Other,
}

impl RecordKind {
    pub const ALL: [RecordKind; 10] = [
        Self::LabResult,
        Self::DiagnosticReport,
        Self::Condition,
        Self::Medication,
        Self::Immunization,
        Self::Procedure,
        Self::Encounter,
        Self::Imaging,
        Self::ClinicalNote,
        Self::Other,
    ];

    /// This kind's bit in a kinds mask.
    pub fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A mask of record kinds: bit `k` is `RecordKind` number `k`.
pub mod kinds {
    /// Every record kind.
    pub const ALL: u16 = (1 << 10) - 1;

    /// A mask is valid when it names at least one kind and only known kinds.
    pub fn is_valid(mask: u16) -> bool {
        mask != 0 && mask & !ALL == 0
    }
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum RecordStatus {
    Active,
    Superseded,
    Retracted,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum Purpose {
    Treatment,
    Payment,
    Research,
    Operations,
    /// Break-glass access; only `emergency_access` creates such grants.
    Emergency,
    PatientRequest,
}

/// A grant's permission mask.
pub mod permissions {
    pub const READ: u8 = 1;
    pub const AMEND: u8 = 1 << 1;
    /// May issue new records of the grant's kinds to the patient: the care
    /// relationship that only the patient (or guardian) creates. Only on a
    /// grant over the patient's records, never on one record.
    pub const ISSUE: u8 = 1 << 2;
    pub const ALL: u8 = READ | AMEND | ISSUE;

    /// A mask is valid when it names at least one permission and only known ones.
    pub fn is_valid(mask: u8) -> bool {
        mask != 0 && mask & !ALL == 0
    }
}

/// What a grant or an access request covers.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum GrantScope {
    /// One record: the target is its `Record` address.
    Record,
    /// Every record of the patient whose kind is in the kinds mask: the
    /// target is the `Patient` address.
    Patient,
}

/// A member's standing under its entity.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum MemberStatus {
    Active,
    Suspended,
    /// Final: the account stays as a tombstone and the key cannot be added
    /// again under this entity.
    Revoked,
}
