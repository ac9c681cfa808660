//! Seeds and limits of the `bounties` program.

/// `Bounty`: `["bounty", researcher_authority, bounty_id]`.
pub const BOUNTY_SEED: &[u8] = b"bounty";
/// The bounty's escrow token account: `["vault", bounty]`, owned by the bounty PDA.
pub const VAULT_SEED: &[u8] = b"vault";
/// `Contribution`: `["contribution", bounty, patient_wallet, origin serial (u64 LE)]`.
pub const CONTRIBUTION_SEED: &[u8] = b"contribution";
/// `PatientTally`: `["tally", bounty, patient_wallet]`.
pub const TALLY_SEED: &[u8] = b"tally";

/// Layout version written into every account this program version creates.
pub const ACCOUNT_VERSION: u8 = 1;

/// Seconds in a day.
pub const DAY: i64 = 24 * 60 * 60;
/// Shortest review window: the researcher always has a day to review an offer.
pub const MIN_REVIEW_WINDOW: i64 = DAY;
/// Longest review window: an offer not reviewed within it may be settled by
/// anyone, and the patient is paid in full.
pub const MAX_REVIEW_WINDOW: i64 = 90 * DAY;
/// Longest intake period (from the bounty's creation).
pub const MAX_INTAKE_PERIOD: i64 = 366 * DAY;
/// Most records one patient may have counted (pending or paid) on one bounty.
pub const MAX_PER_PATIENT: u16 = 64;
/// Highest quality score a researcher may give an accepted record.
pub const MAX_QUALITY_SCORE: u8 = 100;
/// After the review deadline the offer's grant and consent must still last
/// this long: a period in which anyone can settle, so a researcher who
/// neither accepts nor rejects cannot let them run out and pay nothing.
pub const SETTLEMENT_PERIOD: i64 = DAY;
