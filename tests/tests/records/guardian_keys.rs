//! A guardian's encryption key: named with the guardian (`set_guardian`,
//! or at registration), all zeroes exactly when there is no guardian, and
//! rotated by the guardian alone (`update_guardian_encryption_key`).

use {
    anchor_lang::error::ErrorCode as Anchor,
    panacea_sdk::records as rx,
    panacea_tests::{assert::*, *},
    records::{errors::RecordsError, events::*, instructions::RegisterPatientArgs, pda, state::*},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

#[test]
fn a_guardian_is_named_with_its_key_and_removed_with_it() {
    let mut world = World::new();
    let patient = world.patient();
    let profile = pda::patient(&patient.pubkey()).0;
    let before: Patient = world.account(&profile);
    assert_eq!(
        (before.guardian, before.guardian_encryption_key),
        (None, [0; 32])
    );
    assert!(before.invariant());

    let guardian = Keypair::new();
    let ix = rx::set_guardian(&patient.pubkey(), Some(&guardian.pubkey()), [0x61; 32]);
    let meta = world
        .send(&[ix], &[&patient, &guardian])
        .expect("name the guardian");
    let named: Patient = world.account(&profile);
    assert_eq!(
        (named.guardian, named.guardian_encryption_key),
        (Some(guardian.pubkey()), [0x61; 32])
    );
    assert!(named.invariant());
    assert_eq!(named.encryption_key, before.encryption_key);
    assert_eq!(named.next_record_serial, before.next_record_serial);
    let changed = &World::events::<GuardianChanged>(&meta)[0];
    assert_eq!(changed.new_guardian, Some(guardian.pubkey()));

    let ix = rx::set_guardian(&patient.pubkey(), None, [0; 32]);
    world.send(&[ix], &[&patient]).expect("remove the guardian");
    let removed: Patient = world.account(&profile);
    assert_eq!(
        (removed.guardian, removed.guardian_encryption_key),
        (None, [0; 32])
    );
    assert!(removed.invariant());
}

#[test]
fn a_zero_key_with_a_guardian_or_a_key_without_one_is_refused() {
    let mut world = World::new();
    let patient = world.patient();
    let profile = pda::patient(&patient.pubkey()).0;
    let snapshot = world.snapshot(&[profile]);
    let guardian = Keypair::new();

    // A guardian with no key: nothing could be wrapped to it.
    let ix = rx::set_guardian(&patient.pubkey(), Some(&guardian.pubkey()), [0; 32]);
    custom_error(
        world.send(&[ix], &[&patient, &guardian]),
        RecordsError::ZeroEncryptionKey,
    );
    // A key with no guardian.
    let ix = rx::set_guardian(&patient.pubkey(), None, [0x61; 32]);
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::GuardianKeyWithoutGuardian,
    );
    world.assert_unchanged(&snapshot);

    // The same at registration.
    let other = world.wallet();
    let ix = rx::register_patient(
        &world.payer.pubkey(),
        &other.pubkey(),
        Some(&guardian.pubkey()),
        RegisterPatientArgs {
            encryption_key: [3; 32],
            guardian_encryption_key: [0; 32],
        },
    );
    custom_error(
        world.send(&[ix], &[&other, &guardian]),
        RecordsError::ZeroEncryptionKey,
    );
    let ix = rx::register_patient(
        &world.payer.pubkey(),
        &other.pubkey(),
        None,
        RegisterPatientArgs {
            encryption_key: [3; 32],
            guardian_encryption_key: [0x61; 32],
        },
    );
    custom_error(
        world.send(&[ix], &[&other]),
        RecordsError::GuardianKeyWithoutGuardian,
    );
    assert!(!world.exists(&pda::patient(&other.pubkey()).0));

    // Named at registration with its key.
    let ix = rx::register_patient(
        &world.payer.pubkey(),
        &other.pubkey(),
        Some(&guardian.pubkey()),
        RegisterPatientArgs {
            encryption_key: [3; 32],
            guardian_encryption_key: [0x62; 32],
        },
    );
    world
        .send(&[ix], &[&other, &guardian])
        .expect("register with a guardian");
    let registered: Patient = world.account(&pda::patient(&other.pubkey()).0);
    assert_eq!(
        (registered.guardian, registered.guardian_encryption_key),
        (Some(guardian.pubkey()), [0x62; 32])
    );
    assert!(registered.invariant());
}

#[test]
fn the_guardian_rotates_its_own_key() {
    let mut world = World::new();
    let (patient, guardian) = world.patient_with_guardian();
    let profile = pda::patient(&patient.pubkey()).0;
    let before: Patient = world.account(&profile);
    assert_eq!(before.guardian_encryption_key, GUARDIAN_KEY);

    let ix = rx::update_guardian_encryption_key(&guardian.pubkey(), &patient.pubkey(), [0x71; 32]);
    let meta = world.send(&[ix], &[&guardian]).expect("rotate");
    let after: Patient = world.account(&profile);
    assert_eq!(after.guardian_encryption_key, [0x71; 32]);
    assert!(after.invariant());
    // Nothing else changes.
    assert_eq!(
        (
            after.encryption_key,
            after.guardian,
            after.next_record_serial
        ),
        (
            before.encryption_key,
            before.guardian,
            before.next_record_serial
        )
    );
    let events = World::events::<EncryptionKeyRotated>(&meta);
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].authority, events[0].account, events[0].holder),
        (guardian.pubkey(), profile, KeyHolder::Guardian)
    );
    assert_eq!(
        (events[0].old_key, events[0].new_key),
        (GUARDIAN_KEY, [0x71; 32])
    );
}

#[test]
fn nobody_else_rotates_the_guardians_key_and_no_zero_or_unchanged_key() {
    let mut world = World::new();
    let (patient, guardian) = world.patient_with_guardian();
    let lone = world.patient();
    let profile = pda::patient(&patient.pubkey()).0;
    let snapshot = world.snapshot(&[profile, pda::patient(&lone.pubkey()).0]);

    // A stranger.
    let stranger = world.wallet();
    let ix = rx::update_guardian_encryption_key(&stranger.pubkey(), &patient.pubkey(), [0x72; 32]);
    custom_error(world.send(&[ix], &[&stranger]), RecordsError::NotGuardian);
    // The patient: the guardian's key changes with the guardian's consent
    // only (set_guardian, co-signed).
    let ix = rx::update_guardian_encryption_key(&patient.pubkey(), &patient.pubkey(), [0x72; 32]);
    custom_error(world.send(&[ix], &[&patient]), RecordsError::NotGuardian);
    // The guardian named but not signing.
    let mut ix =
        rx::update_guardian_encryption_key(&guardian.pubkey(), &patient.pubkey(), [0x72; 32]);
    ix.accounts[0].is_signer = false;
    custom_error(world.send(&[ix], &[]), Anchor::AccountNotSigner);
    // A patient without a guardian: nobody rotates a key that is not there.
    let ix = rx::update_guardian_encryption_key(&guardian.pubkey(), &lone.pubkey(), [0x72; 32]);
    custom_error(world.send(&[ix], &[&guardian]), RecordsError::NotGuardian);
    // Zero and unchanged keys.
    let ix = rx::update_guardian_encryption_key(&guardian.pubkey(), &patient.pubkey(), [0; 32]);
    custom_error(
        world.send(&[ix], &[&guardian]),
        RecordsError::ZeroEncryptionKey,
    );
    let ix =
        rx::update_guardian_encryption_key(&guardian.pubkey(), &patient.pubkey(), GUARDIAN_KEY);
    custom_error(
        world.send(&[ix], &[&guardian]),
        RecordsError::EncryptionKeyUnchanged,
    );
    world.assert_unchanged(&snapshot);

    // A removed guardian can no longer rotate.
    let ix = rx::set_guardian(&patient.pubkey(), None, [0; 32]);
    world.send(&[ix], &[&patient]).expect("remove");
    let snapshot = world.snapshot(&[profile]);
    let ix = rx::update_guardian_encryption_key(&guardian.pubkey(), &patient.pubkey(), [0x73; 32]);
    custom_error(world.send(&[ix], &[&guardian]), RecordsError::NotGuardian);
    world.assert_unchanged(&snapshot);
}
