use {
    super::{Invariant, RecordKind, RecordStatus},
    crate::constants::*,
    anchor_lang::prelude::*,
};

/// A health record: `["record", patient_authority, record_id]`. A compact
/// account (238 bytes with its discriminator) holding commitments and
/// links, never content. The ciphertext's locator is not stored: it is
/// derived from `commitment` (`panacea://<hex of the commitment>` in the
/// patient's or issuer's blob store), so a reader finds the payload from the
/// chain alone.
///
/// Amendment links: backwards by record id (the address of the version
/// amended is derived from it, so a retraction can be made to restore it),
/// forwards and to the chain's origin by record **serial** (unique among
/// the patient's records for ever, see `Patient::next_record_serial`), so
/// no link ever names a record later issued at the same address.
///
/// The rent is paid by the issuer (the transaction's fee payer may be a
/// relayer) and goes back to it when the record is erased.
#[account]
#[derive(InitSpace, Debug, PartialEq, Eq)]
pub struct Record {
    /// Account layout version (see `record_version` for the content version).
    pub version: u8,
    pub bump: u8,
    pub kind: RecordKind,
    pub status: RecordStatus,
    /// 1 for an original; each amendment adds one.
    pub record_version: u16,
    /// The patient's wallet (authority of their `Patient` account).
    pub patient: Pubkey,
    /// Authority of the entity that issued this version; it paid the rent.
    pub issuer: Pubkey,
    /// Authority of the entity that issued the chain's first version: it
    /// may amend the chain, and only it may bill for it.
    pub original_issuer: Pubkey,
    /// Random opaque 16 bytes chosen by the issuer (the address seed).
    pub record_id: [u8; 16],
    /// SHA-256 of the encrypted payload. A re-key (after a revocation)
    /// replaces it; nothing else does.
    pub commitment: [u8; 32],
    /// What the issuer attested: SHA-256 of the domain tag, a random 32-byte
    /// salt and the plaintext (the salt travels inside the ciphertext, so the
    /// hash reveals nothing about low-entropy content). Set when the record
    /// is issued and never changed: readers check the decrypted payload
    /// against it, so a re-key cannot substitute content.
    pub content_commitment: [u8; 32],
    /// Unique among the patient's records, for ever: grants, links and
    /// claims name a record by it, so nothing reaches another record later
    /// issued at the same address.
    pub serial: u64,
    /// Record id of the version this one amends (all zero for an original).
    pub supersedes: [u8; 16],
    /// Serial of the amendment that replaced this version (0 while none).
    pub superseded_by: u64,
    /// Serial of the chain's first version (its own for an original): one
    /// service, however often its record is amended. Claims key "billed at
    /// most once" on it.
    pub origin: u64,
    pub issued_at: i64,
}

impl Record {
    /// The account's size, discriminator included.
    pub const SPACE: usize = 8 + Self::INIT_SPACE;
}

impl Invariant for Record {
    fn violation() -> anchor_lang::error::Error {
        error!(crate::errors::RecordsError::InvariantViolated)
    }

    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && self.record_version >= 1
            && self.serial != 0
            && (self.record_version == 1) == (self.supersedes == [0; 16])
            && self.supersedes != self.record_id
            && (self.record_version == 1) == (self.origin == self.serial)
            && (self.record_version > 1 || self.original_issuer == self.issuer)
            && (self.status == RecordStatus::Superseded) == (self.superseded_by != 0)
            && self.superseded_by != self.serial
            && self.commitment != [0; 32]
            && self.content_commitment != [0; 32]
    }
}

/// Byte offsets of the fields that accounts are listed by (discriminator
/// included), for `getProgramAccounts` memcmp filters. Tested against a
/// serialized account; clients use these, never their own numbers.
pub mod record_offsets {
    /// `patient`: after the discriminator, version, bump, kind, status and
    /// record_version.
    pub const PATIENT: usize = 8 + 1 + 1 + 1 + 1 + 2;
    /// `issuer`.
    pub const ISSUER: usize = PATIENT + 32;
}
