//! A record's life: amended into a new version, retracted by its issuer,
//! erased by its patient (or guardian), and nobody else.

use {
    anchor_lang::error::ErrorCode as Anchor,
    panacea_sdk::records::{self as rx, RecordAddresses},
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
        uri: "panacea://blob/v2".into(),
    }
}

struct Story {
    world: World,
    lab: Keypair,
    patient: Keypair,
    id: [u8; 16],
    at: RecordAddresses,
}

fn story() -> Story {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let at = RecordAddresses::new(&patient.pubkey(), &id);
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
        at,
        ..
    } = story();
    let args = amend_args();
    let new = RecordAddresses::new(&patient.pubkey(), &args.record_id);
    let ix = rx::amend_record(
        &world.payer.pubkey(),
        &lab.pubkey(),
        &patient.pubkey(),
        &at.record,
        None,
        args.clone(),
    );
    let meta = world.send(&[ix], &[&lab]).expect("amend");

    let old: Record = world.account(&at.record);
    let fresh: Record = world.account(&new.record);
    assert_eq!(old.status, RecordStatus::Superseded);
    assert_eq!(old.superseded_by, Some(new.record));
    assert_eq!(fresh.supersedes, Some(at.record));
    assert_eq!(fresh.record_version, 2);
    assert_eq!(fresh.kind, RecordKind::LabResult);
    assert_eq!(fresh.commitment, args.commitment);
    assert_eq!(fresh.status, RecordStatus::Active);
    // A new token was minted; the old one stays with the patient as history.
    assert_eq!(world.mint(&new.mint).supply, 1);
    assert_eq!(world.token_amount(&new.token_account), 1);
    assert_eq!(world.token_amount(&at.token_account), 1);
    let superseded = World::events::<RecordSuperseded>(&meta);
    assert_eq!(
        (superseded[0].record, superseded[0].superseded_by),
        (at.record, new.record)
    );
    assert_eq!(
        World::events::<RecordIssued>(&meta)[0].supersedes,
        Some(at.record)
    );

    // A superseded record cannot be amended again.
    let ix = rx::amend_record(
        &world.payer.pubkey(),
        &lab.pubkey(),
        &patient.pubkey(),
        &at.record,
        None,
        amend_args(),
    );
    custom_error(world.send(&[ix], &[&lab]), RecordsError::RecordNotActive);
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

    let ix = rx::amend_record(
        &world.payer.pubkey(),
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
        &world.payer.pubkey(),
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
        &world.payer.pubkey(),
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
        &world.payer.pubkey(),
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
    let ix = rx::amend_record(
        &world.payer.pubkey(),
        &specialist.pubkey(),
        &patient.pubkey(),
        &at.record,
        Some(&grant),
        amend_args(),
    );
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::GrantExpired,
    );
}

#[test]
fn only_the_issuer_retracts_and_the_token_is_burned() {
    let Story {
        mut world,
        lab,
        patient,
        id,
        at,
    } = story();
    let other_lab = world.lab();
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
    assert_eq!(
        world.account::<Record>(&at.record).status,
        RecordStatus::Active
    );
    assert_eq!(world.token_amount(&at.token_account), 1);

    // A suspended issuer may still withdraw its own wrong record.
    world.set_status(&lab.pubkey(), EntityStatus::Suspended);
    let ix = rx::retract_record(&lab.pubkey(), &patient.pubkey(), &id, None);
    let meta = world.send(&[ix], &[&lab]).expect("retract");
    let record: Record = world.account(&at.record);
    assert_eq!(record.status, RecordStatus::Retracted);
    assert_eq!(world.mint(&at.mint).supply, 0);
    assert_eq!(world.token_amount(&at.token_account), 0);
    assert_eq!(World::events::<RecordRetracted>(&meta)[0].record, at.record);

    let ix = rx::retract_record(&lab.pubkey(), &patient.pubkey(), &id, None);
    custom_error(world.send(&[ix], &[&lab]), RecordsError::RecordNotActive);
}

#[test]
fn the_patient_erases_a_record_and_the_payer_gets_the_rent_back() {
    let Story {
        mut world,
        lab,
        patient,
        id,
        at,
    } = story();
    let payer = world.payer.pubkey();

    // Neither the issuer nor another patient can erase it.
    let ix = rx::erase_record(&lab.pubkey(), &patient.pubkey(), &id, &payer);
    custom_error(
        world.send(&[ix], &[&lab]),
        RecordsError::NotPatientOrGuardian,
    );
    let other = world.patient();
    let ix = rx::erase_record(&other.pubkey(), &patient.pubkey(), &id, &payer);
    custom_error(
        world.send(&[ix], &[&other]),
        RecordsError::NotPatientOrGuardian,
    );
    // The rent cannot be diverted.
    let ix = rx::erase_record(&patient.pubkey(), &patient.pubkey(), &id, &patient.pubkey());
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::RentPayerMismatch,
    );
    assert!(world.exists(&at.record));

    let rent = world.lamports(&at.record) + world.lamports(&at.mint);
    let before = world.lamports(&payer);
    let ix = rx::erase_record(&patient.pubkey(), &patient.pubkey(), &id, &payer);
    let meta = world.send(&[ix], &[&patient]).expect("erase");
    assert!(!world.exists(&at.record));
    assert!(!world.exists(&at.mint));
    assert_eq!(world.token_amount(&at.token_account), 0);
    assert_eq!(world.lamports(&payer), before + rent - meta.fee);
    let event = &World::events::<RecordErased>(&meta)[0];
    assert_eq!((event.actor, event.record), (patient.pubkey(), at.record));
}

#[test]
fn another_patients_record_cannot_be_passed_in_place_of_ones_own() {
    let Story {
        mut world,
        patient: victim,
        at: victims,
        ..
    } = story();
    let attacker = world.patient();
    let lab = world.lab();
    let own_id = world.issue(&lab, &attacker.pubkey(), RecordKind::LabResult);
    let own = RecordAddresses::new(&attacker.pubkey(), &own_id);

    let mut ix = rx::erase_record(
        &attacker.pubkey(),
        &attacker.pubkey(),
        &own_id,
        &world.payer.pubkey(),
    );
    for meta in ix.accounts.iter_mut() {
        for (mine, theirs) in [
            (own.record, victims.record),
            (own.mint, victims.mint),
            (own.token_account, victims.token_account),
        ] {
            if meta.pubkey == mine {
                meta.pubkey = theirs;
            }
        }
    }
    custom_error(
        world.send(&[ix], &[&attacker]),
        RecordsError::RecordPatientMismatch,
    );
    assert!(world.exists(&victims.record));
    assert_eq!(world.token_amount(&victims.token_account), 1);
    let _ = victim;
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
    let ix = rx::erase_record(
        &patient.pubkey(),
        &patient.pubkey(),
        &id,
        &world.payer.pubkey(),
    );
    world.send(&[ix], &[&patient]).expect("erase tombstone");
    assert!(!world.exists(&at.record));
    assert!(!world.exists(&at.mint));
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
    let mut ix = rx::set_guardian(&guardian.pubkey(), Some(&usurper.pubkey()));
    ix.accounts[2].pubkey = records::pda::patient(&patient.pubkey()).0;
    custom_error(
        world.send(&[ix], &[&guardian, &usurper]),
        Anchor::ConstraintSeeds,
    );

    let ix = rx::set_guardian(&patient.pubkey(), None);
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
    let ix = rx::erase_record(
        &guardian.pubkey(),
        &patient.pubkey(),
        &id,
        &world.payer.pubkey(),
    );
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
    let mut ix = rx::set_guardian(&patient.pubkey(), Some(&guardian.pubkey()));
    ix.accounts[1].is_signer = false;
    custom_error(world.send(&[ix], &[&patient]), Anchor::AccountNotSigner);
    let ix = rx::set_guardian(&patient.pubkey(), Some(&patient.pubkey()));
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
    let ix = rx::erase_record(
        &guardian.pubkey(),
        &patient.pubkey(),
        &id,
        &world.payer.pubkey(),
    );
    world.send(&[ix], &[&guardian]).expect("guardian erases");
    assert!(!world.exists(&World::record_address(&patient.pubkey(), &id)));
}

#[test]
fn a_patient_closes_their_profile() {
    let mut world = World::new();
    let patient = world.patient();
    let profile = records::pda::patient(&patient.pubkey()).0;
    let stranger = world.wallet();
    let mut ix = rx::close_patient(&stranger.pubkey(), &world.payer.pubkey());
    ix.accounts[1].pubkey = profile;
    custom_error(world.send(&[ix], &[&stranger]), Anchor::ConstraintSeeds);
    let ix = rx::close_patient(&patient.pubkey(), &world.payer.pubkey());
    world.send(&[ix], &[&patient]).expect("close profile");
    assert!(!world.exists(&profile));
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
        uri: "panacea://rekeyed".into(),
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
        (
            record.commitment,
            record.uri.as_str(),
            record.record_version
        ),
        ([0x77; 32], "panacea://rekeyed", 1)
    );
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
