use {
    super::Invariant,
    crate::{constants::*, errors::ClaimsError},
    anchor_lang::prelude::*,
};

/// Marks a record as backing a claim on a policy, so that it backs at most
/// one: `["claimed_record", policy, origin]`, keyed on the serial of the
/// record's amendment chain's first version, so that amending a billed
/// record does not make it billable again, and a record later issued at an
/// erased record's address is a different one.
#[account]
#[derive(InitSpace, Debug)]
pub struct ClaimedRecord {
    pub version: u8,
    pub bump: u8,
    pub policy: Pubkey,
    /// The record's `origin`: the serial of its chain's first version.
    pub origin: u64,
    /// The version billed.
    pub record: Pubkey,
    pub claim: Pubkey,
    pub rent_payer: Pubkey,
}

impl ClaimedRecord {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;
}

/// Byte offsets (discriminator included) of the fields `ClaimedRecord`
/// accounts are listed by; tested against a serialized account.
pub mod claimed_record_offsets {
    /// `claim`: after version, bump, policy, origin and record.
    pub const CLAIM: usize = 8 + 1 + 1 + 32 + 8 + 32;
}

impl Invariant for ClaimedRecord {
    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
    }

    fn violation() -> anchor_lang::error::Error {
        error!(ClaimsError::EscrowInvariantViolated)
    }
}
