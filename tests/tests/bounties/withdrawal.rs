//! The patient withdraws after offering: a revoked consent or grant (or one
//! that ended) blocks acceptance and settlement; anyone cancels, the
//! reservation is released and no token moves. A valid contribution cannot
//! be cancelled, nor by naming the wrong consent or grant.

use {
    ::bounties::{errors::BountiesError, events::ContributionCancelled, state::*},
    anchor_lang::prelude::Pubkey,
    panacea_tests::{assert::*, bounties::*, *},
    solana_signer::Signer,
};

/// Accept (within the window) and settle (after it) are refused with `error`; then
/// cancel releases the reservation and the slot, with `error` as the cause.
#[track_caller]
fn blocked_then_cancelled(s: &mut Study, record: &Pubkey, error: BountiesError) {
    let deadline = s.contribution_state(record).review_deadline;
    if s.now() < deadline {
        let before = s.snapshot();
        custom_error(s.accept(record, REWARD, 90), error);
        s.world.assert_unchanged(&before);
    }
    let wait = (deadline - s.now()).max(0);
    s.world.warp(wait);
    let before = s.snapshot();
    custom_error(s.settle(record), error);
    s.world.assert_unchanged(&before);

    let tokens = (
        s.world.token_amount(&s.vault),
        s.world.token_amount(&s.patient_tokens),
    );
    let meta = s.cancel(record).expect("cancel");
    let c = s.contribution_state(record);
    assert_eq!(c.status, ContributionStatus::Cancelled);
    assert_eq!(c.amount_paid, 0);
    let b = s.state();
    assert_eq!((b.reserved, b.pending, b.paid), (0, 0, 0));
    assert_eq!(s.tally_state().counted, 0);
    assert_eq!(s.tally_state().pending, 0);
    assert_eq!(
        tokens,
        (
            s.world.token_amount(&s.vault),
            s.world.token_amount(&s.patient_tokens)
        )
    );
    let events = World::events::<ContributionCancelled>(&meta);
    assert_eq!(events[0].cause, u32::from(error));
    s.check_escrow();
    // Final: neither accepted, settled nor cancelled again.
    let before = s.snapshot();
    custom_error(s.cancel(record), BountiesError::InvalidContributionStatus);
    s.world.assert_unchanged(&before);
}

#[test]
fn consent_revoked_after_offer_blocks_accept_and_settle_and_cancel_releases() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    s.offer(&record).expect("offer");
    s.revoke_consent();
    blocked_then_cancelled(&mut s, &record, BountiesError::ConsentRevoked);
}

#[test]
fn grant_revoked_after_offer_blocks_accept_and_settle_and_cancel_releases() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    s.offer(&record).expect("offer");
    let grant = s.grant_address(&record);
    s.revoke_grant(&grant);
    blocked_then_cancelled(&mut s, &record, BountiesError::GrantRevoked);
}

#[test]
fn grant_expired_before_settlement_blocks_settle_and_cancel_releases() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    s.offer(&record).expect("offer");
    // The fixture's grant lasts GRANT; the window ends before it.
    s.world.warp(GRANT);
    blocked_then_cancelled(&mut s, &record, BountiesError::GrantExpired);
}

#[test]
fn a_valid_contribution_cannot_be_cancelled() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    s.offer(&record).expect("offer");
    let before = s.snapshot();
    custom_error(s.cancel(&record), BountiesError::ContributionStillValid);
    s.world.assert_unchanged(&before);
}

#[test]
fn naming_another_consent_or_grant_does_not_cancel_a_valid_contribution() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    s.offer(&record).expect("offer");
    let missing = Pubkey::new_unique();
    // An empty address in place of the consent.
    let ix = replace(s.cancel_ix(&record), &s.consent_address(), &missing);
    let before = s.snapshot();
    custom_error(
        s.world.send(&[ix], &[]),
        BountiesError::ConsentAddressMismatch,
    );
    s.world.assert_unchanged(&before);
    // An empty grant address (the patient-scope grant that does not exist).
    let patient_scope = records::pda::grant(
        &s.patient.pubkey(),
        &s.researcher.pubkey(),
        &records::pda::patient(&s.patient.pubkey()).0,
    )
    .0;
    let ix = replace(
        s.cancel_ix(&record),
        &s.grant_address(&record),
        &patient_scope,
    );
    custom_error(
        s.world.send(&[ix], &[]),
        BountiesError::GrantAddressMismatch,
    );
    s.world.assert_unchanged(&before);
}

#[test]
fn a_consent_closed_after_offer_counts_as_missing_and_cancel_releases() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    s.offer(&record).expect("offer");
    s.revoke_consent();
    s.world.warp(DAY);
    let patient = s.patient.insecure_clone();
    let ix = panacea_sdk::consent::close_consent(
        &patient.pubkey(),
        &patient.pubkey(),
        &s.researcher.pubkey(),
        consent::state::ConsentPurpose::Research,
        &s.world.payer.pubkey(),
    );
    s.world.send(&[ix], &[&patient]).expect("close consent");
    blocked_then_cancelled(&mut s, &record, BountiesError::ConsentMissing);
}

#[test]
fn a_consent_changed_to_another_study_blocks_payment() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    s.offer(&record).expect("offer");
    let patient = s.patient.insecure_clone();
    s.research_consent(&patient, [0x0E; 32], |_| {});
    blocked_then_cancelled(&mut s, &record, BountiesError::ConsentOtherStudy);
}
