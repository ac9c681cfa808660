//! Errors of the `records` program. Codes are stable public interface
//! (Anchor numbers them from 6000 in declaration order): append, never reorder.

use anchor_lang::prelude::*;

#[error_code]
pub enum RecordsError {
    #[msg("signer is not the registry admin")]
    NotRegistryAdmin,
    #[msg("signer is not the program's upgrade authority")]
    NotUpgradeAuthority,
    #[msg("emergency-access duration must be positive and at most 72 hours")]
    InvalidEmergencyDuration,
    #[msg("credential validity must end in the future")]
    InvalidValidity,
    #[msg("jurisdiction code must be 2 to 8 ASCII upper-case letters, digits or '-', zero padded")]
    InvalidJurisdiction,
    #[msg("entity is not active: suspended, revoked or credential expired")]
    EntityNotActive,
    #[msg("entity kind may not perform this action")]
    EntityKindNotAllowed,
    #[msg("a revoked entity cannot change status")]
    EntityRevoked,
    #[msg("entity must be revoked before its account is closed")]
    EntityNotRevoked,
    #[msg("signer is neither the patient nor the patient's guardian")]
    NotPatientOrGuardian,
    #[msg("a patient cannot be their own guardian")]
    GuardianIsPatient,
    #[msg("URI must be 1 to 200 printable ASCII characters")]
    InvalidUri,
    #[msg("record commitment must not be all zeroes")]
    InvalidCommitment,
    #[msg("record id must not be all zeroes")]
    InvalidRecordId,
    #[msg("record is not active")]
    RecordNotActive,
    #[msg("record does not belong to this patient")]
    RecordPatientMismatch,
    #[msg("signer did not issue this record")]
    NotRecordIssuer,
    #[msg("signer holds no active grant with Amend permission for this record")]
    AmendNotPermitted,
    #[msg("permissions must be a non-empty combination of Read, Amend and Issue")]
    InvalidPermissions,
    #[msg("record-kind mask must be non-empty and name only known kinds")]
    InvalidKinds,
    #[msg("grant target must be a record of this patient or the patient account")]
    InvalidTarget,
    #[msg("duration must be positive and at most 5 years")]
    InvalidDuration,
    #[msg("emergency access longer than the registry's maximum")]
    EmergencyDurationTooLong,
    #[msg("the Emergency purpose is reserved for emergency_access")]
    EmergencyPurposeReserved,
    #[msg("wrapped data key longer than 80 bytes")]
    WrappedKeyTooLong,
    #[msg("grant has been revoked")]
    GrantRevoked,
    #[msg("grant has expired")]
    GrantExpired,
    #[msg("grant is still in force: revoke it or wait for expiry first")]
    GrantStillActive,
    #[msg("grant does not cover this record")]
    GrantDoesNotCoverRecord,
    #[msg("grant does not include the Read permission")]
    ReadNotPermitted,
    #[msg("grantee cannot be the patient")]
    GranteeIsPatient,
    #[msg("record token account is not the patient's associated token account")]
    InvalidTokenAccount,
    #[msg("account is not the rent payer recorded at creation")]
    RentPayerMismatch,
    #[msg("arithmetic overflow")]
    Overflow,
    #[msg("account invariant violated")]
    InvariantViolated,
    #[msg("emergency access needs a non-zero reason code")]
    InvalidReasonCode,
    #[msg("only the patient or guardian may close an emergency grant")]
    EmergencyGrantClosedByPatientOnly,
    #[msg("previous record does not match the record's supersedes link")]
    PreviousRecordMismatch,
    #[msg("the patient has not authorized this issuer for this record kind: no live grant with Issue permission")]
    IssueNotPermitted,
    #[msg("Issue permission is given over the patient's records, never over one record")]
    IssueNeedsPatientScope,
    #[msg("the requested record was replaced since the request: ask again")]
    RequestTargetChanged,
    #[msg("only the requester may cancel an access request before it expires")]
    AccessRequestNotExpired,
    #[msg("content commitment must not be all zeroes")]
    InvalidContentCommitment,
    #[msg("access request expired unanswered: ask again")]
    AccessRequestExpired,
    #[msg("the record book of this deployment exists already")]
    RecordBookExists,
    #[msg("the patient still has active records: erase or have them retracted first")]
    PatientHasActiveRecords,
    #[msg("the deployment's record book does not exist yet: the admin creates it first")]
    RecordBookMissing,
    #[msg("a profile cannot be closed in the slot it was registered in")]
    PatientCloseTooSoon,
    #[msg("deployment name must be 1 to 32 visible ASCII characters (no spaces, no semicolons)")]
    InvalidDeploymentName,
    #[msg("this provider's emergency grant for the patient is still open: only after the patient (or guardian) closes it can the glass be broken again")]
    EmergencyGrantOpen,
    #[msg("encryption key must not be all zeroes")]
    ZeroEncryptionKey,
    #[msg("the new encryption key is the one registered already")]
    EncryptionKeyUnchanged,
    #[msg("emergency custodians: 1 to 5 custodians and a threshold from 1 to their number")]
    InvalidCustodianThreshold,
    #[msg("emergency custodians: an authority or encryption key is all zeroes")]
    ZeroCustodianKey,
    #[msg("emergency custodians: an authority or encryption key is named twice")]
    DuplicateCustodian,
    #[msg("a guardian's encryption key goes with a guardian (all zeroes without one)")]
    GuardianKeyWithoutGuardian,
    #[msg("signer is not the patient's guardian")]
    NotGuardian,
    #[msg("record tree: depth 3 to 30, buffer 8 to 2048, canopy below the depth, at most 10 MiB, and the account sized exactly for them")]
    InvalidTreeConfig,
    #[msg("record tree is full")]
    TreeFull,
    #[msg("leaf index is beyond the record tree")]
    LeafIndexOutOfBounds,
    #[msg("leaf proof length does not fit the tree's depth and canopy")]
    ProofLengthInvalid,
    #[msg("leaf proof does not prove these record fields at this index")]
    LeafProofInvalid,
    #[msg("leaf proof was built against a root no longer in the tree's changelog: rebuild it")]
    StaleProof,
    #[msg("the leaf was changed since the proof's root: reload the record")]
    LeafModifiedSinceProof,
    #[msg("leaf proof names another tree than the account passed")]
    LeafOfAnotherTree,
    #[msg("a record tree was passed without a leaf proof")]
    LeafProofMissing,
    #[msg("a leaf proof was passed with a record account (or with no record)")]
    LeafProofUnexpected,
    #[msg("signer is not the record tree's authority")]
    NotTreeAuthority,
    #[msg("this record tree takes records only from its own issuer")]
    TreeIssuerMismatch,
    #[msg("record tree still holds records: erase them all first")]
    TreeNotEmpty,
    #[msg("account is not a record tree of this program")]
    NotARecordTree,
    #[msg("a record tree cannot pay its own rent: the refund on close would have nowhere to go")]
    TreeIsItsOwnRentPayer,
    #[msg("signer is neither the entity's authority nor a member of it (pass the Member account first in the remaining accounts)")]
    NotEntityAuthorityOrMember,
    #[msg("member account not found: closed, never added, or not a Member of this program")]
    MemberNotFound,
    #[msg("member belongs to another entity than the one it acts for (or the entity account is missing)")]
    MemberOfAnotherEntity,
    #[msg("signer is not the member this Member account names")]
    NotThisMember,
    #[msg("member is suspended")]
    MemberSuspended,
    #[msg("member is revoked (final under this entity)")]
    MemberRevoked,
    #[msg("member's credential has expired")]
    MemberExpired,
    #[msg("member's roles do not allow this action")]
    RoleNotAllowed,
    #[msg("roles: at least one, and only known role bits")]
    InvalidRoles,
    #[msg("member key must not be the default (all zeroes) key")]
    InvalidMemberKey,
    #[msg("the entity's authority cannot be its own member")]
    MemberIsEntityAuthority,
    #[msg("member validity must end in the future and at most 5 years from now")]
    InvalidMemberValidity,
    #[msg("member credential commitment must not be all zeroes")]
    InvalidCredentialCommitment,
    #[msg("this key is already a member of the entity")]
    MemberAlreadyExists,
    #[msg("only the entity's authority adds, promotes to, demotes from or manages an EntityAdmin")]
    AdminRoleReservedToAuthority,
    #[msg("member update changes nothing")]
    MemberUnchanged,
    #[msg("member status move not allowed (suspend: Active; reinstate: Suspended)")]
    InvalidMemberTransition,
    #[msg("an EntityAdmin member cannot give a validity beyond its own valid_until")]
    ValidityBeyondAdmin,
    #[msg("a member cannot issue or amend its own patient record for its entity")]
    MemberIsPatient,
}
