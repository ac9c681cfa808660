//! Errors of the `claims` program. Codes are stable: append, never reorder.

use anchor_lang::prelude::*;

#[error_code]
pub enum ClaimsError {
    #[msg("entity is not active: suspended, revoked or credential expired")]
    EntityNotActive,
    #[msg("entity kind may not perform this action")]
    EntityKindNotAllowed,
    #[msg("policy terms are invalid (limits, co-pay, windows or period)")]
    InvalidPolicyTerms,
    #[msg("policy is not in its period of validity")]
    PolicyNotActive,
    #[msg("policy is still running: wait until valid_until")]
    PolicyStillRunning,
    #[msg("policy has open claims")]
    OpenClaims,
    #[msg("signer is not the policy's insurer")]
    NotInsurer,
    #[msg("signer is not the policy's adjudicator")]
    NotAdjudicator,
    #[msg("signer is not the claim's provider")]
    NotClaimProvider,
    #[msg("the patient has no active Payment consent to this insurer covering these records now")]
    ConsentMissing,
    #[msg("a claim lists 1 to 8 records, each followed by its ClaimedRecord address")]
    InvalidRecordList,
    #[msg("record is not a records-program Record")]
    InvalidRecord,
    #[msg("record belongs to another patient")]
    RecordPatientMismatch,
    #[msg("record was issued by another provider")]
    RecordIssuerMismatch,
    #[msg("record is retracted or superseded")]
    RecordNotActive,
    #[msg("record already backs a claim on this policy")]
    RecordAlreadyClaimed,
    #[msg("ClaimedRecord address does not match the record")]
    ClaimedRecordMismatch,
    #[msg("amount must be positive")]
    InvalidAmount,
    #[msg("amount exceeds the policy's remaining coverage")]
    CoverageExceeded,
    #[msg("the vault holds too little unreserved money")]
    InsufficientEscrow,
    #[msg("claim is not in a state that allows this")]
    InvalidClaimStatus,
    #[msg("the challenge window has closed")]
    ChallengeWindowClosed,
    #[msg("the claim cannot be settled before settle_after")]
    SettlementNotDue,
    #[msg("an approved amount cannot exceed the amount payable")]
    ApprovalExceedsPayable,
    #[msg("a claim can be appealed only once")]
    AlreadyAppealed,
    #[msg("the appeal window has closed")]
    AppealWindowClosed,
    #[msg("a decided claim cannot be withdrawn")]
    AlreadyDecided,
    #[msg("claim is not final yet")]
    ClaimNotFinal,
    #[msg("policy still exists")]
    PolicyStillOpen,
    #[msg("token account is not the vault, or holds another mint, or belongs to someone else")]
    InvalidTokenAccount,
    #[msg("account is not the rent payer recorded at creation")]
    RentPayerMismatch,
    #[msg("escrow invariant violated")]
    EscrowInvariantViolated,
    #[msg("arithmetic overflow")]
    Overflow,
    #[msg("claim id must not be all zeroes")]
    InvalidClaimId,
    #[msg("payout mint has an extension that could move, hold back or block escrowed funds")]
    UnsupportedMint,
    #[msg("a decision is still appealable: wait until its appeal window has closed")]
    AppealWindowOpen,
    #[msg("claim belongs to an earlier policy at this address")]
    StaleClaim,
    #[msg("payout mint has a close authority: it could be closed and re-created with extensions that move escrowed funds")]
    MintCloseAuthoritySet,
    #[msg("signer is neither the policy's insurer nor its adjudicator")]
    NotInsurerOrAdjudicator,
    #[msg("the claim's provider is still active: settle the claim instead")]
    ProviderStillActive,
    #[msg("the window to reinstate a voided claim has closed")]
    ReinstateWindowClosed,
    #[msg("the claim's review deadline has not passed")]
    ReviewNotExpired,
    #[msg("a disputed claim cannot be withdrawn: the adjudicator decides it, or it times out")]
    ClaimDisputed,
    #[msg("policy period is longer than MAX_POLICY_DURATION (5 years)")]
    PolicyPeriodTooLong,
    #[msg("policy period ends more than MAX_POLICY_DURATION (5 years) from now")]
    PolicyEndsTooLate,
    #[msg("a record tree was listed without a leaf proof for it")]
    LeafProofMissing,
    #[msg("more leaf proofs than record trees listed")]
    LeafProofUnexpected,
    #[msg("leaf proof names another tree than the account listed")]
    LeafOfAnotherTree,
    #[msg("leaf proof was built against a root no longer in the tree's changelog: rebuild it")]
    StaleProof,
    #[msg("leaf proof does not prove this record in its tree")]
    LeafProofInvalid,
    #[msg("the record's leaf was changed since the proof's root: reload the record")]
    LeafModifiedSinceProof,
    #[msg("member account not found: closed, never added, or not a Member of records")]
    MemberNotFound,
    #[msg("member belongs to another entity than the one it acts for (or the entity account is missing)")]
    MemberOfAnotherEntity,
    #[msg("signer is not the member this Member account names")]
    NotThisMember,
    #[msg("member is suspended")]
    MemberSuspended,
    #[msg("member is revoked")]
    MemberRevoked,
    #[msg("member's credential has expired")]
    MemberExpired,
    #[msg("member's roles do not allow this action")]
    RoleNotAllowed,
    #[msg("a member cannot decide a claim of which it is the patient")]
    MemberIsPatient,
}
