//! Encryption keys rotate: an entity's authority and a patient replace the
//! X25519 key data keys are wrapped to; nobody else can, and a key that
//! would let anyone unwrap (all zeroes) or a revoked entity's is refused.

use {
    anchor_lang::error::ErrorCode as Anchor,
    panacea_sdk::records as rx,
    panacea_tests::{assert::*, *},
    records::{errors::RecordsError, events::*, instructions::RegisterPatientArgs, pda, state::*},
    solana_signer::Signer,
};

#[test]
fn an_entity_rotates_its_encryption_key() {
    let mut world = World::new();
    let lab = world.lab();
    let entity = pda::entity(&lab.pubkey()).0;
    let before: Entity = world.account(&entity);
    assert_eq!(before.encryption_key, [9; 32]);

    let ix = rx::update_entity_encryption_key(&lab.pubkey(), [0x42; 32]);
    let meta = world.send(&[ix], &[&lab]).expect("rotate");
    let after: Entity = world.account(&entity);
    assert_eq!(after.encryption_key, [0x42; 32]);
    // Nothing else changes.
    assert_eq!(after.status, before.status);
    assert_eq!(after.valid_until, before.valid_until);
    assert_eq!(after.credential_commitment, before.credential_commitment);
    assert!(after.updated_at >= before.updated_at);
    let events = World::events::<EncryptionKeyRotated>(&meta);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].authority, lab.pubkey());
    assert_eq!(events[0].account, entity);
    assert_eq!(events[0].holder, KeyHolder::Entity);
    assert_eq!(
        (events[0].old_key, events[0].new_key),
        ([9; 32], [0x42; 32])
    );

    // A suspended entity may still rotate (a leaked key is a reason to).
    world.set_status(&lab.pubkey(), EntityStatus::Suspended);
    let ix = rx::update_entity_encryption_key(&lab.pubkey(), [0x43; 32]);
    world.send(&[ix], &[&lab]).expect("rotate while suspended");
    assert_eq!(world.account::<Entity>(&entity).encryption_key, [0x43; 32]);
}

#[test]
fn a_patient_rotates_their_encryption_key() {
    let mut world = World::new();
    let patient = world.patient();
    let profile = pda::patient(&patient.pubkey()).0;
    let before: Patient = world.account(&profile);

    let ix = rx::update_patient_encryption_key(&patient.pubkey(), [0x51; 32]);
    let meta = world.send(&[ix], &[&patient]).expect("rotate");
    let after: Patient = world.account(&profile);
    assert_eq!(after.encryption_key, [0x51; 32]);
    assert_eq!(after.next_record_serial, before.next_record_serial);
    assert_eq!(after.guardian, before.guardian);
    let events = World::events::<EncryptionKeyRotated>(&meta);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].authority, patient.pubkey());
    assert_eq!(events[0].account, profile);
    assert_eq!(events[0].holder, KeyHolder::Patient);
    assert_eq!(
        (events[0].old_key, events[0].new_key),
        ([3; 32], [0x51; 32])
    );
}

#[test]
fn nobody_else_rotates_an_entitys_key() {
    let mut world = World::new();
    let lab = world.lab();
    let rival = world.provider();
    let entity = pda::entity(&lab.pubkey()).0;
    let snapshot = world.snapshot(&[entity, pda::entity(&rival.pubkey()).0]);

    // Another entity signs for the lab's account: the seeds do not match.
    let mut ix = rx::update_entity_encryption_key(&rival.pubkey(), [0x66; 32]);
    ix.accounts[1].pubkey = entity;
    custom_error(world.send(&[ix], &[&rival]), Anchor::ConstraintSeeds);

    // The lab's authority named but not signing.
    let mut ix = rx::update_entity_encryption_key(&lab.pubkey(), [0x66; 32]);
    ix.accounts[0].is_signer = false;
    custom_error(world.send(&[ix], &[]), Anchor::AccountNotSigner);

    // The admin cannot rotate an entity's key either.
    let admin = world.admin.insecure_clone();
    let mut ix = rx::update_entity_encryption_key(&admin.pubkey(), [0x66; 32]);
    ix.accounts[1].pubkey = entity;
    custom_error(world.send(&[ix], &[&admin]), Anchor::ConstraintSeeds);

    world.assert_unchanged(&snapshot);
}

#[test]
fn nobody_else_rotates_a_patients_key_not_even_the_guardian() {
    let mut world = World::new();
    let (patient, guardian) = world.patient_with_guardian();
    let other = world.patient();
    let profile = pda::patient(&patient.pubkey()).0;
    let snapshot = world.snapshot(&[profile, pda::patient(&other.pubkey()).0]);

    // The guardian would have every new record wrapped to its own key.
    let mut ix = rx::update_patient_encryption_key(&guardian.pubkey(), [0x77; 32]);
    ix.accounts[1].pubkey = profile;
    custom_error(world.send(&[ix], &[&guardian]), Anchor::ConstraintSeeds);

    // Another patient signs for this profile.
    let mut ix = rx::update_patient_encryption_key(&other.pubkey(), [0x77; 32]);
    ix.accounts[1].pubkey = profile;
    custom_error(world.send(&[ix], &[&other]), Anchor::ConstraintSeeds);

    // A stranger with a fresh wallet: no profile at its address.
    let stranger = world.wallet();
    let ix = rx::update_patient_encryption_key(&stranger.pubkey(), [0x77; 32]);
    custom_error(
        world.send(&[ix], &[&stranger]),
        Anchor::AccountNotInitialized,
    );

    world.assert_unchanged(&snapshot);
}

#[test]
fn a_zero_or_unchanged_key_and_a_revoked_entity_are_refused() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let entity = pda::entity(&lab.pubkey()).0;
    let profile = pda::patient(&patient.pubkey()).0;
    let snapshot = world.snapshot(&[entity, profile]);

    let ix = rx::update_entity_encryption_key(&lab.pubkey(), [0; 32]);
    custom_error(world.send(&[ix], &[&lab]), RecordsError::ZeroEncryptionKey);
    let ix = rx::update_patient_encryption_key(&patient.pubkey(), [0; 32]);
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::ZeroEncryptionKey,
    );
    let ix = rx::update_entity_encryption_key(&lab.pubkey(), [9; 32]);
    custom_error(
        world.send(&[ix], &[&lab]),
        RecordsError::EncryptionKeyUnchanged,
    );
    let ix = rx::update_patient_encryption_key(&patient.pubkey(), [3; 32]);
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::EncryptionKeyUnchanged,
    );
    world.assert_unchanged(&snapshot);

    // Revocation is final: the revoked entity's key stays as it was.
    world.set_status(&lab.pubkey(), EntityStatus::Revoked);
    let snapshot = world.snapshot(&[entity]);
    let ix = rx::update_entity_encryption_key(&lab.pubkey(), [0x42; 32]);
    custom_error(world.send(&[ix], &[&lab]), RecordsError::EntityRevoked);
    world.assert_unchanged(&snapshot);
}

#[test]
fn registering_with_an_all_zero_key_is_refused_and_creates_nothing() {
    let mut world = World::new();

    // A patient whose data keys would be wrapped to a key anyone can
    // compute the shared secret of.
    let patient = world.wallet();
    let profile = pda::patient(&patient.pubkey()).0;
    let book = pda::record_book_account(&patient.pubkey());
    let snapshot = world.snapshot(&[profile, book, patient.pubkey()]);
    let ix = rx::register_patient(
        &world.payer.pubkey(),
        &patient.pubkey(),
        None,
        RegisterPatientArgs {
            encryption_key: [0; 32],
            guardian_encryption_key: [0; 32],
        },
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::ZeroEncryptionKey,
    );
    assert!(!world.exists(&profile), "no patient profile");
    assert!(!world.exists(&book), "no record book account");
    world.assert_unchanged(&snapshot);

    // An entity the same: the admin cannot register one with a zero key.
    let authority = world.wallet();
    let entity = pda::entity(&authority.pubkey()).0;
    let snapshot = world.snapshot(&[entity, authority.pubkey()]);
    let mut args = world.entity_args(EntityKind::Laboratory);
    args.encryption_key = [0; 32];
    let ix = rx::register_entity(
        &world.payer.pubkey(),
        &world.admin.pubkey(),
        &authority.pubkey(),
        args,
    );
    let admin = world.admin.insecure_clone();
    custom_error(
        world.send(&[ix], &[&admin, &authority]),
        RecordsError::ZeroEncryptionKey,
    );
    assert!(!world.exists(&entity), "no entity account");
    world.assert_unchanged(&snapshot);

    // The same registrations with a real key go through.
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
    assert!(world.exists(&profile) && world.exists(&book));
    let ix = rx::register_entity(
        &world.payer.pubkey(),
        &world.admin.pubkey(),
        &authority.pubkey(),
        world.entity_args(EntityKind::Laboratory),
    );
    world
        .send(&[ix], &[&admin, &authority])
        .expect("register entity");
    assert!(world.exists(&entity));
}
