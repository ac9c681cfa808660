//! Events, emitted through `emit_cpi!` so that RPC log truncation cannot drop
//! them. Each names the actor, the subject and the new state; none carries
//! PHI (only addresses, enums, counters and timestamps).

use {crate::state::*, anchor_lang::prelude::*};

#[event]
#[derive(Clone, Debug)]
pub struct RegistryInitialized {
    pub admin: Pubkey,
    pub max_emergency_duration: i64,
    /// The deployment name every wallet-signed consent message names.
    pub deployment: String,
}

#[event]
#[derive(Clone, Debug)]
pub struct RegistryUpdated {
    pub admin: Pubkey,
    pub new_admin: Pubkey,
    pub max_emergency_duration: i64,
}

#[event]
#[derive(Clone, Debug)]
pub struct EntityRegistered {
    pub admin: Pubkey,
    pub entity: Pubkey,
    pub kind: EntityKind,
    pub status: EntityStatus,
    pub valid_until: i64,
}

#[event]
#[derive(Clone, Debug)]
pub struct EntityStatusChanged {
    pub admin: Pubkey,
    pub entity: Pubkey,
    pub old_status: EntityStatus,
    pub new_status: EntityStatus,
}

#[event]
#[derive(Clone, Debug)]
pub struct EntityRenewed {
    pub admin: Pubkey,
    pub entity: Pubkey,
    pub valid_until: i64,
}

#[event]
#[derive(Clone, Debug)]
pub struct PatientRegistered {
    pub patient: Pubkey,
    pub guardian: Option<Pubkey>,
}

#[event]
#[derive(Clone, Debug)]
pub struct GuardianChanged {
    pub patient: Pubkey,
    pub old_guardian: Option<Pubkey>,
    pub new_guardian: Option<Pubkey>,
}

/// An entity or a patient replaced its X25519 encryption key. Public keys
/// only: data keys wrapped to the old key are re-wrapped off chain.
#[event]
#[derive(Clone, Debug)]
pub struct EncryptionKeyRotated {
    /// The entity's or the patient's authority (the signer).
    pub authority: Pubkey,
    /// The `Entity` or `Patient` account whose key changed.
    pub account: Pubkey,
    pub holder: KeyHolder,
    pub old_key: [u8; 32],
    pub new_key: [u8; 32],
}

#[event]
#[derive(Clone, Debug)]
pub struct PatientClosed {
    pub patient: Pubkey,
}

#[event]
#[derive(Clone, Debug)]
pub struct RecordIssued {
    pub issuer: Pubkey,
    pub patient: Pubkey,
    pub record: Pubkey,
    pub kind: RecordKind,
    pub record_version: u16,
    /// Record id of the version amended (zero for an original).
    pub supersedes: [u8; 16],
    /// SHA-256 of the ciphertext.
    pub commitment: [u8; 32],
    /// The issuer's attestation of the content (never changes).
    pub content_commitment: [u8; 32],
    pub serial: u64,
    /// Serial of the chain's first version.
    pub origin: u64,
    /// The member who signed for the entity; `None` when its authority did.
    pub actor_member: Option<Pubkey>,
}

#[event]
#[derive(Clone, Debug)]
pub struct RecordSuperseded {
    pub actor: Pubkey,
    pub patient: Pubkey,
    pub record: Pubkey,
    pub superseded_by: Pubkey,
    /// The member who signed for the entity; `None` when its authority did.
    pub actor_member: Option<Pubkey>,
}

#[event]
#[derive(Clone, Debug)]
pub struct RecordRetracted {
    pub issuer: Pubkey,
    pub patient: Pubkey,
    pub record: Pubkey,
    /// The version this one amended, Active again (when it still existed).
    pub restored: Option<Pubkey>,
    /// The member who signed for the entity; `None` when its authority did.
    pub actor_member: Option<Pubkey>,
}

#[event]
#[derive(Clone, Debug)]
pub struct RecordErased {
    pub actor: Pubkey,
    pub patient: Pubkey,
    pub record: Pubkey,
    /// The record was Active: the patient's record book lost one.
    pub was_active: bool,
}

#[event]
#[derive(Clone, Debug)]
pub struct AccessGranted {
    pub actor: Pubkey,
    pub patient: Pubkey,
    pub grantee: Pubkey,
    pub grant: Pubkey,
    pub target: Pubkey,
    pub scope: GrantScope,
    pub kinds: u16,
    pub permissions: u8,
    pub purpose: Purpose,
    pub expires_at: i64,
    /// Break-glass access: set only by `emergency_access`.
    pub emergency: bool,
    pub reason_code: u16,
    /// The member who signed for the entity; `None` when its authority did.
    pub actor_member: Option<Pubkey>,
}

#[event]
#[derive(Clone, Debug)]
pub struct AccessRevoked {
    pub actor: Pubkey,
    pub patient: Pubkey,
    pub grantee: Pubkey,
    pub grant: Pubkey,
    pub revoked_at: i64,
}

#[event]
#[derive(Clone, Debug)]
pub struct AccessRequested {
    pub requester: Pubkey,
    pub patient: Pubkey,
    pub request: Pubkey,
    pub target: Pubkey,
    pub permissions: u8,
    pub purpose: Purpose,
    pub duration: i64,
    pub reason_code: u16,
    /// The member who signed for the entity; `None` when its authority did.
    pub actor_member: Option<Pubkey>,
}

#[event]
#[derive(Clone, Debug)]
pub struct AccessRequestDenied {
    pub actor: Pubkey,
    pub patient: Pubkey,
    pub requester: Pubkey,
    pub request: Pubkey,
}

#[event]
#[derive(Clone, Debug)]
pub struct AccessLogged {
    pub grantee: Pubkey,
    pub patient: Pubkey,
    pub grant: Pubkey,
    pub record: Pubkey,
    pub purpose: Purpose,
    pub emergency: bool,
    pub access_count: u64,
    pub accessed_at: i64,
    /// The member who signed for the entity; `None` when its authority did.
    pub actor_member: Option<Pubkey>,
}

#[event]
#[derive(Clone, Debug)]
pub struct RecordRekeyed {
    pub actor: Pubkey,
    pub patient: Pubkey,
    pub record: Pubkey,
    pub old_commitment: [u8; 32],
    pub new_commitment: [u8; 32],
    /// Unchanged by a re-key; repeated so a reader of the event alone knows
    /// what the new ciphertext must decrypt to.
    pub content_commitment: [u8; 32],
}

#[event]
#[derive(Clone, Debug)]
pub struct GrantKeyUpdated {
    pub actor: Pubkey,
    pub patient: Pubkey,
    pub grant: Pubkey,
}

#[event]
#[derive(Clone, Debug)]
pub struct GrantClosed {
    pub actor: Pubkey,
    pub patient: Pubkey,
    pub grant: Pubkey,
}

#[event]
#[derive(Clone, Debug)]
pub struct AccessRequestCancelled {
    /// The requester, or whoever closed the request after it expired.
    pub actor: Pubkey,
    pub patient: Pubkey,
    pub requester: Pubkey,
    pub request: Pubkey,
    /// Closed because it expired unanswered, not withdrawn by the requester.
    pub expired: bool,
    /// The member who signed for the entity; `None` when its authority did.
    pub actor_member: Option<Pubkey>,
}

#[event]
#[derive(Clone, Debug)]
pub struct RecordBookInitialized {
    pub admin: Pubkey,
    pub mint: Pubkey,
}

#[event]
#[derive(Clone, Debug)]
pub struct EmergencyCustodiansSet {
    pub admin: Pubkey,
    pub custodians: Pubkey,
    pub threshold: u8,
    /// Number of custodians.
    pub count: u8,
    pub generation: u64,
}

/// A record tree was created (`create_record_tree`).
#[event]
#[derive(Clone, Debug)]
pub struct RecordTreeCreated {
    pub tree: Pubkey,
    pub authority: Pubkey,
    /// The only entity authority that appends to it; `None`: a shared tree
    /// (created by the admin) any active issuer appends to.
    pub issuer: Option<Pubkey>,
    pub max_depth: u8,
    pub max_buffer_size: u32,
    pub canopy_depth: u8,
}

/// An empty or fully erased record tree was closed; its rent went back to
/// the payer of its creation.
#[event]
#[derive(Clone, Debug)]
pub struct RecordTreeClosed {
    pub tree: Pubkey,
    pub refunded: u64,
}

/// A leaf of a record tree was written: everything needed to rebuild it.
/// The leaf is `compressed::leaf_hash(tree, index, record)`, or the empty
/// leaf when `record` is `None` (erased). Applied in `sequence` order, these
/// events rebuild the whole tree.
#[event]
#[derive(Clone, Debug)]
pub struct CompressedRecordWritten {
    pub tree: Pubkey,
    pub index: u32,
    /// The tree's sequence number after this write.
    pub sequence: u64,
    /// The record's stable address (`pda::compressed_record(tree, index)`).
    pub address: Pubkey,
    pub record: Option<Record>,
}

/// A member was added to an entity's staff (`add_member`).
#[event]
#[derive(Clone, Debug)]
pub struct MemberAdded {
    /// The entity's authority.
    pub entity: Pubkey,
    pub member_account: Pubkey,
    pub member: Pubkey,
    pub roles: u16,
    pub valid_until: i64,
    pub credential_commitment: [u8; 32],
    pub revision: u32,
    /// The EntityAdmin member who signed; `None`: the entity's authority.
    pub actor_member: Option<Pubkey>,
}

/// A member's roles, validity or credential changed (`update_member`).
#[event]
#[derive(Clone, Debug)]
pub struct MemberUpdated {
    /// The entity's authority.
    pub entity: Pubkey,
    pub member_account: Pubkey,
    pub member: Pubkey,
    pub roles: u16,
    pub valid_until: i64,
    pub credential_commitment: [u8; 32],
    pub revision: u32,
    /// The EntityAdmin member who signed; `None`: the entity's authority.
    pub actor_member: Option<Pubkey>,
}

/// A member was suspended, reinstated or revoked.
#[event]
#[derive(Clone, Debug)]
pub struct MemberStatusChanged {
    /// The entity's authority.
    pub entity: Pubkey,
    pub member_account: Pubkey,
    pub member: Pubkey,
    pub old_status: MemberStatus,
    pub new_status: MemberStatus,
    pub revision: u32,
    /// The EntityAdmin member who signed; `None`: the entity's authority.
    pub actor_member: Option<Pubkey>,
}

/// A member's account was closed; its rent went back to its payer.
#[event]
#[derive(Clone, Debug)]
pub struct MemberClosed {
    /// The entity's authority.
    pub entity: Pubkey,
    pub member_account: Pubkey,
    pub member: Pubkey,
    pub refunded: u64,
    /// The EntityAdmin member who signed; `None`: the entity's authority.
    pub actor_member: Option<Pubkey>,
}
