//! Attacks found in review: each must fail, and the fix must not stop the
//! legitimate path.

use {
    anchor_lang::error::ErrorCode as Anchor,
    panacea_sdk::records::{self as rx, RecordAddresses},
    panacea_tests::{assert::*, *},
    records::{
        errors::RecordsError,
        instructions::*,
        pda,
        state::{permissions::*, *},
    },
    solana_signer::Signer,
};

#[test]
fn a_provider_cannot_reopen_emergency_access_by_closing_its_revoked_grant() {
    let mut world = World::new();
    let er = world.provider();
    let patient = world.patient();
    let payer = world.payer.pubkey();
    let glass = |world: &World| {
        rx::emergency_access(
            &world.payer.pubkey(),
            &er.pubkey(),
            &patient.pubkey(),
            EmergencyAccessArgs {
                reason_code: 7,
                duration: 3600,
            },
        )
    };
    world.send(&[glass(&world)], &[&er]).expect("break glass");
    let grant = rx::emergency_grant_address(&patient.pubkey(), &er.pubkey());
    let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &grant);
    world.send(&[ix], &[&patient]).expect("patient revokes");

    let ix = rx::close_grant(&er.pubkey(), &patient.pubkey(), &grant, &payer);
    custom_error(
        world.send(&[ix], &[&er]),
        RecordsError::EmergencyGrantClosedByPatientOnly,
    );
    // The revoked grant still occupies the address: no second break-glass.
    custom_error(world.send(&[glass(&world)], &[&er]), 0u32);
    // Nor after it expires.
    world.warp(3600);
    custom_error(world.send(&[glass(&world)], &[&er]), 0u32);

    // Once the patient has closed it, a new emergency is possible.
    let ix = rx::close_grant(&patient.pubkey(), &patient.pubkey(), &grant, &payer);
    world.send(&[ix], &[&patient]).expect("patient closes");
    world.send(&[glass(&world)], &[&er]).expect("new emergency");
}

#[test]
fn an_emergency_grant_and_a_patient_wide_grant_coexist() {
    let mut world = World::new();
    let er = world.provider();
    let patient = world.patient();
    let target = pda::patient(&patient.pubkey()).0;
    let ix = rx::grant_access(
        &world.payer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &target,
        GrantAccessArgs {
            grantee: er.pubkey(),
            scope: GrantScope::Patient,
            kinds: RecordKind::LabResult.bit(),
            permissions: READ,
            purpose: Purpose::Treatment,
            duration: DAY,
            wrapped_key: vec![],
        },
    );
    world.send(&[ix], &[&patient]).expect("narrow grant");
    let ix = rx::emergency_access(
        &world.payer.pubkey(),
        &er.pubkey(),
        &patient.pubkey(),
        EmergencyAccessArgs {
            reason_code: 7,
            duration: 60,
        },
    );
    world.send(&[ix], &[&er]).expect("emergency next to it");
}

#[test]
fn a_grant_does_not_cover_a_record_re_issued_at_an_erased_records_address() {
    let mut world = World::new();
    let lab = world.lab();
    let specialist = world.provider();
    let patient = world.patient();
    let args = World::issue_args(RecordKind::LabResult);
    let id = args.record_id;
    world
        .try_issue(&lab, &patient.pubkey(), args.clone())
        .expect("issue");
    let at = RecordAddresses::new(&patient.pubkey(), &id);
    let grant = world.grant_record(
        &patient,
        &specialist.pubkey(),
        &at.record,
        READ | AMEND,
        DAY,
    );

    let ix = rx::erase_record(
        &patient.pubkey(),
        &patient.pubkey(),
        &id,
        &world.payer.pubkey(),
    );
    world.send(&[ix], &[&patient]).expect("erase");
    world.warp(1);
    world
        .try_issue(&lab, &patient.pubkey(), args)
        .expect("re-issue the same id");

    let ix = rx::log_access(&specialist.pubkey(), &grant, &at.record);
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::GrantDoesNotCoverRecord,
    );
    let ix = rx::amend_record(
        &world.payer.pubkey(),
        &specialist.pubkey(),
        &patient.pubkey(),
        &at.record,
        Some(&grant),
        AmendRecordArgs {
            record_id: random_id(),
            commitment: [1; 32],
            content_commitment: [0xCD; 32],
            uri: "u".into(),
        },
    );
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::AmendNotPermitted,
    );
}

#[test]
fn retracting_an_amendment_restores_the_version_it_replaced() {
    let mut world = World::new();
    let lab = world.lab();
    let editor = world.provider();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let original = World::record_address(&patient.pubkey(), &id);
    let grant = world.grant_record(&patient, &editor.pubkey(), &original, AMEND, DAY);
    let new_id = random_id();
    let ix = rx::amend_record(
        &world.payer.pubkey(),
        &editor.pubkey(),
        &patient.pubkey(),
        &original,
        Some(&grant),
        AmendRecordArgs {
            record_id: new_id,
            commitment: [2; 32],
            content_commitment: [0xCD; 32],
            uri: "v2".into(),
        },
    );
    world.send(&[ix], &[&editor]).expect("amend");

    // Without the previous version, the retraction is refused.
    let ix = rx::retract_record(&editor.pubkey(), &patient.pubkey(), &new_id, None);
    custom_error(
        world.send(&[ix], &[&editor]),
        RecordsError::PreviousRecordMismatch,
    );
    // With a wrong one too.
    let other = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let other = World::record_address(&patient.pubkey(), &other);
    let ix = rx::retract_record(&editor.pubkey(), &patient.pubkey(), &new_id, Some(&other));
    custom_error(
        world.send(&[ix], &[&editor]),
        RecordsError::PreviousRecordMismatch,
    );

    let ix = rx::retract_record(
        &editor.pubkey(),
        &patient.pubkey(),
        &new_id,
        Some(&original),
    );
    world.send(&[ix], &[&editor]).expect("retract amendment");
    let restored: Record = world.account(&original);
    assert_eq!(
        (restored.status, restored.superseded_by),
        (RecordStatus::Active, None)
    );
    assert_eq!(
        world
            .account::<Record>(&World::record_address(&patient.pubkey(), &new_id))
            .status,
        RecordStatus::Retracted
    );
    // The original issuer can work with it again.
    let ix = rx::retract_record(&lab.pubkey(), &patient.pubkey(), &id, None);
    world
        .send(&[ix], &[&lab])
        .expect("original issuer retracts");
}

#[test]
fn a_suspended_grantee_stops_reading_and_a_stale_request_is_not_approved() {
    let mut world = World::new();
    let lab = world.lab();
    let specialist = world.provider();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let record = World::record_address(&patient.pubkey(), &id);
    let grant = world.grant_record(&patient, &specialist.pubkey(), &record, READ, DAY);
    world.set_status(&specialist.pubkey(), EntityStatus::Suspended);
    let ix = rx::log_access(&specialist.pubkey(), &grant, &record);
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::EntityNotActive,
    );

    // A grant to a plain wallet (a relative) needs no entity.
    let relative = world.wallet();
    let family = world.grant_record(&patient, &relative.pubkey(), &record, READ, DAY);
    let ix = rx::log_access(&relative.pubkey(), &family, &record);
    world.send(&[ix], &[&relative]).expect("relative reads");

    // A request whose requester is suspended before approval.
    let researcher = world.entity(EntityKind::Researcher);
    let payer = world.payer.pubkey();
    let ask = RequestAccessArgs {
        scope: GrantScope::Record,
        kinds: 0,
        permissions: READ,
        purpose: Purpose::Research,
        duration: DAY,
        reason_code: 3,
    };
    let ix = rx::request_access(
        &payer,
        &researcher.pubkey(),
        &patient.pubkey(),
        &record,
        ask.clone(),
    );
    world.send(&[ix], &[&researcher]).expect("request");
    world.set_status(&researcher.pubkey(), EntityStatus::Suspended);
    let approve = rx::approve_access_request(
        &payer,
        &patient.pubkey(),
        &patient.pubkey(),
        &researcher.pubkey(),
        &record,
        &payer,
        ApproveAccessRequestArgs {
            wrapped_key: vec![],
        },
    );
    custom_error(
        world.send(&[approve], &[&patient]),
        RecordsError::EntityNotActive,
    );

    // A request whose record was retracted before approval.
    let clinic = world.provider();
    let ix = rx::request_access(&payer, &clinic.pubkey(), &patient.pubkey(), &record, ask);
    world.send(&[ix], &[&clinic]).expect("request");
    let ix = rx::retract_record(&lab.pubkey(), &patient.pubkey(), &id, None);
    world.send(&[ix], &[&lab]).expect("retract");
    let approve = rx::approve_access_request(
        &payer,
        &patient.pubkey(),
        &patient.pubkey(),
        &clinic.pubkey(),
        &record,
        &payer,
        ApproveAccessRequestArgs {
            wrapped_key: vec![],
        },
    );
    custom_error(
        world.send(&[approve], &[&patient]),
        RecordsError::RecordNotActive,
    );
}

#[test]
fn a_revoked_issuer_cannot_retract() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    world.set_status(&lab.pubkey(), EntityStatus::Revoked);
    let ix = rx::retract_record(&lab.pubkey(), &patient.pubkey(), &id, None);
    custom_error(world.send(&[ix], &[&lab]), RecordsError::EntityRevoked);
}

#[test]
fn token_accounts_mints_and_rent_payers_are_pinned() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let thief = world.wallet();
    // Issuing into someone else's token account.
    let args = World::issue_args(RecordKind::LabResult);
    let at = RecordAddresses::new(&patient.pubkey(), &args.record_id);
    let mut ix = rx::issue_record(
        &world.payer.pubkey(),
        &lab.pubkey(),
        &patient.pubkey(),
        args,
    );
    let slot = ix
        .accounts
        .iter()
        .position(|m| m.pubkey == at.token_account)
        .unwrap();
    ix.accounts[slot].pubkey = pda::record_token_account(&thief.pubkey(), &at.mint);
    custom_error(
        world.send(&[ix], &[&lab]),
        RecordsError::InvalidTokenAccount,
    );

    // Erasing with another record's mint.
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let other = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let other_mint = RecordAddresses::new(&patient.pubkey(), &other).mint;
    let mut ix = rx::erase_record(
        &patient.pubkey(),
        &patient.pubkey(),
        &id,
        &world.payer.pubkey(),
    );
    let mint = RecordAddresses::new(&patient.pubkey(), &id).mint;
    let slot = ix.accounts.iter().position(|m| m.pubkey == mint).unwrap();
    ix.accounts[slot].pubkey = other_mint;
    custom_error(world.send(&[ix], &[&patient]), Anchor::ConstraintAddress);

    // Rent of grants and requests goes back only to their payer.
    let specialist = world.provider();
    let record = World::record_address(&patient.pubkey(), &id);
    let grant = world.grant_record(&patient, &specialist.pubkey(), &record, READ, DAY);
    let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &grant);
    world.send(&[ix], &[&patient]).expect("revoke");
    let ix = rx::close_grant(
        &patient.pubkey(),
        &patient.pubkey(),
        &grant,
        &thief.pubkey(),
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::RentPayerMismatch,
    );
    let payer = world.payer.pubkey();
    let ask = RequestAccessArgs {
        scope: GrantScope::Record,
        kinds: 0,
        permissions: READ,
        purpose: Purpose::Treatment,
        duration: DAY,
        reason_code: 1,
    };
    let ix = rx::request_access(
        &payer,
        &specialist.pubkey(),
        &patient.pubkey(),
        &record,
        ask,
    );
    world.send(&[ix], &[&specialist]).expect("request");
    let ix = rx::deny_access_request(
        &patient.pubkey(),
        &patient.pubkey(),
        &specialist.pubkey(),
        &record,
        &thief.pubkey(),
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::RentPayerMismatch,
    );
    let ix = rx::close_patient(&patient.pubkey(), &thief.pubkey());
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::RentPayerMismatch,
    );
}

#[test]
fn only_the_admin_renews_entities() {
    let mut world = World::new();
    let lab = world.lab();
    let stranger = world.wallet();
    let ix = rx::renew_entity(
        &stranger.pubkey(),
        &lab.pubkey(),
        RenewEntityArgs {
            valid_until: world.now() + 10 * 365 * DAY,
            credential_commitment: [0; 32],
        },
    );
    custom_error(
        world.send(&[ix], &[&stranger]),
        RecordsError::NotRegistryAdmin,
    );
}

#[test]
fn amendments_need_an_active_amender_and_a_live_grant_of_this_patient() {
    let mut world = World::new();
    let lab = world.lab();
    let editor = world.provider();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let record = World::record_address(&patient.pubkey(), &id);
    let grant = world.grant_record(&patient, &editor.pubkey(), &record, AMEND, DAY);
    let amend = |world: &World, grant: &anchor_lang::prelude::Pubkey| {
        rx::amend_record(
            &world.payer.pubkey(),
            &editor.pubkey(),
            &patient.pubkey(),
            &record,
            Some(grant),
            AmendRecordArgs {
                record_id: random_id(),
                commitment: [3; 32],
                content_commitment: [0xCD; 32],
                uri: "v".into(),
            },
        )
    };
    world.set_status(&editor.pubkey(), EntityStatus::Suspended);
    custom_error(
        world.send(&[amend(&world, &grant)], &[&editor]),
        RecordsError::EntityNotActive,
    );
    world.set_status(&editor.pubkey(), EntityStatus::Active);
    let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &grant);
    world.send(&[ix], &[&patient]).expect("revoke");
    custom_error(
        world.send(&[amend(&world, &grant)], &[&editor]),
        RecordsError::GrantRevoked,
    );

    // An Amend grant from another patient.
    let other = world.patient();
    let other_id = world.issue(&lab, &other.pubkey(), RecordKind::LabResult);
    let other_record = World::record_address(&other.pubkey(), &other_id);
    let foreign = world.grant_record(&other, &editor.pubkey(), &other_record, AMEND, DAY);
    custom_error(
        world.send(&[amend(&world, &foreign)], &[&editor]),
        RecordsError::AmendNotPermitted,
    );
    assert_eq!(
        world.account::<Record>(&record).status,
        RecordStatus::Active
    );
}

#[test]
fn request_arguments_are_checked() {
    let mut world = World::new();
    let lab = world.lab();
    let clinic = world.provider();
    let patient = world.patient();
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let record = World::record_address(&patient.pubkey(), &id);
    let base = RequestAccessArgs {
        scope: GrantScope::Record,
        kinds: 0,
        permissions: READ,
        purpose: Purpose::Treatment,
        duration: DAY,
        reason_code: 1,
    };
    let cases = [
        (
            RequestAccessArgs {
                purpose: Purpose::Emergency,
                ..base.clone()
            },
            record,
            RecordsError::EmergencyPurposeReserved,
        ),
        (
            RequestAccessArgs {
                permissions: 0,
                ..base.clone()
            },
            record,
            RecordsError::InvalidPermissions,
        ),
        (
            RequestAccessArgs {
                duration: -1,
                ..base.clone()
            },
            record,
            RecordsError::InvalidDuration,
        ),
        (
            base.clone(),
            pda::entity(&lab.pubkey()).0,
            RecordsError::InvalidTarget,
        ),
    ];
    for (args, target, expected) in cases {
        let ix = rx::request_access(
            &world.payer.pubkey(),
            &clinic.pubkey(),
            &patient.pubkey(),
            &target,
            args,
        );
        custom_error(world.send(&[ix], &[&clinic]), expected);
    }
    // A retracted record cannot be requested or granted.
    let ix = rx::retract_record(&lab.pubkey(), &patient.pubkey(), &id, None);
    world.send(&[ix], &[&lab]).expect("retract");
    let ix = rx::request_access(
        &world.payer.pubkey(),
        &clinic.pubkey(),
        &patient.pubkey(),
        &record,
        base,
    );
    custom_error(world.send(&[ix], &[&clinic]), RecordsError::RecordNotActive);
    // Wrapped keys longer than 80 bytes are refused at approval.
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let record = World::record_address(&patient.pubkey(), &id);
    let ask = RequestAccessArgs {
        scope: GrantScope::Record,
        kinds: 0,
        permissions: READ,
        purpose: Purpose::Treatment,
        duration: DAY,
        reason_code: 1,
    };
    let ix = rx::request_access(
        &world.payer.pubkey(),
        &clinic.pubkey(),
        &patient.pubkey(),
        &record,
        ask,
    );
    world.send(&[ix], &[&clinic]).expect("request");
    let payer = world.payer.pubkey();
    let ix = rx::approve_access_request(
        &payer,
        &patient.pubkey(),
        &patient.pubkey(),
        &clinic.pubkey(),
        &record,
        &payer,
        ApproveAccessRequestArgs {
            wrapped_key: vec![0; 81],
        },
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::WrappedKeyTooLong,
    );
}
