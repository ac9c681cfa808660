//! Attacks found in review: each must fail, and the fix must not stop the
//! legitimate path.

use {
    crate::support::*,
    anchor_lang::error::ErrorCode as Anchor,
    anchor_lang::prelude::Pubkey,
    panacea_sdk::records as rx,
    panacea_tests::{assert::*, *},
    records::events::RecordRetracted,
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
    // The revoked grant still occupies the address: no second break-glass,
    // refused with an error that says so (not the System program's
    // "already in use"), and the grant is left as it was.
    let before = world.snapshot(&[grant]);
    custom_error(
        world.send(&[glass(&world)], &[&er]),
        RecordsError::EmergencyGrantOpen,
    );
    world.assert_unchanged(&before);
    // Nor after it expires.
    world.warp(3600);
    custom_error(
        world.send(&[glass(&world)], &[&er]),
        RecordsError::EmergencyGrantOpen,
    );
    world.assert_unchanged(&before);

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
            leaf: None,
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
    let record = World::record_address(&patient.pubkey(), &id);
    let grant = world.grant_record(&patient, &specialist.pubkey(), &record, READ | AMEND, DAY);

    let ix = rx::erase_record(&patient.pubkey(), &patient.pubkey(), &id, &lab.pubkey());
    world.send(&[ix], &[&patient]).expect("erase");
    world.warp(1);
    world
        .try_issue(&lab, &patient.pubkey(), args)
        .expect("re-issue the same id");

    let before = world.snapshot(&[grant, record, specialist.pubkey()]);
    let ix = rx::log_access(&specialist.pubkey(), &grant, &record);
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::GrantDoesNotCoverRecord,
    );
    let ix = rx::amend_record(
        &specialist.pubkey(),
        &patient.pubkey(),
        &record,
        Some(&grant),
        AmendRecordArgs {
            record_id: random_id(),
            commitment: [1; 32],
            content_commitment: [0xCD; 32],
        },
    );
    custom_error(
        world.send(&[ix], &[&specialist]),
        RecordsError::AmendNotPermitted,
    );
    world.assert_unchanged(&before);
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
        &editor.pubkey(),
        &patient.pubkey(),
        &original,
        Some(&grant),
        AmendRecordArgs {
            record_id: new_id,
            commitment: [2; 32],
            content_commitment: [0xCD; 32],
        },
    );
    world.send(&[ix], &[&editor]).expect("amend");

    // Without the previous version, the retraction is refused.
    let new = World::record_address(&patient.pubkey(), &new_id);
    let before = world.snapshot(&[original, new, book_account(&patient.pubkey())]);
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
    // The other record is untouched, and so are the chain and the book
    // (the other record's issuance added one to it).
    assert_eq!(world.raw(&original), before[0].1);
    assert_eq!(world.raw(&new), before[1].1);
    assert_eq!(world.book_balance(&patient.pubkey()), 2);

    let state: Record = world.account(&new);
    assert_eq!(rx::previous_version(&state), Some(original));
    let ix = rx::retract_record(
        &editor.pubkey(),
        &patient.pubkey(),
        &new_id,
        Some(&original),
    );
    let meta = world.send(&[ix], &[&editor]).expect("retract amendment");
    assert_eq!(
        World::events::<RecordRetracted>(&meta)[0].restored,
        Some(original)
    );
    let restored: Record = world.account(&original);
    assert_eq!(
        (restored.status, restored.superseded_by),
        (RecordStatus::Active, 0)
    );
    // One Active version for another: the book did not move.
    assert_eq!(world.book_balance(&patient.pubkey()), 2);
    assert_eq!(book_supply(&world), 2);
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
        leaf: None,
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
            leaf: None,
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
            leaf: None,
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

/// `ix` with every account `old` replaced by `new`.
fn substitute(
    mut ix: solana_instruction::Instruction,
    old: &Pubkey,
    new: &Pubkey,
) -> solana_instruction::Instruction {
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

#[test]
fn book_accounts_the_book_mint_and_rent_payers_are_pinned() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let thief = world.patient();
    world.authorize_issuer(&patient, &lab.pubkey());
    let id = world.issue(&lab, &patient.pubkey(), RecordKind::LabResult);
    let own = book_account(&patient.pubkey());
    let theirs = book_account(&thief.pubkey());
    // Another Token-2022 mint, and the patient's account of it.
    let fake_mint = world.create_mint(&anchor_spl::token_2022::ID);
    let fake_account =
        world.token_account(&patient.pubkey(), &fake_mint, &anchor_spl::token_2022::ID);
    let fake_authority = world.wallet().pubkey();
    let args = World::issue_args(RecordKind::LabResult);
    let record = World::record_address(&patient.pubkey(), &args.record_id);
    let watched = [
        record,
        own,
        theirs,
        book_mint(),
        fake_mint,
        fake_account,
        lab.pubkey(),
        pda::patient(&patient.pubkey()).0,
    ];
    let before = world.snapshot(&watched);

    // Issuing into someone else's book, or into an account of another mint.
    let issue = rx::issue_record(&lab.pubkey(), &patient.pubkey(), args);
    for (account, expected) in [
        (theirs, RecordsError::InvalidTokenAccount),
        (fake_account, RecordsError::InvalidTokenAccount),
    ] {
        let ix = substitute(issue.clone(), &own, &account);
        custom_error(world.send(&[ix], &[&lab]), expected);
    }
    // Another mint as the book, another key as the program's authority.
    let ix = substitute(issue.clone(), &book_mint(), &fake_mint);
    custom_error(world.send(&[ix], &[&lab]), Anchor::ConstraintSeeds);
    let ix = substitute(issue, &pda::record_authority().0, &fake_authority);
    custom_error(world.send(&[ix], &[&lab]), Anchor::ConstraintSeeds);

    // Erasing or retracting burns from the record's patient's book only.
    let erase = rx::erase_record(&patient.pubkey(), &patient.pubkey(), &id, &lab.pubkey());
    let retract = rx::retract_record(&lab.pubkey(), &patient.pubkey(), &id, None);
    for (ix, signer) in [(&erase, &patient), (&retract, &lab)] {
        let bad = substitute(ix.clone(), &own, &theirs);
        custom_error(
            world.send(&[bad], &[signer]),
            RecordsError::InvalidTokenAccount,
        );
        let bad = substitute(ix.clone(), &book_mint(), &fake_mint);
        custom_error(world.send(&[bad], &[signer]), Anchor::ConstraintSeeds);
    }
    world.assert_unchanged(&before);
    assert_eq!(world.book_balance(&patient.pubkey()), 1);
    assert_eq!(world.book_balance(&thief.pubkey()), 0);

    // Rent of grants and requests goes back only to their payer.
    let thief = thief.pubkey();
    let specialist = world.provider();
    let record = World::record_address(&patient.pubkey(), &id);
    let grant = world.grant_record(&patient, &specialist.pubkey(), &record, READ, DAY);
    let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &grant);
    world.send(&[ix], &[&patient]).expect("revoke");
    let ix = rx::close_grant(&patient.pubkey(), &patient.pubkey(), &grant, &thief);
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
        leaf: None,
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
        &thief,
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::RentPayerMismatch,
    );
    // Nor the profile's: not even once it could close.
    let ix = rx::erase_record(&patient.pubkey(), &patient.pubkey(), &id, &lab.pubkey());
    world.send(&[ix], &[&patient]).expect("erase");
    world.warp(1);
    let profile = pda::patient(&patient.pubkey()).0;
    let before = world.snapshot(&[grant, profile, own, thief]);
    let ix = rx::close_patient(&patient.pubkey(), &thief);
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::RentPayerMismatch,
    );
    world.assert_unchanged(&before);
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
    let amend = |grant: &Pubkey| {
        rx::amend_record(
            &editor.pubkey(),
            &patient.pubkey(),
            &record,
            Some(grant),
            AmendRecordArgs {
                record_id: random_id(),
                commitment: [3; 32],
                content_commitment: [0xCD; 32],
            },
        )
    };
    let watched = [record, editor.pubkey(), book_account(&patient.pubkey())];
    let before = world.snapshot(&watched);
    world.set_status(&editor.pubkey(), EntityStatus::Suspended);
    custom_error(
        world.send(&[amend(&grant)], &[&editor]),
        RecordsError::EntityNotActive,
    );
    world.set_status(&editor.pubkey(), EntityStatus::Active);
    let ix = rx::revoke_access(&patient.pubkey(), &patient.pubkey(), &grant);
    world.send(&[ix], &[&patient]).expect("revoke");
    custom_error(
        world.send(&[amend(&grant)], &[&editor]),
        RecordsError::GrantRevoked,
    );

    // An Amend grant from another patient.
    let other = world.patient();
    let other_id = world.issue(&lab, &other.pubkey(), RecordKind::LabResult);
    let other_record = World::record_address(&other.pubkey(), &other_id);
    let foreign = world.grant_record(&other, &editor.pubkey(), &other_record, AMEND, DAY);
    custom_error(
        world.send(&[amend(&foreign)], &[&editor]),
        RecordsError::AmendNotPermitted,
    );
    world.assert_unchanged(&before);
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
        leaf: None,
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
        leaf: None,
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
            leaf: None,
        },
    );
    custom_error(
        world.send(&[ix], &[&patient]),
        RecordsError::WrappedKeyTooLong,
    );
}
