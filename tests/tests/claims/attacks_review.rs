//! A security review of the issue 11 changes to `claims`: voiding,
//! reinstating and timing out claims, the deductible applied at payment,
//! the per-provider auto-approve cap (`ProviderUsage`) and the payout mint
//! re-checked wherever money moves. Each attack that the program refuses is
//! a regression test asserting its exact error and that nothing changed;
//! each that succeeded was a `finding_` test asserting what should happen
//! instead, ignored until its fix (all four are fixed now).

use {
    super::setup::*,
    anchor_lang::error::ErrorCode as Anchor,
    anchor_lang::prelude::Pubkey,
    claims::{constants::MIN_APPEAL_WINDOW, errors::ClaimsError, state::*},
    panacea_sdk::claims as cl,
    panacea_tests::{assert::*, *},
    records::state::{EntityStatus, RecordKind},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// Position of `provider_entity` in `void_claim`'s accounts.
const VOID_PROVIDER_ENTITY: usize = 4;
/// Position of `provider_entity` in `reinstate_claim`'s accounts.
const REINSTATE_PROVIDER_ENTITY: usize = 4;
/// Position of `provider_usage` in `submit_claim`'s accounts.
const SUBMIT_PROVIDER_USAGE: usize = 7;

fn keys(s: &Insured) -> (Keypair, Keypair, Keypair) {
    (
        s.provider.insecure_clone(),
        s.insurer.insecure_clone(),
        s.adjudicator.insecure_clone(),
    )
}

/// A second policy on the same patient, by another insurer, funded.
fn other_policy(s: &mut Insured) -> (Keypair, Pubkey) {
    let insurer = s.world.insurer();
    let args = policy_args(&s.world, &insurer.pubkey());
    let policy = cl::policy_address(&insurer.pubkey(), &args.policy_id);
    let ix = cl::create_policy(
        &s.world.payer.pubkey(),
        &insurer.pubkey(),
        &s.patient.pubkey(),
        &s.mint,
        &s.token_program,
        args,
    );
    s.world.send(&[ix], &[&insurer]).expect("another policy");
    (insurer, policy)
}

// ----- void_claim -----

#[test]
fn void_needs_the_claims_own_provider_entity_and_that_it_is_inactive() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(600_000);
    let (provider, insurer, _) = keys(&s);
    // Another provider, suspended: its entity is "inactive".
    let lab = s.world.lab();
    s.world.set_status(&lab.pubkey(), EntityStatus::Suspended);
    let lab_entity = records::pda::entity(&lab.pubkey()).0;
    let patient_profile = records::pda::patient(&s.patient.pubkey()).0;
    let nowhere = Keypair::new().pubkey();
    for substitute in [lab_entity, patient_profile, nowhere] {
        let mut ix = cl::void_claim(&insurer.pubkey(), &s.policy, &claim, &provider.pubkey());
        ix.accounts[VOID_PROVIDER_ENTITY].pubkey = substitute;
        let before = s.snapshot(&[claim]);
        custom_error(s.world.send(&[ix], &[&insurer]), Anchor::ConstraintSeeds);
        assert_eq!(s.snapshot(&[claim]), before);
    }
    // The right entity, active: the claim is to be settled, not voided.
    let before = s.snapshot(&[claim]);
    custom_error(s.void(&insurer, &claim), ClaimsError::ProviderStillActive);
    assert_eq!(s.snapshot(&[claim]), before);
    // Suspending another provider changes nothing for this one.
    assert_eq!(s.claim(&claim).status, ClaimStatus::Approved);
}

#[test]
fn a_provider_whose_credential_lapsed_is_inactive_and_its_claim_voidable() {
    let mut s = insured(anchor_spl::token_2022::ID);
    let claim = s.submit(600_000);
    let (provider, _, adjudicator) = keys(&s);
    let entity: records::state::Entity =
        s.world.account(&records::pda::entity(&provider.pubkey()).0);
    // One second before the credential's end the provider is still active.
    let now = s.world.now();
    s.world.warp(entity.valid_until - now - 1);
    let before = s.snapshot(&[claim]);
    custom_error(
        s.void(&adjudicator, &claim),
        ClaimsError::ProviderStillActive,
    );
    assert_eq!(s.snapshot(&[claim]), before);
    s.world.warp(1);
    s.void(&adjudicator, &claim)
        .expect("void at the credential's end");
    assert_eq!(s.claim(&claim).status, ClaimStatus::Voided);
    s.assert_escrow();
}

#[test]
fn void_goes_through_the_claims_own_policy_and_its_own_insurer() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(600_000);
    let (provider, _, _) = keys(&s);
    s.world
        .set_status(&provider.pubkey(), EntityStatus::Suspended);
    let (other_insurer, other) = other_policy(&mut s);
    // The other insurer, through its own policy (it is that policy's insurer).
    let ix = cl::void_claim(&other_insurer.pubkey(), &other, &claim, &provider.pubkey());
    let before = s.snapshot(&[claim]);
    custom_error(
        s.world.send(&[ix], &[&other_insurer]),
        Anchor::ConstraintAddress,
    );
    // The other insurer, through the claim's policy.
    custom_error(
        s.void(&other_insurer, &claim),
        ClaimsError::NotInsurerOrAdjudicator,
    );
    // The patient, who is neither.
    let patient = s.patient.insecure_clone();
    custom_error(
        s.void(&patient, &claim),
        ClaimsError::NotInsurerOrAdjudicator,
    );
    assert_eq!(s.snapshot(&[claim]), before);
}

#[test]
fn a_voided_claim_moves_no_money_and_takes_no_other_path() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(600_000);
    let (provider, insurer, adjudicator) = keys(&s);
    s.world
        .set_status(&provider.pubkey(), EntityStatus::Suspended);
    s.void(&insurer, &claim).expect("void");
    // Active again but not reinstated: the claim stays voided.
    s.world.set_status(&provider.pubkey(), EntityStatus::Active);
    s.world.warp(CHALLENGE);
    let before = s.snapshot(&[claim]);
    custom_error(s.settle(&claim), ClaimsError::InvalidClaimStatus);
    custom_error(s.withdraw(&claim), ClaimsError::InvalidClaimStatus);
    custom_error(s.appeal(&claim), ClaimsError::InvalidClaimStatus);
    custom_error(s.dispute(&claim), ClaimsError::InvalidClaimStatus);
    custom_error(s.decide(&claim, Some(1)), ClaimsError::InvalidClaimStatus);
    custom_error(s.decide(&claim, None), ClaimsError::InvalidClaimStatus);
    custom_error(s.expire(&claim), ClaimsError::InvalidClaimStatus);
    custom_error(
        s.void(&adjudicator, &claim),
        ClaimsError::InvalidClaimStatus,
    );
    assert_eq!(s.snapshot(&[claim]), before);
    assert_eq!(s.world.token_amount(&s.provider_tokens), 0);
}

// ----- reinstate_claim -----

#[test]
fn reinstatement_ends_at_the_last_second_of_the_appeal_window() {
    let mut s = insured(anchor_spl::token::ID);
    let early = s.submit(600_000);
    let late = s.submit(300_000);
    let (provider, insurer, _) = keys(&s);
    s.world
        .set_status(&provider.pubkey(), EntityStatus::Suspended);
    s.void(&insurer, &early).expect("void");
    s.void(&insurer, &late).expect("void");
    s.world.set_status(&provider.pubkey(), EntityStatus::Active);
    s.world.warp(APPEAL - 1);
    s.reinstate(&provider, &early)
        .expect("inside the window's last second");
    s.world.warp(1);
    let before = s.snapshot(&[late]);
    custom_error(
        s.reinstate(&provider, &late),
        ClaimsError::ReinstateWindowClosed,
    );
    assert_eq!(s.snapshot(&[late]), before);
    s.assert_escrow();
}

#[test]
fn only_a_voided_claim_is_reinstated_and_only_once() {
    let mut s = insured(anchor_spl::token::ID);
    let approved = s.submit(600_000);
    let reviewed = s.submit(2_000_000);
    s.decide(&reviewed, None).expect("deny");
    let (provider, insurer, _) = keys(&s);
    for claim in [approved, reviewed] {
        let before = s.snapshot(&[claim]);
        custom_error(
            s.reinstate(&provider, &claim),
            ClaimsError::InvalidClaimStatus,
        );
        assert_eq!(s.snapshot(&[claim]), before);
    }
    s.world
        .set_status(&provider.pubkey(), EntityStatus::Suspended);
    s.void(&insurer, &approved).expect("void");
    s.world.set_status(&provider.pubkey(), EntityStatus::Active);
    s.reinstate(&provider, &approved).expect("reinstate");
    let reserved = s.policy().reserved;
    let before = s.snapshot(&[approved]);
    custom_error(
        s.reinstate(&provider, &approved),
        ClaimsError::InvalidClaimStatus,
    );
    assert_eq!(s.snapshot(&[approved]), before);
    assert_eq!(s.policy().reserved, reserved, "reserved once");
}

#[test]
fn reinstatement_needs_the_providers_own_active_entity() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(600_000);
    let (provider, insurer, _) = keys(&s);
    s.world
        .set_status(&provider.pubkey(), EntityStatus::Suspended);
    s.void(&insurer, &claim).expect("void");
    // An active entity (another provider's) in place of the suspended one.
    let lab = s.world.lab();
    let mut ix = cl::reinstate_claim(&provider.pubkey(), &s.policy, &claim);
    ix.accounts[REINSTATE_PROVIDER_ENTITY].pubkey = records::pda::entity(&lab.pubkey()).0;
    let before = s.snapshot(&[claim]);
    custom_error(s.world.send(&[ix], &[&provider]), Anchor::ConstraintSeeds);
    // The other provider signing, with its own (active) entity (its seeds
    // are not the claim's provider's), or with the claim provider's entity.
    custom_error(s.reinstate(&lab, &claim), Anchor::ConstraintSeeds);
    let mut ix = cl::reinstate_claim(&lab.pubkey(), &s.policy, &claim);
    ix.accounts[REINSTATE_PROVIDER_ENTITY].pubkey = records::pda::entity(&provider.pubkey()).0;
    custom_error(s.world.send(&[ix], &[&lab]), ClaimsError::NotClaimProvider);
    assert_eq!(s.snapshot(&[claim]), before);
}

#[test]
fn a_reinstatement_the_escrow_no_longer_covers_is_refused_cleanly() {
    // Money released by a voiding may be reserved by other claims before
    // the provider is back: the reinstatement is then refused, and the
    // claim stays voided (final once its window has passed).
    let mut s = insured_with(anchor_spl::token::ID, |t| t.auto_approve_limit = COVERAGE);
    let claim = s.submit(5_000_000);
    let (provider, insurer, _) = keys(&s);
    s.world
        .set_status(&provider.pubkey(), EntityStatus::Suspended);
    s.void(&insurer, &claim).expect("void");
    let lab = s.world.lab();
    s.submit_by(&lab, 6_000_000);
    s.world.set_status(&provider.pubkey(), EntityStatus::Active);
    let before = s.snapshot(&[claim]);
    custom_error(
        s.reinstate(&provider, &claim),
        ClaimsError::InsufficientEscrow,
    );
    assert_eq!(s.snapshot(&[claim]), before);
    s.assert_escrow();
}

// ----- expire_claim -----

#[test]
fn only_claims_under_review_or_on_appeal_time_out() {
    let mut s = insured(anchor_spl::token::ID);
    let (provider, insurer, _) = keys(&s);
    let paid = s.submit(100_000);
    let withdrawn = s.submit(100_000);
    let denied = s.submit(2_000_000);
    let voided = s.submit(100_000);
    s.withdraw(&withdrawn).expect("withdraw");
    s.decide(&denied, None).expect("deny");
    s.world.warp(CHALLENGE);
    s.settle(&paid).expect("settle");
    s.world
        .set_status(&provider.pubkey(), EntityStatus::Suspended);
    s.void(&insurer, &voided).expect("void");
    s.world.warp(REVIEW + APPEAL);
    let all = [paid, withdrawn, denied, voided];
    let before = s.snapshot(&all);
    for claim in all {
        custom_error(s.expire(&claim), ClaimsError::InvalidClaimStatus);
    }
    assert_eq!(s.snapshot(&all), before);
}

#[test]
fn a_disputed_claim_times_out_only_at_its_own_deadline() {
    let mut s = insured(anchor_spl::token_2022::ID);
    let claim = s.submit(600_000);
    s.world.warp(CHALLENGE - 1);
    s.dispute(&claim)
        .expect("dispute in the window's last second");
    // The deadline runs from the dispute, not from submission.
    s.world.warp(REVIEW - 1);
    let before = s.snapshot(&[claim]);
    custom_error(s.expire(&claim), ClaimsError::ReviewNotExpired);
    assert_eq!(s.snapshot(&[claim]), before);
    s.world.warp(1);
    s.expire(&claim).expect("deny at the deadline");
    assert_eq!(s.claim(&claim).status, ClaimStatus::Denied);
    s.appeal(&claim).expect("appeal");
    s.world.warp(REVIEW);
    // Twice in one transaction: the second finds the appeal approved, and
    // the whole transaction is undone.
    let anyone = s.world.wallet();
    let ix = cl::expire_claim(&anyone.pubkey(), &s.policy, &claim);
    let before = s.snapshot(&[claim]);
    custom_error(
        s.world.send(&[ix.clone(), ix], &[&anyone]),
        ClaimsError::InvalidClaimStatus,
    );
    assert_eq!(s.snapshot(&[claim]), before);
}

// ----- settle, close, revive -----

#[test]
fn a_claim_is_paid_once_even_when_settled_twice_in_one_transaction() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(600_000);
    s.world.warp(CHALLENGE);
    let ix = cl::settle_claim(
        &s.world.payer.pubkey(),
        &s.policy,
        &claim,
        &s.provider.pubkey(),
        &s.mint,
        &s.provider_tokens,
        &s.token_program,
    );
    let before = s.snapshot(&[claim]);
    custom_error(
        s.world.send(&[ix.clone(), ix], &[]),
        ClaimsError::InvalidClaimStatus,
    );
    assert_eq!(s.snapshot(&[claim]), before);
    s.settle(&claim).expect("once");
    assert_eq!(s.world.token_amount(&s.provider_tokens), 80_000);
}

#[test]
fn a_paid_claim_closed_and_submitted_again_under_its_id_bills_nothing() {
    let mut s = insured(anchor_spl::token::ID);
    let provider = s.provider.insecure_clone();
    let record = s.record(RecordKind::Procedure);
    let args = Insured::claim_args(600_000);
    let claim = cl::claim_address(&s.policy, &args.claim_id);
    let payer = s.world.payer.pubkey();
    let submit = cl::submit_claim(
        &payer,
        &provider.pubkey(),
        &s.policy,
        &s.insurer.pubkey(),
        &s.patient.pubkey(),
        &[s.billed(&record)],
        args,
    );
    s.world
        .send(std::slice::from_ref(&submit), &[&provider])
        .expect("submit");
    s.world.warp(CHALLENGE);
    s.settle(&claim).expect("settle");
    // Close the paid claim and, in the same transaction, submit the same
    // id with the same record: the marker still stands.
    let close = cl::close_claim(&payer, &s.policy, &claim, &payer);
    let before = s.snapshot(&[claim]);
    custom_error(
        s.world.send(&[close.clone(), submit.clone()], &[&provider]),
        ClaimsError::RecordAlreadyClaimed,
    );
    assert_eq!(s.snapshot(&[claim]), before);
    // After the close on its own, still refused.
    s.world.send(&[close], &[]).expect("close the paid claim");
    custom_error(
        s.world.send(&[submit], &[&provider]),
        ClaimsError::RecordAlreadyClaimed,
    );
    assert!(!s.world.exists(&claim));
    assert_eq!(s.policy().paid, 80_000);
}

#[test]
fn the_vault_is_not_a_destination_for_its_own_money() {
    let mut s = insured(anchor_spl::token::ID);
    let insurer = s.insurer.insecure_clone();
    let vault = s.vault;
    // Withdrawing "to the vault" would book a withdrawal while the money
    // stays (a token self-transfer moves nothing), letting the insurer take
    // it twice: Anchor refuses the vault twice as a mutable account (and
    // the escrow invariant would catch it after).
    let ix = cl::withdraw_unreserved(
        &insurer.pubkey(),
        &s.policy,
        &s.mint,
        &vault,
        &s.token_program,
        1_000,
    );
    let before = s.snapshot(&[]);
    custom_error(
        s.world.send(&[ix], &[&insurer]),
        Anchor::ConstraintDuplicateMutableAccount,
    );
    assert_eq!(s.snapshot(&[]), before);
    // Closing "into the vault" likewise.
    s.world.warp(365 * DAY);
    let ix = cl::close_policy(
        &insurer.pubkey(),
        &s.policy,
        &s.mint,
        &vault,
        &s.world.payer.pubkey(),
        &s.token_program,
    );
    custom_error(
        s.world.send(&[ix], &[&insurer]),
        Anchor::ConstraintDuplicateMutableAccount,
    );
    assert_eq!(s.snapshot(&[]), before);
    s.close_policy().expect("to the insurer's account");
    assert_eq!(s.world.token_amount(&s.insurer_tokens), 2 * FUNDING);
}

// ----- the deductible -----

#[test]
fn voiding_and_reinstating_does_not_move_the_deductible() {
    let mut s = insured(anchor_spl::token::ID);
    let first = s.submit(600_000);
    let second = s.submit(600_000);
    let (provider, insurer, _) = keys(&s);
    s.world
        .set_status(&provider.pubkey(), EntityStatus::Suspended);
    s.void(&insurer, &first).expect("void");
    s.world.set_status(&provider.pubkey(), EntityStatus::Active);
    s.world.warp(CHALLENGE);
    // The second is paid first: it takes the deductible.
    s.settle(&second).expect("settle the second");
    s.reinstate(&provider, &first).expect("reinstate");
    // Voided in the second it was submitted: its whole challenge window
    // is still ahead of it.
    custom_error(s.settle(&first), ClaimsError::SettlementNotDue);
    s.world.warp(CHALLENGE);
    s.settle(&first).expect("settle the first");
    let (a, b) = (s.claim(&first), s.claim(&second));
    assert_eq!(
        (b.deductible_applied, b.amount_payable),
        (DEDUCTIBLE, 80_000)
    );
    assert_eq!((a.deductible_applied, a.amount_payable), (0, 480_000));
    // Together what they would have paid in either order.
    assert_eq!(s.world.token_amount(&s.provider_tokens), 560_000);
    assert_eq!(s.policy().deductible_met, DEDUCTIBLE);
    s.assert_escrow();
}

#[test]
fn a_tiny_claim_settled_first_takes_only_its_own_amount_of_the_deductible() {
    let mut s = insured(anchor_spl::token::ID);
    let tiny = s.submit(1);
    let real = s.submit(600_000);
    s.world.warp(CHALLENGE);
    s.settle(&tiny).expect("settle the tiny claim");
    s.settle(&real).expect("settle the real claim");
    assert_eq!(s.claim(&tiny).deductible_applied, 1);
    assert_eq!(s.claim(&real).deductible_applied, DEDUCTIBLE - 1);
    // 600_000 - 499_999 = 100_001 at 80 %, rounded down.
    assert_eq!(s.world.token_amount(&s.provider_tokens), 80_000);
}

// ----- the per-provider cap and ProviderUsage -----

const CAP: u64 = 1_000_000;

#[test]
fn withdrawing_claims_does_not_give_back_auto_approval_room() {
    let mut s = insured_with(anchor_spl::token::ID, |t| {
        t.provider_auto_approve_cap = CAP;
    });
    let first = s.submit(600_000);
    let second = s.submit(600_000);
    s.withdraw(&first).expect("withdraw");
    s.withdraw(&second).expect("withdraw");
    let usage = cl::provider_usage_address(&s.policy, &s.provider.pubkey());
    assert_eq!(
        s.world.account::<ProviderUsage>(&usage).auto_approved,
        960_000
    );
    // 80_000 more would pass the cap: reviewed, though under the limit.
    let third = s.submit(100_000);
    assert_eq!(s.claim(&third).status, ClaimStatus::PendingReview);
    assert_eq!(
        s.world.account::<ProviderUsage>(&usage).auto_approved,
        960_000
    );
}

#[test]
fn a_usage_counter_is_not_substituted_or_closed_while_its_policy_lives() {
    let mut s = insured_with(anchor_spl::token::ID, |t| {
        t.provider_auto_approve_cap = CAP;
    });
    let (provider, _, _) = keys(&s);
    s.submit(600_000);
    let lab = s.world.lab();
    s.submit_by(&lab, 100_000);
    let mine = cl::provider_usage_address(&s.policy, &provider.pubkey());
    let theirs = cl::provider_usage_address(&s.policy, &lab.pubkey());
    let record = s.record(RecordKind::Procedure);
    let marker = claims::pda::claimed_record(&s.policy, s.origin(&record)).0;
    let snapshot = s.world.snapshot(&[mine, theirs, s.policy]);
    // The lab's (nearly unused) counter, a marker, a fresh address, the policy.
    for substitute in [theirs, marker, Keypair::new().pubkey(), s.policy] {
        let mut ix = cl::submit_claim(
            &s.world.payer.pubkey(),
            &provider.pubkey(),
            &s.policy,
            &s.insurer.pubkey(),
            &s.patient.pubkey(),
            &[s.billed(&record)],
            Insured::claim_args(600_000),
        );
        ix.accounts[SUBMIT_PROVIDER_USAGE].pubkey = substitute;
        custom_error(s.world.send(&[ix], &[&provider]), Anchor::ConstraintSeeds);
        s.world.assert_unchanged(&snapshot);
    }
    // Closing it to start over: not while the policy runs, whatever
    // account stands in for the policy.
    let payer = s.world.payer.pubkey();
    let ix = cl::close_provider_usage(&payer, &s.policy, &provider.pubkey(), &payer);
    custom_error(s.world.send(&[ix], &[]), ClaimsError::PolicyStillRunning);
    let mut ix = cl::close_provider_usage(&payer, &s.policy, &provider.pubkey(), &payer);
    ix.accounts[1].pubkey = Keypair::new().pubkey();
    custom_error(s.world.send(&[ix], &[]), Anchor::ConstraintAddress);
    s.world.assert_unchanged(&snapshot);
    // With the cap used, the next claim is reviewed.
    let (claim, result) = s.try_submit(&provider, &[record], 700_000);
    result.expect("submit");
    assert_eq!(s.claim(&claim).status, ClaimStatus::PendingReview);
}

#[test]
fn a_usage_counter_of_an_earlier_policy_at_the_same_address_counts_nothing() {
    let mut s = insured_with(anchor_spl::token::ID, |t| {
        t.provider_auto_approve_cap = CAP;
        t.valid_until = t.valid_from + 10 * DAY;
    });
    let (provider, insurer, adjudicator) = keys(&s);
    let claim = s.submit(600_000);
    s.world.warp(CHALLENGE);
    s.settle(&claim).expect("settle");
    s.world.warp(10 * DAY);
    let policy_id = s.policy().policy_id;
    s.close_policy().expect("close");
    let usage = cl::provider_usage_address(&s.policy, &provider.pubkey());
    let old: ProviderUsage = s.world.account(&usage);
    assert_eq!(old.auto_approved, 480_000);

    // The insurer re-opens the same policy id: the same address.
    let mut args = policy_args(&s.world, &adjudicator.pubkey());
    args.policy_id = policy_id;
    args.provider_auto_approve_cap = CAP;
    let payer = s.world.payer.pubkey();
    let ix = cl::create_policy(
        &payer,
        &insurer.pubkey(),
        &s.patient.pubkey(),
        &s.mint,
        &s.token_program,
        args,
    );
    s.world.send(&[ix], &[&insurer]).expect("re-open");
    s.fund(FUNDING).expect("fund");
    // The old counter serves the new policy: not closed while it runs.
    let ix = cl::close_provider_usage(&payer, &s.policy, &provider.pubkey(), &payer);
    custom_error(s.world.send(&[ix], &[]), ClaimsError::PolicyStillRunning);
    // It counts nothing against the new policy: 600_000 (480_000) and
    // another 600_000 would have passed the cap with the old count.
    let again = s.submit(600_000);
    assert_eq!(s.claim(&again).status, ClaimStatus::Approved);
    let new: ProviderUsage = s.world.account(&usage);
    assert_eq!(
        (new.auto_approved, new.policy_created_at, new.rent_payer),
        (480_000, s.policy().created_at, old.rent_payer)
    );
    assert_ne!(new.policy_created_at, old.policy_created_at);
}

#[test]
fn auto_approvals_restart_at_each_period_boundary() {
    // Periods are fixed windows counted from valid_from: in the last second
    // of one and the first of the next a provider is approved by rule up to
    // twice the cap (the README's rule: the cap is per period).
    let mut s = insured_with(anchor_spl::token::ID, |t| {
        t.provider_auto_approve_cap = CAP;
    });
    let start = s.policy().valid_from;
    let now = s.world.now();
    s.world.warp(start + AUTO_PERIOD - 1 - now);
    let last = s.submit(1_250_000);
    s.world.warp(1);
    let first = s.submit(1_250_000);
    // 2 billed: 1 payable, over the cap.
    let over = s.submit(2);
    assert_eq!(
        [last, first, over].map(|c| s.claim(&c).status),
        [
            ClaimStatus::Approved,
            ClaimStatus::Approved,
            ClaimStatus::PendingReview
        ]
    );
}

/// Position of `consent` in `submit_claim`'s accounts.
const SUBMIT_CONSENT: usize = 5;

#[test]
fn the_patients_consent_epoch_is_no_payment_consent() {
    let mut s = insured(anchor_spl::token::ID);
    let provider = s.provider.insecure_clone();
    let record = s.record(RecordKind::Procedure);
    let epoch = panacea_sdk::consent::consent_epoch_address(&s.patient.pubkey());
    assert!(s.world.exists(&epoch));
    let mut ix = cl::submit_claim(
        &s.world.payer.pubkey(),
        &provider.pubkey(),
        &s.policy,
        &s.insurer.pubkey(),
        &s.patient.pubkey(),
        &[s.billed(&record)],
        Insured::claim_args(600_000),
    );
    ix.accounts[SUBMIT_CONSENT].pubkey = epoch;
    let before = s.snapshot(&[]);
    custom_error(
        s.world.send(&[ix], &[&provider]),
        Anchor::AccountDiscriminatorMismatch,
    );
    assert_eq!(s.snapshot(&[]), before);
}

// ----- signers, owners, programs -----

/// `ix` with `key` no longer marked as a signer.
fn unsigned(
    mut ix: solana_instruction::Instruction,
    key: &Pubkey,
) -> solana_instruction::Instruction {
    for meta in ix.accounts.iter_mut().filter(|m| m.pubkey == *key) {
        meta.is_signer = false;
    }
    ix
}

#[test]
fn the_new_instructions_need_their_signers() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(600_000);
    let reviewed = s.submit(2_000_000);
    let (provider, insurer, adjudicator) = keys(&s);
    s.world
        .set_status(&provider.pubkey(), EntityStatus::Suspended);
    let void = cl::void_claim(&insurer.pubkey(), &s.policy, &claim, &provider.pubkey());
    let before = s.snapshot(&[claim, reviewed]);
    custom_error(
        s.world.send(&[unsigned(void, &insurer.pubkey())], &[]),
        Anchor::AccountNotSigner,
    );
    assert_eq!(s.snapshot(&[claim, reviewed]), before);
    s.void(&insurer, &claim).expect("void");
    s.world.set_status(&provider.pubkey(), EntityStatus::Active);
    let before_reinstate = s.snapshot(&[claim]);
    let reinstate = cl::reinstate_claim(&provider.pubkey(), &s.policy, &claim);
    custom_error(
        s.world
            .send(&[unsigned(reinstate, &provider.pubkey())], &[]),
        Anchor::AccountNotSigner,
    );
    assert_eq!(s.snapshot(&[claim]), before_reinstate);
    s.world.warp(REVIEW);
    let before = s.snapshot(&[reviewed]);
    let stranger = Keypair::new().pubkey();
    let expire = cl::expire_claim(&stranger, &s.policy, &reviewed);
    custom_error(
        s.world.send(&[unsigned(expire, &stranger)], &[]),
        Anchor::AccountNotSigner,
    );
    let decide = cl::decide_claim(&adjudicator.pubkey(), &s.policy, &reviewed, Some(1));
    custom_error(
        s.world
            .send(&[unsigned(decide, &adjudicator.pubkey())], &[]),
        Anchor::AccountNotSigner,
    );
    assert_eq!(s.snapshot(&[reviewed]), before);
}

#[test]
fn a_forged_claim_or_a_foreign_token_program_moves_no_money() {
    use anchor_lang::{AccountSerialize, Discriminator};
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(600_000);
    s.world.warp(CHALLENGE);
    // A copy of the claim asking for far more, owned by another program.
    let mut forged = s.claim(&claim);
    forged.amount_billed = 5_000_000;
    forged.amount_requested = 4_000_000;
    forged.amount_payable = 4_000_000;
    let mut data = Vec::new();
    forged.try_serialize(&mut data).unwrap();
    assert_eq!(&data[..8], Claim::DISCRIMINATOR);
    let address = Keypair::new().pubkey();
    let real = s.world.raw(&claim).unwrap();
    s.world
        .svm
        .set_account(
            address,
            solana_account::Account {
                lamports: real.lamports,
                data,
                owner: Keypair::new().pubkey(),
                executable: false,
                rent_epoch: 0,
            },
        )
        .unwrap();
    let settle = |claim: &Pubkey, token_program: &Pubkey| {
        cl::settle_claim(
            &s.world.payer.pubkey(),
            &s.policy,
            claim,
            &s.provider.pubkey(),
            &s.mint,
            &s.provider_tokens,
            token_program,
        )
    };
    let forged_settle = settle(&address, &s.token_program);
    let mut foreign = settle(&claim, &s.token_program);
    // The system program in the token program's place.
    foreign.accounts[6].pubkey = anchor_lang::system_program::ID;
    let before = s.snapshot(&[claim]);
    custom_error(
        s.world.send(&[forged_settle], &[]),
        Anchor::AccountOwnedByWrongProgram,
    );
    custom_error(s.world.send(&[foreign], &[]), Anchor::InvalidProgramId);
    assert_eq!(s.snapshot(&[claim]), before);
    s.settle(&claim).expect("the real claim");
    assert_eq!(s.world.token_amount(&s.provider_tokens), 80_000);
}

// ----- findings -----

/// Review finding (Low), fixed: a dispute was undone by withdrawing the
/// disputed claim and submitting its records again, which were then
/// approved by rule with a fresh challenge window; without a per-provider
/// cap a provider could repeat it until the adjudicator missed one
/// challenge window. A disputed claim can no longer be withdrawn: it ends
/// by the adjudicator's decision or the review timeout, and its records stay
/// billed.
#[test]
fn finding_a_disputed_claim_withdrawn_and_resubmitted_is_approved_by_rule_again() {
    let mut s = insured(anchor_spl::token::ID);
    let provider = s.provider.insecure_clone();
    let record = s.record(RecordKind::Procedure);
    let (claim, result) = s.try_submit(&provider, &[record], 600_000);
    result.expect("submit");
    assert_eq!(s.claim(&claim).status, ClaimStatus::Approved);
    assert!(!s.claim(&claim).disputed);
    s.dispute(&claim).expect("the adjudicator disputes it");
    assert!(s.claim(&claim).disputed);
    let marker = claims::pda::claimed_record(&s.policy, s.origin(&record)).0;
    let before = s.snapshot(&[claim, marker]);
    custom_error(s.withdraw(&claim), ClaimsError::ClaimDisputed);
    assert_eq!(s.snapshot(&[claim, marker]), before);
    // Its records cannot be billed again.
    let (again, result) = s.try_submit(&provider, &[record], 600_000);
    custom_error(result, ClaimsError::RecordAlreadyClaimed);
    assert!(!s.world.exists(&again));
    assert_eq!(s.snapshot(&[claim, marker]), before);
    // The dispute ends by the review timeout (or a decision): denied, and
    // the provider may appeal it like any denial.
    s.world.warp(REVIEW);
    let ix = cl::expire_claim(&s.world.payer.pubkey(), &s.policy, &claim);
    s.world.send(&[ix], &[]).expect("timed out");
    assert_eq!(s.claim(&claim).status, ClaimStatus::Denied);
    custom_error(s.withdraw(&claim), ClaimsError::AlreadyDecided);
    s.appeal(&claim).expect("appeal the denial");
    assert_eq!(s.claim(&claim).status, ClaimStatus::Appealed);
    s.assert_escrow();
}

/// Review finding (Low), fixed: the reinstatement window is the policy's
/// appeal window, which could be one second. An insurer with such terms
/// voided an approved claim the moment its provider's credential lapsed or
/// the provider was suspended, and the provider could not be restored in the
/// registry and reinstate the claim within a second: a way back that was not
/// one (and appeals were likewise illusory). `create_policy` now refuses an
/// appeal window under `MIN_APPEAL_WINDOW` (a day).
#[test]
fn finding_a_one_second_appeal_window_leaves_no_way_back_from_a_void() {
    {
        let mut world = World::new();
        let insurer = world.insurer();
        let patient = world.patient();
        let mint = world.create_mint(&anchor_spl::token::ID);
        for window in [1, MIN_APPEAL_WINDOW - 1] {
            let mut args = policy_args(&world, &insurer.pubkey());
            args.appeal_window = window;
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
    }
    // With the shortest window allowed, a provider restored within it gets
    // its claim back.
    let mut s = insured_with(anchor_spl::token::ID, |t| {
        t.appeal_window = MIN_APPEAL_WINDOW
    });
    let claim = s.submit(600_000);
    let (provider, insurer, _) = keys(&s);
    s.world
        .set_status(&provider.pubkey(), EntityStatus::Suspended);
    s.void(&insurer, &claim).expect("voided at once");
    // The admin restores the provider hours later.
    s.world.warp(MIN_APPEAL_WINDOW - 60);
    s.world.set_status(&provider.pubkey(), EntityStatus::Active);
    s.reinstate(&provider, &claim)
        .expect("a reinstated provider gets its claim back");
    assert_eq!(s.claim(&claim).status, ClaimStatus::Approved);
}

/// Review finding (Low), fixed: a claim approved by rule and voided inside
/// its challenge window came back with its original `settle_after`;
/// reinstated after that time it was payable at once, and the adjudicator,
/// who cannot dispute a voided claim, had lost what was left of the
/// challenge window. It now gets back what was left when it was voided; a
/// claim the adjudicator approved keeps its `settle_after`.
#[test]
fn finding_a_reinstated_claim_skips_what_was_left_of_its_challenge_window() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(600_000);
    let (provider, insurer, _) = keys(&s);
    // A day into the window the provider is suspended (say, under
    // investigation) and the insurer voids the claim.
    s.world.warp(DAY);
    s.world
        .set_status(&provider.pubkey(), EntityStatus::Suspended);
    s.void(&insurer, &claim).expect("void");
    custom_error(s.dispute(&claim), ClaimsError::InvalidClaimStatus);
    s.world.warp(CHALLENGE + DAY);
    s.world.set_status(&provider.pubkey(), EntityStatus::Active);
    s.reinstate(&provider, &claim).expect("reinstate");
    // What was left: the challenge window less the day it ran.
    assert_eq!(
        s.claim(&claim).settle_after,
        s.world.now() + CHALLENGE - DAY
    );
    let before = s.snapshot(&[claim]);
    custom_error(s.settle(&claim), ClaimsError::SettlementNotDue);
    assert_eq!(s.snapshot(&[claim]), before);
    s.dispute(&claim)
        .expect("the adjudicator still has the rest of the challenge window");
    assert_eq!(s.claim(&claim).status, ClaimStatus::PendingReview);

    // Approved by the adjudicator, in full: payable at once, voided and
    // reinstated, still payable at once.
    let decided = s.submit(2_000_000);
    assert_eq!(s.claim(&decided).status, ClaimStatus::PendingReview);
    s.decide(&decided, Some(1_600_000))
        .expect("approve in full");
    let settle_after = s.claim(&decided).settle_after;
    s.world
        .set_status(&provider.pubkey(), EntityStatus::Suspended);
    s.void(&insurer, &decided).expect("void");
    s.world.warp(DAY);
    s.world.set_status(&provider.pubkey(), EntityStatus::Active);
    s.reinstate(&provider, &decided).expect("reinstate");
    assert_eq!(s.claim(&decided).settle_after, settle_after);
    s.settle(&decided).expect("paid at once");
    assert_eq!(s.claim(&decided).status, ClaimStatus::Paid);
}

/// Review finding (Low), fixed: a `ProviderUsage` is read only by
/// `submit_claim`, which needs the policy in its period, yet it could be
/// closed only once the policy account was gone, so its rent (paid by the
/// provider's first claim's payer) was hostage to the insurer closing the
/// policy. Anyone may now close it once the policy has ended, open or not;
/// not a second before.
#[test]
fn finding_a_usage_counters_rent_is_stranded_while_an_ended_policy_stays_open() {
    let mut s = insured_with(anchor_spl::token::ID, |t| {
        t.valid_until = t.valid_from + 10 * DAY;
    });
    let claim = s.submit(600_000);
    s.world.warp(CHALLENGE);
    s.settle(&claim).expect("settle");
    let payer = s.world.payer.pubkey();
    let provider = s.provider.pubkey();
    let usage = cl::provider_usage_address(&s.policy, &provider);
    // A second before the policy ends the counter may still count.
    let valid_until = s.policy().valid_until;
    let now = s.world.now();
    s.world.warp(valid_until - 1 - now);
    let snapshot = s.world.snapshot(&[usage, s.policy]);
    let ix = cl::close_provider_usage(&payer, &s.policy, &provider, &payer);
    custom_error(s.world.send(&[ix], &[]), ClaimsError::PolicyStillRunning);
    s.world.assert_unchanged(&snapshot);
    // The policy has ended and no claim is open; the insurer does not close.
    s.world.warp(1);
    let rent = s.world.lamports(&usage);
    let before = s.world.lamports(&payer);
    let ix = cl::close_provider_usage(&payer, &s.policy, &provider, &payer);
    let meta = s
        .world
        .send(&[ix], &[])
        .expect("a dead counter's rent goes back to its payer");
    assert!(!s.world.exists(&usage));
    assert_eq!(s.world.lamports(&payer), before + rent - meta.fee);
    // The policy is untouched and still closes.
    assert!(s.world.exists(&s.policy));
    s.world.warp(APPEAL);
    s.close_policy()
        .expect("the policy closes without its counter");
}
