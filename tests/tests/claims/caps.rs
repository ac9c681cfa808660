//! Issue 11, item 6 (claims part): an insurer caps what one provider is
//! approved by rule per period; over the cap, claims wait for the
//! adjudicator.

use {
    super::setup::*,
    claims::{errors::ClaimsError, state::*},
    panacea_sdk::claims as cl,
    panacea_tests::{assert::*, *},
    solana_signer::Signer,
};

const CAP: u64 = 1_000_000;

#[test]
fn a_provider_over_its_auto_approve_cap_waits_for_the_adjudicator() {
    let mut s = insured_with(anchor_spl::token::ID, |terms| {
        terms.provider_auto_approve_cap = CAP;
    });
    let provider = s.provider.insecure_clone();
    // 600_000 billed: 480_000 each, approved by rule while within the cap.
    let first = s.submit(600_000);
    let second = s.submit(600_000);
    for claim in [first, second] {
        assert_eq!(s.claim(&claim).status, ClaimStatus::Approved);
    }
    let usage_address = cl::provider_usage_address(&s.policy, &provider.pubkey());
    let usage: ProviderUsage = s.world.account(&usage_address);
    assert_eq!((usage.period, usage.auto_approved), (0, 960_000));
    // The third would take it to 1_040_000: reviewed, though under the
    // auto-approve limit, and not counted.
    let third = s.submit(100_000);
    let state = s.claim(&third);
    assert_eq!(
        (state.status, state.settle_after, state.review_deadline),
        (ClaimStatus::PendingReview, i64::MAX, s.world.now() + REVIEW)
    );
    custom_error(s.settle(&third), ClaimsError::InvalidClaimStatus);
    let usage: ProviderUsage = s.world.account(&usage_address);
    assert_eq!(usage.auto_approved, 960_000);
    // One that still fits is approved by rule.
    let fits = s.submit(50_000);
    assert_eq!(s.claim(&fits).status, ClaimStatus::Approved);
    assert_eq!(
        s.world
            .account::<ProviderUsage>(&usage_address)
            .auto_approved,
        1_000_000
    );

    // Another provider has its own count.
    let lab = s.world.lab();
    let theirs = s.submit_by(&lab, 600_000);
    assert_eq!(s.claim(&theirs).status, ClaimStatus::Approved);

    // The next period starts from zero.
    s.world.warp(AUTO_PERIOD);
    s.renew_provider();
    let next = s.submit(600_000);
    assert_eq!(s.claim(&next).status, ClaimStatus::Approved);
    let usage: ProviderUsage = s.world.account(&usage_address);
    assert_eq!((usage.period, usage.auto_approved), (1, 480_000));
    s.assert_escrow();
}

#[test]
fn a_cap_of_zero_sends_every_claim_to_review() {
    let mut s = insured_with(anchor_spl::token_2022::ID, |terms| {
        terms.provider_auto_approve_cap = 0;
    });
    let claim = s.submit(100_000);
    assert_eq!(s.claim(&claim).status, ClaimStatus::PendingReview);
    // Still decided as usual.
    s.decide(&claim, Some(80_000)).expect("approve");
    s.settle(&claim).expect("settle");
    s.assert_escrow();
}

#[test]
fn the_usage_counter_is_closed_for_its_rent_once_the_policy_is_closed() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(600_000);
    let provider = s.provider.pubkey();
    let payer = s.world.payer.pubkey();
    let usage = cl::provider_usage_address(&s.policy, &provider);
    let ix = cl::close_provider_usage(&payer, &s.policy, &provider, &payer);
    custom_error(s.world.send(&[ix], &[]), ClaimsError::PolicyStillRunning);
    assert!(s.world.exists(&usage));

    s.world.warp(CHALLENGE);
    s.settle(&claim).expect("settle");
    s.world.warp(365 * DAY);
    s.close_policy().expect("close the policy");
    // Its rent goes to whoever paid it, not to anyone else.
    let thief = s.world.wallet();
    let ix = cl::close_provider_usage(&payer, &s.policy, &provider, &thief.pubkey());
    custom_error(s.world.send(&[ix], &[]), ClaimsError::RentPayerMismatch);
    let rent = s.world.lamports(&usage);
    let before = s.world.lamports(&payer);
    let ix = cl::close_provider_usage(&payer, &s.policy, &provider, &payer);
    let meta = s.world.send(&[ix], &[]).expect("close the usage counter");
    assert!(!s.world.exists(&usage));
    assert_eq!(s.world.lamports(&payer), before + rent - meta.fee);
}
