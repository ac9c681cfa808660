//! Errors of the `bounties` program. Codes are stable: append, never reorder.

use anchor_lang::prelude::*;

#[error_code]
pub enum BountiesError {
    #[msg("signer is not the bounty's researcher (nor a Researcher member of it)")]
    NotResearcher,
    #[msg("researcher entity is not active: suspended, revoked or credential expired")]
    EntityNotActive,
    #[msg("only a Researcher entity may open a bounty")]
    EntityKindNotAllowed,
    #[msg("bounty terms are invalid (kinds, reward, caps, windows, commitments or algorithm)")]
    InvalidBountyTerms,
    #[msg("intake period is longer than 366 days")]
    IntakePeriodTooLong,
    #[msg("bounty id must not be all zeroes")]
    InvalidBountyId,
    #[msg("bounty intake is closed: no new contributions")]
    IntakeClosed,
    #[msg("bounty intake is still open")]
    IntakeStillOpen,
    #[msg("bounty has pending contributions")]
    PendingContributions,
    #[msg("bounty has reached its maximum number of contributions")]
    BountyFull,
    #[msg("patient has reached this bounty's per-patient cap")]
    PatientCapReached,
    #[msg("vault's unreserved balance is too small")]
    InsufficientEscrow,
    #[msg("amount must be positive and at most what is allowed")]
    InvalidAmount,
    #[msg("signer is neither the patient nor the patient's guardian")]
    NotPatientOrGuardian,
    #[msg("record is not a records-program Record")]
    InvalidRecord,
    #[msg("record belongs to another patient")]
    RecordPatientMismatch,
    #[msg("record is retracted or superseded")]
    RecordNotActive,
    #[msg("the bounty does not want records of this kind")]
    KindNotWanted,
    #[msg("record was issued after the bounty opened")]
    RecordIssuedAfterOpening,
    #[msg("this record (or another version of it) was already contributed to this bounty")]
    RecordAlreadyContributed,
    #[msg("contribution address does not match the record's amendment-chain origin")]
    ContributionMismatch,
    #[msg("no Research consent of this patient to the researcher at the expected address")]
    ConsentMissing,
    #[msg("consent belongs to another patient")]
    ConsentOtherPatient,
    #[msg("consent is given to another researcher")]
    ConsentOtherResearcher,
    #[msg("consent is not for the Research purpose")]
    ConsentNotResearch,
    #[msg("consent is revoked")]
    ConsentRevoked,
    #[msg("consent denies research use")]
    ConsentDenied,
    #[msg("consent is not in its period now")]
    ConsentExpired,
    #[msg("consent does not cover this record kind")]
    ConsentKindNotCovered,
    #[msg("consent does not cover the Access action")]
    ConsentActionNotCovered,
    #[msg("consent names another consent text than this bounty's study")]
    ConsentOtherStudy,
    #[msg("no records-program grant of this patient at the expected address")]
    GrantMissing,
    #[msg("grant is given to another grantee than the researcher")]
    GrantOtherResearcher,
    #[msg("grant is revoked")]
    GrantRevoked,
    #[msg("grant has expired")]
    GrantExpired,
    #[msg("grant does not give Read access")]
    GrantWithoutRead,
    #[msg("grant is not for the Research purpose")]
    GrantNotResearch,
    #[msg("grant does not reach this record")]
    GrantDoesNotCoverRecord,
    #[msg("grant ends inside the review window or the settlement day after it")]
    GrantEndsInsideWindow,
    #[msg("contribution is not in a state that allows this")]
    InvalidContributionStatus,
    #[msg("the review window has passed")]
    ReviewWindowClosed,
    #[msg("the review window is still open")]
    ReviewWindowOpen,
    #[msg("quality score must be 0 to 100")]
    InvalidQualityScore,
    #[msg("a rejection needs a non-zero reason code")]
    InvalidReasonCode,
    #[msg("contribution's consent and grant are still valid: it cannot be cancelled")]
    ContributionStillValid,
    #[msg("payout token account is not owned by the patient")]
    PayoutNotPatient,
    #[msg("token account, mint or token program does not match the bounty")]
    InvalidTokenAccount,
    #[msg("mint has a Token-2022 extension that could move, withhold or freeze escrowed money")]
    UnsupportedMint,
    #[msg("Token-2022 mint has a close authority: it could be closed and recreated")]
    MintCloseAuthoritySet,
    #[msg("rent payer does not match the account's recorded payer")]
    RentPayerMismatch,
    #[msg("account belongs to an earlier bounty that lived at the same address")]
    StaleAccount,
    #[msg("escrow invariant violated")]
    EscrowInvariantViolated,
    #[msg("arithmetic overflow")]
    Overflow,
    #[msg("compressed record: its leaf proof is missing")]
    LeafProofMissing,
    #[msg("a leaf proof was given for a record account")]
    LeafProofUnexpected,
    #[msg("leaf proof names another record tree")]
    LeafOfAnotherTree,
    #[msg("leaf proof's root is no longer in the tree's changelog")]
    StaleProof,
    #[msg("leaf proof does not prove the record")]
    LeafProofInvalid,
    #[msg("the leaf was modified since the proof was built")]
    LeafModifiedSinceProof,
    #[msg("first remaining account is not a records-program Member")]
    MemberNotFound,
    #[msg("member belongs to another entity")]
    MemberOfAnotherEntity,
    #[msg("member account is another key's")]
    NotThisMember,
    #[msg("member is suspended")]
    MemberSuspended,
    #[msg("member is revoked")]
    MemberRevoked,
    #[msg("member's validity has ended")]
    MemberExpired,
    #[msg("member's roles do not include Researcher")]
    RoleNotAllowed,
    #[msg("consent account is not the patient's Research consent address for this researcher")]
    ConsentAddressMismatch,
    #[msg("grant account is not the grant the contribution was offered with")]
    GrantAddressMismatch,
    #[msg("payout token account has a delegate: revoke it first")]
    PayoutDelegated,
    #[msg("a bounty cannot be closed in the second it opened")]
    ClosedInOpeningSecond,
    #[msg("consent ends inside the review window or the settlement day after it")]
    ConsentEndsInsideWindow,
}
