//! Records that may not earn: someone else's, forged, retracted,
//! superseded, issued after the bounty opened, of a kind not wanted, under
//! a wrong origin; and a record (or its amendment) offered twice.

use {
    ::bounties::errors::BountiesError,
    anchor_lang::prelude::Pubkey,
    panacea_sdk::{bounties as bx, records as rx},
    panacea_tests::{assert::*, bounties::*, *},
    records::{
        instructions::AmendRecordArgs,
        state::{RecordKind, RecordStatus},
    },
    solana_signer::Signer,
};

#[track_caller]
fn refused(s: &mut Study, record: &Pubkey, error: BountiesError) {
    let before = s.snapshot();
    let result = s.offer(record);
    custom_error(result, error);
    s.world.assert_unchanged(&before);
}

/// The lab amends `record`; returns the new version's address.
fn amend(s: &mut Study, record: &Pubkey) -> Pubkey {
    let lab = s.lab.insecure_clone();
    let args = AmendRecordArgs {
        record_id: random_id(),
        commitment: [4; 32],
        content_commitment: [0xCD; 32],
    };
    let id = args.record_id;
    let ix = rx::amend_record(&lab.pubkey(), &s.patient.pubkey(), record, None, args);
    s.world.send(&[ix], &[&lab]).expect("amend record");
    World::record_address(&s.patient.pubkey(), &id)
}

#[test]
fn someone_elses_record_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let other = s.world.patient();
    let lab = s.lab.insecure_clone();
    let id = s.world.issue(&lab, &other.pubkey(), RecordKind::LabResult);
    let theirs = World::record_address(&other.pubkey(), &id);
    refused(&mut s, &theirs, BountiesError::RecordPatientMismatch);
}

#[test]
fn a_forged_record_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    // The record's bytes in an account the records program does not own.
    let mut forged = s.world.raw(&s.record).unwrap();
    forged.owner = Pubkey::new_unique();
    let fake = Pubkey::new_unique();
    s.world.svm.set_account(fake, forged).unwrap();
    let patient = s.patient.insecure_clone();
    let record = s.record;
    let ix = replace(s.offer_ix(&record, &patient.pubkey()), &record, &fake);
    let before = s.snapshot();
    custom_error(s.send_relayed(ix, &patient), BountiesError::InvalidRecord);
    s.world.assert_unchanged(&before);
}

#[test]
fn a_retracted_record_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.records[1];
    s.ensure_grant(&record);
    let id = s.record_state(&record).record_id;
    let lab = s.lab.insecure_clone();
    let ix = rx::retract_record(&lab.pubkey(), &s.patient.pubkey(), &id, None);
    s.world.send(&[ix], &[&lab]).expect("retract");
    assert_eq!(s.record_state(&record).status, RecordStatus::Retracted);
    refused(&mut s, &record, BountiesError::RecordNotActive);
}

#[test]
fn a_superseded_record_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.records[1];
    s.ensure_grant(&record);
    amend(&mut s, &record);
    assert_eq!(s.record_state(&record).status, RecordStatus::Superseded);
    refused(&mut s, &record, BountiesError::RecordNotActive);
}

#[test]
fn a_record_issued_after_opening_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let lab = s.lab.insecure_clone();
    let id = s
        .world
        .issue(&lab, &s.patient.pubkey(), RecordKind::LabResult);
    let fresh = World::record_address(&s.patient.pubkey(), &id);
    s.ensure_grant(&fresh);
    refused(&mut s, &fresh, BountiesError::RecordIssuedAfterOpening);
}

#[test]
fn an_amendment_issued_after_opening_is_refused_though_its_chain_is_older() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.records[1];
    let amended = amend(&mut s, &record);
    s.ensure_grant(&amended);
    refused(&mut s, &amended, BountiesError::RecordIssuedAfterOpening);
}

#[test]
fn a_kind_the_bounty_does_not_want_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let imaging = s.imaging;
    s.ensure_grant(&imaging);
    refused(&mut s, &imaging, BountiesError::KindNotWanted);
}

#[test]
fn a_wrong_origin_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    let patient = s.patient.insecure_clone();
    let ix = bx::offer_contribution(
        &s.relayer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &s.keys,
        &record,
        &s.grant_address(&record),
        s.origin(&record) + 1,
        None,
    );
    let wrong = bx::contribution_address(&s.bounty, &patient.pubkey(), s.origin(&record) + 1);
    let before = s.snapshot();
    custom_error(
        s.send_relayed(ix, &patient),
        BountiesError::ContributionMismatch,
    );
    s.world.assert_unchanged(&before);
    assert!(!s.world.exists(&wrong));
}

#[test]
fn a_stranger_cannot_offer_the_patients_record() {
    let mut s = study(anchor_spl::token::ID);
    let stranger = s.world.wallet();
    let record = s.record;
    let ix = s.offer_ix(&record, &stranger.pubkey());
    let before = s.snapshot();
    custom_error(
        s.send_relayed(ix, &stranger),
        BountiesError::NotPatientOrGuardian,
    );
    s.world.assert_unchanged(&before);
}

#[test]
fn the_same_record_earns_once() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    s.offer(&record).expect("first offer");
    refused(&mut s, &record, BountiesError::RecordAlreadyContributed);
    // Paid, it is still refused.
    s.accept(&record, REWARD, 80).expect("accept");
    refused(&mut s, &record, BountiesError::RecordAlreadyContributed);
    assert_eq!(s.state().rewarded, 1);
}

#[test]
fn its_amendment_earns_nothing_more() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    s.offer(&record).expect("offer A");
    let amended = amend(&mut s, &record);
    assert_eq!(s.origin(&amended), s.origin(&record));
    s.ensure_grant(&amended);
    refused(&mut s, &amended, BountiesError::RecordAlreadyContributed);
}
