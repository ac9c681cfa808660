//! Seeds and limits of the `claims` program.

/// `Policy`: `["policy", insurer_authority, policy_id]`.
pub const POLICY_SEED: &[u8] = b"policy";
/// The policy's escrow token account: `["vault", policy]`, owned by the policy PDA.
pub const VAULT_SEED: &[u8] = b"vault";
/// `Claim`: `["claim", policy, claim_id]`.
pub const CLAIM_SEED: &[u8] = b"claim";
/// `ClaimedRecord`: `["claimed_record", policy, origin serial (u64 LE)]`.
pub const CLAIMED_RECORD_SEED: &[u8] = b"claimed_record";
/// `ProviderUsage`: `["provider_usage", policy, provider]`.
pub const PROVIDER_USAGE_SEED: &[u8] = b"provider_usage";

/// Layout version written into every account this program version creates.
pub const ACCOUNT_VERSION: u8 = 2;

/// Most records one claim may list.
pub const MAX_RECORDS_PER_CLAIM: usize = 8;
/// Basis points in 100%.
pub const BPS: u64 = 10_000;

const DAY: i64 = 24 * 60 * 60;
/// Longest challenge window a policy may set: an auto-approved claim waits
/// at most this long before it can be settled.
pub const MAX_CHALLENGE_WINDOW: i64 = 30 * DAY;
/// Longest appeal window (also how long a voided claim may be reinstated).
pub const MAX_APPEAL_WINDOW: i64 = 90 * DAY;
/// Shortest appeal window: a provider always has a day to appeal a
/// decision, or to be restored in the registry and reinstate a voided claim.
pub const MIN_APPEAL_WINDOW: i64 = DAY;
/// Longest review window: a claim under review or on appeal that the
/// adjudicator has not decided within it times out.
pub const MAX_REVIEW_WINDOW: i64 = 90 * DAY;
/// Shortest review window: the adjudicator always has a day to decide
/// before a timeout decides for it (an unanswered appeal is approved).
pub const MIN_REVIEW_WINDOW: i64 = DAY;
/// Longest period over which a provider's auto-approvals are capped.
pub const MAX_AUTO_APPROVE_PERIOD: i64 = 366 * DAY;
/// Longest a policy may run (valid_from to valid_until), and how far in the
/// future its valid_until may lie: five years, the cap on `records` grants
/// and on consents (`consent::constants::MAX_CONSENT_DURATION`), since a
/// claim needs the patient's Payment consent, which lasts at most that long.
pub const MAX_POLICY_DURATION: i64 = records::constants::MAX_GRANT_DURATION;
