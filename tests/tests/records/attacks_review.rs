//! A security review of the fix for issue 11, told as attacks on what it
//! added: the care link that `issue_record` loads from an unchecked account,
//! record serials, the amend and retract rules, `cancel_access_request`,
//! approvals of changed targets, re-keys and tombstones. Each attack that is
//! refused is a regression test: the exact error, and nothing changed. The
//! three attacks the review found to succeed (serials repeated by a close
//! and re-registration in the registration slot, grants outliving
//! `close_patient`, origins shared after an erasure) are fixed (issue 12):
//! their tests now assert the fix. The last test is a seeded random sequence
//! over the serial and grant rules.

use {
    crate::support::*,
    anchor_lang::{error::ErrorCode as Anchor, prelude::Pubkey, AccountSerialize},
    panacea_sdk::records::{self as rx, previous_version},
    panacea_tests::{assert::*, *},
    records::{
        constants::ACCESS_REQUEST_TTL,
        errors::RecordsError,
        instructions::*,
        pda,
        state::{permissions::*, *},
    },
    solana_instruction::Instruction,
    solana_keypair::Keypair,
    solana_signer::Signer,
    std::collections::{BTreeMap, BTreeSet, HashMap, HashSet},
};

// ----- helpers -----

/// A patient registered outside the fixture's bookkeeping: nobody has a care
/// link to them unless the story creates it.
fn bare_patient(world: &mut World) -> Keypair {
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
    world.send(&[ix], &[&patient]).expect("register patient");
    patient
}

/// `patient` grants `grantee` `perms` over their records of `kinds` for a
/// year; returns the grant (the care link when `perms` has Issue).
fn link(world: &mut World, patient: &Keypair, grantee: &Pubkey, kinds: u16, perms: u8) -> Pubkey {
    let ix = world.care_link_ix(patient, grantee, kinds, perms);
    world.send(&[ix], &[patient]).expect("patient-wide grant");
    rx::care_link_address(&patient.pubkey(), grantee)
}

fn issue_ix(
    _world: &World,
    issuer: &Keypair,
    patient: &Pubkey,
    args: IssueRecordArgs,
) -> Instruction {
    rx::issue_record(&issuer.pubkey(), patient, args)
}

/// `ix` with the account `old` replaced by `new`.
fn substitute(mut ix: Instruction, old: &Pubkey, new: &Pubkey) -> Instruction {
    let mut found = false;
    for meta in &mut ix.accounts {
        if meta.pubkey == *old {
            meta.pubkey = *new;
            found = true;
        }
    }
    assert!(found, "{old} is not an account of the instruction");
    ix
}

/// `ix` with `key` no longer marked as a signer.
fn unsigned(mut ix: Instruction, key: &Pubkey) -> Instruction {
    for meta in &mut ix.accounts {
        if meta.pubkey == *key {
            meta.is_signer = false;
        }
    }
    ix
}

/// Never all zeroes, whatever `content`.
fn amend_args(content: u8) -> AmendRecordArgs {
    AmendRecordArgs {
        record_id: random_id(),
        commitment: [0xA0 | (content & 0x0F); 32],
        content_commitment: [0xB0 | (content & 0x0F); 32],
    }
}

/// `issuer` amends `previous` (of `patient`); returns the new record's
/// address with the outcome.
fn amend(
    world: &mut World,
    issuer: &Keypair,
    patient: &Pubkey,
    previous: &Pubkey,
    grant: Option<&Pubkey>,
) -> (Pubkey, TxResult) {
    let args = amend_args(7);
    let new = pda::record(patient, &args.record_id).0;
    let ix = rx::amend_record(&issuer.pubkey(), patient, previous, grant, args);
    (new, world.send(&[ix], &[issuer]))
}

fn retract(world: &mut World, issuer: &Keypair, patient: &Pubkey, record: &Pubkey) -> Instruction {
    let state: Record = world.account(record);
    rx::retract_record(
        &issuer.pubkey(),
        patient,
        &state.record_id,
        previous_version(&state).as_ref(),
    )
}

fn erase(world: &mut World, patient: &Keypair, id: &[u8; 16]) {
    let issuer = world
        .account::<Record>(&pda::record(&patient.pubkey(), id).0)
        .issuer;
    let ix = rx::erase_record(&patient.pubkey(), &patient.pubkey(), id, &issuer);
    world.send(&[ix], &[patient]).expect("erase");
}

/// The patient closes their profile (no record of theirs Active, in a later
/// slot than their registration) and registers again with the same wallet.
fn close_and_register_again(world: &mut World, patient: &Keypair) {
    let ix = rx::close_patient(&patient.pubkey(), &world.payer.pubkey());
    world.send(&[ix], &[patient]).expect("close patient");
    let ix = rx::register_patient(
        &world.payer.pubkey(),
        &patient.pubkey(),
        None,
        RegisterPatientArgs {
            encryption_key: [4; 32],
            guardian_encryption_key: [0; 32],
        },
    );
    world.send(&[ix], &[patient]).expect("register again");
}

/// After a re-registration, the care links of the old registration are dead
/// but still occupy their addresses (the fixture only creates a missing
/// link): the patient revokes and closes each, and links `issuers` again.
fn renew_care_links(world: &mut World, patient: &Keypair, issuers: &[&Pubkey]) {
    let p = patient.pubkey();
    for issuer in issuers {
        let link = rx::care_link_address(&p, issuer);
        if let Some(state) = world.raw(&link).map(|_| world.account::<Grant>(&link)) {
            if !state.is_revoked() {
                let ix = rx::revoke_access(&p, &p, &link);
                world.send(&[ix], &[patient]).expect("revoke old link");
            }
            let ix = rx::close_grant(&p, &p, &link, &state.rent_payer);
            world.send(&[ix], &[patient]).expect("close old link");
        }
        world.authorize_issuer(patient, issuer);
    }
}

fn record_ask(permissions: u8) -> RequestAccessArgs {
    RequestAccessArgs {
        scope: GrantScope::Record,
        kinds: 0,
        permissions,
        purpose: Purpose::Treatment,
        duration: DAY,
        reason_code: 4,
        leaf: None,
    }
}

fn patient_ask() -> RequestAccessArgs {
    RequestAccessArgs {
        scope: GrantScope::Patient,
        kinds: kinds::ALL,
        permissions: READ,
        purpose: Purpose::Treatment,
        duration: DAY,
        reason_code: 4,
        leaf: None,
    }
}

fn request(
    world: &mut World,
    requester: &Keypair,
    patient: &Pubkey,
    target: &Pubkey,
    ask: RequestAccessArgs,
) -> TxResult {
    let ix = rx::request_access(
        &world.payer.pubkey(),
        &requester.pubkey(),
        patient,
        target,
        ask,
    );
    world.send(&[ix], &[requester])
}

fn approve_ix(
    world: &World,
    patient: &Keypair,
    requester: &Pubkey,
    target: &Pubkey,
) -> Instruction {
    rx::approve_access_request(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        requester,
        target,
        &world.payer.pubkey(),
        ApproveAccessRequestArgs {
            wrapped_key: vec![],
            leaf: None,
        },
    )
}

fn read(world: &mut World, grantee: &Keypair, grant: &Pubkey, record: &Pubkey) -> TxResult {
    let ix = rx::log_access(&grantee.pubkey(), grant, record);
    world.send(&[ix], &[grantee])
}

fn renew(world: &mut World, entity: &Pubkey, valid_until: i64) {
    let ix = rx::renew_entity(
        &world.admin.pubkey(),
        entity,
        RenewEntityArgs {
            valid_until,
            credential_commitment: [7; 32],
        },
    );
    let admin = world.admin.insecure_clone();
    world.send(&[ix], &[&admin]).expect("renew");
}

// ----- the care link: PDA substitution, cosplay, owner, signer -----

#[test]
fn a_care_link_of_another_patient_or_another_issuer_is_refused() {
    let mut world = World::new();
    let lab = world.lab();
    let rival = world.lab();
    let alice = bare_patient(&mut world);
    let bob = bare_patient(&mut world);
    let bobs_link = link(&mut world, &bob, &lab.pubkey(), kinds::ALL, ISSUE);
    let alices_link = link(&mut world, &alice, &lab.pubkey(), kinds::ALL, ISSUE);
    let args = World::issue_args(RecordKind::LabResult);
    let record = pda::record(&alice.pubkey(), &args.record_id).0;
    let before = world.snapshot(&[
        pda::patient(&alice.pubkey()).0,
        pda::patient(&bob.pubkey()).0,
        record,
        book_account(&alice.pubkey()),
        book_account(&bob.pubkey()),
        book_mint(),
        bobs_link,
        alices_link,
        lab.pubkey(),
        rival.pubkey(),
    ]);

    // The lab issues to Alice with Bob's link.
    let ix = substitute(
        issue_ix(&world, &lab, &alice.pubkey(), args.clone()),
        &alices_link,
        &bobs_link,
    );
    custom_error(world.send(&[ix], &[&lab]), Anchor::ConstraintSeeds);
    // A rival lab issues to Alice with the lab's link.
    let ix = substitute(
        issue_ix(&world, &rival, &alice.pubkey(), args.clone()),
        &rx::care_link_address(&alice.pubkey(), &rival.pubkey()),
        &alices_link,
    );
    custom_error(world.send(&[ix], &[&rival]), Anchor::ConstraintSeeds);
    // The rival at its own (empty) link address.
    let ix = issue_ix(&world, &rival, &alice.pubkey(), args.clone());
    custom_error(
        world.send(&[ix], &[&rival]),
        RecordsError::IssueNotPermitted,
    );
    // Bob's profile passed as Alice's, so that Bob's link would derive.
    let ix = substitute(
        issue_ix(&world, &lab, &alice.pubkey(), args.clone()),
        &pda::patient(&alice.pubkey()).0,
        &pda::patient(&bob.pubkey()).0,
    );
    custom_error(world.send(&[ix], &[&lab]), Anchor::ConstraintSeeds);
    world.assert_unchanged(&before);

    // Control: the lab under Alice's own link.
    let ix = issue_ix(&world, &lab, &alice.pubkey(), args);
    world
        .send(&[ix], &[&lab])
        .expect("issue under Alice's link");
    assert_eq!(world.book_balance(&alice.pubkey()), 1);
    assert_eq!(world.book_balance(&bob.pubkey()), 0);
}

#[test]
fn a_care_link_at_a_non_canonical_bump_is_refused() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = bare_patient(&mut world);
    link(&mut world, &patient, &lab.pubkey(), kinds::ALL, ISSUE);
    let seeds: [&[u8]; 4] = [
        records::constants::GRANT_SEED,
        &patient.pubkey().to_bytes(),
        &lab.pubkey().to_bytes(),
        &pda::patient(&patient.pubkey()).0.to_bytes(),
    ];
    let (canonical, bump) = Pubkey::find_program_address(&seeds, &records::ID);
    let other = (0..bump)
        .rev()
        .find_map(|b| {
            let b = [b];
            let mut with_bump: Vec<&[u8]> = seeds.to_vec();
            with_bump.push(&b);
            Pubkey::create_program_address(&with_bump, &records::ID).ok()
        })
        .expect("a second bump gives an off-curve address");
    // Even holding a copy of the real link, the other address is refused.
    let copy = world.raw(&canonical).unwrap();
    world.svm.set_account(other, copy).unwrap();
    let args = World::issue_args(RecordKind::LabResult);
    let record = pda::record(&patient.pubkey(), &args.record_id).0;
    let ix = substitute(
        issue_ix(&world, &lab, &patient.pubkey(), args),
        &canonical,
        &other,
    );
    custom_error(world.send(&[ix], &[&lab]), Anchor::ConstraintSeeds);
    assert!(!world.exists(&record));
}

#[test]
fn an_emergency_grant_is_no_care_link() {
    let mut world = World::new();
    let er = world.provider();
    let patient = bare_patient(&mut world);
    let ix = rx::emergency_access(
        &world.payer.pubkey(),
        &er.pubkey(),
        &patient.pubkey(),
        EmergencyAccessArgs {
            reason_code: 1,
            duration: MAX_EMERGENCY,
        },
    );
    world.send(&[ix], &[&er]).expect("break glass");
    let emergency = rx::emergency_grant_address(&patient.pubkey(), &er.pubkey());
    let args = World::issue_args(RecordKind::Encounter);
    let record = pda::record(&patient.pubkey(), &args.record_id).0;
    let before = world.snapshot(&[emergency, pda::patient(&patient.pubkey()).0, record]);
    let ix = substitute(
        issue_ix(&world, &er, &patient.pubkey(), args.clone()),
        &rx::care_link_address(&patient.pubkey(), &er.pubkey()),
        &emergency,
    );
    custom_error(world.send(&[ix], &[&er]), Anchor::ConstraintSeeds);
    let ix = issue_ix(&world, &er, &patient.pubkey(), args);
    custom_error(world.send(&[ix], &[&er]), RecordsError::IssueNotPermitted);
    world.assert_unchanged(&before);
}

/// Accounts no real cluster can hold at a care-link address (only `records`
/// can create one there), put there to show the owner and discriminator
/// checks that keep cosplay out.
#[test]
fn a_care_link_address_holding_a_foreign_or_other_typed_account_is_no_link() {
    let mut world = World::new();
    let lab = world.lab();
    let clinic = world.provider();
    let alice = bare_patient(&mut world);
    let bob = bare_patient(&mut world);
    let real = link(&mut world, &bob, &lab.pubkey(), kinds::ALL, ISSUE);
    let target = pda::patient(&bob.pubkey()).0;
    request(&mut world, &clinic, &bob.pubkey(), &target, patient_ask()).expect("request");
    let request_address = pda::access_request(&bob.pubkey(), &clinic.pubkey(), &target).0;
    let address = rx::care_link_address(&alice.pubkey(), &lab.pubkey());

    // A Grant's bytes (with Issue) owned by another program.
    let mut forged = world.raw(&real).unwrap();
    forged.owner = anchor_spl::token_2022::ID;
    world.svm.set_account(address, forged).unwrap();
    let args = World::issue_args(RecordKind::LabResult);
    let record = pda::record(&alice.pubkey(), &args.record_id).0;
    let patient_account = pda::patient(&alice.pubkey()).0;
    let before = world.snapshot(&[patient_account, record]);
    let ix = issue_ix(&world, &lab, &alice.pubkey(), args.clone());
    custom_error(world.send(&[ix], &[&lab]), RecordsError::IssueNotPermitted);
    world.assert_unchanged(&before);

    // A `records` account of another type (an access request).
    let other_type = world.raw(&request_address).unwrap();
    world.svm.set_account(address, other_type).unwrap();
    let ix = issue_ix(&world, &lab, &alice.pubkey(), args);
    custom_error(
        world.send(&[ix], &[&lab]),
        Anchor::AccountDiscriminatorMismatch,
    );
    world.assert_unchanged(&before);
}

#[test]
fn a_care_link_ends_at_its_expiry_to_the_second() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = bare_patient(&mut world);
    let link = link(&mut world, &patient, &lab.pubkey(), kinds::ALL, ISSUE);
    // The lab's credential outlives the link, to isolate it.
    let until = world.now() + 3 * 365 * DAY;
    renew(&mut world, &lab.pubkey(), until);
    let expires_at = world.account::<Grant>(&link).expires_at;
    world.warp(expires_at - 1 - world.now());
    let ix = issue_ix(
        &world,
        &lab,
        &patient.pubkey(),
        World::issue_args(RecordKind::LabResult),
    );
    world.send(&[ix], &[&lab]).expect("last second of the link");
    world.warp(1);
    let patient_account = pda::patient(&patient.pubkey()).0;
    let before = world.snapshot(&[patient_account, link]);
    let ix = issue_ix(
        &world,
        &lab,
        &patient.pubkey(),
        World::issue_args(RecordKind::LabResult),
    );
    custom_error(world.send(&[ix], &[&lab]), RecordsError::IssueNotPermitted);
    world.assert_unchanged(&before);
}

#[test]
fn a_closed_care_link_is_no_link_until_the_patient_gives_a_new_one() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = bare_patient(&mut world);
    let link_address = link(&mut world, &patient, &lab.pubkey(), kinds::ALL, ISSUE);
    let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &link_address);
    world.send(&[ix], &[&patient]).expect("revoke");
    // The lab (grantee) closes its revoked link: nothing is left there.
    let ix = rx::close_grant(
        &lab.pubkey(),
        &patient.pubkey(),
        &link_address,
        &world.payer.pubkey(),
    );
    world.send(&[ix], &[&lab]).expect("close link");
    assert!(!world.exists(&link_address));
    let patient_account = pda::patient(&patient.pubkey()).0;
    let before = world.snapshot(&[patient_account, link_address]);
    let ix = issue_ix(
        &world,
        &lab,
        &patient.pubkey(),
        World::issue_args(RecordKind::LabResult),
    );
    custom_error(world.send(&[ix], &[&lab]), RecordsError::IssueNotPermitted);
    world.assert_unchanged(&before);

    link(&mut world, &patient, &lab.pubkey(), kinds::ALL, ISSUE);
    let ix = issue_ix(
        &world,
        &lab,
        &patient.pubkey(),
        World::issue_args(RecordKind::LabResult),
    );
    world
        .send(&[ix], &[&lab])
        .expect("issue under the new link");
}

#[test]
fn an_issue_only_link_neither_reads_nor_amends() {
    let mut world = World::new();
    let lab = world.lab();
    let clinic = world.provider();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let record = pda::record(&patient.pubkey(), &id).0;
    let clinic_link = link(&mut world, &patient, &clinic.pubkey(), kinds::ALL, ISSUE);
    let before = world.snapshot(&[record, clinic_link, pda::patient(&patient.pubkey()).0]);
    custom_error(
        read(&mut world, &clinic, &clinic_link, &record),
        RecordsError::ReadNotPermitted,
    );
    let (new, result) = amend(
        &mut world,
        &clinic,
        &patient.pubkey(),
        &record,
        Some(&clinic_link),
    );
    custom_error(result, RecordsError::AmendNotPermitted);
    world.assert_unchanged(&before);
    assert!(!world.exists(&new));
}

#[test]
fn issue_permission_is_never_requested_on_one_record_nor_with_unknown_bits() {
    let mut world = World::new();
    let lab = world.lab();
    let clinic = world.provider();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let record = pda::record(&patient.pubkey(), &id).0;
    let address = pda::access_request(&patient.pubkey(), &clinic.pubkey(), &record).0;
    custom_error(
        request(
            &mut world,
            &clinic,
            &patient.pubkey(),
            &record,
            record_ask(READ | ISSUE),
        ),
        RecordsError::IssueNeedsPatientScope,
    );
    custom_error(
        request(
            &mut world,
            &clinic,
            &patient.pubkey(),
            &record,
            record_ask(READ | 0x08),
        ),
        RecordsError::InvalidPermissions,
    );
    let target = pda::patient(&patient.pubkey()).0;
    let mut ask = patient_ask();
    ask.permissions = ISSUE | 0x80;
    custom_error(
        request(&mut world, &clinic, &patient.pubkey(), &target, ask),
        RecordsError::InvalidPermissions,
    );
    assert!(!world.exists(&address));
    assert!(!world.exists(&pda::access_request(&patient.pubkey(), &clinic.pubkey(), &target).0));
}

#[test]
fn a_care_link_to_an_entity_that_does_not_issue_records_issues_nothing() {
    let mut world = World::new();
    let insurer = world.insurer();
    let researcher = world.entity(EntityKind::Researcher);
    let patient = bare_patient(&mut world);
    for entity in [insurer, researcher] {
        link(&mut world, &patient, &entity.pubkey(), kinds::ALL, ISSUE);
        let args = World::issue_args(RecordKind::Other);
        let record = pda::record(&patient.pubkey(), &args.record_id).0;
        let ix = issue_ix(&world, &entity, &patient.pubkey(), args);
        custom_error(
            world.send(&[ix], &[&entity]),
            RecordsError::EntityKindNotAllowed,
        );
        assert!(!world.exists(&record));
    }
}

#[test]
fn a_suspended_or_revoked_issuer_with_a_live_link_issues_nothing() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = bare_patient(&mut world);
    link(&mut world, &patient, &lab.pubkey(), kinds::ALL, ISSUE);
    for status in [EntityStatus::Suspended, EntityStatus::Revoked] {
        world.set_status(&lab.pubkey(), status);
        let args = World::issue_args(RecordKind::LabResult);
        let record = pda::record(&patient.pubkey(), &args.record_id).0;
        let ix = issue_ix(&world, &lab, &patient.pubkey(), args);
        custom_error(world.send(&[ix], &[&lab]), RecordsError::EntityNotActive);
        assert!(!world.exists(&record));
    }
}

#[test]
fn the_issuer_must_sign_even_with_a_live_link() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = bare_patient(&mut world);
    link(&mut world, &patient, &lab.pubkey(), kinds::ALL, ISSUE);
    let args = World::issue_args(RecordKind::LabResult);
    let record = pda::record(&patient.pubkey(), &args.record_id).0;
    // A relayer (the payer) sends the lab's issuance without the lab.
    let ix = unsigned(
        issue_ix(&world, &lab, &patient.pubkey(), args),
        &lab.pubkey(),
    );
    custom_error(world.send(&[ix], &[]), Anchor::AccountNotSigner);
    assert!(!world.exists(&record));
}

#[test]
fn issue_and_registration_call_only_the_real_token_and_token_account_programs() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = bare_patient(&mut world);
    link(&mut world, &patient, &lab.pubkey(), kinds::ALL, ISSUE);
    let args = World::issue_args(RecordKind::LabResult);
    let record = pda::record(&patient.pubkey(), &args.record_id).0;
    let ix = issue_ix(&world, &lab, &patient.pubkey(), args);
    let patient_account = pda::patient(&patient.pubkey()).0;
    let before = world.snapshot(&[
        patient_account,
        record,
        book_account(&patient.pubkey()),
        book_mint(),
        lab.pubkey(),
    ]);
    // SPL Token in place of Token-2022, then another program in place of
    // the system program: both refused before any CPI.
    let spl = substitute(
        ix.clone(),
        &anchor_spl::token_2022::ID,
        &anchor_spl::token::ID,
    );
    custom_error(world.send(&[spl], &[&lab]), Anchor::InvalidProgramId);
    let system = substitute(
        ix,
        &anchor_lang::solana_program::system_program::ID,
        &anchor_spl::token_2022::ID,
    );
    custom_error(world.send(&[system], &[&lab]), Anchor::InvalidProgramId);
    world.assert_unchanged(&before);

    // Registration creates the book account through the real ATA and
    // Token-2022 programs only.
    let newcomer = Keypair::new();
    let register = rx::register_patient(
        &world.payer.pubkey(),
        &newcomer.pubkey(),
        None,
        RegisterPatientArgs {
            encryption_key: [3; 32],
            guardian_encryption_key: [0; 32],
        },
    );
    let fake_mint = world.create_mint(&anchor_spl::token_2022::ID);
    let before = world.snapshot(&[
        pda::patient(&newcomer.pubkey()).0,
        book_account(&newcomer.pubkey()),
        world.payer.pubkey(),
    ]);
    let fee_payer = world.wallet();
    let payer = world.payer.insecure_clone();
    for (real, fake) in [
        (anchor_spl::token_2022::ID, anchor_spl::token::ID),
        (
            anchor_spl::associated_token::ID,
            anchor_lang::solana_program::system_program::ID,
        ),
    ] {
        let ix = substitute(register.clone(), &real, &fake);
        custom_error(
            world.send_paid_by(&fee_payer, &[ix], &[&payer, &newcomer]),
            Anchor::InvalidProgramId,
        );
    }
    // Another Token-2022 mint as the book: refused by its seeds.
    let ix = substitute(register, &book_mint(), &fake_mint);
    custom_error(
        world.send_paid_by(&fee_payer, &[ix], &[&payer, &newcomer]),
        Anchor::ConstraintSeeds,
    );
    world.assert_unchanged(&before);
}

// ----- serials: integer overflow, erase/re-issue, close_patient + re-register -----

/// `state` written over the account at `address` (a state no instruction
/// reaches, to test the arithmetic at its limits).
fn overwrite<T: AccountSerialize>(world: &mut World, address: &Pubkey, state: &T) {
    let mut account = world.raw(address).unwrap();
    let mut data = Vec::new();
    state.try_serialize(&mut data).unwrap();
    data.resize(account.data.len(), 0);
    account.data = data;
    world.svm.set_account(*address, account).unwrap();
}

#[test]
fn a_patient_whose_serials_ran_out_gets_no_record() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let link = world.authorize_issuer(&patient, &lab.pubkey());
    let address = pda::patient(&patient.pubkey()).0;
    let mut state: Patient = world.account(&address);
    let watched = |record: Pubkey| {
        [
            address,
            record,
            link,
            book_account(&patient.pubkey()),
            book_mint(),
            lab.pubkey(),
        ]
    };

    // The registration's range is used up (2^24 - 1 records): its last
    // serial would run into the next registration's range.
    let registration = state.registration();
    state.next_record_serial = registration + SERIALS_PER_REGISTRATION - 1;
    overwrite(&mut world, &address, &state);
    let args = World::issue_args(RecordKind::LabResult);
    let record = pda::record(&patient.pubkey(), &args.record_id).0;
    let before = world.snapshot(&watched(record));
    custom_error(
        world.try_issue(&lab, &patient.pubkey(), args),
        RecordsError::Overflow,
    );
    world.assert_unchanged(&before);
    // One before it: the last record of the range is issued.
    state.next_record_serial = registration + SERIALS_PER_REGISTRATION - 2;
    overwrite(&mut world, &address, &state);
    world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);

    // The counter's last value (2^64 - 1), with a care link of that
    // registration: the addition overflows.
    state.next_record_serial = u64::MAX;
    overwrite(&mut world, &address, &state);
    let mut care_link: Grant = world.account(&link);
    care_link.target_serial = state.registration();
    overwrite(&mut world, &link, &care_link);
    let args = World::issue_args(RecordKind::LabResult);
    let record = pda::record(&patient.pubkey(), &args.record_id).0;
    let before = world.snapshot(&watched(record));
    custom_error(
        world.try_issue(&lab, &patient.pubkey(), args),
        RecordsError::Overflow,
    );
    world.assert_unchanged(&before);
}

#[test]
fn serials_do_not_repeat_when_a_patient_re_registers_in_a_later_slot() {
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
    let old = world.account::<Record>(&record).serial;
    erase(&mut world, &patient, &args.record_id);
    world.warp(1);
    close_and_register_again(&mut world, &patient);
    renew_care_links(&mut world, &patient, &[&lab.pubkey()]);
    world
        .try_issue(&lab, &patient.pubkey(), args)
        .expect("re-issue at the same id");
    let new = world.account::<Record>(&record).serial;
    assert!(new > old, "new registration, new serial range");
    let before = world.snapshot(&[grant]);
    custom_error(
        read(&mut world, &specialist, &grant, &record),
        RecordsError::GrantDoesNotCoverRecord,
    );
    world.assert_unchanged(&before);
}

/// Fixed finding: the serial range starts at the registration slot, and a
/// patient who closed and registered again in the slot of their first
/// registration got the same serials again, so that a grant made for an
/// erased record reached the record re-issued at its address. A profile is
/// no longer closed in its registration slot: the next registration always
/// starts a new range.
#[test]
fn serials_never_repeat_since_no_profile_closes_in_its_registration_slot() {
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
    let made_for = world.account::<Grant>(&grant).target_serial;
    erase(&mut world, &patient, &args.record_id);
    let profile = pda::patient(&patient.pubkey()).0;
    let book = book_account(&patient.pubkey());
    let payer = world.payer.pubkey();
    let fee_payer = world.wallet();
    let close = rx::close_patient(&patient.pubkey(), &payer);

    // No slot passes (LiteSVM stays in one slot until the clock moves; on a
    // cluster, the registration's transaction or slot): refused.
    let before = world.snapshot(&[profile, book, payer, grant]);
    custom_error(
        world.send_paid_by(&fee_payer, std::slice::from_ref(&close), &[&patient]),
        RecordsError::PatientCloseTooSoon,
    );
    world.assert_unchanged(&before);

    // A slot later the profile closes, and the new registration, even in
    // the slot of the close, cannot be closed in its own slot either.
    world.warp(1);
    close_and_register_again(&mut world, &patient);
    let before = world.snapshot(&[profile, book, payer]);
    custom_error(
        world.send_paid_by(&fee_payer, std::slice::from_ref(&close), &[&patient]),
        RecordsError::PatientCloseTooSoon,
    );
    world.assert_unchanged(&before);

    renew_care_links(&mut world, &patient, &[&lab.pubkey()]);
    let mut again = args;
    again.content_commitment = [0x99; 32];
    world
        .try_issue(&lab, &patient.pubkey(), again)
        .expect("re-issue at the same id");
    let reissued = world.account::<Record>(&record);
    assert!(
        reissued.serial > made_for,
        "the re-issued record got a serial of the new range"
    );
    let before = world.snapshot(&[grant, record]);
    custom_error(
        read(&mut world, &specialist, &grant, &record),
        RecordsError::GrantDoesNotCoverRecord,
    );
    world.assert_unchanged(&before);
}

/// Fixed finding: grants (care links included) outlived `close_patient`:
/// grantees kept reading a closed profile's records that the patient could
/// no longer revoke, and after a re-registration the old care links issued
/// without any new act of the patient. Now a profile closes only once no
/// record of the patient is Active (so grants reach nothing while it is
/// closed), and every grant names the registration it was given under: the
/// old ones reach nothing of the new registration.
#[test]
fn grants_and_care_links_end_with_the_registration_they_were_given_under() {
    let mut world = World::new();
    let lab = world.lab();
    let specialist = world.provider();
    let patient = world.patient();
    let p = patient.pubkey();
    let id = world.issue(&lab, &p, RecordKind::LabResult);
    let record = pda::record(&p, &id).0;
    let one = world.grant_record(&patient, &specialist.pubkey(), &record, READ, DAY);
    let wide = link(&mut world, &patient, &specialist.pubkey(), kinds::ALL, READ);
    let care_link = rx::care_link_address(&p, &lab.pubkey());
    let registration = world.account::<Patient>(&pda::patient(&p).0).registration();
    assert_eq!(world.account::<Grant>(&wide).target_serial, registration);
    assert_eq!(
        world.account::<Grant>(&care_link).target_serial,
        registration
    );
    world.warp(1);

    // While a record is Active the profile stays: the patient can revoke.
    let profile = pda::patient(&p).0;
    let payer = world.payer.pubkey();
    let close = rx::close_patient(&p, &payer);
    let fee_payer = world.wallet();
    let before = world.snapshot(&[profile, book_account(&p), payer, one, wide]);
    custom_error(
        world.send_paid_by(&fee_payer, std::slice::from_ref(&close), &[&patient]),
        RecordsError::PatientHasActiveRecords,
    );
    world.assert_unchanged(&before);
    read(&mut world, &specialist, &wide, &record).expect("reads while the profile lives");

    // Erased, the profile closes: nothing of the patient is left to read.
    erase(&mut world, &patient, &id);
    world.send(&[close], &[&patient]).expect("close profile");
    let ix = rx::revoke_access(&p, &p, &one);
    custom_error(
        world.send(&[ix], &[&patient]),
        Anchor::AccountNotInitialized,
    );
    for grant in [one, wide] {
        custom_error(
            read(&mut world, &specialist, &grant, &record),
            Anchor::AccountNotInitialized,
        );
    }

    // Registered again: the old care link issues nothing.
    let ix = rx::register_patient(
        &payer,
        &p,
        None,
        RegisterPatientArgs {
            encryption_key: [4; 32],
            guardian_encryption_key: [0; 32],
        },
    );
    world.send(&[ix], &[&patient]).expect("register again");
    let args = World::issue_args(RecordKind::LabResult);
    let fresh = pda::record(&p, &args.record_id).0;
    let watched = [profile, book_account(&p), care_link, fresh, lab.pubkey()];
    let before = world.snapshot(&watched);
    let ix = issue_ix(&world, &lab, &p, args.clone());
    custom_error(world.send(&[ix], &[&lab]), RecordsError::IssueNotPermitted);
    world.assert_unchanged(&before);

    // Under a new care link, a new record; the old grants reach neither it
    // nor the record re-issued at the erased one's address.
    renew_care_links(&mut world, &patient, &[&lab.pubkey()]);
    world
        .try_issue(&lab, &p, args)
        .expect("issue under the new link");
    let mut again = World::issue_args(RecordKind::LabResult);
    again.record_id = id;
    world
        .try_issue(&lab, &p, again)
        .expect("re-issue at the old id");
    let before = world.snapshot(&[one, wide, fresh, record]);
    for (grant, target) in [(wide, fresh), (wide, record), (one, record)] {
        custom_error(
            read(&mut world, &specialist, &grant, &target),
            RecordsError::GrantDoesNotCoverRecord,
        );
    }
    world.assert_unchanged(&before);
    // The patient cleans the dead grants up: the rent goes back to its payer.
    let rent = world.lamports(&one) + world.lamports(&wide);
    let balance = world.lamports(&payer);
    let mut fees = 0;
    for grant in [one, wide] {
        let ix = rx::revoke_access(&p, &p, &grant);
        fees += world.send(&[ix], &[&patient]).expect("revoke").fee;
        let ix = rx::close_grant(&p, &p, &grant, &payer);
        fees += world.send(&[ix], &[&patient]).expect("close").fee;
    }
    assert_eq!(world.lamports(&payer), balance + rent - fees);
}

// ----- amend: seeds, cosplay, another patient's grant, superseded versions -----

#[test]
fn an_amend_grant_of_another_patient_or_another_patients_record_is_refused() {
    let mut world = World::new();
    let lab = world.lab();
    let editor = world.provider();
    let alice = world.patient();
    let bob = world.patient();
    let id = world.issue(&lab, &alice.pubkey(), RecordKind::LabResult);
    let alices = pda::record(&alice.pubkey(), &id).0;
    let id = world.issue(&lab, &bob.pubkey(), RecordKind::LabResult);
    let bobs = pda::record(&bob.pubkey(), &id).0;
    let bobs_grant = link(&mut world, &bob, &editor.pubkey(), kinds::ALL, READ | AMEND);
    let before = world.snapshot(&[
        alices,
        bobs,
        bobs_grant,
        pda::patient(&alice.pubkey()).0,
        pda::patient(&bob.pubkey()).0,
    ]);

    // Bob's Amend grant over his records, used on Alice's record.
    let (_, result) = amend(
        &mut world,
        &editor,
        &alice.pubkey(),
        &alices,
        Some(&bobs_grant),
    );
    custom_error(result, RecordsError::AmendNotPermitted);
    // Bob's record passed as the previous version of Alice's chain.
    let (_, result) = amend(
        &mut world,
        &editor,
        &alice.pubkey(),
        &bobs,
        Some(&bobs_grant),
    );
    custom_error(result, Anchor::ConstraintSeeds);
    // A Record passed where the grant goes.
    let (_, result) = amend(&mut world, &editor, &alice.pubkey(), &alices, Some(&alices));
    custom_error(result, Anchor::AccountDiscriminatorMismatch);
    // The original issuer does not sign: the lab's key as issuer, unsigned.
    let args = amend_args(3);
    let ix = unsigned(
        rx::amend_record(&lab.pubkey(), &alice.pubkey(), &alices, None, args),
        &lab.pubkey(),
    );
    custom_error(world.send(&[ix], &[]), Anchor::AccountNotSigner);
    world.assert_unchanged(&before);
}

#[test]
fn nobody_amends_a_superseded_or_retracted_version() {
    let mut world = World::new();
    let lab = world.lab();
    let editor = world.provider();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let v1 = pda::record(&patient.pubkey(), &id).0;
    let wide = link(&mut world, &patient, &editor.pubkey(), kinds::ALL, AMEND);
    let (v2, result) = amend(&mut world, &lab, &patient.pubkey(), &v1, None);
    result.expect("v2");
    let before = world.snapshot(&[v1, v2, wide]);
    let (_, result) = amend(&mut world, &lab, &patient.pubkey(), &v1, None);
    custom_error(result, RecordsError::RecordNotActive);
    let (_, result) = amend(&mut world, &editor, &patient.pubkey(), &v1, Some(&wide));
    custom_error(result, RecordsError::RecordNotActive);
    world.assert_unchanged(&before);

    // v2 retracted (v1 current again): v2 is amended by nobody.
    let ix = retract(&mut world, &lab, &patient.pubkey(), &v2);
    world.send(&[ix], &[&lab]).expect("retract v2");
    let before = world.snapshot(&[v1, v2, wide]);
    for (who, grant) in [(&lab, None), (&editor, Some(&wide))] {
        let (_, result) = amend(&mut world, who, &patient.pubkey(), &v2, grant);
        custom_error(result, RecordsError::RecordNotActive);
    }
    world.assert_unchanged(&before);
}

/// The documented rule, pinned: the chain's original issuer amends without a
/// care link, also after the patient revoked it (each amendment supersedes
/// the current version, so the chain keeps one Active version).
#[test]
fn the_original_issuer_amends_its_chain_after_its_care_link_is_revoked() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let v1 = pda::record(&patient.pubkey(), &id).0;
    let link_address = rx::care_link_address(&patient.pubkey(), &lab.pubkey());
    let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &link_address);
    world.send(&[ix], &[&patient]).expect("revoke link");
    let ix = issue_ix(
        &world,
        &lab,
        &patient.pubkey(),
        World::issue_args(RecordKind::LabResult),
    );
    custom_error(world.send(&[ix], &[&lab]), RecordsError::IssueNotPermitted);
    let (v2, result) = amend(&mut world, &lab, &patient.pubkey(), &v1, None);
    result.expect("the original issuer corrects its record");
    let (v1, v2): (Record, Record) = (world.account(&v1), world.account(&v2));
    assert_eq!(v1.status, RecordStatus::Superseded);
    assert_eq!(
        (v2.status, v2.original_issuer),
        (RecordStatus::Active, lab.pubkey())
    );
}

// ----- retract: resurrection, two Active versions, duplicate instructions -----

#[test]
fn retracted_versions_never_come_back_and_a_chain_keeps_one_active_version() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let p = patient.pubkey();
    let id = world.issue(&lab, &p, RecordKind::Condition);
    let v1 = pda::record(&p, &id).0;
    let (v2, r) = amend(&mut world, &lab, &p, &v1, None);
    r.expect("v2");
    let (v3, r) = amend(&mut world, &lab, &p, &v2, None);
    r.expect("v3");
    let ix = retract(&mut world, &lab, &p, &v3);
    world.send(&[ix], &[&lab]).expect("retract v3");
    let ix = retract(&mut world, &lab, &p, &v2);
    world.send(&[ix], &[&lab]).expect("retract v2");
    let status = |world: &World, r: &Pubkey| world.account::<Record>(r).status;
    assert_eq!(status(&world, &v1), RecordStatus::Active);

    // v3 again (its previous v2 is Retracted, not Superseded): refused.
    let before = world.snapshot(&[v1, v2, v3]);
    let ix = retract(&mut world, &lab, &p, &v3);
    custom_error(world.send(&[ix], &[&lab]), RecordsError::RecordNotActive);
    world.assert_unchanged(&before);

    // A new amendment v4, retracted twice in one transaction: the second is
    // refused and the whole transaction with it.
    let (v4, r) = amend(&mut world, &lab, &p, &v1, None);
    r.expect("v4");
    let before = world.snapshot(&[v1, v2, v3, v4]);
    let ix = retract(&mut world, &lab, &p, &v4);
    custom_error(
        world.send(&[ix.clone(), ix], &[&lab]),
        RecordsError::RecordNotActive,
    );
    world.assert_unchanged(&before);
    // Retracting v4 with v2 (v4's previous is v1) is refused too.
    let ix = substitute(retract(&mut world, &lab, &p, &v4), &v1, &v2);
    custom_error(
        world.send(&[ix], &[&lab]),
        RecordsError::PreviousRecordMismatch,
    );
    // v4 as its own previous version (the same account twice, writable).
    let ix = substitute(retract(&mut world, &lab, &p, &v4), &v1, &v4);
    custom_error(
        world.send(&[ix], &[&lab]),
        RecordsError::PreviousRecordMismatch,
    );
    world.assert_unchanged(&before);

    let ix = retract(&mut world, &lab, &p, &v4);
    world.send(&[ix], &[&lab]).expect("retract v4");
    let active: Vec<_> = [v1, v2, v3, v4]
        .iter()
        .filter(|r| status(&world, r) == RecordStatus::Active)
        .copied()
        .collect();
    assert_eq!(active, vec![v1]);
}

/// Fixed finding: `origin` named the chain by an address, and addresses are
/// used again after an erasure: a record issued at the address of an erased
/// superseded version was an original whose origin was the origin of the
/// live chain, two Active records with one origin, and `claims` (which
/// bills each origin once per policy) refused the chain's own provider after
/// the newcomer billed. The origin is now the serial of the chain's first
/// version, never handed out twice: the newcomer starts its own origin, and
/// the claims markers of the two are different accounts.
#[test]
fn a_record_re_issued_at_an_erased_versions_address_starts_its_own_origin() {
    let mut world = World::new();
    let provider = world.provider();
    let squatter = world.provider();
    let patient = world.patient();
    let p = patient.pubkey();
    let args = World::issue_args(RecordKind::Procedure);
    world.try_issue(&provider, &p, args.clone()).expect("v1");
    let v1 = pda::record(&p, &args.record_id).0;
    let first = world.account::<Record>(&v1).serial;
    let (v2, r) = amend(&mut world, &provider, &p, &v1, None);
    r.expect("the provider corrects its record: v2");
    // The patient shreds the outdated version.
    erase(&mut world, &patient, &args.record_id);
    // Another provider the patient linked picks v1's (public) record id.
    let mut again = args;
    again.content_commitment = [0x42; 32];
    world
        .try_issue(&squatter, &p, again)
        .expect("issue at v1's address");
    let (chain, newcomer): (Record, Record) = (world.account(&v2), world.account(&v1));

    assert_eq!(
        (chain.status, newcomer.status),
        (RecordStatus::Active, RecordStatus::Active)
    );
    assert_eq!(
        chain.origin, first,
        "the chain keeps its first version's serial"
    );
    assert_eq!(
        newcomer.origin, newcomer.serial,
        "the newcomer is an original"
    );
    assert_ne!(chain.origin, newcomer.origin);
    assert_ne!(newcomer.serial, first);
    // The markers `claims` bills each origin once by, on any policy.
    let policy = claims::pda::policy(&world.insurer().pubkey(), &random_id()).0;
    assert_ne!(
        claims::pda::claimed_record(&policy, chain.origin).0,
        claims::pda::claimed_record(&policy, newcomer.origin).0
    );
    // And the book counts both: two Active records.
    assert_eq!(world.book_balance(&p), 2);
}

// ----- access requests: cancel, rent, cosplay, revival, changed targets -----

#[test]
fn nobody_but_the_requester_cancels_early_and_nobody_takes_the_rent() {
    let mut world = World::new();
    let clinic = world.provider();
    let rival = world.provider();
    let patient = world.patient();
    let target = pda::patient(&patient.pubkey()).0;
    request(
        &mut world,
        &clinic,
        &patient.pubkey(),
        &target,
        patient_ask(),
    )
    .expect("request");
    let address = pda::access_request(&patient.pubkey(), &clinic.pubkey(), &target).0;
    let payer = world.payer.pubkey();
    let cancel = |closer: &Pubkey, rent_to: &Pubkey| {
        rx::cancel_access_request(
            closer,
            &patient.pubkey(),
            &clinic.pubkey(),
            &target,
            rent_to,
        )
    };
    let before = world.snapshot(&[address, clinic.pubkey(), rival.pubkey(), patient.pubkey()]);
    // The requester sends the rent to itself, or to the request itself.
    let ix = cancel(&clinic.pubkey(), &clinic.pubkey());
    custom_error(
        world.send(&[ix], &[&clinic]),
        RecordsError::RentPayerMismatch,
    );
    let ix = cancel(&clinic.pubkey(), &address);
    custom_error(
        world.send(&[ix], &[&clinic]),
        RecordsError::RentPayerMismatch,
    );
    // Another entity, or the patient, cancels before expiry.
    let ix = cancel(&rival.pubkey(), &payer);
    custom_error(
        world.send(&[ix], &[&rival]),
        RecordsError::AccessRequestNotExpired,
    );
    let ix = cancel(&patient.pubkey(), &payer);
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::AccessRequestNotExpired,
    );
    // The requester's key without its signature.
    let ix = unsigned(cancel(&clinic.pubkey(), &payer), &clinic.pubkey());
    custom_error(world.send(&[ix], &[]), Anchor::AccountNotSigner);
    // A rival's own request is no key to the clinic's: cancelling through
    // the rival's address does not reach it.
    request(
        &mut world,
        &rival,
        &patient.pubkey(),
        &target,
        patient_ask(),
    )
    .expect("rival asks");
    let rivals = pda::access_request(&patient.pubkey(), &rival.pubkey(), &target).0;
    let ix = substitute(cancel(&rival.pubkey(), &payer), &address, &rivals);
    world
        .send(&[ix], &[&rival])
        .expect("the rival cancels its own");
    world.assert_unchanged(&before);
}

#[test]
fn a_stranger_closes_a_request_from_the_second_it_expires_and_approval_ends_then() {
    let mut world = World::new();
    let clinic = world.provider();
    let lab = world.lab();
    let patient = world.patient();
    let target = pda::patient(&patient.pubkey()).0;
    request(
        &mut world,
        &clinic,
        &patient.pubkey(),
        &target,
        patient_ask(),
    )
    .expect("clinic asks");
    request(&mut world, &lab, &patient.pubkey(), &target, patient_ask()).expect("lab asks");
    let clinics = pda::access_request(&patient.pubkey(), &clinic.pubkey(), &target).0;
    let stranger = world.wallet();
    let payer = world.payer.pubkey();
    world.warp(ACCESS_REQUEST_TTL - 1);
    let ix = rx::cancel_access_request(
        &stranger.pubkey(),
        &patient.pubkey(),
        &clinic.pubkey(),
        &target,
        &payer,
    );
    let before = world.snapshot(&[clinics, payer]);
    custom_error(
        world.send_paid_by(&stranger, std::slice::from_ref(&ix), &[]),
        RecordsError::AccessRequestNotExpired,
    );
    world.assert_unchanged(&before);
    // The last second of the lab's request: still approvable.
    let ix2 = approve_ix(&world, &patient, &lab.pubkey(), &target);
    world.send(&[ix2], &[&patient]).expect("approved in time");
    world.warp(1);
    let rent = world.lamports(&clinics);
    let balance = world.lamports(&payer);
    world
        .send_paid_by(&stranger, &[ix], &[])
        .expect("expired: anyone closes it");
    assert_eq!(world.lamports(&payer), balance + rent);
    assert!(!world.exists(&clinics));
}

#[test]
fn a_grant_is_no_access_request_and_a_cancelled_request_is_not_revived() {
    let mut world = World::new();
    let clinic = world.provider();
    let patient = world.patient();
    let target = pda::patient(&patient.pubkey()).0;
    request(
        &mut world,
        &clinic,
        &patient.pubkey(),
        &target,
        patient_ask(),
    )
    .expect("request");
    let address = pda::access_request(&patient.pubkey(), &clinic.pubkey(), &target).0;
    let payer = world.payer.pubkey();
    let cancel = rx::cancel_access_request(
        &clinic.pubkey(),
        &patient.pubkey(),
        &clinic.pubkey(),
        &target,
        &payer,
    );

    // A grant (here the clinic's own, over another patient) as the request.
    let other = world.patient();
    let grant = link(&mut world, &other, &clinic.pubkey(), kinds::ALL, READ);
    let before = world.snapshot(&[address, grant]);
    let ix = substitute(cancel.clone(), &address, &grant);
    custom_error(
        world.send(&[ix], &[&clinic]),
        Anchor::AccountDiscriminatorMismatch,
    );
    world.assert_unchanged(&before);

    // Cancel and approve in one transaction: the closed request is gone.
    let grant_address = pda::grant(&patient.pubkey(), &clinic.pubkey(), &target).0;
    let approve = approve_ix(&world, &patient, &clinic.pubkey(), &target);
    let before = world.snapshot(&[address, grant_address]);
    custom_error(
        world.send(&[cancel.clone(), approve.clone()], &[&clinic, &patient]),
        Anchor::AccountNotInitialized,
    );
    world.assert_unchanged(&before);
    // Revival: lamports sent back to the closed address between the two.
    let refill = anchor_lang::solana_program::system_instruction::transfer(
        &payer,
        &address,
        world.lamports(&address),
    );
    custom_error(
        world.send(&[cancel, refill, approve], &[&clinic, &patient]),
        Anchor::AccountOwnedByWrongProgram,
    );
    world.assert_unchanged(&before);
}

#[test]
fn a_request_for_a_record_amended_since_is_not_approved() {
    let mut world = World::new();
    let lab = world.lab();
    let clinic = world.provider();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let v1 = pda::record(&patient.pubkey(), &id).0;
    request(
        &mut world,
        &clinic,
        &patient.pubkey(),
        &v1,
        record_ask(READ),
    )
    .expect("request");
    let (v2, r) = amend(&mut world, &lab, &patient.pubkey(), &v1, None);
    r.expect("amend");
    let address = pda::access_request(&patient.pubkey(), &clinic.pubkey(), &v1).0;
    let grant = pda::grant(&patient.pubkey(), &clinic.pubkey(), &v1).0;
    let before = world.snapshot(&[address, grant, v1, v2]);
    let ix = approve_ix(&world, &patient, &clinic.pubkey(), &v1);
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::RecordNotActive,
    );
    // The request's target swapped for the current version.
    let ix = substitute(
        approve_ix(&world, &patient, &clinic.pubkey(), &v1),
        &v1,
        &v2,
    );
    custom_error(world.send(&[ix], &[&patient]), RecordsError::InvalidTarget);
    world.assert_unchanged(&before);
}

// ----- grants reach only Active records: emergency grants too -----

#[test]
fn an_emergency_grant_reaches_neither_superseded_nor_retracted_versions() {
    let mut world = World::new();
    let lab = world.lab();
    let er = world.provider();
    let patient = world.patient();
    let p = patient.pubkey();
    let id = world.issue(&lab, &p, RecordKind::LabResult);
    let v1 = pda::record(&p, &id).0;
    let (v2, r) = amend(&mut world, &lab, &p, &v1, None);
    r.expect("v2");
    let ix = rx::emergency_access(
        &world.payer.pubkey(),
        &er.pubkey(),
        &p,
        EmergencyAccessArgs {
            reason_code: 9,
            duration: MAX_EMERGENCY,
        },
    );
    world.send(&[ix], &[&er]).expect("break glass");
    let grant = rx::emergency_grant_address(&p, &er.pubkey());
    let before = world.snapshot(&[grant]);
    custom_error(
        read(&mut world, &er, &grant, &v1),
        RecordsError::GrantDoesNotCoverRecord,
    );
    world.assert_unchanged(&before);
    read(&mut world, &er, &grant, &v2).expect("current version");
    let ix = retract(&mut world, &lab, &p, &v2);
    world.send(&[ix], &[&lab]).expect("retract v2");
    let before = world.snapshot(&[grant]);
    custom_error(
        read(&mut world, &er, &grant, &v2),
        RecordsError::GrantDoesNotCoverRecord,
    );
    world.assert_unchanged(&before);
    read(&mut world, &er, &grant, &v1).expect("v1 is current again");
}

// ----- re-keys never change what the issuer attested -----

#[test]
fn no_rekey_by_anyone_changes_the_attestation_and_strangers_cannot_rekey() {
    let mut world = World::new();
    let lab = world.lab();
    let (patient, guardian) = world.patient_with_guardian();
    let other = world.patient();
    let p = patient.pubkey();
    let args = World::issue_args(RecordKind::LabResult);
    let attested = args.content_commitment;
    world.try_issue(&lab, &p, args.clone()).expect("issue");
    let v1 = pda::record(&p, &args.record_id).0;
    let rekey = |authority: &Pubkey, patient: &Pubkey, record: &Pubkey| {
        rx::rekey_record(
            authority,
            patient,
            record,
            RekeyRecordArgs {
                commitment: [0x31; 32],
            },
        )
    };
    let stranger = world.wallet();
    let before = world.snapshot(&[v1]);
    for (who, signer) in [(stranger.pubkey(), &stranger), (lab.pubkey(), &lab)] {
        let ix = rekey(&who, &p, &v1);
        custom_error(
            world.send(&[ix], &[signer]),
            RecordsError::NotPatientOrGuardian,
        );
    }
    // Another patient, through their own profile.
    let ix = rekey(&other.pubkey(), &other.pubkey(), &v1);
    custom_error(
        world.send(&[ix], &[&other]),
        RecordsError::RecordPatientMismatch,
    );
    world.assert_unchanged(&before);

    // The guardian re-keys the current version, then (after an amendment)
    // the superseded one: the attestation and the issuer never move.
    let ix = rekey(&guardian.pubkey(), &p, &v1);
    world.send(&[ix], &[&guardian]).expect("guardian re-keys");
    let (v2, r) = amend(&mut world, &lab, &p, &v1, None);
    r.expect("v2");
    let ix = rx::rekey_record(
        &patient.pubkey(),
        &p,
        &v1,
        RekeyRecordArgs {
            commitment: [0x32; 32],
        },
    );
    world
        .send(&[ix], &[&patient])
        .expect("re-key the old version");
    let state: Record = world.account(&v1);
    assert_eq!(
        (state.content_commitment, state.issuer, state.commitment),
        (attested, lab.pubkey(), [0x32; 32])
    );
    // A retracted version is re-keyed by nobody.
    let ix = retract(&mut world, &lab, &p, &v2);
    world.send(&[ix], &[&lab]).expect("retract v2");
    let before = world.snapshot(&[v2]);
    let ix = rekey(&p, &p, &v2);
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::RecordNotActive,
    );
    world.assert_unchanged(&before);
}

// ----- tombstones: revocation is final -----

#[test]
fn a_revoked_entity_is_neither_reinstated_nor_renewed() {
    let mut world = World::new();
    let lab = world.lab();
    world.set_status(&lab.pubkey(), EntityStatus::Revoked);
    let entity = pda::entity(&lab.pubkey()).0;
    let before = world.snapshot(&[entity]);
    let admin = world.admin.insecure_clone();
    for status in [EntityStatus::Active, EntityStatus::Suspended] {
        let ix = rx::set_entity_status(
            &admin.pubkey(),
            &lab.pubkey(),
            SetEntityStatusArgs { status },
        );
        custom_error(world.send(&[ix], &[&admin]), RecordsError::EntityRevoked);
    }
    let ix = rx::renew_entity(
        &admin.pubkey(),
        &lab.pubkey(),
        RenewEntityArgs {
            valid_until: world.now() + DAY,
            credential_commitment: [1; 32],
        },
    );
    custom_error(world.send(&[ix], &[&admin]), RecordsError::EntityRevoked);
    world.assert_unchanged(&before);
}

// ----- a seeded random sequence: serials and the grants bound to them -----

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

/// The random sequence's steps (see the `match` below), each repeated by
/// its weight: mostly issues, grants and reads, sometimes a re-registration.
const WEIGHTED: [usize; 30] = [
    0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 4, 4, 5, 6, 7, 7, 8, 8, 9, 10, 10, 10, 10, 10, 10, 10, 11, 12,
    12, 12,
];

fn grant_at(world: &World, address: &Pubkey) -> Option<Grant> {
    world.raw(address).map(|_| world.account::<Grant>(address))
}

/// Issue (at fresh and used ids), amend, retract, erase, grant, revoke,
/// close grants, request, approve, cancel, read, close and register the
/// patient again (in a later slot), and let time pass, at random. After
/// every step: every serial ever handed out is unique, the patient's counter
/// is above all of them, each instruction succeeded exactly when the rules
/// say it should, and a grant reaches a record exactly when it is live, the
/// record is Active and it is the very record (serial) it was made for.
#[test]
fn random_sequences_keep_serials_unique_and_each_grant_on_its_own_record() {
    let seed = std::env::var("PANACEA_SERIAL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5E71_A15E_u64);
    let mut rng = Rng(seed);
    let mut world = World::new();
    let issuers = [world.lab(), world.provider()];
    let reader = world.provider();
    let asker = world.provider();
    let patient = world.patient();
    let p = patient.pubkey();
    let payer = world.payer.pubkey();
    let mut ids: Vec<[u8; 16]> = Vec::new();
    let mut serials = HashSet::new();
    // Grant address -> (serial of the record it was made for, its record id),
    // ordered so that a seed replays.
    let mut made_for: BTreeMap<Pubkey, (u64, [u8; 16])> = BTreeMap::new();
    // Request address -> serial of the record it asks for.
    let mut asked_for: HashMap<Pubkey, u64> = HashMap::new();
    let (mut reads, mut refused_reads, mut registrations) = (0, 0, 1);

    for step in 0..300 {
        let ctx = format!("seed {seed:#x}, step {step}");
        let choice = WEIGHTED[rng.below(WEIGHTED.len())];
        // The ids whose record is Active now: grants, requests, amendments
        // and retractions mostly aim at them, reads at existing grants.
        let live: Vec<[u8; 16]> = ids
            .iter()
            .filter(|id| {
                record_at(&world, &p, id).is_some_and(|r| r.status == RecordStatus::Active)
            })
            .copied()
            .collect();
        let id = if ids.is_empty() || (choice == 0 && rng.below(2) == 0) {
            random_id()
        } else if matches!(choice, 1 | 2 | 4 | 7) && !live.is_empty() && rng.below(4) != 0 {
            live[rng.below(live.len())]
        } else if choice == 10 && !made_for.is_empty() && rng.below(4) != 0 {
            let grants: Vec<&Pubkey> = made_for.keys().collect();
            made_for[grants[rng.below(grants.len())]].1
        } else {
            ids[rng.below(ids.len())]
        };
        let address = pda::record(&p, &id).0;
        let here = record_at(&world, &p, &id);
        let active = here
            .as_ref()
            .filter(|r| r.status == RecordStatus::Active)
            .map(|r| r.serial);
        let issuer = &issuers[rng.below(issuers.len())];
        let mut new_record: Option<[u8; 16]> = None;
        match choice {
            0 => {
                let mut args = World::issue_args(RecordKind::LabResult);
                args.record_id = id;
                let ok = world.try_issue(issuer, &p, args).is_ok();
                assert_eq!(ok, here.is_none(), "{ctx}: issue");
                if ok {
                    new_record = Some(id);
                }
            }
            1 => {
                let args = amend_args(step as u8);
                let new_id = args.record_id;
                let ix = rx::amend_record(&issuer.pubkey(), &p, &address, None, args);
                let ok = world.send(&[ix], &[issuer]).is_ok();
                let allowed = active.is_some()
                    && here.as_ref().map(|r| r.original_issuer) == Some(issuer.pubkey());
                assert_eq!(ok, allowed, "{ctx}: amend");
                if ok {
                    new_record = Some(new_id);
                }
            }
            2 => {
                let previous = here.as_ref().and_then(previous_version);
                let ix = rx::retract_record(&issuer.pubkey(), &p, &id, previous.as_ref());
                let ok = world.send(&[ix], &[issuer]).is_ok();
                let allowed =
                    active.is_some() && here.as_ref().map(|r| r.issuer) == Some(issuer.pubkey());
                assert_eq!(ok, allowed, "{ctx}: retract");
            }
            3 => {
                let issuer = here.as_ref().map_or(payer, |r| r.issuer);
                let ix = rx::erase_record(&p, &p, &id, &issuer);
                let ok = world.send(&[ix], &[&patient]).is_ok();
                assert_eq!(ok, here.is_some(), "{ctx}: erase");
            }
            4 => {
                let grant = pda::grant(&p, &reader.pubkey(), &address).0;
                let exists = world.exists(&grant);
                let ix = rx::grant_access(
                    &payer,
                    &p,
                    &p,
                    &address,
                    GrantAccessArgs {
                        grantee: reader.pubkey(),
                        scope: GrantScope::Record,
                        kinds: 0,
                        permissions: READ,
                        purpose: Purpose::Treatment,
                        duration: DAY,
                        wrapped_key: vec![1; 80],
                        leaf: None,
                    },
                );
                let ok = world.send(&[ix], &[&patient]).is_ok();
                assert_eq!(ok, active.is_some() && !exists, "{ctx}: grant");
                if ok {
                    made_for.insert(grant, (active.unwrap(), id));
                }
            }
            5 | 6 => {
                let grantee = if rng.below(2) == 0 { &reader } else { &asker };
                let grant = pda::grant(&p, &grantee.pubkey(), &address).0;
                let state = grant_at(&world, &grant);
                if choice == 5 {
                    let ix = rx::revoke_access(&p, &p, &grant);
                    let ok = world.send(&[ix], &[&patient]).is_ok();
                    let allowed = state.is_some_and(|g| !g.is_revoked());
                    assert_eq!(ok, allowed, "{ctx}: revoke");
                } else {
                    let ix = rx::close_grant(&p, &p, &grant, &payer);
                    let ok = world.send(&[ix], &[&patient]).is_ok();
                    let now = world.now();
                    let allowed = state.is_some_and(|g| g.is_revoked() || g.is_expired(now));
                    assert_eq!(ok, allowed, "{ctx}: close grant");
                    if ok {
                        made_for.remove(&grant);
                    }
                }
            }
            7 => {
                let request_address = pda::access_request(&p, &asker.pubkey(), &address).0;
                let exists = world.exists(&request_address);
                let ok = request(&mut world, &asker, &p, &address, record_ask(READ)).is_ok();
                assert_eq!(ok, active.is_some() && !exists, "{ctx}: request");
                if ok {
                    asked_for.insert(request_address, active.unwrap());
                }
            }
            8 => {
                let request_address = pda::access_request(&p, &asker.pubkey(), &address).0;
                let grant = pda::grant(&p, &asker.pubkey(), &address).0;
                let pending = world
                    .raw(&request_address)
                    .map(|_| world.account::<AccessRequest>(&request_address));
                let now = world.now();
                let allowed = pending.is_some_and(|r| !r.is_expired(now))
                    && active.is_some()
                    && active == asked_for.get(&request_address).copied()
                    && !world.exists(&grant);
                let ix = approve_ix(&world, &patient, &asker.pubkey(), &address);
                let ok = world.send(&[ix], &[&patient]).is_ok();
                assert_eq!(ok, allowed, "{ctx}: approve");
                if ok {
                    made_for.insert(grant, (active.unwrap(), id));
                    asked_for.remove(&request_address);
                }
            }
            9 => {
                let request_address = pda::access_request(&p, &asker.pubkey(), &address).0;
                let exists = world.exists(&request_address);
                let ix = rx::cancel_access_request(
                    &asker.pubkey(),
                    &p,
                    &asker.pubkey(),
                    &address,
                    &payer,
                );
                let ok = world.send(&[ix], &[&asker]).is_ok();
                assert_eq!(ok, exists, "{ctx}: cancel");
                if ok {
                    asked_for.remove(&request_address);
                }
            }
            10 => {
                for grantee in [&reader, &asker] {
                    let grant = pda::grant(&p, &grantee.pubkey(), &address).0;
                    let Some(state) = grant_at(&world, &grant) else {
                        continue;
                    };
                    assert_eq!(
                        Some(state.target_serial),
                        made_for.get(&grant).map(|m| m.0),
                        "{ctx}: the grant names the serial it was made for"
                    );
                    let now = world.now();
                    let allowed = !state.is_revoked()
                        && !state.is_expired(now)
                        && active.is_some()
                        && active == Some(state.target_serial);
                    let before = world.snapshot(&[grant]);
                    let ok = read(&mut world, grantee, &grant, &address).is_ok();
                    assert_eq!(ok, allowed, "{ctx}: read");
                    if ok {
                        reads += 1;
                    } else {
                        refused_reads += 1;
                        world.assert_unchanged(&before);
                    }
                }
            }
            11 => {
                // A later slot (no profile closes in its registration slot),
                // and no Active record: the patient erases them first.
                world.warp(1);
                if !live.is_empty() {
                    let close = rx::close_patient(&p, &payer);
                    let before = world.snapshot(&[pda::patient(&p).0, book_account(&p)]);
                    custom_error(
                        world.send(&[close], &[&patient]),
                        RecordsError::PatientHasActiveRecords,
                    );
                    world.assert_unchanged(&before);
                    let unique: BTreeSet<[u8; 16]> = live.iter().copied().collect();
                    for id in &unique {
                        erase(&mut world, &patient, id);
                    }
                }
                assert_eq!(world.book_balance(&p), 0, "{ctx}: nothing Active");
                close_and_register_again(&mut world, &patient);
                let links: Vec<Pubkey> = issuers.iter().map(|i| i.pubkey()).collect();
                renew_care_links(&mut world, &patient, &[&links[0], &links[1]]);
                registrations += 1;
            }
            _ => {
                let seconds = if rng.below(4) == 0 {
                    1 + rng.below(10 * DAY as usize) as i64
                } else {
                    1 + rng.below((DAY / 4) as usize) as i64
                };
                world.warp(seconds);
            }
        }
        if let Some(new_id) = new_record {
            let record = record_at(&world, &p, &new_id).expect("new record");
            assert!(
                serials.insert(record.serial),
                "{ctx}: serial {} handed out twice",
                record.serial
            );
            ids.push(new_id);
        }
        let counter = world
            .account::<Patient>(&pda::patient(&p).0)
            .next_record_serial;
        assert!(
            serials.iter().all(|s| *s < counter),
            "{ctx}: the patient's counter {counter} is not above every serial"
        );
        assert_eq!(
            world.book_balance(&p),
            active_records(&world, &p, &ids),
            "{ctx}: the book counts the Active records"
        );
        assert_eq!(book_supply(&world), world.book_balance(&p), "{ctx}: supply");
    }
    println!(
        "seed {seed:#x}: {} records, {reads} reads, {refused_reads} refused, \
         {registrations} registrations",
        serials.len()
    );
    assert!(
        serials.len() > 10 && reads > 3 && refused_reads > 3 && registrations > 2,
        "the sequence should exercise the rules: {} records, {reads} reads, \
         {refused_reads} refused, {registrations} registrations",
        serials.len()
    );
}
