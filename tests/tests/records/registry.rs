//! The registry admin credentials entities; nobody else can.

use {
    anchor_lang::error::ErrorCode as Anchor,
    panacea_sdk::records as rx,
    panacea_tests::{assert::*, *},
    records::{errors::RecordsError, events::*, instructions::*, pda, state::*},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

#[test]
fn the_upgrade_authority_initializes_the_registry_once() {
    let mut world = World::without_registry();
    let impostor = world.wallet();
    let args = || InitializeRegistryArgs {
        admin: Keypair::new().pubkey(),
        max_emergency_duration: MAX_EMERGENCY,
        deployment: "devnet".to_string(),
    };

    // Front-running the deployment: someone else tries to become admin.
    let ix = rx::initialize_registry(&world.payer.pubkey(), &impostor.pubkey(), args());
    custom_error(
        world.send(&[ix], &[&impostor]),
        RecordsError::NotUpgradeAuthority,
    );
    assert!(!world.exists(&pda::config().0));

    let ua = world.upgrade_authority.insecure_clone();
    let first = args();
    let admin = first.admin;
    let ix = rx::initialize_registry(&world.payer.pubkey(), &ua.pubkey(), first);
    let meta = world.send(&[ix], &[&ua]).expect("initialize");
    let config: RegistryConfig = world.account(&pda::config().0);
    assert_eq!(config.admin, admin);
    assert_eq!(config.max_emergency_duration, MAX_EMERGENCY);
    assert_eq!(config.deployment, "devnet");
    let events = World::events::<RegistryInitialized>(&meta);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].admin, admin);
    assert_eq!(events[0].deployment, "devnet");

    // Re-initialising the existing config fails in the System program
    // (account already in use), and the admin stays.
    let ix = rx::initialize_registry(&world.payer.pubkey(), &ua.pubkey(), args());
    custom_error(world.send(&[ix], &[&ua]), 0u32);
    assert_eq!(
        world.account::<RegistryConfig>(&pda::config().0).admin,
        admin
    );
}

#[test]
fn emergency_cap_must_be_positive_and_at_most_72_hours() {
    let mut world = World::without_registry();
    let ua = world.upgrade_authority.insecure_clone();
    for bad in [0, -1, 72 * 3600 + 1] {
        let ix = rx::initialize_registry(
            &world.payer.pubkey(),
            &ua.pubkey(),
            InitializeRegistryArgs {
                admin: ua.pubkey(),
                max_emergency_duration: bad,
                deployment: DEPLOYMENT.to_string(),
            },
        );
        custom_error(
            world.send(&[ix], &[&ua]),
            RecordsError::InvalidEmergencyDuration,
        );
    }
}

#[test]
fn the_deployment_name_must_be_one_short_visible_line() {
    let mut world = World::without_registry();
    let ua = world.upgrade_authority.insecure_clone();
    let payer = world.payer.pubkey();
    let init = |deployment: &str| {
        rx::initialize_registry(
            &payer,
            &ua.pubkey(),
            InitializeRegistryArgs {
                admin: ua.pubkey(),
                max_emergency_duration: MAX_EMERGENCY,
                deployment: deployment.to_string(),
            },
        )
    };
    // Empty, too long, a space, a line break, a `;` that would forge a
    // field of a consent message, a control character, non-ASCII.
    for bad in [
        "",
        &"x".repeat(33),
        "main net",
        "devnet\npatient: someone",
        "devnet;patient:someone",
        ";",
        "dev\tnet",
        "dévnet",
    ] {
        let result = world.send(&[init(bad)], &[&ua]);
        custom_error(result, RecordsError::InvalidDeploymentName);
        assert!(!world.exists(&pda::config().0), "{bad:?}");
    }

    for good in ["mainnet-beta", &"x".repeat(32)] {
        let mut world = World::without_registry();
        let ua = world.upgrade_authority.insecure_clone();
        let ix = rx::initialize_registry(
            &world.payer.pubkey(),
            &ua.pubkey(),
            InitializeRegistryArgs {
                admin: ua.pubkey(),
                max_emergency_duration: MAX_EMERGENCY,
                deployment: good.to_string(),
            },
        );
        world.send(&[ix], &[&ua]).expect("a valid name");
        assert_eq!(
            world.account::<RegistryConfig>(&pda::config().0).deployment,
            good
        );
    }
}

#[test]
fn the_admin_hands_over_only_to_a_key_that_signs() {
    let mut world = World::new();
    let admin = world.admin.insecure_clone();
    let successor = Keypair::new();

    // A stranger cannot update the registry.
    let stranger = world.wallet();
    let ix = rx::update_registry(
        &stranger.pubkey(),
        None,
        UpdateRegistryArgs {
            max_emergency_duration: Some(60),
        },
    );
    custom_error(
        world.send(&[ix], &[&stranger]),
        RecordsError::NotRegistryAdmin,
    );

    // The successor must co-sign: an unsigned successor is refused.
    let mut ix = rx::update_registry(
        &admin.pubkey(),
        Some(&successor.pubkey()),
        UpdateRegistryArgs {
            max_emergency_duration: None,
        },
    );
    ix.accounts[1].is_signer = false;
    custom_error(world.send(&[ix], &[&admin]), Anchor::AccountNotSigner);
    assert_eq!(
        world.account::<RegistryConfig>(&pda::config().0).admin,
        admin.pubkey()
    );

    let ix = rx::update_registry(
        &admin.pubkey(),
        Some(&successor.pubkey()),
        UpdateRegistryArgs {
            max_emergency_duration: Some(2 * 3600),
        },
    );
    let meta = world.send(&[ix], &[&admin, &successor]).expect("hand over");
    let config: RegistryConfig = world.account(&pda::config().0);
    assert_eq!(config.admin, successor.pubkey());
    assert_eq!(config.max_emergency_duration, 2 * 3600);
    assert_eq!(
        World::events::<RegistryUpdated>(&meta)[0].new_admin,
        successor.pubkey()
    );

    // The old admin has lost the role.
    let ix = rx::set_entity_status(
        &admin.pubkey(),
        &Keypair::new().pubkey(),
        SetEntityStatusArgs {
            status: EntityStatus::Suspended,
        },
    );
    assert!(world.send(&[ix], &[&admin]).is_err());
}

#[test]
fn the_admin_and_the_entity_both_sign_a_registration() {
    let mut world = World::new();
    let hospital = Keypair::new();
    let admin = world.admin.insecure_clone();
    let args = world.entity_args(EntityKind::Provider);

    // Wrong signer in the admin's place.
    let fake_admin = world.wallet();
    let ix = rx::register_entity(
        &world.payer.pubkey(),
        &fake_admin.pubkey(),
        &hospital.pubkey(),
        args.clone(),
    );
    custom_error(
        world.send(&[ix], &[&fake_admin, &hospital]),
        RecordsError::NotRegistryAdmin,
    );

    // The entity does not sign: nobody can register a key they do not hold.
    let mut ix = rx::register_entity(
        &world.payer.pubkey(),
        &admin.pubkey(),
        &hospital.pubkey(),
        args.clone(),
    );
    ix.accounts[2].is_signer = false;
    custom_error(world.send(&[ix], &[&admin]), Anchor::AccountNotSigner);

    // The admin does not sign.
    let mut ix = rx::register_entity(
        &world.payer.pubkey(),
        &admin.pubkey(),
        &hospital.pubkey(),
        args.clone(),
    );
    ix.accounts[1].is_signer = false;
    custom_error(world.send(&[ix], &[&hospital]), Anchor::AccountNotSigner);
    assert!(!world.exists(&pda::entity(&hospital.pubkey()).0));

    // Bad jurisdiction codes and validity.
    for code in [
        *b"us\0\0\0\0\0\0",
        *b"U\0\0\0\0\0\0\0",
        *b"US\0A\0\0\0\0",
        *b"1US\0\0\0\0\0",
    ] {
        let mut bad = args.clone();
        bad.jurisdiction = code;
        let ix = rx::register_entity(
            &world.payer.pubkey(),
            &admin.pubkey(),
            &hospital.pubkey(),
            bad,
        );
        custom_error(
            world.send(&[ix], &[&admin, &hospital]),
            RecordsError::InvalidJurisdiction,
        );
    }
    let mut expired = args.clone();
    expired.valid_until = world.now();
    let ix = rx::register_entity(
        &world.payer.pubkey(),
        &admin.pubkey(),
        &hospital.pubkey(),
        expired,
    );
    custom_error(
        world.send(&[ix], &[&admin, &hospital]),
        RecordsError::InvalidValidity,
    );

    let ix = rx::register_entity(
        &world.payer.pubkey(),
        &admin.pubkey(),
        &hospital.pubkey(),
        args.clone(),
    );
    let meta = world.send(&[ix], &[&admin, &hospital]).expect("register");
    let entity: Entity = world.account(&pda::entity(&hospital.pubkey()).0);
    assert_eq!(entity.authority, hospital.pubkey());
    assert_eq!(entity.kind, EntityKind::Provider);
    assert_eq!(entity.status, EntityStatus::Active);
    assert_eq!(entity.attested_by, admin.pubkey());
    assert_eq!(entity.registered_at, world.now());
    assert_eq!(entity.valid_until, args.valid_until);
    assert_eq!(entity.version, 1);
    assert_eq!(entity.bump, pda::entity(&hospital.pubkey()).1);
    let event = &World::events::<EntityRegistered>(&meta)[0];
    assert_eq!(
        (event.entity, event.kind),
        (hospital.pubkey(), EntityKind::Provider)
    );

    // Registering the same authority again is re-initialisation: refused.
    let ix = rx::register_entity(
        &world.payer.pubkey(),
        &admin.pubkey(),
        &hospital.pubkey(),
        args,
    );
    custom_error(world.send(&[ix], &[&admin, &hospital]), 0u32);
}

#[test]
fn suspension_and_revocation_stop_an_entity_and_revocation_is_final() {
    let mut world = World::new();
    let clinic = world.provider();
    let patient = world.patient();
    let clinic_entity = pda::entity(&clinic.pubkey()).0;

    // Only the admin changes a status.
    let ix = rx::set_entity_status(
        &clinic.pubkey(),
        &clinic.pubkey(),
        SetEntityStatusArgs {
            status: EntityStatus::Active,
        },
    );
    custom_error(
        world.send(&[ix], &[&clinic]),
        RecordsError::NotRegistryAdmin,
    );

    world.set_status(&clinic.pubkey(), EntityStatus::Suspended);
    let args = World::issue_args(RecordKind::Encounter);
    custom_error(
        world.try_issue(&clinic, &patient.pubkey(), args),
        RecordsError::EntityNotActive,
    );

    world.set_status(&clinic.pubkey(), EntityStatus::Active);
    world.issue(&clinic, &patient.pubkey(), RecordKind::Encounter);

    world.set_status(&clinic.pubkey(), EntityStatus::Revoked);
    let admin = world.admin.insecure_clone();
    let ix = rx::set_entity_status(
        &admin.pubkey(),
        &clinic.pubkey(),
        SetEntityStatusArgs {
            status: EntityStatus::Active,
        },
    );
    custom_error(world.send(&[ix], &[&admin]), RecordsError::EntityRevoked);
    let ix = rx::renew_entity(
        &admin.pubkey(),
        &clinic.pubkey(),
        RenewEntityArgs {
            valid_until: world.now() + DAY,
            credential_commitment: [1; 32],
        },
    );
    custom_error(world.send(&[ix], &[&admin]), RecordsError::EntityRevoked);
    assert_eq!(
        world.account::<Entity>(&clinic_entity).status,
        EntityStatus::Revoked
    );
}

#[test]
fn an_expired_credential_stops_an_entity_until_renewed() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    world.warp(366 * DAY);
    let args = World::issue_args(RecordKind::LabResult);
    custom_error(
        world.try_issue(&lab, &patient.pubkey(), args),
        RecordsError::EntityNotActive,
    );

    let admin = world.admin.insecure_clone();
    let valid_until = world.now() + 365 * DAY;
    let ix = rx::renew_entity(
        &admin.pubkey(),
        &lab.pubkey(),
        RenewEntityArgs {
            valid_until,
            credential_commitment: [2; 32],
        },
    );
    let meta = world.send(&[ix], &[&admin]).expect("renew");
    assert_eq!(
        World::events::<EntityRenewed>(&meta)[0].valid_until,
        valid_until
    );
    let entity: Entity = world.account(&pda::entity(&lab.pubkey()).0);
    assert_eq!(
        (entity.valid_until, entity.credential_commitment),
        (valid_until, [2; 32])
    );
    world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
}
