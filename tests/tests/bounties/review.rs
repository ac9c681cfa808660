//! Review: the researcher (or a Researcher member) accepts or rejects within
//! the window; after it anyone settles the full reward. Payment goes only to
//! the patient's own token account, exactly once.

use {
    ::bounties::{
        errors::BountiesError,
        events::{ContributionAccepted, ContributionSettled},
        state::*,
    },
    anchor_lang::prelude::Pubkey,
    panacea_sdk::{acting::ActingKeys, bounties as bx},
    panacea_tests::{assert::*, bounties::*, *},
    records::state::{roles, EntityStatus},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// The fixture with its record offered.
fn offered() -> (Study, Pubkey) {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    s.offer(&record).expect("offer");
    (s, record)
}

/// `member` accepts `record` for the researcher.
fn accept_by(s: &mut Study, member: &Keypair, record: &Pubkey, amount: u64) -> TxResult {
    let ix = bx::accept_contribution(
        ActingKeys::member(member.pubkey(), s.researcher.pubkey()),
        &s.keys,
        &s.contribution(record),
        &s.patient.pubkey(),
        &s.grant_address(record),
        &s.patient_tokens,
        amount,
        70,
    );
    s.world.send(&[ix], &[member])
}

#[test]
fn the_researcher_accepts_and_the_patient_is_paid() {
    let (mut s, record) = offered();
    let meta = s.accept(&record, REWARD, 90).expect("accept");
    assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD);
    assert_eq!(s.world.token_amount(&s.vault), FUNDING - REWARD);
    let c = s.contribution_state(&record);
    assert_eq!(
        (c.status, c.amount_paid, c.quality_score),
        (ContributionStatus::Paid, REWARD, Some(90))
    );
    let b = s.state();
    assert_eq!(
        (b.paid, b.reserved, b.pending, b.rewarded),
        (REWARD, 0, 0, 1)
    );
    assert_eq!(s.tally_state().pending, 0);
    assert_eq!(s.tally_state().counted, 1);
    let events = World::events::<ContributionAccepted>(&meta);
    assert_eq!(events[0].actor_member, None);
    assert_eq!(events[0].released, 0);
    s.check_escrow();
}

#[test]
fn a_stranger_cannot_accept() {
    let (mut s, record) = offered();
    let stranger = s.world.wallet();
    let ix = replace(
        s.accept_ix(&record, REWARD, 90),
        &s.researcher.pubkey(),
        &stranger.pubkey(),
    );
    let before = s.snapshot();
    custom_error(
        s.world.send(&[ix], &[&stranger]),
        BountiesError::NotResearcher,
    );
    s.world.assert_unchanged(&before);
}

#[test]
fn a_researcher_member_accepts() {
    let (mut s, record) = offered();
    let researcher = s.researcher.insecure_clone();
    let member = s.world.member(&researcher, roles::RESEARCHER);
    let meta = accept_by(&mut s, &member, &record, REWARD).expect("a member accepts");
    let events = World::events::<ContributionAccepted>(&meta);
    assert_eq!(events[0].actor, s.researcher.pubkey());
    assert_eq!(events[0].actor_member, Some(member.pubkey()));
    assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD);
    s.check_escrow();
}

#[test]
fn a_member_without_the_role_cannot() {
    let (mut s, record) = offered();
    let researcher = s.researcher.insecure_clone();
    let member = s.world.member(&researcher, roles::BILLING);
    let before = s.snapshot();
    custom_error(
        accept_by(&mut s, &member, &record, REWARD),
        BountiesError::RoleNotAllowed,
    );
    s.world.assert_unchanged(&before);
}

#[test]
fn accept_after_the_window_is_refused() {
    let (mut s, record) = offered();
    s.world.warp(REVIEW);
    let before = s.snapshot();
    custom_error(
        s.accept(&record, REWARD, 90),
        BountiesError::ReviewWindowClosed,
    );
    s.world.assert_unchanged(&before);
}

#[test]
fn reject_after_the_window_is_refused() {
    let (mut s, record) = offered();
    s.world.warp(REVIEW);
    let before = s.snapshot();
    custom_error(s.reject(&record, 3), BountiesError::ReviewWindowClosed);
    s.world.assert_unchanged(&before);
}

#[test]
fn settle_before_the_window_is_refused() {
    let (mut s, record) = offered();
    s.world.warp(REVIEW - 1);
    let before = s.snapshot();
    custom_error(s.settle(&record), BountiesError::ReviewWindowOpen);
    s.world.assert_unchanged(&before);
}

#[test]
fn settle_after_the_window_pays_the_full_reward() {
    let (mut s, record) = offered();
    s.world.warp(REVIEW);
    let meta = s.settle(&record).expect("settle");
    assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD);
    let c = s.contribution_state(&record);
    assert_eq!(
        (c.status, c.quality_score),
        (ContributionStatus::Paid, None)
    );
    assert_eq!(
        World::events::<ContributionSettled>(&meta)[0].amount,
        REWARD
    );
    s.check_escrow();
}

#[test]
fn partial_acceptance_pays_part_and_releases_the_rest() {
    let (mut s, record) = offered();
    let meta = s.accept(&record, REWARD / 5, 40).expect("accept a part");
    assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD / 5);
    let b = s.state();
    assert_eq!((b.paid, b.reserved), (REWARD / 5, 0));
    assert_eq!(b.unreserved().unwrap(), FUNDING - REWARD / 5);
    let events = World::events::<ContributionAccepted>(&meta);
    assert_eq!(events[0].released, REWARD - REWARD / 5);
    s.check_escrow();
}

#[test]
fn bad_amounts_and_scores_are_refused() {
    let (mut s, record) = offered();
    let before = s.snapshot();
    custom_error(s.accept(&record, 0, 40), BountiesError::InvalidAmount);
    custom_error(
        s.accept(&record, REWARD + 1, 40),
        BountiesError::InvalidAmount,
    );
    custom_error(
        s.accept(&record, REWARD, 101),
        BountiesError::InvalidQualityScore,
    );
    s.world.assert_unchanged(&before);
}

#[test]
fn accepted_then_settled_pays_once() {
    let (mut s, record) = offered();
    s.accept(&record, REWARD, 90).expect("accept");
    s.world.warp(REVIEW);
    let before = s.snapshot();
    custom_error(s.settle(&record), BountiesError::InvalidContributionStatus);
    custom_error(
        s.reject(&record, 1),
        BountiesError::InvalidContributionStatus,
    );
    s.world.assert_unchanged(&before);
    assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD);
}

#[test]
fn settled_twice_pays_once() {
    let (mut s, record) = offered();
    s.world.warp(REVIEW);
    s.settle(&record).expect("settle");
    let before = s.snapshot();
    custom_error(s.settle(&record), BountiesError::InvalidContributionStatus);
    s.world.assert_unchanged(&before);
    assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD);
}

#[test]
fn a_rejection_needs_a_reason() {
    let (mut s, record) = offered();
    let before = s.snapshot();
    custom_error(s.reject(&record, 0), BountiesError::InvalidReasonCode);
    s.world.assert_unchanged(&before);
    s.reject(&record, 12).expect("reject with a reason");
    let c = s.contribution_state(&record);
    assert_eq!(
        (c.status, c.reason_code),
        (ContributionStatus::Rejected, 12)
    );
    assert_eq!(s.world.token_amount(&s.patient_tokens), 0);
    s.check_escrow();
}

#[test]
fn payout_to_the_guardians_account_is_refused() {
    let (mut s, record) = offered();
    let guardian_tokens = s
        .world
        .token_account(&s.guardian.pubkey(), &s.mint, &s.token_program);
    let ix = replace(
        s.accept_ix(&record, REWARD, 90),
        &s.patient_tokens,
        &guardian_tokens,
    );
    let researcher = s.researcher.insecure_clone();
    let mut watched = s.watched();
    watched.push(guardian_tokens);
    let before = s.world.snapshot(&watched);
    custom_error(
        s.world.send(&[ix], &[&researcher]),
        BountiesError::PayoutNotPatient,
    );
    s.world.warp(REVIEW);
    let ix = replace(s.settle_ix(&record), &s.patient_tokens, &guardian_tokens);
    custom_error(s.world.send(&[ix], &[]), BountiesError::PayoutNotPatient);
    s.world.assert_unchanged(&before);
}

#[test]
fn payout_to_the_relayers_account_is_refused() {
    let (mut s, record) = offered();
    s.world.warp(REVIEW);
    let relayer_tokens = s
        .world
        .token_account(&s.relayer.pubkey(), &s.mint, &s.token_program);
    let ix = replace(s.settle_ix(&record), &s.patient_tokens, &relayer_tokens);
    let ix = replace(ix, &s.world.payer.pubkey(), &s.relayer.pubkey());
    let mut watched = s.watched();
    watched.push(relayer_tokens);
    let before = s.world.snapshot(&watched);
    // The relayer settles, naming its own account.
    let relayer = s.relayer.insecure_clone();
    custom_error(
        s.world.send_paid_by(&relayer, &[ix], &[]),
        BountiesError::PayoutNotPatient,
    );
    s.world.assert_unchanged(&before);
}

#[test]
fn a_guardian_offers_and_the_patient_is_paid() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    let guardian = s.guardian.insecure_clone();
    let ix = s.offer_ix(&record, &guardian.pubkey());
    let meta = s.send_relayed(ix, &guardian).expect("the guardian offers");
    let offered = World::events::<::bounties::events::ContributionOffered>(&meta);
    assert_eq!(offered[0].actor, guardian.pubkey());
    assert_eq!(offered[0].patient, s.patient.pubkey());
    assert_eq!(offered[0].payer, s.relayer.pubkey());
    assert_eq!(s.contribution_state(&record).patient, s.patient.pubkey());
    s.accept(&record, REWARD, 80).expect("accept");
    assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD);
    s.check_escrow();
}

#[test]
fn a_suspended_researcher_gets_no_offers_and_cannot_accept_but_pending_offers_settle() {
    let (mut s, record) = offered();
    let researcher = s.researcher.pubkey();
    s.world.set_status(&researcher, EntityStatus::Suspended);
    let next = s.records[1];
    s.ensure_grant(&next);
    let before = s.snapshot();
    custom_error(s.offer(&next), BountiesError::EntityNotActive);
    custom_error(
        s.accept(&record, REWARD, 90),
        BountiesError::EntityNotActive,
    );
    custom_error(s.reject(&record, 2), BountiesError::EntityNotActive);
    s.world.assert_unchanged(&before);
    s.world.warp(REVIEW);
    s.settle(&record).expect("a pending offer still settles");
    assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD);
    s.check_escrow();
}

#[test]
fn a_suspended_member_or_one_of_another_researcher_cannot_review() {
    let (mut s, record) = offered();
    let researcher = s.researcher.insecure_clone();
    let member = s.world.member(&researcher, roles::RESEARCHER);
    s.world.set_member_status(
        &researcher,
        &member.pubkey(),
        panacea_tests::members::StatusMove::Suspend,
    );
    let before = s.snapshot();
    custom_error(
        accept_by(&mut s, &member, &record, REWARD),
        BountiesError::MemberSuspended,
    );
    // A Researcher member of another researcher entity.
    let other = s.world.entity(records::state::EntityKind::Researcher);
    let theirs = s.world.member(&other, roles::RESEARCHER);
    let ix = bx::reject_contribution(
        ActingKeys::member(theirs.pubkey(), s.researcher.pubkey()),
        &s.keys,
        &s.contribution(&record),
        &s.patient.pubkey(),
        5,
    );
    let ix = replace(
        ix,
        &panacea_sdk::acting::member_address(&s.researcher.pubkey(), &theirs.pubkey()),
        &panacea_sdk::acting::member_address(&other.pubkey(), &theirs.pubkey()),
    );
    custom_error(
        s.world.send(&[ix], &[&theirs]),
        BountiesError::MemberOfAnotherEntity,
    );
    s.world.assert_unchanged(&before);
}
