//! Issue 11, item 13: bounded windows and periods, and a timeout for claims
//! under review or on appeal. A claim the adjudicator leaves under review
//! past the review window is denied (and may be appealed); an appeal left
//! unanswered past it is approved in full.

use {
    super::setup::*,
    claims::{constants::*, errors::ClaimsError, events::ClaimStatusChanged, state::*},
    panacea_sdk::claims as cl,
    panacea_tests::{assert::*, *},
    solana_signer::Signer,
};

#[test]
fn policy_windows_and_periods_are_bounded() {
    let mut world = World::new();
    let insurer = world.insurer();
    let patient = world.patient();
    let mint = world.create_mint(&anchor_spl::token::ID);
    let base = policy_args(&world, &insurer.pubkey());
    let now = world.now();
    let with = |f: &dyn Fn(&mut claims::instructions::CreatePolicyArgs)| {
        let mut args = base.clone();
        args.policy_id = random_id();
        f(&mut args);
        args
    };
    let bad = [
        with(&|a| a.challenge_window = MAX_CHALLENGE_WINDOW + 1),
        with(&|a| a.challenge_window = i64::MAX),
        with(&|a| a.appeal_window = MAX_APPEAL_WINDOW + 1),
        with(&|a| a.appeal_window = i64::MAX),
        with(&|a| a.appeal_window = -1),
        with(&|a| a.appeal_window = 0),
        with(&|a| a.appeal_window = 1),
        with(&|a| a.appeal_window = MIN_APPEAL_WINDOW - 1),
        with(&|a| a.review_window = 0),
        with(&|a| a.review_window = MIN_REVIEW_WINDOW - 1),
        with(&|a| a.review_window = MAX_REVIEW_WINDOW + 1),
        with(&|a| a.auto_approve_period = 0),
        with(&|a| a.auto_approve_period = MAX_AUTO_APPROVE_PERIOD + 1),
    ];
    for args in bad {
        let policy = cl::policy_address(&insurer.pubkey(), &args.policy_id);
        let ix = cl::create_policy(
            &world.payer.pubkey(),
            &insurer.pubkey(),
            &patient.pubkey(),
            &mint,
            &anchor_spl::token::ID,
            args,
        );
        custom_error(
            world.send(&[ix], &[&insurer]),
            ClaimsError::InvalidPolicyTerms,
        );
        assert!(!world.exists(&policy));
    }
    // The period is bounded by five years (the grant and consent cap), and
    // the error names the bound.
    let too_long = [
        (
            with(&|a| a.valid_until = a.valid_from + MAX_POLICY_DURATION + 1),
            ClaimsError::PolicyPeriodTooLong,
        ),
        (
            with(&|a| a.valid_until = i64::MAX),
            ClaimsError::PolicyPeriodTooLong,
        ),
        // Backdated far enough to overflow a duration.
        (
            with(&|a| {
                a.valid_from = i64::MIN;
                a.valid_until = now + DAY;
            }),
            ClaimsError::PolicyPeriodTooLong,
        ),
        // Five years long, but starting in two and a half years.
        (
            with(&|a| {
                a.valid_from = now + MAX_POLICY_DURATION / 2;
                a.valid_until = a.valid_from + MAX_POLICY_DURATION;
            }),
            ClaimsError::PolicyEndsTooLate,
        ),
    ];
    for (args, expected) in too_long {
        let policy = cl::policy_address(&insurer.pubkey(), &args.policy_id);
        let ix = cl::create_policy(
            &world.payer.pubkey(),
            &insurer.pubkey(),
            &patient.pubkey(),
            &mint,
            &anchor_spl::token::ID,
            args,
        );
        custom_error(world.send(&[ix], &[&insurer]), expected);
        assert!(!world.exists(&policy));
    }
    assert_eq!(MAX_POLICY_DURATION, 5 * 365 * DAY);
    // The maxima themselves are accepted.
    let args = with(&|a| {
        a.challenge_window = MAX_CHALLENGE_WINDOW;
        a.appeal_window = MAX_APPEAL_WINDOW;
        a.review_window = MAX_REVIEW_WINDOW;
        a.auto_approve_period = MAX_AUTO_APPROVE_PERIOD;
        a.valid_until = a.valid_from + MAX_POLICY_DURATION;
    });
    let ix = cl::create_policy(
        &world.payer.pubkey(),
        &insurer.pubkey(),
        &patient.pubkey(),
        &mint,
        &anchor_spl::token::ID,
        args,
    );
    world.send(&[ix], &[&insurer]).expect("at the bounds");
    // And the minima.
    let args = with(&|a| {
        a.challenge_window = 1;
        a.appeal_window = MIN_APPEAL_WINDOW;
        a.review_window = MIN_REVIEW_WINDOW;
        a.auto_approve_period = 1;
    });
    let policy = cl::policy_address(&insurer.pubkey(), &args.policy_id);
    let ix = cl::create_policy(
        &world.payer.pubkey(),
        &insurer.pubkey(),
        &patient.pubkey(),
        &mint,
        &anchor_spl::token::ID,
        args,
    );
    world.send(&[ix], &[&insurer]).expect("at the lower bounds");
    let created: Policy = world.account(&policy);
    assert_eq!(
        (created.appeal_window, created.review_window),
        (MIN_APPEAL_WINDOW, MIN_REVIEW_WINDOW)
    );
}

#[test]
fn an_undecided_claim_is_denied_at_its_review_deadline_and_an_unanswered_appeal_approved() {
    let mut s = insured(anchor_spl::token::ID);
    // 2_000_000 billed: 1_600_000 reserved, under review.
    let claim = s.submit(2_000_000);
    let deadline = s.claim(&claim).review_deadline;
    assert_eq!(deadline, s.world.now() + REVIEW);

    // Not before the deadline.
    s.world.warp(REVIEW - 1);
    let before = s.snapshot(&[claim]);
    custom_error(s.expire(&claim), ClaimsError::ReviewNotExpired);
    assert_eq!(s.snapshot(&[claim]), before);

    // At the deadline anyone times it out: denied, its money released.
    s.world.warp(1);
    let meta = s.expire(&claim).expect("time out the review");
    let changed = &World::events::<ClaimStatusChanged>(&meta)[0];
    assert_eq!(
        (changed.old_status, changed.new_status),
        (ClaimStatus::PendingReview, ClaimStatus::Denied)
    );
    let denied = s.claim(&claim);
    assert_eq!(
        (denied.status, denied.decided_by, denied.decided_at),
        (ClaimStatus::Denied, Some(claims::ID), Some(s.world.now()))
    );
    let policy = s.policy();
    assert_eq!((policy.reserved, policy.open_claims), (0, 0));
    custom_error(s.expire(&claim), ClaimsError::InvalidClaimStatus);
    // A timeout denial is appealable like any other: the insurer cannot
    // take the money back meanwhile.
    custom_error(s.withdraw_funds(1), ClaimsError::AppealWindowOpen);

    s.appeal(&claim).expect("appeal");
    let appealed = s.claim(&claim);
    assert_eq!(
        (
            appealed.status,
            appealed.amount_payable,
            appealed.review_deadline
        ),
        (ClaimStatus::Appealed, 1_600_000, s.world.now() + REVIEW)
    );
    s.world.warp(REVIEW - 1);
    let before = s.snapshot(&[claim]);
    custom_error(s.expire(&claim), ClaimsError::ReviewNotExpired);
    assert_eq!(s.snapshot(&[claim]), before);
    s.world.warp(1);
    s.expire(&claim).expect("time out the appeal");
    let approved = s.claim(&claim);
    assert_eq!(
        (
            approved.status,
            approved.amount_payable,
            approved.settle_after
        ),
        (ClaimStatus::Approved, 1_600_000, s.world.now())
    );
    s.settle(&claim).expect("settle at once");
    // Less the insurer's share of the deductible.
    assert_eq!(s.world.token_amount(&s.provider_tokens), 1_200_000);
    s.assert_escrow();
}

#[test]
fn a_disputed_claim_gets_a_review_deadline_and_the_adjudicator_may_still_decide_late() {
    let mut s = insured(anchor_spl::token_2022::ID);
    let claim = s.submit(600_000);
    assert_eq!(s.claim(&claim).review_deadline, i64::MAX);
    // An approved claim has no review to time out.
    let before = s.snapshot(&[claim]);
    custom_error(s.expire(&claim), ClaimsError::InvalidClaimStatus);
    assert_eq!(s.snapshot(&[claim]), before);

    s.dispute(&claim).expect("dispute");
    assert_eq!(s.claim(&claim).review_deadline, s.world.now() + REVIEW);
    // Past the deadline, until someone times it out, a decision still lands.
    s.world.warp(REVIEW + DAY);
    s.decide(&claim, Some(480_000)).expect("a late decision");
    let state = s.claim(&claim);
    assert_eq!(
        (state.status, state.review_deadline),
        (ClaimStatus::Approved, i64::MAX)
    );
    custom_error(s.expire(&claim), ClaimsError::InvalidClaimStatus);
    s.renew_provider();
    s.settle(&claim).expect("settle");
    s.assert_escrow();
}
