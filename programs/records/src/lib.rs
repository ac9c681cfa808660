//! # Panacea `records`
//!
//! Registry of credentialed entities, patient profiles, tokenized health
//! records and access grants. The chain holds only commitments, opaque ids
//! and URIs, enums and timestamps: never PHI.
//!
//! This file only dispatches; every instruction lives in its own file under
//! [`instructions`], grouped by the actor that signs it, with its accounts,
//! arguments, `validate()` and handler. Accounts are in [`state`], seeds in
//! [`constants`] and address derivation in [`pda`].

use anchor_lang::prelude::*;

pub mod acting;
pub mod compressed;
pub mod constants;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod pda;
pub mod state;
pub mod token;
pub mod tree;

use instructions::*;

declare_id!("A6cEamwctmXusmbJbqtfacDRzjRZCySL4Sjvb5Aqk7Uv");

panacea_common::security_txt!("Panacea records");

#[program]
pub mod records {
    use super::*;

    // ----- registry admin -----

    /// Creates the registry config. Signed by the program's upgrade authority.
    pub fn initialize_registry(
        ctx: Context<InitializeRegistry>,
        args: InitializeRegistryArgs,
    ) -> Result<()> {
        admin::initialize_registry::handler(ctx, args)
    }

    /// Changes the emergency-duration cap and/or hands over the admin role.
    pub fn update_registry(ctx: Context<UpdateRegistry>, args: UpdateRegistryArgs) -> Result<()> {
        admin::update_registry::handler(ctx, args)
    }

    /// Creates the deployment's record book (one Token-2022 mint, metadata
    /// in the mint); the admin signs, once.
    pub fn initialize_record_book(
        ctx: Context<InitializeRecordBook>,
        args: InitializeRecordBookArgs,
    ) -> Result<()> {
        admin::initialize_record_book::handler(ctx, args)
    }

    /// Credentials an entity; the admin and the entity both sign.
    pub fn register_entity(ctx: Context<RegisterEntity>, args: RegisterEntityArgs) -> Result<()> {
        admin::register_entity::handler(ctx, args)
    }

    /// Suspends, reinstates or revokes (finally) an entity.
    pub fn set_entity_status(
        ctx: Context<SetEntityStatus>,
        args: SetEntityStatusArgs,
    ) -> Result<()> {
        admin::set_entity_status::handler(ctx, args)
    }

    /// Extends an entity's credential.
    pub fn renew_entity(ctx: Context<RenewEntity>, args: RenewEntityArgs) -> Result<()> {
        admin::renew_entity::handler(ctx, args)
    }

    // ----- patient (or guardian) -----

    /// Creates the patient's profile.
    pub fn register_patient(
        ctx: Context<RegisterPatient>,
        args: RegisterPatientArgs,
    ) -> Result<()> {
        patient::register_patient::handler(ctx, args)
    }

    /// Names, replaces or removes the patient's guardian (patient only),
    /// with the guardian's X25519 encryption key.
    pub fn set_guardian(ctx: Context<SetGuardian>, args: SetGuardianArgs) -> Result<()> {
        patient::set_guardian::handler(ctx, args)
    }

    /// Closes the patient's profile.
    pub fn close_patient(ctx: Context<ClosePatient>) -> Result<()> {
        patient::close_patient::handler(ctx)
    }

    /// Grants access to one record or to all records of some kinds.
    pub fn grant_access(ctx: Context<GrantAccess>, args: GrantAccessArgs) -> Result<()> {
        patient::grant_access::handler(ctx, args)
    }

    /// Revokes a grant (emergency grants included).
    pub fn revoke_access(ctx: Context<RevokeAccess>) -> Result<()> {
        patient::revoke_access::handler(ctx)
    }

    /// Approves an access request: creates the grant, closes the request.
    pub fn approve_access_request(
        ctx: Context<ApproveAccessRequest>,
        args: ApproveAccessRequestArgs,
    ) -> Result<()> {
        patient::approve_access_request::handler(ctx, args)
    }

    /// Denies an access request and closes it.
    pub fn deny_access_request(ctx: Context<DenyAccessRequest>) -> Result<()> {
        patient::deny_access_request::handler(ctx)
    }

    /// Burns the record token, closes the mint and the record.
    pub fn erase_record(ctx: Context<EraseRecord>) -> Result<()> {
        patient::erase_record::handler(ctx)
    }

    /// Points a record at its re-encrypted payload (after a revocation).
    pub fn rekey_record(ctx: Context<RekeyRecord>, args: RekeyRecordArgs) -> Result<()> {
        patient::rekey_record::handler(ctx, args)
    }

    /// Gives a grantee the data key of a re-keyed record.
    pub fn update_grant_key(ctx: Context<UpdateGrantKey>, args: UpdateGrantKeyArgs) -> Result<()> {
        patient::update_grant_key::handler(ctx, args)
    }

    /// Replaces the patient's X25519 encryption key (patient only).
    pub fn update_patient_encryption_key(
        ctx: Context<UpdatePatientEncryptionKey>,
        args: UpdatePatientEncryptionKeyArgs,
    ) -> Result<()> {
        patient::update_patient_encryption_key::handler(ctx, args)
    }

    /// Closes a revoked or expired grant (patient, guardian or grantee).
    pub fn close_grant(ctx: Context<CloseGrant>) -> Result<()> {
        patient::close_grant::handler(ctx)
    }

    // ----- provider, laboratory, pharmacy, any credentialed entity -----

    /// Issues a record and its token to a patient.
    pub fn issue_record(ctx: Context<IssueRecord>, args: IssueRecordArgs) -> Result<()> {
        provider::issue_record::handler(ctx, args)
    }

    /// Issues a new version of a record; the old one becomes Superseded.
    pub fn amend_record(ctx: Context<AmendRecord>, args: AmendRecordArgs) -> Result<()> {
        provider::amend_record::handler(ctx, args)
    }

    /// The issuer retracts a record: token burned, record kept as a tombstone.
    pub fn retract_record(ctx: Context<RetractRecord>) -> Result<()> {
        provider::retract_record::handler(ctx)
    }

    /// An active entity asks a patient for access.
    pub fn request_access(ctx: Context<RequestAccess>, args: RequestAccessArgs) -> Result<()> {
        provider::request_access::handler(ctx, args)
    }

    /// The requester withdraws its access request; after it expires, anyone
    /// may close it. The rent goes back to whoever paid it.
    pub fn cancel_access_request(ctx: Context<CancelAccessRequest>) -> Result<()> {
        provider::cancel_access_request::handler(ctx)
    }

    /// Break-glass access by an active Provider, capped by the registry.
    pub fn emergency_access(
        ctx: Context<EmergencyAccess>,
        args: EmergencyAccessArgs,
    ) -> Result<()> {
        provider::emergency_access::handler(ctx, args)
    }

    /// Replaces an entity's X25519 encryption key (its authority signs).
    pub fn update_entity_encryption_key(
        ctx: Context<UpdateEntityEncryptionKey>,
        args: UpdateEntityEncryptionKeyArgs,
    ) -> Result<()> {
        provider::update_entity_encryption_key::handler(ctx, args)
    }

    // ----- grantee -----

    /// Records an access under a grant.
    pub fn log_access(ctx: Context<LogAccess>, args: LogAccessArgs) -> Result<()> {
        grantee::log_access::handler(ctx, args)
    }

    // ----- registry admin: emergency key custodians -----

    /// Names the emergency key custodians and their threshold (admin only).
    pub fn set_emergency_custodians(
        ctx: Context<SetEmergencyCustodians>,
        args: SetEmergencyCustodiansArgs,
    ) -> Result<()> {
        admin::set_emergency_custodians::handler(ctx, args)
    }

    // ----- guardian -----

    /// Replaces the guardian's X25519 encryption key (the guardian signs).
    pub fn update_guardian_encryption_key(
        ctx: Context<UpdateGuardianEncryptionKey>,
        args: UpdateGuardianEncryptionKeyArgs,
    ) -> Result<()> {
        patient::update_guardian_encryption_key::handler(ctx, args)
    }

    // ----- compressed records (record trees) -----

    /// Initializes a record tree in an account created in the same
    /// transaction (an issuing entity's own tree, or a shared one of the admin).
    pub fn create_record_tree(
        ctx: Context<CreateRecordTree>,
        args: CreateRecordTreeArgs,
    ) -> Result<()> {
        trees::create_record_tree::handler(ctx, args)
    }

    /// Closes an empty or fully erased record tree; its rent goes back to its payer.
    pub fn close_record_tree(ctx: Context<CloseRecordTree>) -> Result<()> {
        trees::close_record_tree::handler(ctx)
    }

    /// Issues a compressed record: the next leaf of a record tree.
    pub fn issue_compressed_record(
        ctx: Context<IssueCompressedRecord>,
        args: IssueCompressedRecordArgs,
    ) -> Result<()> {
        provider::issue_compressed_record::handler(ctx, args)
    }

    /// Amends a compressed record: the new version is appended to the same tree.
    pub fn amend_compressed_record(
        ctx: Context<AmendCompressedRecord>,
        args: AmendCompressedRecordArgs,
    ) -> Result<()> {
        provider::amend_compressed_record::handler(ctx, args)
    }

    /// The issuer retracts a compressed record.
    pub fn retract_compressed_record(
        ctx: Context<RetractCompressedRecord>,
        args: RetractCompressedRecordArgs,
    ) -> Result<()> {
        provider::retract_compressed_record::handler(ctx, args)
    }

    /// Erases a compressed record: its leaf becomes the empty leaf.
    pub fn erase_compressed_record(
        ctx: Context<EraseCompressedRecord>,
        args: EraseCompressedRecordArgs,
    ) -> Result<()> {
        patient::erase_compressed_record::handler(ctx, args)
    }

    /// Points a compressed record at its re-encrypted payload.
    pub fn rekey_compressed_record(
        ctx: Context<RekeyCompressedRecord>,
        args: RekeyCompressedRecordArgs,
    ) -> Result<()> {
        patient::rekey_compressed_record::handler(ctx, args)
    }

    // ----- entity staff -----

    /// Adds a member to an entity's staff (the authority or an EntityAdmin member signs).
    pub fn add_member(ctx: Context<AddMember>, args: AddMemberArgs) -> Result<()> {
        members::add_member::handler(ctx, args)
    }

    /// Changes a member's roles, validity or credential commitment.
    pub fn update_member(ctx: Context<UpdateMember>, args: UpdateMemberArgs) -> Result<()> {
        members::update_member::handler(ctx, args)
    }

    /// Suspends an Active member.
    pub fn suspend_member(ctx: Context<ChangeMemberStatus>) -> Result<()> {
        members::member_status::change(ctx, state::MemberStatus::Suspended)
    }

    /// Reinstates a Suspended member (the entity must be active).
    pub fn reinstate_member(ctx: Context<ChangeMemberStatus>) -> Result<()> {
        members::member_status::change(ctx, state::MemberStatus::Active)
    }

    /// Revokes a member, finally: its account stays as a tombstone.
    pub fn revoke_member(ctx: Context<ChangeMemberStatus>) -> Result<()> {
        members::member_status::change(ctx, state::MemberStatus::Revoked)
    }

    /// Closes an Active or Suspended member; its rent goes back to its payer.
    pub fn close_member(ctx: Context<CloseMember>) -> Result<()> {
        members::close_member::handler(ctx)
    }
}

#[cfg(all(test, not(feature = "no-entrypoint")))]
mod security_txt_tests {
    #[test]
    fn the_program_carries_a_security_txt() {
        let txt = crate::SECURITY_TXT;
        assert!(txt.starts_with("=======BEGIN SECURITY.TXT V1=======\0"));
        assert!(txt.ends_with("=======END SECURITY.TXT V1=======\0"));
        assert!(txt.contains("\0name\0Panacea records\0"));
        assert!(txt.contains("\0contacts\0link:https://"));
        assert!(txt.contains("/security/advisories/new\0"));
        assert!(txt.contains("/blob/main/README.md#security\0"));
    }
}
