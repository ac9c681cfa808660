//! Seeds and limits of the `claims` program.

/// `Policy`: `["policy", insurer_authority, policy_id]`.
pub const POLICY_SEED: &[u8] = b"policy";
/// The policy's escrow token account: `["vault", policy]`, owned by the policy PDA.
pub const VAULT_SEED: &[u8] = b"vault";
/// `Claim`: `["claim", policy, claim_id]`.
pub const CLAIM_SEED: &[u8] = b"claim";
/// `ClaimedRecord`: `["claimed_record", policy, origin serial (u64 LE)]`.
pub const CLAIMED_RECORD_SEED: &[u8] = b"claimed_record";

/// Layout version written into every account this program version creates.
pub const ACCOUNT_VERSION: u8 = 1;

/// Most records one claim may list.
pub const MAX_RECORDS_PER_CLAIM: usize = 8;
/// Basis points in 100%.
pub const BPS: u64 = 10_000;
