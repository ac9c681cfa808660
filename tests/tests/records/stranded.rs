//! Nothing stranded: every close path returns each lamport of rent to the
//! one who paid it. Balances are compared to the lamport; fees are paid by
//! `World::payer` (the relayer), so a balance that is also the fee payer's
//! is checked net of each transaction's fee.

use {
    crate::support::*,
    anchor_lang::prelude::Pubkey,
    panacea_sdk::records::{self as rx, previous_version},
    panacea_tests::*,
    records::{
        instructions::*,
        pda,
        state::{permissions::*, *},
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
};

fn amend_args() -> AmendRecordArgs {
    AmendRecordArgs {
        record_id: random_id(),
        commitment: [0xA2; 32],
        content_commitment: [0xCD; 32],
    }
}

#[test]
fn issue_then_erase_returns_the_record_rent_to_the_issuer() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    world.authorize_issuer(&patient, &lab.pubkey());
    let payer = world.payer.pubkey();
    let (lab_start, payer_start) = (world.lamports(&lab.pubkey()), world.lamports(&payer));

    let args = World::issue_args(RecordKind::LabResult);
    let id = args.record_id;
    let record = pda::record(&patient.pubkey(), &id).0;
    let issued = world
        .try_issue(&lab, &patient.pubkey(), args)
        .expect("issue");
    let rent = world.lamports(&record);
    assert_eq!(
        rent,
        world.svm.minimum_balance_for_rent_exemption(Record::SPACE)
    );
    assert_eq!(world.lamports(&lab.pubkey()), lab_start - rent);
    assert_eq!(world.lamports(&payer), payer_start - issued.fee);

    let ix = rx::erase_record(&patient.pubkey(), &patient.pubkey(), &id, &lab.pubkey());
    let erased = world.send(&[ix], &[&patient]).expect("erase");
    assert!(!world.exists(&record));
    assert_eq!(
        world.lamports(&lab.pubkey()),
        lab_start,
        "every lamport back"
    );
    assert_eq!(
        world.lamports(&payer),
        payer_start - issued.fee - erased.fee,
        "the relayer paid the fees and nothing else"
    );
    assert_eq!(
        world.lamports(&patient.pubkey()),
        0,
        "the patient paid nothing"
    );
}

#[test]
fn issue_amend_retract_erase_returns_each_versions_rent_to_its_issuer() {
    let mut world = World::new();
    let lab = world.lab();
    let editor = world.provider();
    let patient = world.patient();
    let p = patient.pubkey();
    world.authorize_issuer(&patient, &lab.pubkey());
    let payer = world.payer.pubkey();
    let starts = |world: &World| {
        (
            world.lamports(&lab.pubkey()),
            world.lamports(&editor.pubkey()),
            world.lamports(&payer),
        )
    };
    let (lab_start, editor_start, payer_start) = starts(&world);
    let mut fees = 0;

    // The lab issues v1, the editor amends it into v2 under an Amend grant
    // (the relayer pays the grant's rent; each issuer its own version's).
    let args = World::issue_args(RecordKind::LabResult);
    let v1_id = args.record_id;
    let v1 = pda::record(&p, &v1_id).0;
    fees += world.try_issue(&lab, &p, args).expect("v1").fee;
    let ix = rx::grant_access(
        &payer,
        &p,
        &p,
        &v1,
        GrantAccessArgs {
            grantee: editor.pubkey(),
            scope: GrantScope::Record,
            kinds: 0,
            permissions: AMEND,
            purpose: Purpose::Treatment,
            duration: DAY,
            wrapped_key: vec![],
            leaf: None,
        },
    );
    fees += world.send(&[ix], &[&patient]).expect("amend grant").fee;
    let grant = pda::grant(&p, &editor.pubkey(), &v1).0;
    let grant_rent = world.lamports(&grant);
    let args = amend_args();
    let v2_id = args.record_id;
    let v2 = pda::record(&p, &v2_id).0;
    let ix = rx::amend_record(&editor.pubkey(), &p, &v1, Some(&grant), args);
    fees += world.send(&[ix], &[&editor]).expect("v2").fee;
    let (rent_v1, rent_v2) = (world.lamports(&v1), world.lamports(&v2));
    assert_eq!(world.lamports(&lab.pubkey()), lab_start - rent_v1);
    assert_eq!(world.lamports(&editor.pubkey()), editor_start - rent_v2);

    // The editor retracts v2 (v1 current again): nothing moves but status.
    let state: Record = world.account(&v2);
    let ix = rx::retract_record(
        &editor.pubkey(),
        &p,
        &v2_id,
        previous_version(&state).as_ref(),
    );
    fees += world.send(&[ix], &[&editor]).expect("retract v2").fee;
    assert_eq!(world.lamports(&editor.pubkey()), editor_start - rent_v2);

    // The patient erases both: each version's rent to its own issuer.
    let ix = rx::erase_record(&p, &p, &v2_id, &editor.pubkey());
    fees += world.send(&[ix], &[&patient]).expect("erase v2").fee;
    assert_eq!(world.lamports(&editor.pubkey()), editor_start);
    assert_eq!(world.lamports(&lab.pubkey()), lab_start - rent_v1);
    let ix = rx::erase_record(&p, &p, &v1_id, &lab.pubkey());
    fees += world.send(&[ix], &[&patient]).expect("erase v1").fee;
    assert_eq!(
        starts(&world),
        (lab_start, editor_start, payer_start - fees - grant_rent)
    );
    assert!(!world.exists(&v1) && !world.exists(&v2));
    // The grant's rent comes back when it is revoked and closed.
    let ix = rx::revoke_access(&p, &p, &grant);
    fees += world.send(&[ix], &[&patient]).expect("revoke grant").fee;
    let ix = rx::close_grant(&p, &p, &grant, &payer);
    fees += world.send(&[ix], &[&patient]).expect("close grant").fee;
    assert_eq!(world.lamports(&payer), payer_start - fees);
    assert_eq!(world.book_balance(&p), 0);
    assert_eq!(book_supply(&world), 0);
}

fn register(world: &mut World, payer: &Keypair, patient: &Keypair) -> u64 {
    let ix = rx::register_patient(
        &payer.pubkey(),
        &patient.pubkey(),
        None,
        RegisterPatientArgs {
            encryption_key: [3; 32],
            guardian_encryption_key: [0; 32],
        },
    );
    world.send(&[ix], &[payer, patient]).expect("register").fee
}

#[test]
fn register_then_close_returns_the_profile_and_book_rent_to_the_registration_payer() {
    let mut world = World::new();
    // A sponsor pays the registration; the relayer (World::payer) the fees.
    let sponsor = world.wallet();
    let patient = Keypair::new();
    let payer = world.payer.pubkey();
    let (sponsor_start, payer_start) = (world.lamports(&sponsor.pubkey()), world.lamports(&payer));
    let profile = pda::patient(&patient.pubkey()).0;
    let book = book_account(&patient.pubkey());
    let mut fees = register(&mut world, &sponsor, &patient);
    let rent = world.lamports(&profile) + world.lamports(&book);
    assert_eq!(
        world.lamports(&book),
        world.svm.minimum_balance_for_rent_exemption(
            records::token::record_book_account_space().unwrap()
        )
    );
    assert_eq!(world.lamports(&sponsor.pubkey()), sponsor_start - rent);
    assert_eq!(
        world.account::<Patient>(&profile).rent_payer,
        sponsor.pubkey()
    );

    world.warp(1);
    let ix = rx::close_patient(&patient.pubkey(), &sponsor.pubkey());
    fees += world.send(&[ix], &[&patient]).expect("close").fee;
    assert!(!world.exists(&profile) && !world.exists(&book));
    assert_eq!(
        world.lamports(&sponsor.pubkey()),
        sponsor_start,
        "every lamport back"
    );
    assert_eq!(world.lamports(&payer), payer_start - fees);
    assert_eq!(world.lamports(&patient.pubkey()), 0);
}

#[test]
fn register_then_close_with_the_relayer_as_registration_payer() {
    let mut world = World::new();
    let patient = Keypair::new();
    let payer = world.payer.insecure_clone();
    let start = world.lamports(&payer.pubkey());
    let mut fees = register(&mut world, &payer, &patient);
    let rent = world.lamports(&pda::patient(&patient.pubkey()).0)
        + world.lamports(&book_account(&patient.pubkey()));
    assert_eq!(world.lamports(&payer.pubkey()), start - rent - fees);
    world.warp(1);
    let ix = rx::close_patient(&patient.pubkey(), &payer.pubkey());
    fees += world.send(&[ix], &[&patient]).expect("close").fee;
    assert_eq!(world.lamports(&payer.pubkey()), start - fees);
}

/// A grant over one record, paid by the relayer, revoked and closed.
#[test]
fn grant_then_close_grant_returns_the_grant_rent_to_its_payer() {
    let mut world = World::new();
    let lab = world.lab();
    let specialist = world.provider();
    let patient = world.patient();
    let p = patient.pubkey();
    let id = world.issue(&lab, &p, RecordKind::LabResult);
    let record = pda::record(&p, &id).0;
    let payer = world.payer.pubkey();
    let start = world.lamports(&payer);
    let ix = rx::grant_access(
        &payer,
        &p,
        &p,
        &record,
        GrantAccessArgs {
            grantee: specialist.pubkey(),
            scope: GrantScope::Record,
            kinds: 0,
            permissions: READ,
            purpose: Purpose::Treatment,
            duration: DAY,
            wrapped_key: vec![1; 80],
            leaf: None,
        },
    );
    let mut fees = world.send(&[ix], &[&patient]).expect("grant").fee;
    let grant = pda::grant(&p, &specialist.pubkey(), &record).0;
    let rent = world.lamports(&grant);
    assert_eq!(world.lamports(&payer), start - rent - fees);
    let ix = rx::revoke_access(&p, &p, &grant);
    fees += world.send(&[ix], &[&patient]).expect("revoke").fee;
    // The grantee closes it; the rent goes to the payer, not the closer.
    let ix = rx::close_grant(&specialist.pubkey(), &p, &grant, &payer);
    let grantee_start = world.lamports(&specialist.pubkey());
    fees += world.send(&[ix], &[&specialist]).expect("close grant").fee;
    assert!(!world.exists(&grant));
    assert_eq!(world.lamports(&payer), start - fees);
    assert_eq!(world.lamports(&specialist.pubkey()), grantee_start);
}

/// The request a provider makes over the patient's records, paid by the
/// relayer; returns (request address, its rent, the fee).
fn request(world: &mut World, requester: &Keypair, patient: &Pubkey) -> (Pubkey, u64, u64) {
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
    let fee = world.send(&[ix], &[requester]).expect("request").fee;
    let address = pda::access_request(patient, &requester.pubkey(), &target).0;
    (address, world.lamports(&address), fee)
}

#[test]
fn request_then_cancel_returns_the_request_rent_to_its_payer() {
    let mut world = World::new();
    let clinic = world.provider();
    let patient = world.patient();
    let p = patient.pubkey();
    let payer = world.payer.pubkey();
    let start = world.lamports(&payer);
    let clinic_start = world.lamports(&clinic.pubkey());
    let (address, rent, mut fees) = request(&mut world, &clinic, &p);
    assert_eq!(world.lamports(&payer), start - rent - fees);
    let ix = rx::cancel_access_request(
        &clinic.pubkey(),
        &p,
        &clinic.pubkey(),
        &pda::patient(&p).0,
        &payer,
    );
    fees += world.send(&[ix], &[&clinic]).expect("cancel").fee;
    assert!(!world.exists(&address));
    assert_eq!(world.lamports(&payer), start - fees);
    assert_eq!(
        world.lamports(&clinic.pubkey()),
        clinic_start,
        "the requester paid nothing"
    );
}

#[test]
fn request_then_deny_returns_the_request_rent_to_its_payer() {
    let mut world = World::new();
    let clinic = world.provider();
    let patient = world.patient();
    let p = patient.pubkey();
    let payer = world.payer.pubkey();
    let start = world.lamports(&payer);
    let (address, rent, mut fees) = request(&mut world, &clinic, &p);
    assert_eq!(world.lamports(&payer), start - rent - fees);
    let ix = rx::deny_access_request(&p, &p, &clinic.pubkey(), &pda::patient(&p).0, &payer);
    fees += world.send(&[ix], &[&patient]).expect("deny").fee;
    assert!(!world.exists(&address));
    assert_eq!(world.lamports(&payer), start - fees);
    assert_eq!(
        world.lamports(&patient.pubkey()),
        0,
        "the patient paid nothing"
    );
}
