//! Every way to offer a record without a valid Research consent: each is
//! refused with its own error and nothing moves.

use {
    ::bounties::errors::BountiesError,
    anchor_lang::prelude::Pubkey,
    consent::state::{actions, ConsentPurpose, Decision},
    panacea_sdk::consent as cx,
    panacea_tests::{assert::*, bounties::*, *},
    records::state::{kinds, RecordKind},
    solana_signer::Signer,
};

/// The patient's offer of the fixture's record is refused with `error`,
/// and nothing changed.
#[track_caller]
fn refused(s: &mut Study, error: BountiesError) {
    let record = s.record;
    let before = s.snapshot();
    let result = s.offer(&record);
    custom_error(result, error);
    s.world.assert_unchanged(&before);
    assert!(!s.world.exists(&s.contribution(&record)));
}

/// The fixture with the patient's Research consent changed.
fn with_consent(terms: impl FnOnce(&mut consent::state::ConsentTerms)) -> Study {
    let mut s = study(anchor_spl::token::ID);
    let patient = s.patient.insecure_clone();
    s.research_consent(&patient, CONSENT_TEXT, terms);
    s
}

#[test]
fn the_fixture_offer_is_accepted_and_reserves_the_reward() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    let meta = s.offer(&record).expect("offer");
    let c = s.contribution_state(&record);
    assert_eq!(c.record, record);
    assert_eq!(c.grant, s.grant_address(&record));
    assert_eq!(c.reward, REWARD);
    let b = s.state();
    assert_eq!((b.reserved, b.pending), (REWARD, 1));
    assert_eq!(s.tally_state().counted, 1);
    // The relayer paid the rent of the contribution and the tally.
    assert_eq!(c.rent_payer, s.relayer.pubkey());
    assert_eq!(s.tally_state().rent_payer, s.relayer.pubkey());
    let events = World::events::<::bounties::events::ContributionOffered>(&meta);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].patient, s.patient.pubkey());
    s.check_escrow();
}

#[test]
fn offer_without_consent_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    s.revoke_consent();
    // A consent changed less than a day ago cannot be closed yet.
    s.world.warp(DAY);
    let patient = s.patient.insecure_clone();
    let ix = cx::close_consent(
        &patient.pubkey(),
        &patient.pubkey(),
        &s.researcher.pubkey(),
        ConsentPurpose::Research,
        &s.world.payer.pubkey(),
    );
    s.world.send(&[ix], &[&patient]).expect("close consent");
    assert!(!s.world.exists(&s.consent_address()));
    refused(&mut s, BountiesError::ConsentMissing);
}

#[test]
fn offer_under_a_deny_is_refused() {
    let mut s = with_consent(|t| t.decision = Decision::Deny);
    refused(&mut s, BountiesError::ConsentDenied);
}

#[test]
fn offer_under_a_revoked_consent_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    s.revoke_consent();
    refused(&mut s, BountiesError::ConsentRevoked);
}

#[test]
fn offer_under_an_expired_consent_is_refused() {
    let mut s = with_consent(|t| t.period_end = t.period_start + 2 * DAY);
    s.world.warp(2 * DAY);
    refused(&mut s, BountiesError::ConsentExpired);
}

#[test]
fn a_consent_not_yet_in_its_period_is_refused() {
    let mut s = with_consent(|t| t.period_start += DAY);
    refused(&mut s, BountiesError::ConsentExpired);
}

#[test]
fn a_consent_to_another_researcher_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let other = s.world.entity(records::state::EntityKind::Researcher);
    let patient = s.patient.insecure_clone();
    let theirs = s.consent_to(
        &patient,
        &other.pubkey(),
        ConsentPurpose::Research,
        CONSENT_TEXT,
        |_| {},
    );
    let record = s.record;
    let ix = replace(
        s.offer_ix(&record, &patient.pubkey()),
        &s.consent_address(),
        &theirs,
    );
    let before = s.snapshot();
    custom_error(
        s.send_relayed(ix, &patient),
        BountiesError::ConsentOtherResearcher,
    );
    s.world.assert_unchanged(&before);
}

#[test]
fn a_consent_for_another_purpose_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let patient = s.patient.insecure_clone();
    let researcher = s.researcher.pubkey();
    let treatment = s.consent_to(
        &patient,
        &researcher,
        ConsentPurpose::Treatment,
        CONSENT_TEXT,
        |_| {},
    );
    let record = s.record;
    let ix = replace(
        s.offer_ix(&record, &patient.pubkey()),
        &s.consent_address(),
        &treatment,
    );
    let before = s.snapshot();
    custom_error(
        s.send_relayed(ix, &patient),
        BountiesError::ConsentNotResearch,
    );
    s.world.assert_unchanged(&before);
}

#[test]
fn another_patients_consent_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let other = s.world.patient();
    let researcher = s.researcher.pubkey();
    let theirs = s.consent_to(
        &other,
        &researcher,
        ConsentPurpose::Research,
        CONSENT_TEXT,
        |_| {},
    );
    let patient = s.patient.insecure_clone();
    let record = s.record;
    let ix = replace(
        s.offer_ix(&record, &patient.pubkey()),
        &s.consent_address(),
        &theirs,
    );
    let before = s.snapshot();
    custom_error(
        s.send_relayed(ix, &patient),
        BountiesError::ConsentOtherPatient,
    );
    s.world.assert_unchanged(&before);
}

#[test]
fn a_forged_consent_account_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    // The consent's bytes in an account the consent program does not own.
    let mut forged = s.world.raw(&s.consent_address()).unwrap();
    forged.owner = Pubkey::new_unique();
    let fake = Pubkey::new_unique();
    s.world.svm.set_account(fake, forged).unwrap();
    let patient = s.patient.insecure_clone();
    let record = s.record;
    let ix = replace(
        s.offer_ix(&record, &patient.pubkey()),
        &s.consent_address(),
        &fake,
    );
    let before = s.snapshot();
    custom_error(s.send_relayed(ix, &patient), BountiesError::ConsentMissing);
    s.world.assert_unchanged(&before);
}

#[test]
fn another_studys_consent_text_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let patient = s.patient.insecure_clone();
    s.research_consent(&patient, [0x0E; 32], |_| {});
    refused(&mut s, BountiesError::ConsentOtherStudy);
}

#[test]
fn a_kind_outside_the_consent_is_refused() {
    let mut s = with_consent(|t| t.kinds = kinds::ALL & !RecordKind::LabResult.bit());
    refused(&mut s, BountiesError::ConsentKindNotCovered);
}

#[test]
fn a_consent_without_access_is_refused() {
    let mut s = with_consent(|t| t.actions = actions::DISCLOSE);
    refused(&mut s, BountiesError::ConsentActionNotCovered);
}
