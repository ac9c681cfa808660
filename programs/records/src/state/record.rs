use {
    super::{Invariant, RecordKind, RecordStatus},
    crate::constants::*,
    anchor_lang::prelude::*,
};

/// A tokenized health record: `["record", patient_authority, record_id]`.
/// Holds a commitment to the ciphertext and an opaque URI, never content.
#[account]
#[derive(InitSpace, Debug)]
pub struct Record {
    /// Account layout version (see `record_version` for the content version).
    pub version: u8,
    pub bump: u8,
    pub mint_bump: u8,
    /// The patient's wallet (authority of their `Patient` account).
    pub patient: Pubkey,
    /// Authority of the issuing entity.
    pub issuer: Pubkey,
    pub mint: Pubkey,
    /// Random opaque 16 bytes chosen by the issuer.
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
    /// Unique among the patient's records, for ever (see
    /// `Patient::next_record_serial`): a record-scope grant names it, so a
    /// grant never reaches another record later issued at the same address.
    pub serial: u64,
    /// Opaque location of the ciphertext.
    #[max_len(MAX_URI_LEN)]
    pub uri: String,
    pub kind: RecordKind,
    pub status: RecordStatus,
    /// 1 for an original; each amendment adds one.
    pub record_version: u16,
    /// The record this one amends.
    pub supersedes: Option<Pubkey>,
    /// The amendment that replaced this record.
    pub superseded_by: Option<Pubkey>,
    /// The first version of this record's amendment chain (itself for an
    /// original): one service, however often its record is amended. Claims
    /// key "billed at most once" on it.
    pub origin: Pubkey,
    /// Authority of the entity that issued the first version.
    pub original_issuer: Pubkey,
    pub issued_at: i64,
    pub updated_at: i64,
    pub rent_payer: Pubkey,
}

impl Invariant for Record {
    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && self.record_version >= 1
            && (self.record_version == 1) == self.supersedes.is_none()
            && (self.record_version > 1 || self.original_issuer == self.issuer)
            && (self.status == RecordStatus::Superseded) == self.superseded_by.is_some()
            && is_valid_uri(&self.uri)
            && self.commitment != [0; 32]
            && self.content_commitment != [0; 32]
            && self.updated_at >= self.issued_at
    }
}

/// 1 to `MAX_URI_LEN` printable ASCII characters.
pub fn is_valid_uri(uri: &str) -> bool {
    !uri.is_empty() && uri.len() <= MAX_URI_LEN && uri.bytes().all(|b| b.is_ascii_graphic())
}
