//! What the independent review of `records` found (issue 11), each attack
//! tried and refused with its exact error, nothing changed: re-keys that
//! would substitute content, amend rights that outlive their grant, records
//! pushed to a patient without a care link, retractions that resurrect
//! someone else's record, revoked entities that come back, grants that reach
//! a record re-issued at the same address, requests that strand rent, and
//! grants that reach retracted or superseded versions.

use {
    crate::support::*,
    panacea_sdk::records::{self as rx, previous_version},
    panacea_tests::{assert::*, *},
    records::{
        errors::RecordsError,
        events::*,
        instructions::*,
        pda,
        state::{permissions::*, *},
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
};

fn amend_args(content: u8) -> AmendRecordArgs {
    AmendRecordArgs {
        record_id: random_id(),
        commitment: [content; 32],
        content_commitment: [content ^ 0xFF; 32],
    }
}

fn amend(
    world: &mut World,
    issuer: &Keypair,
    patient: &Pubkey,
    previous: &Pubkey,
    grant: Option<&Pubkey>,
    args: AmendRecordArgs,
) -> TxResult {
    let ix = rx::amend_record(&issuer.pubkey(), patient, previous, grant, args);
    world.send(&[ix], &[issuer])
}

use anchor_lang::prelude::Pubkey;

// ----- 1 (High): a re-key never changes what the issuer attested -----

#[test]
fn a_rekey_changes_the_ciphertext_commitment_never_the_issuers_attestation() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let args = World::issue_args(RecordKind::LabResult);
    let (id, attested) = (args.record_id, args.content_commitment);
    world
        .try_issue(&lab, &patient.pubkey(), args.clone())
        .expect("issue");
    let record = pda::record(&patient.pubkey(), &id).0;

    // The patient points the record at other ciphertext: the only fields a
    // re-key can write are the ciphertext's commitment and locator.
    let ix = rx::rekey_record(
        &patient.pubkey(),
        &patient.pubkey(),
        &record,
        RekeyRecordArgs {
            commitment: [0x66; 32],
        },
    );
    let meta = world.send(&[ix], &[&patient]).expect("rekey");
    let state: Record = world.account(&record);
    assert_eq!(state.commitment, [0x66; 32]);
    assert_eq!(state.content_commitment, attested);
    assert_eq!(
        (state.issuer, state.record_version, state.status),
        (lab.pubkey(), 1, RecordStatus::Active)
    );
    // The event carries the old and new ciphertext commitments and the
    // unchanged attestation, so the audit trail shows every re-key.
    let event = &World::events::<RecordRekeyed>(&meta)[0];
    assert_eq!(event.old_commitment, args.commitment);
    assert_eq!(event.new_commitment, [0x66; 32]);
    assert_eq!(event.content_commitment, attested);
    // (Readers check the decrypted payload against `content_commitment`:
    // the SDK test `a_patient_rekey_with_substituted_content_is_refused_by_readers`.)
}

#[test]
fn a_record_without_an_issuer_attestation_is_refused() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let mut args = World::issue_args(RecordKind::LabResult);
    args.content_commitment = [0; 32];
    let record = pda::record(&patient.pubkey(), &args.record_id).0;
    custom_error(
        world.try_issue(&lab, &patient.pubkey(), args),
        RecordsError::InvalidContentCommitment,
    );
    assert!(!world.exists(&record));
}

// ----- 2 (High): revoking an Amend grant revokes amend rights -----

#[test]
fn an_amender_whose_grant_is_revoked_cannot_amend_the_chain_again() {
    let mut world = World::new();
    let lab = world.lab();
    let editor = world.provider();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let v1 = pda::record(&patient.pubkey(), &id).0;
    // A grant over the patient's lab results, with Amend.
    let ix = world.care_link_ix(
        &patient,
        &editor.pubkey(),
        RecordKind::LabResult.bit(),
        READ | AMEND,
    );
    world.send(&[ix], &[&patient]).expect("amend grant");
    let grant = pda::grant(
        &patient.pubkey(),
        &editor.pubkey(),
        &pda::patient(&patient.pubkey()).0,
    )
    .0;

    let args = amend_args(2);
    let v2 = pda::record(&patient.pubkey(), &args.record_id).0;
    amend(
        &mut world,
        &editor,
        &patient.pubkey(),
        &v1,
        Some(&grant),
        args,
    )
    .expect("amend under grant");
    let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &grant);
    world.send(&[ix], &[&patient]).expect("revoke");

    // The editor issued v2, but that is no longer a licence to amend it.
    let before = world.snapshot(&[v2, pda::patient(&patient.pubkey()).0]);
    custom_error(
        amend(
            &mut world,
            &editor,
            &patient.pubkey(),
            &v2,
            Some(&grant),
            amend_args(3),
        ),
        RecordsError::GrantRevoked,
    );
    custom_error(
        amend(
            &mut world,
            &editor,
            &patient.pubkey(),
            &v2,
            None,
            amend_args(3),
        ),
        RecordsError::AmendNotPermitted,
    );
    world.assert_unchanged(&before);

    // The chain's original issuer keeps its right to correct it.
    let args = amend_args(4);
    let v3 = pda::record(&patient.pubkey(), &args.record_id).0;
    amend(&mut world, &lab, &patient.pubkey(), &v2, None, args).expect("original issuer amends");
    let v3: Record = world.account(&v3);
    assert_eq!((v3.record_version, v3.original_issuer), (3, lab.pubkey()));
}

#[test]
fn an_amend_grant_that_expired_is_no_licence_either() {
    let mut world = World::new();
    let lab = world.lab();
    let editor = world.provider();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let v1 = pda::record(&patient.pubkey(), &id).0;
    let grant = world.grant_record(&patient, &editor.pubkey(), &v1, AMEND, DAY);
    let args = amend_args(2);
    let v2 = pda::record(&patient.pubkey(), &args.record_id).0;
    amend(
        &mut world,
        &editor,
        &patient.pubkey(),
        &v1,
        Some(&grant),
        args,
    )
    .expect("amend");
    world.warp(2 * DAY);
    let before = world.snapshot(&[v2]);
    custom_error(
        amend(
            &mut world,
            &editor,
            &patient.pubkey(),
            &v2,
            None,
            amend_args(3),
        ),
        RecordsError::AmendNotPermitted,
    );
    world.assert_unchanged(&before);
}

// ----- 6 (Medium): no records pushed to a patient without a care link -----

#[test]
fn nobody_issues_to_a_patient_who_has_not_authorized_them() {
    let mut world = World::new();
    let lab = world.lab();
    // A patient registered outside the fixture's bookkeeping: no care link.
    let patient = Keypair::new();
    let ix = rx::register_patient(
        &world.payer.pubkey(),
        &patient.pubkey(),
        None,
        RegisterPatientArgs {
            encryption_key: [3; 32],
            guardian_encryption_key: [0; 32],
        },
    );
    world.send(&[ix], &[&patient]).expect("register");
    let patient_account = pda::patient(&patient.pubkey()).0;
    let issue = |world: &mut World, kind| {
        let args = World::issue_args(kind);
        let ix = rx::issue_record(&lab.pubkey(), &patient.pubkey(), args);
        world.send(&[ix], &[&lab])
    };
    let watched = [
        patient_account,
        lab.pubkey(),
        book_account(&patient.pubkey()),
        book_mint(),
    ];
    let before = world.snapshot(&watched);
    custom_error(
        issue(&mut world, RecordKind::LabResult),
        RecordsError::IssueNotPermitted,
    );
    world.assert_unchanged(&before);

    // A link for lab results only: lab results go through, conditions not.
    let ix = world.care_link_ix(&patient, &lab.pubkey(), RecordKind::LabResult.bit(), ISSUE);
    world.send(&[ix], &[&patient]).expect("care link");
    issue(&mut world, RecordKind::LabResult).expect("issue under the link");
    assert_eq!(world.book_balance(&patient.pubkey()), 1);
    let before = world.snapshot(&watched);
    custom_error(
        issue(&mut world, RecordKind::Condition),
        RecordsError::IssueNotPermitted,
    );
    world.assert_unchanged(&before);

    // Revoked: nothing more.
    let link = rx::care_link_address(&patient.pubkey(), &lab.pubkey());
    let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &link);
    world.send(&[ix], &[&patient]).expect("revoke link");
    let before = world.snapshot(&watched);
    custom_error(
        issue(&mut world, RecordKind::LabResult),
        RecordsError::IssueNotPermitted,
    );
    world.assert_unchanged(&before);
    assert_eq!(world.book_balance(&patient.pubkey()), 1);
}

#[test]
fn a_care_link_expires_and_a_read_grant_is_no_care_link() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    // A grant over every record, Read and Amend but not Issue.
    let ix = world.care_link_ix(&patient, &lab.pubkey(), kinds::ALL, READ | AMEND);
    world.send(&[ix], &[&patient]).expect("read grant");
    let args = World::issue_args(RecordKind::LabResult);
    custom_error(
        world.try_issue(&lab, &patient.pubkey(), args),
        RecordsError::IssueNotPermitted,
    );

    let other = world.patient();
    world.authorize_issuer(&other, &lab.pubkey());
    world.warp(366 * DAY);
    // The lab's credential expired too; renew it to isolate the link.
    let ix = rx::renew_entity(
        &world.admin.pubkey(),
        &lab.pubkey(),
        RenewEntityArgs {
            valid_until: world.now() + 365 * DAY,
            credential_commitment: [7; 32],
        },
    );
    let admin = world.admin.insecure_clone();
    world.send(&[ix], &[&admin]).expect("renew");
    custom_error(
        world.try_issue(
            &lab,
            &other.pubkey(),
            World::issue_args(RecordKind::LabResult),
        ),
        RecordsError::IssueNotPermitted,
    );
}

#[test]
fn issue_permission_is_given_over_the_patients_records_only() {
    let mut world = World::new();
    let lab = world.lab();
    let specialist = world.provider();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let record = pda::record(&patient.pubkey(), &id).0;
    let ix = rx::grant_access(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &record,
        GrantAccessArgs {
            grantee: specialist.pubkey(),
            scope: GrantScope::Record,
            kinds: 0,
            permissions: READ | ISSUE,
            purpose: Purpose::Treatment,
            duration: DAY,
            wrapped_key: vec![],
            leaf: None,
        },
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::IssueNeedsPatientScope,
    );
    assert!(!world.exists(&pda::grant(&patient.pubkey(), &specialist.pubkey(), &record).0));
}

#[test]
fn a_provider_asks_to_become_the_care_link_and_the_patient_approves() {
    let mut world = World::new();
    let clinic = world.provider();
    let patient = world.patient();
    let target = pda::patient(&patient.pubkey()).0;
    let ix = rx::request_access(
        &world.payer.pubkey(),
        &clinic.pubkey(),
        &patient.pubkey(),
        &target,
        RequestAccessArgs {
            scope: GrantScope::Patient,
            kinds: RecordKind::Encounter.bit() | RecordKind::Condition.bit(),
            permissions: READ | ISSUE,
            purpose: Purpose::Treatment,
            duration: 180 * DAY,
            reason_code: 1,
            leaf: None,
        },
    );
    world.send(&[ix], &[&clinic]).expect("request");
    let ix = rx::approve_access_request(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &clinic.pubkey(),
        &target,
        &world.payer.pubkey(),
        ApproveAccessRequestArgs {
            wrapped_key: vec![],
            leaf: None,
        },
    );
    world.send(&[ix], &[&patient]).expect("approve");
    let args = World::issue_args(RecordKind::Encounter);
    let ix = rx::issue_record(&clinic.pubkey(), &patient.pubkey(), args);
    world
        .send(&[ix], &[&clinic])
        .expect("issue under the approved link");
    assert_eq!(world.book_balance(&patient.pubkey()), 1);
}

// ----- 7 and 19 (Low): a retraction restores only the version it replaced -----

/// A chain v1 -> v2 by the lab, v1 erased by the patient, and a record of
/// the pharmacy issued at v1's address since.
struct Reissued {
    world: World,
    lab: Keypair,
    pharmacy: Keypair,
    patient: Keypair,
    v1_args: IssueRecordArgs,
    v1: Pubkey,
    v2_id: [u8; 16],
}

fn reissued_at_the_superseded_address() -> Reissued {
    let mut world = World::new();
    let lab = world.lab();
    let pharmacy = world.entity(EntityKind::Pharmacy);
    let patient = world.patient();
    let v1_args = World::issue_args(RecordKind::Medication);
    world
        .try_issue(&lab, &patient.pubkey(), v1_args.clone())
        .expect("v1");
    let v1 = pda::record(&patient.pubkey(), &v1_args.record_id).0;
    let args = amend_args(2);
    let v2_id = args.record_id;
    amend(&mut world, &lab, &patient.pubkey(), &v1, None, args).expect("v2");
    let ix = rx::erase_record(
        &patient.pubkey(),
        &patient.pubkey(),
        &v1_args.record_id,
        &lab.pubkey(),
    );
    world.send(&[ix], &[&patient]).expect("erase v1");
    let mut again = v1_args.clone();
    again.commitment = [0x77; 32];
    world
        .try_issue(&pharmacy, &patient.pubkey(), again)
        .expect("pharmacy issues at v1's address");
    Reissued {
        world,
        lab,
        pharmacy,
        patient,
        v1_args,
        v1,
        v2_id,
    }
}

#[test]
fn retracting_an_amendment_does_not_resurrect_a_retracted_record_at_the_old_address() {
    let Reissued {
        mut world,
        lab,
        pharmacy,
        patient,
        v1_args,
        v1,
        v2_id,
    } = reissued_at_the_superseded_address();
    let ix = rx::retract_record(
        &pharmacy.pubkey(),
        &patient.pubkey(),
        &v1_args.record_id,
        None,
    );
    world
        .send(&[ix], &[&pharmacy])
        .expect("pharmacy retracts its record");

    let before = world.snapshot(&[v1]);
    assert_eq!(
        world.book_balance(&patient.pubkey()),
        1,
        "v2 alone is Active"
    );
    let ix = rx::retract_record(&lab.pubkey(), &patient.pubkey(), &v2_id, Some(&v1));
    let meta = world.send(&[ix], &[&lab]).expect("lab retracts v2");
    // Nothing restored: the book lost v2.
    assert_eq!(World::events::<RecordRetracted>(&meta)[0].restored, None);
    assert_eq!(world.book_balance(&patient.pubkey()), 0);
    assert_eq!(book_supply(&world), 0);
    // The pharmacy's record is not the version v2 replaced: untouched, still
    // Retracted.
    world.assert_unchanged(&before);
    let at_v1: Record = world.account(&v1);
    assert_eq!(at_v1.status, RecordStatus::Retracted);
    let v2: Record = world.account(&pda::record(&patient.pubkey(), &v2_id).0);
    assert_eq!(v2.status, RecordStatus::Retracted);
}

#[test]
fn retracting_an_amendment_never_leaves_two_active_versions_of_a_chain() {
    let Reissued {
        mut world,
        lab,
        pharmacy,
        patient,
        v1,
        v2_id,
        ..
    } = reissued_at_the_superseded_address();
    // The pharmacy amends its own record: it is Superseded by p2.
    let args = amend_args(5);
    let p2 = pda::record(&patient.pubkey(), &args.record_id).0;
    amend(&mut world, &pharmacy, &patient.pubkey(), &v1, None, args).expect("p2");

    let before = world.snapshot(&[v1, p2]);
    assert_eq!(world.book_balance(&patient.pubkey()), 2, "v2 and p2");
    let ix = rx::retract_record(&lab.pubkey(), &patient.pubkey(), &v2_id, Some(&v1));
    let meta = world.send(&[ix], &[&lab]).expect("lab retracts v2");
    world.assert_unchanged(&before);
    assert_eq!(World::events::<RecordRetracted>(&meta)[0].restored, None);
    let at_v1: Record = world.account(&v1);
    let p2: Record = world.account(&p2);
    assert_eq!(
        (at_v1.status, at_v1.superseded_by),
        (RecordStatus::Superseded, p2.serial)
    );
    assert_eq!(world.book_balance(&patient.pubkey()), 1, "p2 alone");
    assert_eq!(book_supply(&world), 1);
}

// ----- 8 (Low): revocation is final, and stays so -----

#[test]
fn a_revoked_entity_stays_as_a_tombstone_and_cannot_come_back() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let record = pda::record(&patient.pubkey(), &id).0;
    let grant = world.grant_record(&patient, &lab.pubkey(), &record, READ, DAY);
    world.set_status(&lab.pubkey(), EntityStatus::Revoked);
    let entity = pda::entity(&lab.pubkey()).0;
    let before = world.snapshot(&[entity, grant]);

    // Registering the same authority again is refused: its account is the
    // tombstone (there is no instruction that closes it).
    let args = world.entity_args(EntityKind::Laboratory);
    let ix = rx::register_entity(
        &world.payer.pubkey(),
        &world.admin.pubkey(),
        &lab.pubkey(),
        args,
    );
    let admin = world.admin.insecure_clone();
    // The system program refuses to create an account that exists
    // (SystemError::AccountAlreadyInUse).
    custom_error(world.send(&[ix], &[&admin, &lab]), 0u32);
    // Its grants stay dead: it is an entity that is not active, not a wallet.
    let ix = rx::log_access(&lab.pubkey(), &grant, &record);
    custom_error(world.send(&[ix], &[&lab]), RecordsError::EntityNotActive);
    world.assert_unchanged(&before);
    let tombstone: Entity = world.account(&entity);
    assert_eq!(tombstone.status, EntityStatus::Revoked);
}

// ----- 9 (Low): a grant reaches only the record it was given for -----

#[test]
fn a_grant_does_not_reach_a_record_re_issued_at_the_same_address_in_the_same_second() {
    let mut world = World::new();
    let lab = world.lab();
    let specialist = world.provider();
    let patient = world.patient();
    let args = World::issue_args(RecordKind::LabResult);
    world
        .try_issue(&lab, &patient.pubkey(), args.clone())
        .expect("issue");
    let record = pda::record(&patient.pubkey(), &args.record_id).0;
    let grant = world.grant_record(&patient, &specialist.pubkey(), &record, READ, DAY);
    let ix = rx::erase_record(
        &patient.pubkey(),
        &patient.pubkey(),
        &args.record_id,
        &lab.pubkey(),
    );
    world.send(&[ix], &[&patient]).expect("erase");
    // Same address, same second (no warp).
    world
        .try_issue(&lab, &patient.pubkey(), args)
        .expect("re-issue");
    let state: Record = world.account(&record);
    let granted: Grant = world.account(&grant);
    assert_eq!(state.issued_at, granted.granted_at);
    assert_ne!(state.serial, granted.target_serial);

    let before = world.snapshot(&[grant]);
    let ix = rx::log_access(&specialist.pubkey(), &grant, &record);
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::GrantDoesNotCoverRecord,
    );
    world.assert_unchanged(&before);
}

#[test]
fn a_request_for_a_record_replaced_since_is_not_approved() {
    let mut world = World::new();
    let lab = world.lab();
    let specialist = world.provider();
    let patient = world.patient();
    let args = World::issue_args(RecordKind::LabResult);
    world
        .try_issue(&lab, &patient.pubkey(), args.clone())
        .expect("issue");
    let record = pda::record(&patient.pubkey(), &args.record_id).0;
    let ix = rx::request_access(
        &world.payer.pubkey(),
        &specialist.pubkey(),
        &patient.pubkey(),
        &record,
        RequestAccessArgs {
            scope: GrantScope::Record,
            kinds: 0,
            permissions: READ,
            purpose: Purpose::Treatment,
            duration: DAY,
            reason_code: 1,
            leaf: None,
        },
    );
    world.send(&[ix], &[&specialist]).expect("request");
    let ix = rx::erase_record(
        &patient.pubkey(),
        &patient.pubkey(),
        &args.record_id,
        &lab.pubkey(),
    );
    world.send(&[ix], &[&patient]).expect("erase");
    world
        .try_issue(&lab, &patient.pubkey(), args)
        .expect("re-issue");
    let request = pda::access_request(&patient.pubkey(), &specialist.pubkey(), &record).0;
    let before = world.snapshot(&[request]);
    let ix = rx::approve_access_request(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &specialist.pubkey(),
        &record,
        &world.payer.pubkey(),
        ApproveAccessRequestArgs {
            wrapped_key: vec![],
            leaf: None,
        },
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::RequestTargetChanged,
    );
    world.assert_unchanged(&before);
}

// ----- 12 (Low): no access request strands its rent -----

fn request(world: &mut World, requester: &Keypair, patient: &Pubkey) -> Pubkey {
    let target = pda::patient(patient).0;
    let ix = rx::request_access(
        &world.payer.pubkey(),
        &requester.pubkey(),
        patient,
        &target,
        RequestAccessArgs {
            scope: GrantScope::Patient,
            kinds: kinds::ALL,
            permissions: READ,
            purpose: Purpose::Treatment,
            duration: DAY,
            reason_code: 2,
            leaf: None,
        },
    );
    world.send(&[ix], &[requester]).expect("request");
    pda::access_request(patient, &requester.pubkey(), &target).0
}

#[test]
fn the_requester_cancels_and_gets_the_rent_back_to_the_lamport() {
    let mut world = World::new();
    let specialist = world.provider();
    let patient = world.patient();
    let target = pda::patient(&patient.pubkey()).0;
    let address = request(&mut world, &specialist, &patient.pubkey());
    let stranger = world.wallet();
    let payer = world.payer.pubkey();

    // Before it expires, only the requester may withdraw it.
    let before = world.snapshot(&[address, payer]);
    let ix = rx::cancel_access_request(
        &stranger.pubkey(),
        &patient.pubkey(),
        &specialist.pubkey(),
        &target,
        &payer,
    );
    // The stranger pays the fee here, so the payer's balance is unchanged.
    let tx = world.send_paid_by(&stranger, &[ix], &[]);
    custom_error(tx, RecordsError::AccessRequestNotExpired);
    world.assert_unchanged(&before);

    let rent = world.lamports(&address);
    let ix = rx::cancel_access_request(
        &specialist.pubkey(),
        &patient.pubkey(),
        &specialist.pubkey(),
        &target,
        &payer,
    );
    let balance = world.lamports(&payer);
    let meta = world.send(&[ix], &[&specialist]).expect("cancel");
    assert!(!world.exists(&address));
    assert_eq!(world.lamports(&payer), balance + rent - meta.fee);
    let event = &World::events::<AccessRequestCancelled>(&meta)[0];
    assert_eq!((event.actor, event.expired), (specialist.pubkey(), false));
}

#[test]
fn an_unanswered_request_expires_and_anyone_cleans_it_up() {
    let mut world = World::new();
    let specialist = world.provider();
    let patient = world.patient();
    let target = pda::patient(&patient.pubkey()).0;
    let address = request(&mut world, &specialist, &patient.pubkey());
    world.warp(records::constants::ACCESS_REQUEST_TTL);

    // Too late to approve.
    let before = world.snapshot(&[address]);
    let ix = rx::approve_access_request(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &specialist.pubkey(),
        &target,
        &world.payer.pubkey(),
        ApproveAccessRequestArgs {
            wrapped_key: vec![],
            leaf: None,
        },
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::AccessRequestExpired,
    );
    world.assert_unchanged(&before);

    // Anyone closes it; the rent goes to who paid for it, not to the closer.
    let stranger = world.wallet();
    let payer = world.payer.pubkey();
    let rent = world.lamports(&address);
    let balance = world.lamports(&payer);
    let ix = rx::cancel_access_request(
        &stranger.pubkey(),
        &patient.pubkey(),
        &specialist.pubkey(),
        &target,
        &stranger.pubkey(),
    );
    custom_error(
        world.send_paid_by(&stranger, &[ix], &[]),
        RecordsError::RentPayerMismatch,
    );
    let ix = rx::cancel_access_request(
        &stranger.pubkey(),
        &patient.pubkey(),
        &specialist.pubkey(),
        &target,
        &payer,
    );
    let meta = world.send_paid_by(&stranger, &[ix], &[]).expect("clean up");
    assert!(!world.exists(&address));
    assert_eq!(world.lamports(&payer), balance + rent);
    assert!(World::events::<AccessRequestCancelled>(&meta)[0].expired);
}

// ----- 15 (Low): grants reach only Active records -----

#[test]
fn grants_do_not_reach_retracted_or_superseded_versions() {
    let mut world = World::new();
    let lab = world.lab();
    let specialist = world.provider();
    let patient = world.patient();
    let ix = world.care_link_ix(&patient, &specialist.pubkey(), kinds::ALL, READ);
    world.send(&[ix], &[&patient]).expect("patient-wide read");
    let wide = pda::grant(
        &patient.pubkey(),
        &specialist.pubkey(),
        &pda::patient(&patient.pubkey()).0,
    )
    .0;

    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let v1 = pda::record(&patient.pubkey(), &id).0;
    let one = world.grant_record(&patient, &specialist.pubkey(), &v1, READ, DAY);
    let args = amend_args(2);
    let v2_id = args.record_id;
    amend(&mut world, &lab, &patient.pubkey(), &v1, None, args).expect("v2");

    // v1 is Superseded: neither grant reaches it.
    for grant in [wide, one] {
        let ix = rx::log_access(&specialist.pubkey(), &grant, &v1);
        custom_error(
            world.send(&[ix], &[&specialist]),
            RecordsError::GrantDoesNotCoverRecord,
        );
    }
    // A new grant on a superseded version is refused.
    let other = world.provider();
    let ix = rx::grant_access(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &v1,
        GrantAccessArgs {
            grantee: other.pubkey(),
            scope: GrantScope::Record,
            kinds: 0,
            permissions: READ,
            purpose: Purpose::Treatment,
            duration: DAY,
            wrapped_key: vec![],
            leaf: None,
        },
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::RecordNotActive,
    );

    // v2 Retracted: the patient-wide grant no longer reaches it.
    let v2 = pda::record(&patient.pubkey(), &v2_id).0;
    let ix = rx::log_access(&specialist.pubkey(), &wide, &v2);
    world
        .send(&[ix], &[&specialist])
        .expect("reads v2 while active");
    let ix = rx::retract_record(&lab.pubkey(), &patient.pubkey(), &v2_id, Some(&v1));
    world.send(&[ix], &[&lab]).expect("retract v2");
    // Retracting v2 restored v1 (its very predecessor): readable again.
    let ix = rx::log_access(&specialist.pubkey(), &wide, &v2);
    let before = world.snapshot(&[wide]);
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::GrantDoesNotCoverRecord,
    );
    world.assert_unchanged(&before);
    let ix = rx::log_access(&specialist.pubkey(), &wide, &v1);
    world
        .send(&[ix], &[&specialist])
        .expect("v1 is current again");
}

// ----- 19: at most one Active version per chain, whatever the sequence -----

/// xorshift64*: a small seeded generator, so a failing sequence replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Issue (half the time at a used address), amend, retract (passing the
/// previous version as the SDK derives it) and erase at random, by two
/// issuers for two patients. After every step: each chain has at most one
/// Active version; each patient's book balance is their number of Active
/// records and the book's supply the number of Active records of both; no
/// two Active records of a patient share an origin serial.
#[test]
fn random_amend_retract_erase_sequences_keep_at_most_one_active_version_per_chain() {
    let seed = std::env::var("PANACEA_CHAIN_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_C4A1_u64);
    let mut rng = Rng(seed);
    let mut world = World::new();
    let issuers = [world.lab(), world.provider()];
    let patients = [world.patient(), world.patient()];
    // Per patient: every record id ever used (re-issues land on old
    // addresses), and the chain of every record by its serial: a new chain
    // per issue, the previous version's chain per amendment.
    let mut ids: [Vec<[u8; 16]>; 2] = [Vec::new(), Vec::new()];
    let mut chain_of = std::collections::HashMap::<(usize, u64), usize>::new();
    let mut chains = 0;
    let (mut burns, mut restores) = (0, 0);
    for step in 0..200 {
        let who = rng.below(patients.len());
        let patient = &patients[who];
        let p = patient.pubkey();
        let issuer = &issuers[rng.below(issuers.len())];
        let choice = rng.below(5);
        if choice != 0 && ids[who].is_empty() {
            continue;
        }
        let id = if ids[who].is_empty() {
            [0; 16]
        } else {
            ids[who][rng.below(ids[who].len())]
        };
        let supply_before = book_supply(&world);
        match choice {
            // Issue, half the time at a used address.
            0 => {
                let mut args = World::issue_args(RecordKind::LabResult);
                if !ids[who].is_empty() && rng.below(2) == 0 {
                    args.record_id = id;
                }
                let new_id = args.record_id;
                if world.try_issue(issuer, &p, args).is_ok() {
                    let record = record_at(&world, &p, &new_id).expect("issued");
                    chain_of.insert((who, record.serial), chains);
                    chains += 1;
                    ids[who].push(new_id);
                    assert_eq!(book_supply(&world), supply_before + 1, "issue mints one");
                }
            }
            1 => {
                let args = amend_args(step as u8);
                let new_id = args.record_id;
                let previous = pda::record(&p, &id).0;
                if amend(&mut world, issuer, &p, &previous, None, args).is_ok() {
                    let old = record_at(&world, &p, &id).expect("previous");
                    let new = record_at(&world, &p, &new_id).expect("amendment");
                    chain_of.insert((who, new.serial), chain_of[&(who, old.serial)]);
                    ids[who].push(new_id);
                    assert_eq!(new.origin, old.origin, "an amendment keeps the origin");
                    assert_eq!(book_supply(&world), supply_before, "amend is net zero");
                }
            }
            2 => {
                let previous = record_at(&world, &p, &id).and_then(|r| previous_version(&r));
                let ix = rx::retract_record(&issuer.pubkey(), &p, &id, previous.as_ref());
                // Refusals are expected (not the issuer, not Active).
                if let Ok(meta) = world.send(&[ix], &[issuer]) {
                    let restored = World::events::<RecordRetracted>(&meta)[0].restored;
                    let expected = supply_before - u64::from(restored.is_none());
                    assert_eq!(
                        book_supply(&world),
                        expected,
                        "retract burns unless it restores"
                    );
                    if restored.is_some() {
                        restores += 1;
                    } else {
                        burns += 1;
                    }
                }
            }
            3 => {
                let issuer = record_at(&world, &p, &id)
                    .map(|r| r.issuer)
                    .unwrap_or(world.payer.pubkey());
                let ix = rx::erase_record(&p, &p, &id, &issuer);
                if let Ok(meta) = world.send(&[ix], &[patient]) {
                    let was_active = World::events::<RecordErased>(&meta)[0].was_active;
                    let expected = supply_before - u64::from(was_active);
                    assert_eq!(
                        book_supply(&world),
                        expected,
                        "erase burns an Active record"
                    );
                    if was_active {
                        burns += 1;
                    }
                }
            }
            _ => world.warp(1),
        }
        let mut total_active = 0;
        for (who, patient) in patients.iter().enumerate() {
            let p = patient.pubkey();
            let mut active = std::collections::HashMap::<usize, usize>::new();
            let mut origins = std::collections::HashSet::<u64>::new();
            let unique: std::collections::BTreeSet<[u8; 16]> = ids[who].iter().copied().collect();
            for id in &unique {
                let Some(record) = record_at(&world, &p, id) else {
                    continue;
                };
                if record.status != RecordStatus::Active {
                    continue;
                }
                *active.entry(chain_of[&(who, record.serial)]).or_default() += 1;
                assert!(
                    origins.insert(record.origin),
                    "seed {seed:#x}, step {step}: two Active records of patient {who} \
                     share the origin {}",
                    record.origin
                );
            }
            for (chain, count) in &active {
                assert!(
                    *count <= 1,
                    "seed {seed:#x}, step {step}: chain {chain} has {count} Active versions"
                );
            }
            let count = active_records(&world, &p, &ids[who]);
            assert_eq!(
                world.book_balance(&p),
                count,
                "seed {seed:#x}, step {step}: patient {who}'s book is not their Active records"
            );
            total_active += count;
        }
        assert_eq!(
            book_supply(&world),
            total_active,
            "seed {seed:#x}, step {step}: the book's supply is not the Active records"
        );
    }
    println!("seed {seed:#x}: {chains} chains, {burns} burns, {restores} restores");
    assert!(
        chains > 5 && burns > 3 && restores > 0,
        "the sequence should start several chains, burn and restore: \
         {chains} chains, {burns} burns, {restores} restores"
    );
}
