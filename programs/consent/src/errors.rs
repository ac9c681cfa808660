//! Errors of the `consent` program. Codes are stable: append, never reorder.

use anchor_lang::prelude::*;

#[error_code]
pub enum ConsentError {
    #[msg("signer is neither the patient nor the patient's guardian")]
    NotPatientOrGuardian,
    #[msg("record-kind mask must be non-empty and name only known kinds")]
    InvalidKinds,
    #[msg("actions must be a non-empty combination of Access and Disclose")]
    InvalidActions,
    #[msg("consent period must end after it starts")]
    InvalidPeriod,
    #[msg("consent is already revoked")]
    AlreadyRevoked,
    #[msg("consent is still in force: revoke it or wait for its period to end")]
    ConsentStillActive,
    #[msg("grantee cannot be the patient")]
    GranteeIsPatient,
    #[msg("no Ed25519 signature-verification instruction precedes this instruction")]
    MissingSignatureInstruction,
    #[msg("the Ed25519 instruction must verify exactly one signature over its own data")]
    MalformedSignatureInstruction,
    #[msg("the verified key is not the patient")]
    SignerNotPatient,
    #[msg("the verified message is not the canonical consent message for these arguments")]
    MessageMismatch,
    #[msg("the signed message names another consent version: it is stale or replayed")]
    StaleConsentVersion,
    #[msg("the signed message has expired")]
    MessageExpired,
    #[msg("the signed message's expiry is too far in the future")]
    MessageLifetimeTooLong,
    #[msg("account is not the rent payer recorded at creation")]
    RentPayerMismatch,
    #[msg("arithmetic overflow")]
    Overflow,
    #[msg("account invariant violated")]
    InvariantViolated,
    #[msg("the signed message is issued in the future")]
    MessageIssuedInFuture,
    #[msg("a consent changed less than a day ago cannot be closed yet: signed messages for it may still be live")]
    CloseTooEarly,
    #[msg("the signed message is for another deployment than this cluster's registry")]
    WrongDeployment,
    #[msg("the signed message names an earlier consent epoch: one of the patient's consents was closed since it was signed")]
    StaleConsentEpoch,
    #[msg("a Permit consent needs a grantee entity that is Active and unexpired")]
    GranteeNotActive,
    #[msg("the signed bytes are not a Solana off-chain message: sign the consent text in the off-chain message envelope (a bare or v2 text is refused)")]
    NotOffchainMessage,
    #[msg(
        "the off-chain message envelope is not version 0, RestrictedAscii, with the text's length"
    )]
    MalformedOffchainEnvelope,
    #[msg("consent period is longer than MAX_CONSENT_DURATION (5 years)")]
    ConsentPeriodTooLong,
    #[msg("consent period ends more than MAX_CONSENT_DURATION (5 years) from now")]
    ConsentPeriodEndsTooLate,
    #[msg("consent period has already ended: a grant's period must end after now")]
    ConsentPeriodOver,
}
