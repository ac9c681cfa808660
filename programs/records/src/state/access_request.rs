use {
    super::{kinds, permissions, GrantScope, Invariant, Purpose},
    crate::constants::*,
    anchor_lang::prelude::*,
};

/// A pending request for access:
/// `["access_request", patient_authority, requester, target]`.
/// Approval turns it into a `Grant`; approval and denial close it.
#[account]
#[derive(InitSpace, Debug)]
pub struct AccessRequest {
    pub version: u8,
    pub bump: u8,
    pub patient: Pubkey,
    /// Authority of the requesting entity.
    pub requester: Pubkey,
    pub target: Pubkey,
    pub scope: GrantScope,
    /// Serial of the requested record, or the patient's registration for a
    /// request over their records: the approval must find the same there.
    pub target_serial: u64,
    pub kinds: u16,
    pub permissions: u8,
    pub purpose: Purpose,
    /// Requested grant duration, in seconds.
    pub duration: i64,
    pub reason_code: u16,
    pub created_at: i64,
    pub rent_payer: Pubkey,
}

impl Invariant for AccessRequest {
    fn violation() -> anchor_lang::error::Error {
        error!(crate::errors::RecordsError::InvariantViolated)
    }

    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && permissions::is_valid(self.permissions)
            && kinds::is_valid(self.kinds)
            && self.duration > 0
            && self.duration <= MAX_GRANT_DURATION
            && self.purpose != Purpose::Emergency
            && self.target_serial != 0
            && (self.scope == GrantScope::Patient || self.permissions & permissions::ISSUE == 0)
    }
}

impl AccessRequest {
    /// Whether the request has waited [`ACCESS_REQUEST_TTL`] unanswered:
    /// no longer approvable, and anyone may close it.
    pub fn is_expired(&self, now: i64) -> bool {
        now >= self.created_at.saturating_add(ACCESS_REQUEST_TTL)
    }
}

/// Byte offsets (discriminator included) of the fields `AccessRequest`
/// accounts are listed by; tested against a serialized account.
pub mod access_request_offsets {
    /// `patient`: after the discriminator, version and bump.
    pub const PATIENT: usize = 8 + 1 + 1;
    /// `requester`.
    pub const REQUESTER: usize = PATIENT + 32;
}
