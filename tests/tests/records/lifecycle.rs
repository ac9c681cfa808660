//! A record's life: amended into a new version, retracted by its issuer,
//! erased by its patient (or guardian), and nobody else.

use {
    crate::support::*,
    anchor_lang::{error::ErrorCode as Anchor, prelude::Pubkey},
    panacea_sdk::records as rx,
    panacea_tests::{assert::*, *},
    records::{
        errors::RecordsError,
        events::*,
        instructions::*,
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

/// The addresses of a record: the record, and its patient's book account.
struct At {
    record: Pubkey,
    book: Pubkey,
}

impl At {
    fn new(patient: &Pubkey, id: &[u8; 16]) -> Self {
        Self {
            record: records::pda::record(patient, id).0,
            book: book_account(patient),
        }
    }
}

struct Story {
    world: World,
    lab: Keypair,
    patient: Keypair,
    id: [u8; 16],
    at: At,
}

fn story() -> Story {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let at = At::new(&patient.pubkey(), &id);
    Story {
        world,
        lab,
        patient,
        id,
        at,
    }
}

#[test]
fn the_issuer_amends_a_record_into_a_linked_new_version() {
    let Story {
        mut world,
        lab,
        patient,
        id,
        at,
    } = story();
    let args = amend_args();
    let new = At::new(&patient.pubkey(), &args.record_id);
    let ix = rx::amend_record(
        &lab.pubkey(),
        &patient.pubkey(),
        &at.record,
        None,
        args.clone(),
    );
    let lab_before = world.lamports(&lab.pubkey());
    let meta = world.send(&[ix], &[&lab]).expect("amend");
    // The amending issuer pays the new version's rent.
    assert_eq!(
        world.lamports(&lab.pubkey()),
        lab_before - world.lamports(&new.record)
    );

    let old: Record = world.account(&at.record);
    let fresh: Record = world.account(&new.record);
    assert_eq!(old.status, RecordStatus::Superseded);
    assert_eq!(old.superseded_by, fresh.serial);
    assert_eq!(fresh.supersedes, id);
    assert_eq!(rx::previous_version(&fresh), Some(at.record));
    assert_eq!(fresh.origin, old.serial);
    assert_eq!(old.origin, old.serial);
    assert!(fresh.serial > old.serial);
    assert_eq!(fresh.record_version, 2);
    assert_eq!(fresh.kind, RecordKind::LabResult);
    assert_eq!(fresh.commitment, args.commitment);
    assert_eq!(fresh.content_commitment, args.content_commitment);
    assert_eq!(
        (fresh.issuer, fresh.original_issuer),
        (lab.pubkey(), lab.pubkey())
    );
    assert_eq!(fresh.status, RecordStatus::Active);
    // One Active version replaced another: the book did not move.
    assert_eq!(world.book_balance(&patient.pubkey()), 1);
    assert_eq!(world.token_amount(&new.book), 1);
    assert_eq!(book_supply(&world), 1);
    let superseded = World::events::<RecordSuperseded>(&meta);
    assert_eq!(
        (superseded[0].record, superseded[0].superseded_by),
        (at.record, new.record)
    );
    let issued = &World::events::<RecordIssued>(&meta)[0];
    assert_eq!(
        (issued.supersedes, issued.serial, issued.origin),
        (id, fresh.serial, old.serial)
    );

    // A superseded record cannot be amended again.
    let before = world.snapshot(&[at.record, new.record, lab.pubkey()]);
    let ix = rx::amend_record(
        &lab.pubkey(),
        &patient.pubkey(),
        &at.record,
        None,
        amend_args(),
    );
    custom_error(world.send(&[ix], &[&lab]), RecordsError::RecordNotActive);
    world.assert_unchanged(&before);
}

#[test]
fn another_provider_amends_only_with_an_amend_grant() {
    let Story {
        mut world,
        patient,
        at,
        ..
    } = story();
    let specialist = world.provider();
    let profile = records::pda::patient(&patient.pubkey()).0;
    let before = world.snapshot(&[at.record, profile, specialist.pubkey()]);

    let ix = rx::amend_record(
        &specialist.pubkey(),
        &patient.pubkey(),
        &at.record,
        None,
        amend_args(),
    );
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::AmendNotPermitted,
    );

    // A Read-only grant is not enough.
    let read = world.grant_record(&patient, &specialist.pubkey(), &at.record, READ, DAY);
    let ix = rx::amend_record(
        &specialist.pubkey(),
        &patient.pubkey(),
        &at.record,
        Some(&read),
        amend_args(),
    );
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::AmendNotPermitted,
    );
    let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &read);
    world.send(&[ix], &[&patient]).expect("revoke");
    let ix = rx::close_grant(
        &patient.pubkey(),
        &patient.pubkey(),
        &read,
        &world.payer.pubkey(),
    );
    world.send(&[ix], &[&patient]).expect("close");

    // Someone else's Amend grant does not help either.
    let colleague = world.provider();
    let theirs = world.grant_record(&patient, &colleague.pubkey(), &at.record, READ | AMEND, DAY);
    let ix = rx::amend_record(
        &specialist.pubkey(),
        &patient.pubkey(),
        &at.record,
        Some(&theirs),
        amend_args(),
    );
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::AmendNotPermitted,
    );
    world.assert_unchanged(&before);

    let grant = world.grant_record(
        &patient,
        &specialist.pubkey(),
        &at.record,
        READ | AMEND,
        DAY,
    );
    let args = amend_args();
    let new = World::record_address(&patient.pubkey(), &args.record_id);
    let ix = rx::amend_record(
        &specialist.pubkey(),
        &patient.pubkey(),
        &at.record,
        Some(&grant),
        args,
    );
    world
        .send(&[ix], &[&specialist])
        .expect("amend under grant");
    assert_eq!(world.account::<Record>(&new).issuer, specialist.pubkey());
}

#[test]
fn an_expired_amend_grant_is_refused() {
    let Story {
        mut world,
        patient,
        at,
        ..
    } = story();
    let specialist = world.provider();
    let grant = world.grant_record(&patient, &specialist.pubkey(), &at.record, AMEND, 3600);
    world.warp(3600);
    let args = amend_args();
    let new = World::record_address(&patient.pubkey(), &args.record_id);
    let before = world.snapshot(&[at.record, grant, specialist.pubkey(), at.book]);
    let ix = rx::amend_record(
        &specialist.pubkey(),
        &patient.pubkey(),
        &at.record,
        Some(&grant),
        args,
    );
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::GrantExpired,
    );
    world.assert_unchanged(&before);
    assert!(!world.exists(&new));
}

#[test]
fn only_the_issuer_retracts_and_the_book_loses_one() {
    let Story {
        mut world,
        lab,
        patient,
        id,
        at,
    } = story();
    let other_lab = world.lab();
    let before = world.snapshot(&[at.record, at.book, book_mint()]);
    let ix = rx::retract_record(&other_lab.pubkey(), &patient.pubkey(), &id, None);
    custom_error(
        world.send(&[ix], &[&other_lab]),
        RecordsError::NotRecordIssuer,
    );
    // Nor can the patient retract (erasure is their path): they hold no Entity.
    let ix = rx::retract_record(&patient.pubkey(), &patient.pubkey(), &id, None);
    custom_error(
        world.send(&[ix], &[&patient]),
        Anchor::AccountNotInitialized,
    );
    // An original has no previous version to pass.
    let stray = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let stray = World::record_address(&patient.pubkey(), &stray);
    let before_stray = world.snapshot(&[stray]);
    let ix = rx::retract_record(&lab.pubkey(), &patient.pubkey(), &id, Some(&stray));
    custom_error(
        world.send(&[ix], &[&lab]),
        RecordsError::PreviousRecordMismatch,
    );
    world.assert_unchanged(&before_stray);
    assert_eq!(
        world.account::<Record>(&at.record).status,
        RecordStatus::Active
    );
    assert_eq!(world.raw(&at.record), before[0].1);
    assert_eq!(world.book_balance(&patient.pubkey()), 2);
    assert_eq!(book_supply(&world), 2);

    // A suspended issuer may still withdraw its own wrong record.
    world.set_status(&lab.pubkey(), EntityStatus::Suspended);
    let ix = rx::retract_record(&lab.pubkey(), &patient.pubkey(), &id, None);
    let meta = world.send(&[ix], &[&lab]).expect("retract");
    let record: Record = world.account(&at.record);
    assert_eq!(record.status, RecordStatus::Retracted);
    assert_eq!(book_supply(&world), 1);
    assert_eq!(world.token_amount(&at.book), 1);
    let event = &World::events::<RecordRetracted>(&meta)[0];
    assert_eq!((event.record, event.restored), (at.record, None));

    let before = world.snapshot(&[at.record, at.book, book_mint()]);
    let ix = rx::retract_record(&lab.pubkey(), &patient.pubkey(), &id, None);
    custom_error(world.send(&[ix], &[&lab]), RecordsError::RecordNotActive);
    world.assert_unchanged(&before);
}

#[test]
fn the_patient_erases_a_record_and_the_issuer_gets_the_rent_back() {
    let Story {
        mut world,
        lab,
        patient,
        id,
        at,
    } = story();
    let issuer = lab.pubkey();
    let before = world.snapshot(&[at.record, at.book, book_mint(), issuer]);

    // Neither the issuer nor another patient can erase it.
    let ix = rx::erase_record(&lab.pubkey(), &patient.pubkey(), &id, &issuer);
    custom_error(
        world.send(&[ix], &[&lab]),
        RecordsError::NotPatientOrGuardian,
    );
    let other = world.patient();
    let ix = rx::erase_record(&other.pubkey(), &patient.pubkey(), &id, &issuer);
    custom_error(
        world.send(&[ix], &[&other]),
        RecordsError::NotPatientOrGuardian,
    );
    // The rent cannot be diverted: not to the patient, not to the fee payer.
    for thief in [patient.pubkey(), world.payer.pubkey()] {
        let ix = rx::erase_record(&patient.pubkey(), &patient.pubkey(), &id, &thief);
        custom_error(
            world.send(&[ix], &[&patient]),
            RecordsError::RentPayerMismatch,
        );
    }
    world.assert_unchanged(&before);

    let rent = world.lamports(&at.record);
    let balance = world.lamports(&issuer);
    let ix = rx::erase_record(&patient.pubkey(), &patient.pubkey(), &id, &issuer);
    let meta = world.send(&[ix], &[&patient]).expect("erase");
    assert!(!world.exists(&at.record));
    assert_eq!(world.token_amount(&at.book), 0);
    assert_eq!(book_supply(&world), 0);
    // Every lamport of the rent, to the issuer (the fee is World::payer's).
    assert_eq!(world.lamports(&issuer), balance + rent);
    let event = &World::events::<RecordErased>(&meta)[0];
    assert_eq!(
        (event.actor, event.record, event.was_active),
        (patient.pubkey(), at.record, true)
    );
}

#[test]
fn another_patients_record_cannot_be_passed_in_place_of_ones_own() {
    let Story {
        mut world,
        lab,
        patient: victim,
        at: victims,
        ..
    } = story();
    let attacker = world.patient();
    let own_id = world.issue(&lab, &attacker.pubkey(), RecordKind::LabResult);
    let own = At::new(&attacker.pubkey(), &own_id);
    let before = world.snapshot(&[victims.record, victims.book, own.record, own.book]);

    let substituted = |pairs: &[(Pubkey, Pubkey)]| {
        let mut ix = rx::erase_record(
            &attacker.pubkey(),
            &attacker.pubkey(),
            &own_id,
            &lab.pubkey(),
        );
        for meta in ix.accounts.iter_mut() {
            for (mine, theirs) in pairs {
                if meta.pubkey == *mine {
                    meta.pubkey = *theirs;
                }
            }
        }
        ix
    };
    // The victim's record (and book account) under the attacker's profile:
    // the profile is derived from the record's patient, so the attacker's
    // profile does not fit (ConstraintSeeds).
    let ix = substituted(&[(own.record, victims.record), (own.book, victims.book)]);
    custom_error(
        world.send(&[ix], &[&attacker]),
        anchor_lang::error::ErrorCode::ConstraintSeeds,
    );
    // The attacker's own record, burning from the victim's book.
    let ix = substituted(&[(own.book, victims.book)]);
    custom_error(
        world.send(&[ix], &[&attacker]),
        RecordsError::InvalidTokenAccount,
    );
    world.assert_unchanged(&before);
    assert_eq!(world.book_balance(&victim.pubkey()), 1);
}

#[test]
fn a_retracted_record_can_still_be_erased() {
    let Story {
        mut world,
        lab,
        patient,
        id,
        at,
    } = story();
    let ix = rx::retract_record(&lab.pubkey(), &patient.pubkey(), &id, None);
    world.send(&[ix], &[&lab]).expect("retract");
    assert_eq!(world.book_balance(&patient.pubkey()), 0);
    let rent = world.lamports(&at.record);
    let balance = world.lamports(&lab.pubkey());
    let ix = rx::erase_record(&patient.pubkey(), &patient.pubkey(), &id, &lab.pubkey());
    let meta = world.send(&[ix], &[&patient]).expect("erase tombstone");
    assert!(!world.exists(&at.record));
    assert!(!World::events::<RecordErased>(&meta)[0].was_active);
    // Nothing burned twice: the book stays at zero.
    assert_eq!(world.book_balance(&patient.pubkey()), 0);
    assert_eq!(book_supply(&world), 0);
    assert_eq!(world.lamports(&lab.pubkey()), balance + rent);
}

#[test]
fn a_guardian_acts_until_the_patient_removes_them() {
    let mut world = World::new();
    let (patient, guardian) = world.patient_with_guardian();
    let lab = world.lab();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::Immunization);
    let record = World::record_address(&patient.pubkey(), &id);
    let specialist = world.provider();

    let grant_args = |grantee: &Keypair| GrantAccessArgs {
        grantee: grantee.pubkey(),
        scope: GrantScope::Record,
        kinds: 0,
        permissions: READ,
        purpose: Purpose::Treatment,
        duration: DAY,
        wrapped_key: vec![],
        leaf: None,
    };
    let ix = rx::grant_access(
        &world.payer.pubkey(),
        &guardian.pubkey(),
        &patient.pubkey(),
        &record,
        grant_args(&specialist),
    );
    let meta = world.send(&[ix], &[&guardian]).expect("guardian grants");
    assert_eq!(
        World::events::<AccessGranted>(&meta)[0].actor,
        guardian.pubkey()
    );

    // Only the patient can change the guardian; the guardian cannot replace itself.
    let usurper = Keypair::new();
    let mut ix = rx::set_guardian(&guardian.pubkey(), Some(&usurper.pubkey()), GUARDIAN_KEY);
    ix.accounts[2].pubkey = records::pda::patient(&patient.pubkey()).0;
    custom_error(
        world.send(&[ix], &[&guardian, &usurper]),
        Anchor::ConstraintSeeds,
    );

    let ix = rx::set_guardian(&patient.pubkey(), None, [0; 32]);
    let meta = world.send(&[ix], &[&patient]).expect("remove guardian");
    let changed = &World::events::<GuardianChanged>(&meta)[0];
    assert_eq!(
        (changed.old_guardian, changed.new_guardian),
        (Some(guardian.pubkey()), None)
    );

    // The removed guardian can no longer act.
    let colleague = world.provider();
    let ix = rx::grant_access(
        &world.payer.pubkey(),
        &guardian.pubkey(),
        &patient.pubkey(),
        &record,
        grant_args(&colleague),
    );
    custom_error(
        world.send(&[ix], &[&guardian]),
        RecordsError::NotPatientOrGuardian,
    );
    let grant = records::pda::grant(&patient.pubkey(), &specialist.pubkey(), &record).0;
    let ix = rx::revoke_access(&guardian.pubkey(), &patient.pubkey(), &grant);
    custom_error(
        world.send(&[ix], &[&guardian]),
        RecordsError::NotPatientOrGuardian,
    );
    let ix = rx::erase_record(&guardian.pubkey(), &patient.pubkey(), &id, &lab.pubkey());
    custom_error(
        world.send(&[ix], &[&guardian]),
        RecordsError::NotPatientOrGuardian,
    );
    assert!(world.exists(&record));
    assert!(world.account::<Grant>(&grant).revoked_at.is_none());
}

#[test]
fn a_guardian_must_accept_and_cannot_be_the_patient() {
    let mut world = World::new();
    let patient = world.patient();
    let guardian = Keypair::new();
    let mut ix = rx::set_guardian(&patient.pubkey(), Some(&guardian.pubkey()), GUARDIAN_KEY);
    ix.accounts[1].is_signer = false;
    custom_error(world.send(&[ix], &[&patient]), Anchor::AccountNotSigner);
    let ix = rx::set_guardian(&patient.pubkey(), Some(&patient.pubkey()), GUARDIAN_KEY);
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::GuardianIsPatient,
    );
    assert_eq!(
        world
            .account::<Patient>(&records::pda::patient(&patient.pubkey()).0)
            .guardian,
        None
    );
}

#[test]
fn a_guardian_erases_for_the_patient() {
    let mut world = World::new();
    let (patient, guardian) = world.patient_with_guardian();
    let lab = world.lab();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::ClinicalNote);
    let ix = rx::erase_record(&guardian.pubkey(), &patient.pubkey(), &id, &lab.pubkey());
    let meta = world.send(&[ix], &[&guardian]).expect("guardian erases");
    assert!(!world.exists(&World::record_address(&patient.pubkey(), &id)));
    assert_eq!(
        World::events::<RecordErased>(&meta)[0].actor,
        guardian.pubkey()
    );
    assert_eq!(world.book_balance(&patient.pubkey()), 0);
    assert_eq!(book_supply(&world), 0);
}

#[test]
fn a_patient_closes_their_profile_and_book_once_no_record_is_active() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let profile = records::pda::patient(&patient.pubkey()).0;
    let book = book_account(&patient.pubkey());
    let payer = world.payer.pubkey();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let watched = [profile, book, payer, book_mint()];

    // A stranger, with the patient's profile in place of their own.
    let stranger = world.wallet();
    let mut ix = rx::close_patient(&stranger.pubkey(), &payer);
    ix.accounts[1].pubkey = profile;
    let before = world.snapshot(&[profile, book]);
    custom_error(world.send(&[ix], &[&stranger]), Anchor::ConstraintSeeds);
    // The patient's close with another book account than their own.
    let mut ix = rx::close_patient(&patient.pubkey(), &payer);
    let slot = ix.accounts.iter().position(|m| m.pubkey == book).unwrap();
    ix.accounts[slot].pubkey = book_account(&stranger.pubkey());
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::InvalidTokenAccount,
    );
    world.assert_unchanged(&before);

    // An Active record: refused, in the registration slot (the balance is
    // checked first) and in any later one.
    let fee_payer = world.wallet();
    let patient_key = patient.insecure_clone();
    let ix = rx::close_patient(&patient.pubkey(), &payer);
    let before = world.snapshot(&watched);
    custom_error(
        world.send_paid_by(&fee_payer, std::slice::from_ref(&ix), &[&patient_key]),
        RecordsError::PatientHasActiveRecords,
    );
    world.assert_unchanged(&before);
    world.warp(1);
    let before = world.snapshot(&watched);
    custom_error(
        world.send_paid_by(&fee_payer, std::slice::from_ref(&ix), &[&patient_key]),
        RecordsError::PatientHasActiveRecords,
    );
    world.assert_unchanged(&before);

    // Erased: the profile and the book account close, every lamport of
    // both back to the registration's payer (who also pays this fee).
    let ix_erase = rx::erase_record(&patient.pubkey(), &patient.pubkey(), &id, &lab.pubkey());
    world.send(&[ix_erase], &[&patient]).expect("erase");
    let rent = world.lamports(&profile) + world.lamports(&book);
    let balance = world.lamports(&payer);
    let meta = world.send(&[ix], &[&patient]).expect("close profile");
    assert!(!world.exists(&profile));
    assert!(!world.exists(&book));
    assert_eq!(world.lamports(&payer), balance + rent - meta.fee);
    assert_eq!(
        World::events::<PatientClosed>(&meta)[0].patient,
        patient.pubkey()
    );
    assert_eq!(book_supply(&world), 0);
}

#[test]
fn a_patient_cannot_close_in_the_slot_they_registered_in() {
    let mut world = World::new();
    let patient = world.patient();
    let profile = records::pda::patient(&patient.pubkey()).0;
    let book = book_account(&patient.pubkey());
    let payer = world.payer.pubkey();
    let fee_payer = world.wallet();
    let ix = rx::close_patient(&patient.pubkey(), &payer);
    let before = world.snapshot(&[profile, book, payer]);
    custom_error(
        world.send_paid_by(&fee_payer, std::slice::from_ref(&ix), &[&patient]),
        RecordsError::PatientCloseTooSoon,
    );
    world.assert_unchanged(&before);
    world.warp(1);
    world.send(&[ix], &[&patient]).expect("a later slot");
    assert!(!world.exists(&profile));
    assert!(!world.exists(&book));
}

#[test]
fn after_a_revocation_the_patient_rekeys_the_record_and_the_remaining_grants() {
    let Story {
        mut world,
        patient,
        at,
        ..
    } = story();
    let gone = world.provider();
    let stays = world.provider();
    let revoked = world.grant_record(&patient, &gone.pubkey(), &at.record, READ, DAY);
    let kept = world.grant_record(&patient, &stays.pubkey(), &at.record, READ, DAY);
    let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &revoked);
    world.send(&[ix], &[&patient]).expect("revoke");

    let args = RekeyRecordArgs {
        commitment: [0x77; 32],
    };
    // Not the issuer, not another patient: only the patient (or guardian).
    let other = world.patient();
    let ix = rx::rekey_record(&other.pubkey(), &other.pubkey(), &at.record, args.clone());
    custom_error(
        world.send(&[ix], &[&other]),
        RecordsError::RecordPatientMismatch,
    );
    let ix = rx::rekey_record(
        &patient.pubkey(),
        &patient.pubkey(),
        &at.record,
        args.clone(),
    );
    let meta = world.send(&[ix], &[&patient]).expect("rekey");
    let record: Record = world.account(&at.record);
    assert_eq!(
        (record.commitment, record.record_version, record.status),
        ([0x77; 32], 1, RecordStatus::Active)
    );
    // A re-key moves no book.
    assert_eq!(world.book_balance(&patient.pubkey()), 1);
    assert_eq!(World::events::<RecordRekeyed>(&meta)[0].record, at.record);

    let ix = rx::update_grant_key(
        &patient.pubkey(),
        &patient.pubkey(),
        &kept,
        UpdateGrantKeyArgs {
            wrapped_key: vec![2; 80],
        },
    );
    world
        .send(&[ix], &[&patient])
        .expect("new key for the remaining grantee");
    assert_eq!(world.account::<Grant>(&kept).wrapped_key, vec![2; 80]);
    let ix = rx::update_grant_key(
        &patient.pubkey(),
        &patient.pubkey(),
        &revoked,
        UpdateGrantKeyArgs {
            wrapped_key: vec![2; 80],
        },
    );
    custom_error(world.send(&[ix], &[&patient]), RecordsError::GrantRevoked);
    let ix = rx::update_grant_key(
        &stays.pubkey(),
        &patient.pubkey(),
        &kept,
        UpdateGrantKeyArgs {
            wrapped_key: vec![3; 80],
        },
    );
    custom_error(
        world.send(&[ix], &[&stays]),
        RecordsError::NotPatientOrGuardian,
    );
}
