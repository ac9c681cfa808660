//! Instruction builders for the `records` program. Every address is derived
//! through `records::pda`; callers pass wallets, ids and arguments.

use {
    crate::{acting::ActingKeys, build},
    anchor_lang::{solana_program::instruction::Instruction, system_program},
    anchor_spl::{associated_token, token_2022},
    records::{accounts as acc, instruction as ix, instructions::*, pda, state::GrantScope, ID},
};

pub use anchor_lang::prelude::Pubkey;

fn event_authority() -> Pubkey {
    pda::event_authority().0
}

/// `ix` with the member-mode remaining accounts of `acting` appended: none
/// for the entity's authority; its `Member` (then, `with_entity`, the
/// `Entity`) for a member.
pub(crate) fn with_acting(
    mut ix: Instruction,
    acting: &ActingKeys,
    with_entity: bool,
) -> Instruction {
    ix.accounts.extend(acting.remaining(with_entity));
    ix
}

/// The record book accounts of `patient`, as every instruction that moves
/// the book takes them.
pub fn book_accounts(patient: &Pubkey) -> acc::BookAccounts {
    acc::BookAccounts {
        book_mint: pda::record_book().0,
        record_authority: pda::record_authority().0,
        patient_book: pda::record_book_account(patient),
        token_program: token_2022::ID,
    }
}

/// The address of the version `record` amends, when it is an amendment.
pub fn previous_version(record: &records::state::Record) -> Option<Pubkey> {
    (record.supersedes != [0; 16]).then(|| pda::record(&record.patient, &record.supersedes).0)
}

/// What a record's ciphertext is bound to: its address and version.
pub fn record_context(record: &records::state::Record) -> crate::offchain::RecordContext {
    crate::offchain::RecordContext::new(
        pda::record(&record.patient, &record.record_id).0.to_bytes(),
        record.record_version,
    )
}

/// The target of a request or grant named by an optional record: the
/// record, or (none) the patient's profile, for one over their records.
pub fn request_target(patient: &Pubkey, record: Option<&Pubkey>) -> Pubkey {
    match record {
        Some(record) => *record,
        None => pda::patient(patient).0,
    }
}

/// The target address of a grant or request: the record for a grant over
/// one record, otherwise the patient account.
pub fn grant_target(patient: &Pubkey, scope: GrantScope, record: Option<&Pubkey>) -> Pubkey {
    request_target(patient, record.filter(|_| scope == GrantScope::Record))
}

pub fn initialize_registry(
    payer: &Pubkey,
    upgrade_authority: &Pubkey,
    args: InitializeRegistryArgs,
) -> Instruction {
    build(
        ID,
        acc::InitializeRegistry {
            payer: *payer,
            upgrade_authority: *upgrade_authority,
            program_data: pda::program_data().0,
            config: pda::config().0,
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::InitializeRegistry { args },
    )
}

pub fn update_registry(
    admin: &Pubkey,
    new_admin: Option<&Pubkey>,
    args: UpdateRegistryArgs,
) -> Instruction {
    build(
        ID,
        acc::UpdateRegistry {
            admin: *admin,
            new_admin: new_admin.copied(),
            config: pda::config().0,
            event_authority: event_authority(),
            program: ID,
        },
        ix::UpdateRegistry { args },
    )
}

pub fn register_entity(
    payer: &Pubkey,
    admin: &Pubkey,
    authority: &Pubkey,
    args: RegisterEntityArgs,
) -> Instruction {
    build(
        ID,
        acc::RegisterEntity {
            payer: *payer,
            admin: *admin,
            authority: *authority,
            config: pda::config().0,
            entity: pda::entity(authority).0,
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::RegisterEntity { args },
    )
}

pub fn set_entity_status(
    admin: &Pubkey,
    entity_authority: &Pubkey,
    args: SetEntityStatusArgs,
) -> Instruction {
    build(
        ID,
        acc::SetEntityStatus {
            admin: *admin,
            config: pda::config().0,
            entity: pda::entity(entity_authority).0,
            event_authority: event_authority(),
            program: ID,
        },
        ix::SetEntityStatus { args },
    )
}

pub fn renew_entity(
    admin: &Pubkey,
    entity_authority: &Pubkey,
    args: RenewEntityArgs,
) -> Instruction {
    build(
        ID,
        acc::RenewEntity {
            admin: *admin,
            config: pda::config().0,
            entity: pda::entity(entity_authority).0,
            event_authority: event_authority(),
            program: ID,
        },
        ix::RenewEntity { args },
    )
}

/// The registry admin creates the deployment's record book.
pub fn initialize_record_book(
    payer: &Pubkey,
    admin: &Pubkey,
    args: InitializeRecordBookArgs,
) -> Instruction {
    build(
        ID,
        acc::InitializeRecordBook {
            payer: *payer,
            admin: *admin,
            config: pda::config().0,
            book_mint: pda::record_book().0,
            record_authority: pda::record_authority().0,
            token_program: token_2022::ID,
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::InitializeRecordBook { args },
    )
}

pub fn register_patient(
    payer: &Pubkey,
    authority: &Pubkey,
    guardian: Option<&Pubkey>,
    args: RegisterPatientArgs,
) -> Instruction {
    build(
        ID,
        acc::RegisterPatient {
            payer: *payer,
            authority: *authority,
            guardian: guardian.copied(),
            patient: pda::patient(authority).0,
            book_mint: pda::record_book().0,
            record_authority: pda::record_authority().0,
            patient_book: pda::record_book_account(authority),
            token_program: token_2022::ID,
            associated_token_program: associated_token::ID,
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::RegisterPatient { args },
    )
}

/// Names (`new_guardian`, who co-signs, with its X25519 key
/// `guardian_encryption_key`) or removes (`None`, and an all-zero key) the
/// patient's guardian.
pub fn set_guardian(
    authority: &Pubkey,
    new_guardian: Option<&Pubkey>,
    guardian_encryption_key: [u8; 32],
) -> Instruction {
    build(
        ID,
        acc::SetGuardian {
            authority: *authority,
            new_guardian: new_guardian.copied(),
            patient: pda::patient(authority).0,
            event_authority: event_authority(),
            program: ID,
        },
        ix::SetGuardian {
            args: SetGuardianArgs {
                guardian_encryption_key,
            },
        },
    )
}

/// The patient's guardian replaces its own X25519 encryption key (the
/// guardian signs).
pub fn update_guardian_encryption_key(
    guardian: &Pubkey,
    patient: &Pubkey,
    new_key: [u8; 32],
) -> Instruction {
    build(
        ID,
        acc::UpdateGuardianEncryptionKey {
            guardian: *guardian,
            patient: pda::patient(patient).0,
            event_authority: event_authority(),
            program: ID,
        },
        ix::UpdateGuardianEncryptionKey {
            args: UpdateGuardianEncryptionKeyArgs { new_key },
        },
    )
}

/// The patient replaces their X25519 encryption key (the patient signs).
pub fn update_patient_encryption_key(authority: &Pubkey, new_key: [u8; 32]) -> Instruction {
    build(
        ID,
        acc::UpdatePatientEncryptionKey {
            authority: *authority,
            patient: pda::patient(authority).0,
            event_authority: event_authority(),
            program: ID,
        },
        ix::UpdatePatientEncryptionKey {
            args: UpdatePatientEncryptionKeyArgs { new_key },
        },
    )
}

/// An entity replaces its X25519 encryption key (its authority signs).
pub fn update_entity_encryption_key(authority: &Pubkey, new_key: [u8; 32]) -> Instruction {
    build(
        ID,
        acc::UpdateEntityEncryptionKey {
            authority: *authority,
            entity: pda::entity(authority).0,
            event_authority: event_authority(),
            program: ID,
        },
        ix::UpdateEntityEncryptionKey {
            args: UpdateEntityEncryptionKeyArgs { new_key },
        },
    )
}

/// `update_patient_encryption_key` or `update_entity_encryption_key`,
/// by `holder`, signed by `authority`. `None` for a guardian's key, which
/// names the patient too: see [`update_guardian_encryption_key`].
pub fn update_encryption_key(
    holder: records::state::KeyHolder,
    authority: &Pubkey,
    new_key: [u8; 32],
) -> Option<Instruction> {
    match holder {
        records::state::KeyHolder::Patient => {
            Some(update_patient_encryption_key(authority, new_key))
        }
        records::state::KeyHolder::Entity => Some(update_entity_encryption_key(authority, new_key)),
        records::state::KeyHolder::Guardian => None,
    }
}

pub fn close_patient(authority: &Pubkey, rent_payer: &Pubkey) -> Instruction {
    build(
        ID,
        acc::ClosePatient {
            authority: *authority,
            patient: pda::patient(authority).0,
            rent_payer: *rent_payer,
            patient_book: pda::record_book_account(authority),
            book_mint: pda::record_book().0,
            record_authority: pda::record_authority().0,
            token_program: token_2022::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::ClosePatient {},
    )
}

/// `authority` is the patient or their guardian; `target` is a record
/// address or the patient account (see [`grant_target`]).
pub fn grant_access(
    payer: &Pubkey,
    authority: &Pubkey,
    patient: &Pubkey,
    target: &Pubkey,
    args: GrantAccessArgs,
) -> Instruction {
    let grant = pda::grant(
        patient,
        &args.grantee,
        &records::compressed::target_address(target, args.leaf.as_ref()),
    )
    .0;
    build(
        ID,
        acc::GrantAccess {
            payer: *payer,
            authority: *authority,
            patient: pda::patient(patient).0,
            target: *target,
            grant,
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::GrantAccess { args },
    )
}

pub fn revoke_access(authority: &Pubkey, patient: &Pubkey, grant: &Pubkey) -> Instruction {
    build(
        ID,
        acc::RevokeAccess {
            authority: *authority,
            patient: pda::patient(patient).0,
            grant: *grant,
            event_authority: event_authority(),
            program: ID,
        },
        ix::RevokeAccess {},
    )
}

pub fn close_grant(
    authority: &Pubkey,
    patient: &Pubkey,
    grant: &Pubkey,
    rent_payer: &Pubkey,
) -> Instruction {
    build(
        ID,
        acc::CloseGrant {
            authority: *authority,
            patient: pda::patient(patient).0,
            grant: *grant,
            rent_payer: *rent_payer,
            event_authority: event_authority(),
            program: ID,
        },
        ix::CloseGrant {},
    )
}

/// `requester` is the entity's authority, or a member acting for it (the
/// request is the entity's: `AccessRequest.requester` is its authority).
pub fn request_access(
    payer: &Pubkey,
    requester: impl Into<ActingKeys>,
    patient: &Pubkey,
    target: &Pubkey,
    args: RequestAccessArgs,
) -> Instruction {
    let acting = requester.into();
    let ix = build(
        ID,
        acc::RequestAccess {
            payer: *payer,
            requester: acting.signer,
            requester_entity: acting.entity_account(),
            patient: pda::patient(patient).0,
            target: *target,
            access_request: pda::access_request(
                patient,
                &acting.entity,
                &records::compressed::target_address(target, args.leaf.as_ref()),
            )
            .0,
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::RequestAccess { args },
    );
    with_acting(ix, &acting, false)
}

/// Approves the request of `requester` over `target`; `request_payer` paid
/// for the request and gets its rent back.
#[allow(clippy::too_many_arguments)]
pub fn approve_access_request(
    payer: &Pubkey,
    authority: &Pubkey,
    patient: &Pubkey,
    requester: &Pubkey,
    target: &Pubkey,
    request_payer: &Pubkey,
    args: ApproveAccessRequestArgs,
) -> Instruction {
    let address = records::compressed::target_address(target, args.leaf.as_ref());
    build(
        ID,
        acc::ApproveAccessRequest {
            payer: *payer,
            authority: *authority,
            patient: pda::patient(patient).0,
            access_request: pda::access_request(patient, requester, &address).0,
            rent_payer: *request_payer,
            requester_entity: pda::entity(requester).0,
            target: *target,
            grant: pda::grant(patient, requester, &address).0,
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::ApproveAccessRequest { args },
    )
}

pub fn deny_access_request(
    authority: &Pubkey,
    patient: &Pubkey,
    requester: &Pubkey,
    target: &Pubkey,
    request_payer: &Pubkey,
) -> Instruction {
    build(
        ID,
        acc::DenyAccessRequest {
            authority: *authority,
            patient: pda::patient(patient).0,
            access_request: pda::access_request(patient, requester, target).0,
            rent_payer: *request_payer,
            event_authority: event_authority(),
            program: ID,
        },
        ix::DenyAccessRequest {},
    )
}

/// The requester withdraws its request, or anyone closes it once expired;
/// `request_payer` (who paid for the request) gets the rent back.
/// `closer` is the requester (the entity's authority, or a member acting
/// for it: its `Member` and the `Entity` follow), or anyone once the
/// request expired. `requester` is the requesting entity's authority.
pub fn cancel_access_request(
    closer: impl Into<ActingKeys>,
    patient: &Pubkey,
    requester: &Pubkey,
    target: &Pubkey,
    request_payer: &Pubkey,
) -> Instruction {
    let acting = closer.into();
    let ix = build(
        ID,
        acc::CancelAccessRequest {
            closer: acting.signer,
            access_request: pda::access_request(patient, requester, target).0,
            rent_payer: *request_payer,
            event_authority: event_authority(),
            program: ID,
        },
        ix::CancelAccessRequest {},
    );
    with_acting(ix, &acting, true)
}

/// Break-glass by the provider's authority, or by a Clinician member acting
/// for it (the grant is the entity's; `granted_by` names the member).
pub fn emergency_access(
    payer: &Pubkey,
    provider: impl Into<ActingKeys>,
    patient: &Pubkey,
    args: EmergencyAccessArgs,
) -> Instruction {
    let acting = provider.into();
    let ix = build(
        ID,
        acc::EmergencyAccess {
            payer: *payer,
            provider: acting.signer,
            provider_entity: acting.entity_account(),
            config: pda::config().0,
            patient: pda::patient(patient).0,
            emergency_target: pda::emergency_target(patient).0,
            grant: emergency_grant_address(patient, &acting.entity),
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::EmergencyAccess { args },
    );
    with_acting(ix, &acting, false)
}

/// The address of `provider`'s emergency grant over `patient`'s records.
pub fn emergency_grant_address(patient: &Pubkey, provider: &Pubkey) -> Pubkey {
    pda::grant(patient, provider, &pda::emergency_target(patient).0).0
}

/// `grantee` is the grant's grantee, or a member acting for the grantee
/// entity.
pub fn log_access(grantee: impl Into<ActingKeys>, grant: &Pubkey, record: &Pubkey) -> Instruction {
    log_access_with(grantee, grant, record, LogAccessArgs::default())
}

/// `issuer` signs and pays the record's rent.
/// A member acting for the issuing entity signs and pays the rent; the
/// record is the entity's (`Record.issuer` is its authority).
pub fn issue_record(
    issuer: impl Into<ActingKeys>,
    patient: &Pubkey,
    args: IssueRecordArgs,
) -> Instruction {
    let acting = issuer.into();
    let ix = build(
        ID,
        acc::IssueRecord {
            issuer: acting.signer,
            issuer_entity: acting.entity_account(),
            patient_authority: *patient,
            patient: pda::patient(patient).0,
            care_link: care_link_address(patient, &acting.entity),
            record: pda::record(patient, &args.record_id).0,
            book: book_accounts(patient),
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::IssueRecord { args },
    );
    with_acting(ix, &acting, false)
}

/// The patient's grant over their records to `issuer`: with Issue
/// permission, the care link `issue_record` requires.
pub fn care_link_address(patient: &Pubkey, issuer: &Pubkey) -> Pubkey {
    pda::grant(patient, issuer, &pda::patient(patient).0).0
}

/// Amends `previous_record`; `grant` is needed when `issuer` is not the
/// original issuer.
pub fn amend_record(
    issuer: impl Into<ActingKeys>,
    patient: &Pubkey,
    previous_record: &Pubkey,
    grant: Option<&Pubkey>,
    args: AmendRecordArgs,
) -> Instruction {
    let acting = issuer.into();
    let ix = build(
        ID,
        acc::AmendRecord {
            issuer: acting.signer,
            issuer_entity: acting.entity_account(),
            patient_authority: *patient,
            patient: pda::patient(patient).0,
            previous_record: *previous_record,
            grant: grant.copied(),
            record: pda::record(patient, &args.record_id).0,
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::AmendRecord { args },
    );
    with_acting(ix, &acting, false)
}

/// `previous_record` is the address of the version this one amends, when it
/// is an amendment ([`previous_version`]); when that version is still there
/// it becomes Active again.
pub fn retract_record(
    issuer: impl Into<ActingKeys>,
    patient: &Pubkey,
    record_id: &[u8; 16],
    previous_record: Option<&Pubkey>,
) -> Instruction {
    let acting = issuer.into();
    let ix = build(
        ID,
        acc::RetractRecord {
            issuer: acting.signer,
            issuer_entity: acting.entity_account(),
            previous_record: previous_record.copied(),
            record: pda::record(patient, record_id).0,
            book: book_accounts(patient),
            event_authority: event_authority(),
            program: ID,
        },
        ix::RetractRecord {},
    );
    with_acting(ix, &acting, false)
}

/// `rent_payer` is the record's recorded payer, who gets the rent back.
/// `issuer` is the record's issuer, which paid its rent and gets it back.
pub fn erase_record(
    authority: &Pubkey,
    patient: &Pubkey,
    record_id: &[u8; 16],
    issuer: &Pubkey,
) -> Instruction {
    build(
        ID,
        acc::EraseRecord {
            authority: *authority,
            patient: pda::patient(patient).0,
            record: pda::record(patient, record_id).0,
            issuer: *issuer,
            book: book_accounts(patient),
            event_authority: event_authority(),
            program: ID,
        },
        ix::EraseRecord {},
    )
}

/// `authority` is the patient or guardian; `record` the record's address.
pub fn rekey_record(
    authority: &Pubkey,
    patient: &Pubkey,
    record: &Pubkey,
    args: RekeyRecordArgs,
) -> Instruction {
    build(
        ID,
        acc::RekeyRecord {
            authority: *authority,
            patient: pda::patient(patient).0,
            record: *record,
            event_authority: event_authority(),
            program: ID,
        },
        ix::RekeyRecord { args },
    )
}

pub fn update_grant_key(
    authority: &Pubkey,
    patient: &Pubkey,
    grant: &Pubkey,
    args: UpdateGrantKeyArgs,
) -> Instruction {
    build(
        ID,
        acc::UpdateGrantKey {
            authority: *authority,
            patient: pda::patient(patient).0,
            grant: *grant,
            event_authority: event_authority(),
            program: ID,
        },
        ix::UpdateGrantKey { args },
    )
}

/// Names the registry's emergency key custodians (admin only).
pub fn set_emergency_custodians(
    payer: &Pubkey,
    admin: &Pubkey,
    args: SetEmergencyCustodiansArgs,
) -> Instruction {
    build(
        ID,
        acc::SetEmergencyCustodians {
            payer: *payer,
            admin: *admin,
            config: pda::config().0,
            custodians: pda::custodians().0,
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::SetEmergencyCustodians { args },
    )
}

/// `log_access` with its arguments: `record` is the record account, or the
/// tree of the compressed record `args.leaf` proves.
pub fn log_access_with(
    grantee: impl Into<ActingKeys>,
    grant: &Pubkey,
    record: &Pubkey,
    args: LogAccessArgs,
) -> Instruction {
    let acting = grantee.into();
    let ix = build(
        ID,
        acc::LogAccess {
            grantee: acting.signer,
            grant: *grant,
            record: *record,
            grantee_entity: acting.entity_account(),
            event_authority: event_authority(),
            program: ID,
        },
        ix::LogAccess { args },
    );
    with_acting(ix, &acting, false)
}

/// Creates a record tree in the account `tree`, which the same transaction
/// creates first with `system_program::create_account` (owner `records`,
/// [`record_tree_space`] bytes, rent exempt): a tree above 10 KiB cannot be
/// created by the program itself. `authority` is an issuing entity's
/// authority, or the registry admin for a shared tree.
pub fn create_record_tree(
    payer: &Pubkey,
    authority: &Pubkey,
    tree: &Pubkey,
    args: CreateRecordTreeArgs,
) -> Instruction {
    build(
        ID,
        acc::CreateRecordTree {
            payer: *payer,
            authority: *authority,
            config: pda::config().0,
            entity: (!args.shared).then(|| pda::entity(authority).0),
            tree: *tree,
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::CreateRecordTree { args },
    )
}

/// Bytes of a `RecordTree` account of these dimensions, or why the program
/// refuses them.
pub fn record_tree_space(
    max_depth: u8,
    max_buffer_size: u32,
    canopy_depth: u8,
) -> Result<usize, records::tree::TreeError> {
    records::tree::space(
        u32::from(max_depth),
        max_buffer_size,
        u32::from(canopy_depth),
    )
    .map(|space| records::state::RecordTree::TREE_OFFSET + space)
}

/// Closes an empty or fully erased tree; its rent goes to `rent_payer`.
pub fn close_record_tree(authority: &Pubkey, tree: &Pubkey, rent_payer: &Pubkey) -> Instruction {
    build(
        ID,
        acc::CloseRecordTree {
            authority: *authority,
            tree: *tree,
            rent_payer: *rent_payer,
            event_authority: event_authority(),
            program: ID,
        },
        ix::CloseRecordTree {},
    )
}

/// Appends a compressed record to `tree` (no proof: appends never go stale).
pub fn issue_compressed_record(
    issuer: impl Into<ActingKeys>,
    patient: &Pubkey,
    tree: &Pubkey,
    args: IssueCompressedRecordArgs,
) -> Instruction {
    let acting = issuer.into();
    let ix = build(
        ID,
        acc::IssueCompressedRecord {
            issuer: acting.signer,
            issuer_entity: acting.entity_account(),
            patient_authority: *patient,
            patient: pda::patient(patient).0,
            care_link: care_link_address(patient, &acting.entity),
            tree: *tree,
            book: book_accounts(patient),
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::IssueCompressedRecord { args },
    );
    with_acting(ix, &acting, false)
}

/// Amends the compressed record `args.previous` proves; the new version is
/// appended to the same tree. `grant` as for [`amend_record()`].
pub fn amend_compressed_record(
    issuer: impl Into<ActingKeys>,
    grant: Option<&Pubkey>,
    args: AmendCompressedRecordArgs,
) -> Instruction {
    let acting = issuer.into();
    let patient = args.previous.record.patient;
    let ix = build(
        ID,
        acc::AmendCompressedRecord {
            issuer: acting.signer,
            issuer_entity: acting.entity_account(),
            patient_authority: patient,
            patient: pda::patient(&patient).0,
            grant: grant.copied(),
            tree: args.previous.tree,
            event_authority: event_authority(),
            program: ID,
        },
        ix::AmendCompressedRecord { args },
    );
    with_acting(ix, &acting, false)
}

/// Retracts the compressed record `args.record` proves (its issuer).
pub fn retract_compressed_record(
    issuer: impl Into<ActingKeys>,
    args: RetractCompressedRecordArgs,
) -> Instruction {
    let acting = issuer.into();
    let patient = args.record.record.patient;
    let ix = build(
        ID,
        acc::RetractCompressedRecord {
            issuer: acting.signer,
            issuer_entity: acting.entity_account(),
            tree: args.record.tree,
            book: book_accounts(&patient),
            event_authority: event_authority(),
            program: ID,
        },
        ix::RetractCompressedRecord { args },
    );
    with_acting(ix, &acting, false)
}

/// Erases the compressed record `args.record` proves (the patient or
/// guardian): its leaf becomes the empty leaf.
pub fn erase_compressed_record(authority: &Pubkey, args: EraseCompressedRecordArgs) -> Instruction {
    let patient = args.record.record.patient;
    build(
        ID,
        acc::EraseCompressedRecord {
            authority: *authority,
            patient: pda::patient(&patient).0,
            tree: args.record.tree,
            book: book_accounts(&patient),
            event_authority: event_authority(),
            program: ID,
        },
        ix::EraseCompressedRecord { args },
    )
}

/// Points the compressed record `args.record` proves at a re-encrypted
/// payload (the patient or guardian).
pub fn rekey_compressed_record(authority: &Pubkey, args: RekeyCompressedRecordArgs) -> Instruction {
    let patient = args.record.record.patient;
    build(
        ID,
        acc::RekeyCompressedRecord {
            authority: *authority,
            patient: pda::patient(&patient).0,
            tree: args.record.tree,
            event_authority: event_authority(),
            program: ID,
        },
        ix::RekeyCompressedRecord { args },
    )
}

// ----- entity staff (members) -----

pub use crate::acting::member_address;

/// The accounts of the member instructions that change an existing member.
fn member_change_accounts(admin: &ActingKeys, member: &Pubkey) -> acc::ChangeMemberStatus {
    acc::ChangeMemberStatus {
        admin: admin.signer,
        entity: admin.entity_account(),
        member: member_address(&admin.entity, member),
        event_authority: event_authority(),
        program: ID,
    }
}

/// `ix` with the admin's member-mode remaining account (its `Member`, when
/// an EntityAdmin member signs; nothing for the entity's authority).
fn with_admin(ix: Instruction, admin: &ActingKeys) -> Instruction {
    with_acting(ix, admin, false)
}

/// Adds `args.member` to the staff of `admin.entity`. `admin` is the
/// entity's authority, or an EntityAdmin member acting for it
/// ([`ActingKeys::member`]); `payer` pays the `Member` account's rent and
/// gets it back on [`close_member`].
pub fn add_member(
    payer: &Pubkey,
    admin: impl Into<ActingKeys>,
    args: AddMemberArgs,
) -> Instruction {
    let admin = admin.into();
    let ix = build(
        ID,
        acc::AddMember {
            payer: *payer,
            admin: admin.signer,
            entity: admin.entity_account(),
            member: member_address(&admin.entity, &args.member),
            system_program: system_program::ID,
            event_authority: event_authority(),
            program: ID,
        },
        ix::AddMember { args },
    );
    with_admin(ix, &admin)
}

/// Changes the roles, validity or credential commitment of `member` (its
/// key) under `admin.entity`.
pub fn update_member(
    admin: impl Into<ActingKeys>,
    member: &Pubkey,
    args: UpdateMemberArgs,
) -> Instruction {
    let admin = admin.into();
    let c = member_change_accounts(&admin, member);
    let ix = build(
        ID,
        acc::UpdateMember {
            admin: c.admin,
            entity: c.entity,
            member: c.member,
            event_authority: c.event_authority,
            program: c.program,
        },
        ix::UpdateMember { args },
    );
    with_admin(ix, &admin)
}

/// Suspends an Active member.
pub fn suspend_member(admin: impl Into<ActingKeys>, member: &Pubkey) -> Instruction {
    let admin = admin.into();
    let ix = build(
        ID,
        member_change_accounts(&admin, member),
        ix::SuspendMember {},
    );
    with_admin(ix, &admin)
}

/// Reinstates a Suspended member (the entity must be active).
pub fn reinstate_member(admin: impl Into<ActingKeys>, member: &Pubkey) -> Instruction {
    let admin = admin.into();
    let ix = build(
        ID,
        member_change_accounts(&admin, member),
        ix::ReinstateMember {},
    );
    with_admin(ix, &admin)
}

/// Revokes a member, finally: its account stays as a tombstone and the key
/// cannot be added again under this entity.
pub fn revoke_member(admin: impl Into<ActingKeys>, member: &Pubkey) -> Instruction {
    let admin = admin.into();
    let ix = build(
        ID,
        member_change_accounts(&admin, member),
        ix::RevokeMember {},
    );
    with_admin(ix, &admin)
}

/// Closes an Active or Suspended member; the rent goes back to
/// `rent_payer` (the account's `rent_payer`).
pub fn close_member(
    admin: impl Into<ActingKeys>,
    member: &Pubkey,
    rent_payer: &Pubkey,
) -> Instruction {
    let admin = admin.into();
    let c = member_change_accounts(&admin, member);
    let ix = build(
        ID,
        acc::CloseMember {
            admin: c.admin,
            entity: c.entity,
            member: c.member,
            rent_payer: *rent_payer,
            event_authority: c.event_authority,
            program: c.program,
        },
        ix::CloseMember {},
    );
    with_admin(ix, &admin)
}

#[cfg(test)]
mod member_tests {
    use {
        super::*,
        anchor_lang::{solana_program::instruction::AccountMeta, Discriminator},
    };

    fn args(member: Pubkey) -> AddMemberArgs {
        AddMemberArgs {
            member,
            roles: records::state::roles::CLINICIAN,
            valid_until: 2_000_000_000,
            credential_commitment: [5; 32],
        }
    }

    #[test]
    fn the_authority_adds_a_member_with_no_remaining_accounts() {
        let (payer, authority, clinician) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let ix = add_member(&payer, &authority, args(clinician));
        let entity = pda::entity(&authority).0;
        let member = pda::member(&entity, &clinician).0;
        let keys: Vec<Pubkey> = ix.accounts.iter().map(|m| m.pubkey).collect();
        assert_eq!(
            keys,
            vec![
                payer,
                authority,
                entity,
                member,
                system_program::ID,
                event_authority(),
                ID
            ]
        );
        assert!(ix.accounts[0].is_signer && ix.accounts[0].is_writable);
        assert!(ix.accounts[1].is_signer);
        assert!(ix.accounts[3].is_writable);
        assert!(ix.data.starts_with(ix::AddMember::DISCRIMINATOR));
        assert_eq!(member_address(&authority, &clinician), member);
    }

    #[test]
    fn an_admin_member_passes_its_member_account() {
        let (authority, admin, nurse, payer) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let acting = ActingKeys::member(admin, authority);
        let admin_member = member_address(&authority, &admin);
        let target = member_address(&authority, &nurse);
        let tail = AccountMeta::new_readonly(admin_member, false);

        let ix = add_member(&payer, acting, args(nurse));
        assert_eq!(ix.accounts.len(), 8);
        assert_eq!(ix.accounts[1].pubkey, admin);
        assert_eq!(ix.accounts[7], tail);

        let update = update_member(
            acting,
            &nurse,
            UpdateMemberArgs {
                roles: Some(records::state::roles::NURSE),
                valid_until: None,
                credential_commitment: None,
            },
        );
        let moves = [
            (update, ix::UpdateMember::DISCRIMINATOR),
            (
                suspend_member(acting, &nurse),
                ix::SuspendMember::DISCRIMINATOR,
            ),
            (
                reinstate_member(acting, &nurse),
                ix::ReinstateMember::DISCRIMINATOR,
            ),
            (
                revoke_member(acting, &nurse),
                ix::RevokeMember::DISCRIMINATOR,
            ),
        ];
        for (ix, discriminator) in moves {
            assert!(ix.data.starts_with(discriminator));
            let keys: Vec<Pubkey> = ix.accounts.iter().map(|m| m.pubkey).collect();
            assert_eq!(
                keys,
                vec![
                    admin,
                    pda::entity(&authority).0,
                    target,
                    event_authority(),
                    ID,
                    admin_member
                ]
            );
            assert!(ix.accounts[2].is_writable);
        }
        let close = close_member(acting, &nurse, &payer);
        assert!(close.data.starts_with(ix::CloseMember::DISCRIMINATOR));
        assert_eq!(close.accounts[3], AccountMeta::new(payer, false));
        assert_eq!(close.accounts[6], tail);
        // The authority: nothing after `program`.
        assert_eq!(suspend_member(&authority, &nurse).accounts.len(), 5);
    }

    #[test]
    fn a_member_acts_for_its_entity_in_the_entity_instructions() {
        let (hospital, clinician, patient) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let acting = ActingKeys::member(clinician, hospital);
        let member = AccountMeta::new_readonly(member_address(&hospital, &clinician), false);
        let entity = AccountMeta::new_readonly(pda::entity(&hospital).0, false);
        let args = IssueRecordArgs {
            record_id: [1; 16],
            commitment: [2; 32],
            content_commitment: [3; 32],
            kind: records::state::RecordKind::LabResult,
        };
        // The member signs; the entity account, care link and record are
        // the entity's; its Member account comes last.
        let by_member = issue_record(acting, &patient, args.clone());
        let by_authority = issue_record(&hospital, &patient, args);
        assert_eq!(by_member.accounts[0].pubkey, clinician);
        assert!(by_member.accounts[0].is_signer);
        assert_eq!(by_member.accounts.last(), Some(&member));
        assert_eq!(by_member.accounts.len(), by_authority.accounts.len() + 1);
        for (m, a) in by_member.accounts[1..by_authority.accounts.len()]
            .iter()
            .zip(&by_authority.accounts[1..])
        {
            assert_eq!(m, a, "only the signer differs");
        }
        assert_eq!(
            by_authority.accounts[1].pubkey,
            pda::entity(&hospital).0,
            "issuer_entity"
        );
        assert_eq!(
            by_authority.accounts[4].pubkey,
            care_link_address(&patient, &hospital)
        );
        // The emergency grant is the entity's.
        let glass = emergency_access(
            &clinician,
            acting,
            &patient,
            EmergencyAccessArgs {
                reason_code: 1,
                duration: 3_600,
            },
        );
        assert!(glass
            .accounts
            .iter()
            .any(|m| m.pubkey == emergency_grant_address(&patient, &hospital)));
        assert_eq!(glass.accounts.last(), Some(&member));
        // Cancelling a request carries the Entity too.
        let cancel = cancel_access_request(acting, &patient, &hospital, &patient, &clinician);
        let n = cancel.accounts.len();
        assert_eq!(&cancel.accounts[n - 2..], &[member.clone(), entity]);
        // A plain wallet (or the authority) logging adds nothing.
        let grant = Pubkey::new_unique();
        assert_eq!(log_access(&hospital, &grant, &patient).accounts.len(), 6);
        assert_eq!(
            log_access(acting, &grant, &patient).accounts.last(),
            Some(&member)
        );
    }
}
