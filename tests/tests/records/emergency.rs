//! Break-glass: an active provider reads a patient's records without asking,
//! for at most the registry's maximum, flagged, and revocable by the patient.

use {
    panacea_sdk::records as rx,
    panacea_tests::{assert::*, *},
    records::{errors::RecordsError, events::*, instructions::*, state::*},
    solana_signer::Signer,
};

fn args(duration: i64) -> EmergencyAccessArgs {
    EmergencyAccessArgs {
        reason_code: 911,
        duration,
    }
}

#[test]
fn an_er_doctor_breaks_the_glass_and_the_patient_revokes() {
    let mut world = World::new();
    let lab = world.lab();
    let er = world.provider();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::Medication);
    let record = World::record_address(&patient.pubkey(), &id);

    let ix = rx::emergency_access(
        &world.payer.pubkey(),
        &er.pubkey(),
        &patient.pubkey(),
        args(MAX_EMERGENCY),
    );
    let meta = world.send(&[ix], &[&er]).expect("break glass");
    let grant = rx::emergency_grant_address(&patient.pubkey(), &er.pubkey());
    let event = &World::events::<AccessGranted>(&meta)[0];
    assert!(event.emergency);
    assert_eq!(
        (event.purpose, event.reason_code, event.actor),
        (Purpose::Emergency, 911, er.pubkey())
    );
    let state: Grant = world.account(&grant);
    assert_eq!(
        (state.scope, state.kinds, state.expires_at),
        (GrantScope::Patient, kinds::ALL, world.now() + MAX_EMERGENCY)
    );

    // Breaking the glass again while the grant is open is refused by name,
    // and the open grant is left as it was.
    let before = world.snapshot(&[grant]);
    let again = rx::emergency_access(
        &world.payer.pubkey(),
        &er.pubkey(),
        &patient.pubkey(),
        args(60),
    );
    custom_error(
        world.send(&[again], &[&er]),
        RecordsError::EmergencyGrantOpen,
    );
    world.assert_unchanged(&before);

    let ix = rx::log_access(&er.pubkey(), &grant, &record);
    let meta = world.send(&[ix], &[&er]).expect("read in emergency");
    assert!(World::events::<AccessLogged>(&meta)[0].emergency);

    let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &grant);
    world.send(&[ix], &[&patient]).expect("patient revokes");
    let ix = rx::log_access(&er.pubkey(), &grant, &record);
    custom_error(world.send(&[ix], &[&er]), RecordsError::GrantRevoked);
}

#[test]
fn emergency_access_is_capped_by_the_registry() {
    let mut world = World::new();
    let er = world.provider();
    let patient = world.patient();
    let grant = rx::emergency_grant_address(&patient.pubkey(), &er.pubkey());
    let ix = rx::emergency_access(
        &world.payer.pubkey(),
        &er.pubkey(),
        &patient.pubkey(),
        args(MAX_EMERGENCY + 1),
    );
    custom_error(
        world.send(&[ix], &[&er]),
        RecordsError::EmergencyDurationTooLong,
    );
    let ix = rx::emergency_access(
        &world.payer.pubkey(),
        &er.pubkey(),
        &patient.pubkey(),
        args(0),
    );
    custom_error(world.send(&[ix], &[&er]), RecordsError::InvalidDuration);
    let ix = rx::emergency_access(
        &world.payer.pubkey(),
        &er.pubkey(),
        &patient.pubkey(),
        EmergencyAccessArgs {
            reason_code: 0,
            duration: 60,
        },
    );
    custom_error(world.send(&[ix], &[&er]), RecordsError::InvalidReasonCode);
    assert!(!world.exists(&grant));
}

#[test]
fn only_an_active_provider_breaks_the_glass() {
    let mut world = World::new();
    let patient = world.patient();
    for kind in [
        EntityKind::Laboratory,
        EntityKind::Insurer,
        EntityKind::Researcher,
    ] {
        let entity = world.entity(kind);
        let ix = rx::emergency_access(
            &world.payer.pubkey(),
            &entity.pubkey(),
            &patient.pubkey(),
            args(60),
        );
        custom_error(
            world.send(&[ix], &[&entity]),
            RecordsError::EntityKindNotAllowed,
        );
    }
    let suspended = world.provider();
    world.set_status(&suspended.pubkey(), EntityStatus::Suspended);
    let ix = rx::emergency_access(
        &world.payer.pubkey(),
        &suspended.pubkey(),
        &patient.pubkey(),
        args(60),
    );
    custom_error(
        world.send(&[ix], &[&suspended]),
        RecordsError::EntityNotActive,
    );
    let nobody = world.wallet();
    let ix = rx::emergency_access(
        &world.payer.pubkey(),
        &nobody.pubkey(),
        &patient.pubkey(),
        args(60),
    );
    custom_error(
        world.send(&[ix], &[&nobody]),
        anchor_lang::error::ErrorCode::AccountNotInitialized,
    );
}
