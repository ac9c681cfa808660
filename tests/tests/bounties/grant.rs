//! The grant that gives the researcher read access: missing, without Read,
//! ending inside the review window, for another purpose or grantee; and a
//! grant over the patient's records (patient scope) of the right kinds.

use {
    ::bounties::{constants::SETTLEMENT_PERIOD, errors::BountiesError},
    anchor_lang::prelude::Pubkey,
    panacea_sdk::bounties as bx,
    panacea_tests::{assert::*, bounties::*},
    records::state::{permissions, Purpose, RecordKind},
    solana_signer::Signer,
};

/// The patient offers `record` naming `grant`; refused with `error`,
/// nothing changed.
#[track_caller]
fn refused_with_grant(s: &mut Study, record: &Pubkey, grant: &Pubkey, error: BountiesError) {
    let patient = s.patient.insecure_clone();
    let ix = bx::offer_contribution(
        &s.relayer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &s.keys,
        record,
        grant,
        s.origin(record),
        None,
    );
    let before = s.snapshot();
    custom_error(s.send_relayed(ix, &patient), error);
    s.world.assert_unchanged(&before);
}

#[test]
fn no_grant_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.records[1];
    assert!(!s.world.exists(&s.grant_address(&record)));
    let grant = s.grant_address(&record);
    refused_with_grant(&mut s, &record, &grant, BountiesError::GrantMissing);
}

#[test]
fn a_grant_without_read_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.records[1];
    let grant = s.research_grant(&record, permissions::AMEND, Purpose::Research, GRANT);
    refused_with_grant(&mut s, &record, &grant, BountiesError::GrantWithoutRead);
}

#[test]
fn a_grant_ending_inside_the_window_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.records[1];
    let grant = s.research_grant(&record, permissions::READ, Purpose::Research, REVIEW - 1);
    refused_with_grant(
        &mut s,
        &record,
        &grant,
        BountiesError::GrantEndsInsideWindow,
    );
    // One that lasts the window and the settlement period is enough.
    let record = s.records[2];
    let grant = s.research_grant(
        &record,
        permissions::READ,
        Purpose::Research,
        REVIEW + SETTLEMENT_PERIOD,
    );
    s.offer(&record)
        .expect("a grant lasting the window and settlement");
    assert_eq!(s.contribution_state(&record).grant, grant);
}

#[test]
fn a_revoked_or_expired_grant_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.records[1];
    let grant = s.ensure_grant(&record);
    s.revoke_grant(&grant);
    refused_with_grant(&mut s, &record, &grant, BountiesError::GrantRevoked);
    let record = s.records[2];
    let grant = s.ensure_grant(&record);
    s.world.warp(GRANT);
    refused_with_grant(&mut s, &record, &grant, BountiesError::GrantExpired);
}

#[test]
fn a_treatment_grant_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.records[1];
    let grant = s.research_grant(&record, permissions::READ, Purpose::Treatment, GRANT);
    refused_with_grant(&mut s, &record, &grant, BountiesError::GrantNotResearch);
}

#[test]
fn a_grant_to_another_researcher_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let other = s.world.entity(records::state::EntityKind::Researcher);
    let record = s.records[1];
    let grant = s.grant_to(
        &other.pubkey(),
        &record,
        permissions::READ,
        Purpose::Research,
        GRANT,
    );
    refused_with_grant(&mut s, &record, &grant, BountiesError::GrantOtherResearcher);
}

#[test]
fn a_grant_on_another_record_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    // The fixture's grant is on records[0].
    let grant = s.grant_address(&s.record);
    let record = s.records[1];
    refused_with_grant(
        &mut s,
        &record,
        &grant,
        BountiesError::GrantDoesNotCoverRecord,
    );
}

#[test]
fn a_patient_scope_research_grant_works() {
    let mut s = study(anchor_spl::token::ID);
    let grant = s.patient_scope_grant(RecordKind::LabResult.bit(), GRANT);
    let record = s.records[1];
    let patient = s.patient.insecure_clone();
    let ix = bx::offer_contribution(
        &s.relayer.pubkey(),
        &patient.pubkey(),
        &patient.pubkey(),
        &s.keys,
        &record,
        &grant,
        s.origin(&record),
        None,
    );
    s.send_relayed(ix, &patient)
        .expect("offer under a patient grant");
    let c = s.contribution_state(&record);
    assert_eq!(c.grant, grant);
    // Accept names the same grant.
    let ix = bx::accept_contribution(
        &s.researcher.pubkey(),
        &s.keys,
        &s.contribution(&record),
        &patient.pubkey(),
        &grant,
        &s.patient_tokens,
        REWARD,
        60,
    );
    let researcher = s.researcher.insecure_clone();
    s.world.send(&[ix], &[&researcher]).expect("accept");
    assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD);
    s.check_escrow();
}

#[test]
fn a_patient_scope_grant_of_other_kinds_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let grant = s.patient_scope_grant(RecordKind::Imaging.bit(), GRANT);
    let record = s.records[1];
    refused_with_grant(
        &mut s,
        &record,
        &grant,
        BountiesError::GrantDoesNotCoverRecord,
    );
}

#[test]
fn accept_must_name_the_grant_the_offer_named() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    s.offer(&record).expect("offer");
    let other = s.patient_scope_grant(RecordKind::LabResult.bit(), GRANT);
    let ix = replace(
        s.accept_ix(&record, REWARD, 10),
        &s.grant_address(&record),
        &other,
    );
    let researcher = s.researcher.insecure_clone();
    let before = s.snapshot();
    custom_error(
        s.world.send(&[ix], &[&researcher]),
        BountiesError::GrantAddressMismatch,
    );
    s.world.assert_unchanged(&before);
}
