//! Issue 11, items 5 and 11: the deductible follows the money (it is applied
//! when a claim is paid, in the order claims are paid), and the co-pay never
//! rounds in the provider's favour.

use {
    super::setup::*,
    claims::{errors::ClaimsError, state::*},
    panacea_tests::assert::*,
};

/// The policy's terms: 500_000 deductible, then a 20% co-pay.
fn priced(billed: u64, deductible: u64) -> u64 {
    (billed - deductible) * 8 / 10
}

#[test]
fn parking_a_claim_on_the_deductible_does_not_carry_it_away() {
    let mut s = insured(anchor_spl::token::ID);
    // The parked claim: billed exactly the deductible.
    let parked = s.submit(DEDUCTIBLE);
    // The real one, billed while the parked claim is open.
    let real = s.submit(800_000);
    assert_eq!(s.policy().deductible_met, 0, "nothing paid, nothing met");
    // The parked claim is withdrawn: nothing to give back.
    s.withdraw(&parked).expect("withdraw the parked claim");
    assert_eq!(s.claim(&parked).status, ClaimStatus::Withdrawn);
    s.world.warp(CHALLENGE);
    s.settle(&real).expect("settle");
    // Paid as if the parked claim had never been: deductible first.
    assert_eq!(
        s.world.token_amount(&s.provider_tokens),
        priced(800_000, DEDUCTIBLE)
    );
    let paid = s.claim(&real);
    assert_eq!(
        (paid.deductible_applied, paid.amount_payable),
        (DEDUCTIBLE, 240_000)
    );
    let policy = s.policy();
    assert_eq!(
        (policy.deductible_met, policy.paid, policy.reserved),
        (DEDUCTIBLE, 240_000, 0)
    );
    s.assert_escrow();
}

#[test]
fn a_parked_claim_kept_open_while_the_real_one_is_paid_gains_nothing() {
    let mut s = insured(anchor_spl::token_2022::ID);
    let parked = s.submit(DEDUCTIBLE);
    let real = s.submit(800_000);
    s.world.warp(CHALLENGE);
    // The real claim is paid first: it takes the deductible, whatever the
    // parked claim was priced at.
    s.settle(&real).expect("settle the real claim");
    assert_eq!(
        s.world.token_amount(&s.provider_tokens),
        priced(800_000, DEDUCTIBLE)
    );
    // Withdrawing the parked claim now changes nothing already paid.
    s.withdraw(&parked).expect("withdraw");
    assert_eq!(s.policy().deductible_met, DEDUCTIBLE);
    // Had it been settled instead, both together pay the price of the two
    // services with one deductible.
    let mut t = insured(anchor_spl::token::ID);
    let parked = t.submit(DEDUCTIBLE);
    let real = t.submit(800_000);
    t.world.warp(CHALLENGE);
    t.settle(&real).expect("settle the real claim");
    t.settle(&parked).expect("settle the parked claim");
    assert_eq!(
        t.world.token_amount(&t.provider_tokens),
        priced(800_000 + DEDUCTIBLE, DEDUCTIBLE)
    );
    assert_eq!(t.policy().deductible_met, DEDUCTIBLE);
    t.assert_escrow();
}

#[test]
fn after_a_denied_large_claim_the_next_paid_claim_pays_the_deductible() {
    let mut s = insured(anchor_spl::token::ID);
    let large = s.submit(2_000_000);
    assert_eq!(s.claim(&large).status, ClaimStatus::PendingReview);
    let small = s.submit(600_000);
    assert_eq!(s.claim(&small).status, ClaimStatus::Approved);
    s.decide(&large, None).expect("deny the large claim");
    assert_eq!(s.policy().deductible_met, 0);
    s.world.warp(CHALLENGE);
    s.settle(&small).expect("settle the small claim");
    // 600_000 billed: the whole deductible applies to it.
    assert_eq!(
        s.world.token_amount(&s.provider_tokens),
        priced(600_000, DEDUCTIBLE)
    );
    assert_eq!(s.claim(&small).deductible_applied, DEDUCTIBLE);
    let policy = s.policy();
    assert_eq!(
        (policy.deductible_met, policy.reserved, policy.open_claims),
        (DEDUCTIBLE, 0, 0)
    );
    s.assert_escrow();
}

#[test]
fn a_partial_approval_is_paid_less_the_insurers_share_of_the_deductible() {
    let mut s = insured(anchor_spl::token::ID);
    // 2_000_000 billed: 1_600_000 reserved; 1_000_000 approved.
    let claim = s.submit(2_000_000);
    s.decide(&claim, Some(1_000_000)).expect("partial approval");
    s.world.warp(APPEAL);
    s.settle(&claim).expect("settle");
    // The deductible saves the insurer 80% of 500_000.
    assert_eq!(s.world.token_amount(&s.provider_tokens), 600_000);
    let paid = s.claim(&claim);
    assert_eq!(
        (paid.amount_payable, paid.deductible_applied),
        (600_000, DEDUCTIBLE)
    );
    s.assert_escrow();
}

#[test]
fn the_co_pay_never_rounds_in_the_providers_favour() {
    let mut s = insured_with(anchor_spl::token::ID, |terms| terms.deductible = 0);
    // 4 units at a 20% co-pay: the insurer's share, 3.2, rounds down.
    let four = s.submit(4);
    assert_eq!(s.claim(&four).amount_payable, 3);
    // 1 unit: the insurer's 0.8 rounds down to nothing.
    let one = s.submit(1);
    assert_eq!(s.claim(&one).amount_payable, 0);
    // 5 units: exactly 4.
    let five = s.submit(5);
    assert_eq!(s.claim(&five).amount_payable, 4);
    s.world.warp(CHALLENGE);
    for claim in [four, one, five] {
        s.settle(&claim).expect("settle");
    }
    assert_eq!(s.world.token_amount(&s.provider_tokens), 3 + 4);
    assert_eq!(s.policy().paid, 7);
    s.assert_escrow();

    // With a deductible, the share after it rounds down the same way.
    let mut t = insured(anchor_spl::token::ID);
    let claim = t.submit(DEDUCTIBLE + 4);
    t.world.warp(CHALLENGE);
    t.settle(&claim).expect("settle");
    assert_eq!(t.world.token_amount(&t.provider_tokens), 3);
    custom_error(t.settle(&claim), ClaimsError::InvalidClaimStatus);
    assert_eq!(t.world.token_amount(&t.provider_tokens), 3);
}

#[test]
fn a_mostly_disallowed_claim_cannot_soak_up_the_deductible_for_another() {
    // A claim approved for almost nothing, settled before a full one, would
    // otherwise take the whole deductible while saving the insurer nothing.
    let paid_together = |cut_first: bool| {
        let mut s = insured(anchor_spl::token::ID);
        let cut = s.submit(2_000_000);
        s.decide(&cut, Some(100)).expect("approve 100 of 1_600_000");
        let full = s.submit(600_000);
        s.world.warp(APPEAL);
        s.renew_provider();
        let order = if cut_first { [cut, full] } else { [full, cut] };
        for claim in order {
            s.settle(&claim).expect("settle");
        }
        s.assert_escrow();
        let policy = s.policy();
        assert_eq!(policy.paid, s.world.token_amount(&s.provider_tokens));
        (
            policy.paid,
            policy.deductible_met,
            s.claim(&cut).deductible_applied,
        )
    };
    // Cut first: it absorbs only the 125 of deductible its 100 can carry
    // (100 / 80%), the full claim the remaining 499_875.
    assert_eq!(
        paid_together(true),
        (priced(600_000, 499_875), DEDUCTIBLE, 125)
    );
    // Full first: it takes the whole deductible; the cut claim pays its 100.
    assert_eq!(
        paid_together(false),
        (priced(600_000, DEDUCTIBLE) + 100, DEDUCTIBLE, 0)
    );
    assert_eq!(priced(600_000, 499_875), priced(600_000, DEDUCTIBLE) + 100);
}
