use {
    super::{EntityKind, EntityStatus, Invariant},
    crate::constants::*,
    anchor_lang::prelude::*,
};

/// A credentialed organisation: `["entity", authority]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Entity {
    pub version: u8,
    pub bump: u8,
    /// The key that acts for the entity.
    pub authority: Pubkey,
    pub kind: EntityKind,
    pub status: EntityStatus,
    /// Keyed hash of the licence document; never the document.
    pub credential_commitment: [u8; 32],
    /// ISO 3166 code, ASCII, zero padded.
    pub jurisdiction: [u8; JURISDICTION_LEN],
    /// The credential is valid strictly before this time.
    pub valid_until: i64,
    /// X25519 public key to which data keys are wrapped.
    pub encryption_key: [u8; 32],
    /// The admin that attested the credential.
    pub attested_by: Pubkey,
    pub registered_at: i64,
    pub updated_at: i64,
    /// Receives the rent when the account is closed.
    pub rent_payer: Pubkey,
}

impl Entity {
    /// An entity acts only while Active and unexpired.
    pub fn is_active(&self, now: i64) -> bool {
        self.status == EntityStatus::Active && now < self.valid_until
    }
}

impl Invariant for Entity {
    fn violation() -> anchor_lang::error::Error {
        error!(crate::errors::RecordsError::InvariantViolated)
    }

    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && self.updated_at >= self.registered_at
            && is_valid_jurisdiction(&self.jurisdiction)
    }
}

/// 2 to 8 characters of `A-Z`, `0-9` or `-`, starting with a letter, then
/// zero padding only.
pub fn is_valid_jurisdiction(code: &[u8; JURISDICTION_LEN]) -> bool {
    let len = code.iter().position(|b| *b == 0).unwrap_or(code.len());
    len >= 2
        && code[0].is_ascii_uppercase()
        && code[..len]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'-')
        && code[len..].iter().all(|b| *b == 0)
}
