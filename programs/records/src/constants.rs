//! Seeds and limits of the `records` program. Seeds are public interface:
//! the SDK derives every address through [`crate::pda`], never by retyping them.

/// `RegistryConfig`: `["config"]`.
pub const CONFIG_SEED: &[u8] = b"config";
/// `Entity`: `["entity", authority]`.
pub const ENTITY_SEED: &[u8] = b"entity";
/// `Patient`: `["patient", authority]`.
pub const PATIENT_SEED: &[u8] = b"patient";
/// `Record`: `["record", patient_authority, record_id]`.
pub const RECORD_SEED: &[u8] = b"record";
/// The record book mint, one per deployment: `["record_book"]`.
pub const RECORD_BOOK_SEED: &[u8] = b"record_book";
/// The program PDA that is mint authority, permanent delegate, metadata
/// pointer and update authority, and mint close authority of the record
/// book: `["record_authority"]`.
pub const RECORD_AUTHORITY_SEED: &[u8] = b"record_authority";
/// `Grant`: `["grant", patient_authority, grantee, target]`.
pub const GRANT_SEED: &[u8] = b"grant";
/// Target of break-glass grants: `["emergency", patient_authority]`. Keeps
/// emergency grants at their own address, apart from the patient's own grants.
pub const EMERGENCY_TARGET_SEED: &[u8] = b"emergency";
/// `AccessRequest`: `["access_request", patient_authority, requester, target]`.
pub const ACCESS_REQUEST_SEED: &[u8] = b"access_request";

/// Layout version written into every account this program version creates.
pub const ACCOUNT_VERSION: u8 = 1;

/// Name of the record book, as wallets show it (TokenMetadata).
pub const RECORD_BOOK_NAME: &str = "Panacea health records";
/// Symbol of the record book.
pub const RECORD_BOOK_SYMBOL: &str = "PHR";
/// Longest URI of the record book's metadata (a JSON a wallet can show).
pub const MAX_BOOK_URI_LEN: usize = 200;
/// Largest data key wrapped to a grantee's X25519 key
/// (ephemeral public key 32 + wrapped key 32 + AEAD tag 16).
pub const MAX_WRAPPED_KEY_LEN: usize = 80;
/// Jurisdiction code: ISO 3166-1 alpha-2 or 3166-2 (`US`, `US-CA`), ASCII,
/// padded with zero bytes.
pub const JURISDICTION_LEN: usize = 8;
/// Ceiling on the emergency-access duration the admin may configure (72 h).
pub const MAX_EMERGENCY_DURATION_CEILING: i64 = 72 * 60 * 60;
/// Longest grant or access-request duration (5 years).
pub const MAX_GRANT_DURATION: i64 = 5 * 365 * 24 * 60 * 60;

/// How long an access request waits for the patient's answer; after it,
/// anyone may close the request and its rent goes back to its payer.
pub const ACCESS_REQUEST_TTL: i64 = 30 * 24 * 60 * 60;

/// Decimals of the record book: a count of records.
pub const RECORD_BOOK_DECIMALS: u8 = 0;

/// `EmergencyCustodians`: `["custodians"]`, one per deployment.
pub const CUSTODIANS_SEED: &[u8] = b"custodians";
/// Most emergency key custodians the registry names.
pub const MAX_CUSTODIANS: usize = 5;

/// Address of a compressed record (never an account): `["compressed_record",
/// tree, leaf index (u32 LE)]`. Grants, requests, claims and events name a
/// compressed record by it; its first 16 bytes are the record's `record_id`.
pub const COMPRESSED_RECORD_SEED: &[u8] = b"compressed_record";

/// `Member`: `["member", entity (the `Entity` account address), member key]`.
pub const MEMBER_SEED: &[u8] = b"member";
/// Longest validity of a member's credential (5 years).
pub const MAX_MEMBER_DURATION: i64 = MAX_GRANT_DURATION;
