//! Seeds and limits of the `consent` program.

/// `Consent`: `["consent", patient_authority, grantee, [purpose]]`.
pub const CONSENT_SEED: &[u8] = b"consent";

/// `ConsentEpoch`: `["consent_epoch", patient_authority]`.
pub const CONSENT_EPOCH_SEED: &[u8] = b"consent_epoch";

/// Layout version written into every account this program version creates.
pub const ACCOUNT_VERSION: u8 = 1;

/// Longest validity of an off-chain signed consent message (1 day): a
/// message's `expires` is at most this long after its `issued`, so a wallet
/// signature older than this can never be relayed.
pub const MAX_MESSAGE_LIFETIME: i64 = 24 * 60 * 60;

/// Longest consent period (5 years, the cap on `records` grants): a
/// consent's period lasts at most this long and ends at most this long
/// after it is granted. A patient renews a longer relationship by granting
/// again.
pub const MAX_CONSENT_DURATION: i64 = records::constants::MAX_GRANT_DURATION;
