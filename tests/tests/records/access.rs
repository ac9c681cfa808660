//! Patients grant, revoke and approve access; grantees log what they read.

use {
    anchor_lang::error::ErrorCode as Anchor,
    panacea_sdk::records::{self as rx, grant_target},
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

struct Clinic {
    world: World,
    lab: Keypair,
    specialist: Keypair,
    patient: Keypair,
    record: Pubkey,
}

use anchor_lang::prelude::Pubkey;

fn clinic() -> Clinic {
    let mut world = World::new();
    let lab = world.lab();
    let specialist = world.provider();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let record = World::record_address(&patient.pubkey(), &id);
    Clinic {
        world,
        lab,
        specialist,
        patient,
        record,
    }
}

fn request_args(scope: GrantScope, kinds: u16) -> RequestAccessArgs {
    RequestAccessArgs {
        scope,
        kinds,
        permissions: READ,
        purpose: Purpose::Treatment,
        duration: 7 * DAY,
        reason_code: 12,
        leaf: None,
    }
}

#[test]
fn a_grantee_logs_reads_until_the_grant_is_revoked() {
    let Clinic {
        mut world,
        specialist,
        patient,
        record,
        ..
    } = clinic();
    let grant = world.grant_record(&patient, &specialist.pubkey(), &record, READ, DAY);
    let state: Grant = world.account(&grant);
    assert_eq!(
        (state.patient, state.grantee, state.target),
        (patient.pubkey(), specialist.pubkey(), record)
    );
    assert_eq!(
        (state.scope, state.kinds),
        (GrantScope::Record, RecordKind::LabResult.bit())
    );
    assert_eq!(
        (state.expires_at, state.granted_by),
        (world.now() + DAY, patient.pubkey())
    );
    assert_eq!(state.wrapped_key, vec![1; 80]);

    for expected in 1..=2u64 {
        let ix = rx::log_access(&specialist.pubkey(), &grant, &record);
        let meta = world.send(&[ix], &[&specialist]).expect("log access");
        let event = &World::events::<AccessLogged>(&meta)[0];
        assert_eq!(
            (
                event.grantee,
                event.record,
                event.access_count,
                event.emergency
            ),
            (specialist.pubkey(), record, expected, false)
        );
    }
    let state: Grant = world.account(&grant);
    assert_eq!(
        (state.access_count, state.last_access_at),
        (2, Some(world.now()))
    );

    let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &grant);
    let meta = world.send(&[ix], &[&patient]).expect("revoke");
    assert_eq!(World::events::<AccessRevoked>(&meta)[0].grant, grant);
    let ix = rx::log_access(&specialist.pubkey(), &grant, &record);
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::GrantRevoked,
    );
    assert_eq!(world.account::<Grant>(&grant).access_count, 2);

    // Revoking twice is refused; closing returns the rent to the payer.
    let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &grant);
    custom_error(world.send(&[ix], &[&patient]), RecordsError::GrantRevoked);
    let rent = world.lamports(&grant);
    let payer = world.payer.pubkey();
    let before = world.lamports(&payer);
    let ix = rx::close_grant(&specialist.pubkey(), &patient.pubkey(), &grant, &payer);
    let meta = world.send(&[ix], &[&specialist]).expect("grantee closes");
    assert!(!world.exists(&grant));
    assert_eq!(world.lamports(&payer), before + rent - meta.fee);
}

#[test]
fn an_expired_grant_logs_nothing_and_can_then_be_closed() {
    let Clinic {
        mut world,
        specialist,
        patient,
        record,
        ..
    } = clinic();
    let grant = world.grant_record(&patient, &specialist.pubkey(), &record, READ, 3600);
    let ix = rx::close_grant(
        &patient.pubkey(),
        &patient.pubkey(),
        &grant,
        &world.payer.pubkey(),
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::GrantStillActive,
    );

    world.warp(3599);
    let ix = rx::log_access(&specialist.pubkey(), &grant, &record);
    world.send(&[ix], &[&specialist]).expect("last second");
    world.warp(1);
    let ix = rx::log_access(&specialist.pubkey(), &grant, &record);
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::GrantExpired,
    );
    assert_eq!(world.account::<Grant>(&grant).access_count, 1);

    let stranger = world.wallet();
    let ix = rx::close_grant(
        &stranger.pubkey(),
        &patient.pubkey(),
        &grant,
        &world.payer.pubkey(),
    );
    custom_error(
        world.send(&[ix], &[&stranger]),
        RecordsError::NotPatientOrGuardian,
    );
    let ix = rx::close_grant(
        &patient.pubkey(),
        &patient.pubkey(),
        &grant,
        &world.payer.pubkey(),
    );
    world.send(&[ix], &[&patient]).expect("close expired");
    assert!(!world.exists(&grant));
}

#[test]
fn only_the_grantee_logs_and_only_for_what_the_grant_covers() {
    let Clinic {
        mut world,
        lab,
        specialist,
        patient,
        record,
    } = clinic();
    let grant = world.grant_record(&patient, &specialist.pubkey(), &record, READ, DAY);

    // Someone else signs with the specialist's grant.
    let intruder = world.provider();
    let ix = rx::log_access(&intruder.pubkey(), &grant, &record);
    custom_error(world.send(&[ix], &[&intruder]), Anchor::ConstraintSeeds);

    // Another record of the same patient is not covered.
    let other_id = world.issue(&lab, &patient.pubkey(), RecordKind::Imaging);
    let other = World::record_address(&patient.pubkey(), &other_id);
    let ix = rx::log_access(&specialist.pubkey(), &grant, &other);
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::GrantDoesNotCoverRecord,
    );

    // Another patient's grant, passed with this patient's record.
    let second = world.patient();
    let theirs_id = world.issue(&lab, &second.pubkey(), RecordKind::LabResult);
    let theirs = World::record_address(&second.pubkey(), &theirs_id);
    let ix = rx::log_access(&specialist.pubkey(), &grant, &theirs);
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::GrantDoesNotCoverRecord,
    );

    // An Amend-only grant does not allow reads.
    let editor = world.provider();
    let amend_only = world.grant_record(&patient, &editor.pubkey(), &record, AMEND, DAY);
    let ix = rx::log_access(&editor.pubkey(), &amend_only, &record);
    custom_error(
        world.send(&[ix], &[&editor]),
        RecordsError::ReadNotPermitted,
    );
    assert_eq!(world.account::<Grant>(&grant).access_count, 0);
}

#[test]
fn a_grant_over_the_patients_records_covers_only_the_kinds_in_its_mask() {
    let Clinic {
        mut world,
        lab,
        specialist,
        patient,
        record,
    } = clinic();
    let target = grant_target(&patient.pubkey(), GrantScope::Patient, None);
    let ix = rx::grant_access(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &target,
        GrantAccessArgs {
            grantee: specialist.pubkey(),
            scope: GrantScope::Patient,
            kinds: RecordKind::LabResult.bit() | RecordKind::DiagnosticReport.bit(),
            permissions: READ,
            purpose: Purpose::Treatment,
            duration: DAY,
            wrapped_key: vec![],
            leaf: None,
        },
    );
    world.send(&[ix], &[&patient]).expect("grant by kinds");
    let grant = pda::grant(&patient.pubkey(), &specialist.pubkey(), &target).0;

    let ix = rx::log_access(&specialist.pubkey(), &grant, &record);
    world
        .send(&[ix], &[&specialist])
        .expect("lab result is covered");
    let imaging = world.issue(&lab, &patient.pubkey(), RecordKind::Imaging);
    let imaging = World::record_address(&patient.pubkey(), &imaging);
    let ix = rx::log_access(&specialist.pubkey(), &grant, &imaging);
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::GrantDoesNotCoverRecord,
    );
}

#[test]
fn grant_arguments_are_checked() {
    let Clinic {
        mut world,
        specialist,
        patient,
        record,
        lab,
    } = clinic();
    let base = GrantAccessArgs {
        grantee: specialist.pubkey(),
        scope: GrantScope::Record,
        kinds: 0,
        permissions: READ,
        purpose: Purpose::Treatment,
        duration: DAY,
        wrapped_key: vec![],
        leaf: None,
    };
    let patient_target = grant_target(&patient.pubkey(), GrantScope::Patient, None);
    let cases: Vec<(GrantAccessArgs, Pubkey, RecordsError)> = vec![
        (
            GrantAccessArgs {
                permissions: 0,
                ..base.clone()
            },
            record,
            RecordsError::InvalidPermissions,
        ),
        (
            GrantAccessArgs {
                permissions: 8,
                ..base.clone()
            },
            record,
            RecordsError::InvalidPermissions,
        ),
        (
            GrantAccessArgs {
                purpose: Purpose::Emergency,
                ..base.clone()
            },
            record,
            RecordsError::EmergencyPurposeReserved,
        ),
        (
            GrantAccessArgs {
                duration: 0,
                ..base.clone()
            },
            record,
            RecordsError::InvalidDuration,
        ),
        (
            GrantAccessArgs {
                duration: 6 * 365 * DAY,
                ..base.clone()
            },
            record,
            RecordsError::InvalidDuration,
        ),
        (
            GrantAccessArgs {
                wrapped_key: vec![0; 81],
                ..base.clone()
            },
            record,
            RecordsError::WrappedKeyTooLong,
        ),
        (
            GrantAccessArgs {
                grantee: patient.pubkey(),
                ..base.clone()
            },
            record,
            RecordsError::GranteeIsPatient,
        ),
        (
            GrantAccessArgs {
                scope: GrantScope::Patient,
                kinds: 0,
                ..base.clone()
            },
            patient_target,
            RecordsError::InvalidKinds,
        ),
        (
            GrantAccessArgs {
                scope: GrantScope::Patient,
                kinds: 1 << 12,
                ..base.clone()
            },
            patient_target,
            RecordsError::InvalidKinds,
        ),
        // Scope Patient with a record as target, and the reverse.
        (
            GrantAccessArgs {
                scope: GrantScope::Patient,
                kinds: 1,
                ..base.clone()
            },
            record,
            RecordsError::InvalidTarget,
        ),
        // Type cosplay: the lab's Entity account passed as a Record.
        (
            base.clone(),
            pda::entity(&lab.pubkey()).0,
            RecordsError::InvalidTarget,
        ),
        (base.clone(), patient_target, RecordsError::InvalidTarget),
    ];
    for (args, target, expected) in cases {
        let ix = rx::grant_access(
            &world.payer.pubkey(),
            &patient.pubkey(),
            &patient.pubkey(),
            &target,
            args.clone(),
        );
        custom_error(world.send(&[ix], &[&patient]), expected);
        assert!(!world.exists(&pda::grant(&patient.pubkey(), &args.grantee, &target).0));
    }

    // Another patient's record as the target.
    let other = world.patient();
    let ix = rx::grant_access(
        &world.payer.pubkey(),
        &other.pubkey(),
        &other.pubkey(),
        &record,
        base.clone(),
    );
    custom_error(
        world.send(&[ix], &[&other]),
        RecordsError::RecordPatientMismatch,
    );

    // Granting the same access twice is re-initialisation.
    world.grant_record(&patient, &specialist.pubkey(), &record, READ, DAY);
    let ix = rx::grant_access(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &record,
        base,
    );
    custom_error(world.send(&[ix], &[&patient]), 0u32);
}

#[test]
fn a_patient_cannot_revoke_another_patients_grant() {
    let Clinic {
        mut world,
        specialist,
        patient,
        record,
        ..
    } = clinic();
    let grant = world.grant_record(&patient, &specialist.pubkey(), &record, READ, DAY);
    let other = world.patient();
    let ix = rx::revoke_access(&other.pubkey(), &other.pubkey(), &grant);
    custom_error(world.send(&[ix], &[&other]), Anchor::ConstraintSeeds);
    assert!(world.account::<Grant>(&grant).revoked_at.is_none());
}

#[test]
fn a_specialist_requests_access_and_the_patient_approves() {
    let Clinic {
        mut world,
        specialist,
        patient,
        record,
        ..
    } = clinic();
    let payer = world.payer.pubkey();
    let ix = rx::request_access(
        &payer,
        &specialist.pubkey(),
        &patient.pubkey(),
        &record,
        request_args(GrantScope::Record, 0),
    );
    let meta = world.send(&[ix], &[&specialist]).expect("request");
    let request = pda::access_request(&patient.pubkey(), &specialist.pubkey(), &record).0;
    let event = &World::events::<AccessRequested>(&meta)[0];
    assert_eq!(
        (event.requester, event.request, event.reason_code),
        (specialist.pubkey(), request, 12)
    );
    let state: AccessRequest = world.account(&request);
    assert_eq!(
        (state.duration, state.purpose, state.created_at),
        (7 * DAY, Purpose::Treatment, world.now())
    );

    // Asking twice re-initialises the request: refused.
    let ix = rx::request_access(
        &payer,
        &specialist.pubkey(),
        &patient.pubkey(),
        &record,
        request_args(GrantScope::Record, 0),
    );
    custom_error(world.send(&[ix], &[&specialist]), 0u32);

    let ix = rx::approve_access_request(
        &payer,
        &patient.pubkey(),
        &patient.pubkey(),
        &specialist.pubkey(),
        &record,
        &payer,
        ApproveAccessRequestArgs {
            wrapped_key: vec![5; 80],
            leaf: None,
        },
    );
    let meta = world.send(&[ix], &[&patient]).expect("approve");
    assert!(!world.exists(&request));
    let grant = pda::grant(&patient.pubkey(), &specialist.pubkey(), &record).0;
    let state: Grant = world.account(&grant);
    assert_eq!(
        (state.grantee, state.permissions, state.reason_code),
        (specialist.pubkey(), READ, 12)
    );
    assert_eq!(state.expires_at, world.now() + 7 * DAY);
    assert_eq!(World::events::<AccessGranted>(&meta)[0].grant, grant);

    let ix = rx::log_access(&specialist.pubkey(), &grant, &record);
    world
        .send(&[ix], &[&specialist])
        .expect("log under approved grant");
}

#[test]
fn nobody_approves_or_denies_someone_elses_request() {
    let Clinic {
        mut world,
        specialist,
        patient,
        record,
        ..
    } = clinic();
    let payer = world.payer.pubkey();
    let ix = rx::request_access(
        &payer,
        &specialist.pubkey(),
        &patient.pubkey(),
        &record,
        request_args(GrantScope::Record, 0),
    );
    world.send(&[ix], &[&specialist]).expect("request");
    let request = pda::access_request(&patient.pubkey(), &specialist.pubkey(), &record).0;

    let other = world.patient();
    let mut approve = rx::approve_access_request(
        &payer,
        &other.pubkey(),
        &other.pubkey(),
        &specialist.pubkey(),
        &record,
        &payer,
        ApproveAccessRequestArgs {
            wrapped_key: vec![],
            leaf: None,
        },
    );
    approve.accounts[3].pubkey = request;
    custom_error(world.send(&[approve], &[&other]), Anchor::ConstraintSeeds);

    // The requester approving its own request, acting as the patient.
    let ix = rx::approve_access_request(
        &payer,
        &specialist.pubkey(),
        &patient.pubkey(),
        &specialist.pubkey(),
        &record,
        &payer,
        ApproveAccessRequestArgs {
            wrapped_key: vec![],
            leaf: None,
        },
    );
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::NotPatientOrGuardian,
    );
    let ix = rx::deny_access_request(
        &specialist.pubkey(),
        &patient.pubkey(),
        &specialist.pubkey(),
        &record,
        &payer,
    );
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::NotPatientOrGuardian,
    );
    assert!(world.exists(&request));
    assert!(!world.exists(&pda::grant(&patient.pubkey(), &specialist.pubkey(), &record).0));

    let ix = rx::deny_access_request(
        &patient.pubkey(),
        &patient.pubkey(),
        &specialist.pubkey(),
        &record,
        &payer,
    );
    let meta = world.send(&[ix], &[&patient]).expect("deny");
    assert!(!world.exists(&request));
    assert_eq!(
        World::events::<AccessRequestDenied>(&meta)[0].request,
        request
    );
}

#[test]
fn uncredentialed_suspended_or_expired_entities_cannot_request() {
    let Clinic {
        mut world,
        patient,
        record,
        ..
    } = clinic();
    let payer = world.payer.pubkey();
    let nobody = world.wallet();
    let ix = rx::request_access(
        &payer,
        &nobody.pubkey(),
        &patient.pubkey(),
        &record,
        request_args(GrantScope::Record, 0),
    );
    custom_error(world.send(&[ix], &[&nobody]), Anchor::AccountNotInitialized);

    let researcher = world.entity(EntityKind::Researcher);
    world.set_status(&researcher.pubkey(), EntityStatus::Suspended);
    let ix = rx::request_access(
        &payer,
        &researcher.pubkey(),
        &patient.pubkey(),
        &record,
        request_args(GrantScope::Record, 0),
    );
    custom_error(
        world.send(&[ix], &[&researcher]),
        RecordsError::EntityNotActive,
    );

    let insurer = world.insurer();
    world.warp(400 * DAY);
    let target = grant_target(&patient.pubkey(), GrantScope::Patient, None);
    let ix = rx::request_access(
        &payer,
        &insurer.pubkey(),
        &patient.pubkey(),
        &target,
        request_args(GrantScope::Patient, 1),
    );
    custom_error(
        world.send(&[ix], &[&insurer]),
        RecordsError::EntityNotActive,
    );
    assert!(!world.exists(&pda::access_request(&patient.pubkey(), &insurer.pubkey(), &target).0));
}

#[test]
fn an_account_of_the_wrong_type_is_refused() {
    let Clinic {
        mut world,
        specialist,
        patient,
        record,
        ..
    } = clinic();
    let grant = world.grant_record(&patient, &specialist.pubkey(), &record, READ, DAY);
    // The Patient account passed where a Grant is expected.
    let ix = rx::log_access(
        &specialist.pubkey(),
        &pda::patient(&patient.pubkey()).0,
        &record,
    );
    custom_error(
        world.send(&[ix], &[&specialist]),
        Anchor::AccountDiscriminatorMismatch,
    );
    // The Grant passed where a Record is expected.
    let ix = rx::log_access(&specialist.pubkey(), &grant, &grant);
    custom_error(
        world.send(&[ix], &[&specialist]),
        Anchor::AccountDiscriminatorMismatch,
    );
    // A record-shaped account owned by another program.
    let mut forged = world.raw(&record).unwrap();
    forged.owner = anchor_spl::token_2022::ID;
    let fake = Keypair::new().pubkey();
    world.svm.set_account(fake, forged).unwrap();
    let ix = rx::log_access(&specialist.pubkey(), &grant, &fake);
    custom_error(
        world.send(&[ix], &[&specialist]),
        Anchor::AccountOwnedByWrongProgram,
    );
    assert_eq!(world.account::<Grant>(&grant).access_count, 0);
}
