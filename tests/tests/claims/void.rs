//! Issue 11, item 4: an approved claim whose provider is no longer active
//! must not hold its reservation and the policy for ever. The insurer or the
//! adjudicator voids it; the provider, reinstated, may bring it back within
//! the appeal window; after that it is final.

use {
    super::setup::*,
    claims::{errors::ClaimsError, events::ClaimStatusChanged, state::*},
    panacea_tests::{assert::*, *},
    records::state::EntityStatus,
    solana_signer::Signer,
};

#[test]
fn an_approved_claim_of_a_suspended_provider_is_voided_and_the_policy_can_close() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(600_000);
    let reserved = s.claim(&claim).amount_payable;
    let (insurer, adjudicator) = (s.insurer.insecure_clone(), s.adjudicator.insecure_clone());
    let provider = s.provider.insecure_clone();

    // While the provider is active there is nothing to void: it is paid.
    let before = s.snapshot(&[claim]);
    custom_error(s.void(&insurer, &claim), ClaimsError::ProviderStillActive);
    assert_eq!(s.snapshot(&[claim]), before);

    s.world
        .set_status(&provider.pubkey(), EntityStatus::Suspended);
    s.world.warp(CHALLENGE);
    custom_error(s.settle(&claim), ClaimsError::EntityNotActive);
    // Neither the provider nor a stranger may void.
    let stranger = s.world.wallet();
    for impostor in [&provider, &stranger] {
        let before = s.snapshot(&[claim]);
        custom_error(
            s.void(impostor, &claim),
            ClaimsError::NotInsurerOrAdjudicator,
        );
        assert_eq!(s.snapshot(&[claim]), before);
    }
    // Without a way out, the policy could never close.
    s.world.warp(365 * DAY);
    custom_error(s.close_policy(), ClaimsError::OpenClaims);

    let meta = s.void(&adjudicator, &claim).expect("void");
    let changed = &World::events::<ClaimStatusChanged>(&meta)[0];
    assert_eq!(
        (changed.old_status, changed.new_status, changed.actor),
        (
            ClaimStatus::Approved,
            ClaimStatus::Voided,
            adjudicator.pubkey()
        )
    );
    let policy = s.policy();
    assert_eq!((policy.reserved, policy.open_claims), (0, 0));
    let voided = s.claim(&claim);
    assert_eq!(
        (voided.status, voided.voided_at, voided.amount_payable),
        (ClaimStatus::Voided, Some(s.world.now()), reserved)
    );
    s.assert_escrow();
    // A voided claim pays nothing and is not voided twice.
    custom_error(s.settle(&claim), ClaimsError::InvalidClaimStatus);
    custom_error(s.void(&insurer, &claim), ClaimsError::InvalidClaimStatus);
    // The provider may still come back: the claim is not final, and the
    // policy neither closes nor gives the released money back until then.
    let payer = s.world.payer.pubkey();
    let ix = panacea_sdk::claims::close_claim(&payer, &s.policy, &claim, &payer);
    custom_error(s.world.send(&[ix], &[]), ClaimsError::ClaimNotFinal);
    custom_error(s.close_policy(), ClaimsError::AppealWindowOpen);
    custom_error(s.withdraw_funds(1), ClaimsError::AppealWindowOpen);

    s.world.warp(APPEAL);
    s.renew_provider();
    custom_error(s.reinstate(&provider, &claim), ClaimsError::EntityNotActive);
    s.world.set_status(&provider.pubkey(), EntityStatus::Active);
    let before = s.snapshot(&[claim]);
    custom_error(
        s.reinstate(&provider, &claim),
        ClaimsError::ReinstateWindowClosed,
    );
    assert_eq!(s.snapshot(&[claim]), before);
    let ix = panacea_sdk::claims::close_claim(&payer, &s.policy, &claim, &payer);
    s.world.send(&[ix], &[]).expect("a voided claim is final");
    s.close_policy().expect("the policy closes");
    assert_eq!(s.world.token_amount(&s.provider_tokens), 0);
}

#[test]
fn a_reinstated_provider_brings_its_voided_claim_back_and_is_paid() {
    let mut s = insured(anchor_spl::token_2022::ID);
    let claim = s.submit(600_000);
    let insurer = s.insurer.insecure_clone();
    let provider = s.provider.insecure_clone();
    s.world
        .set_status(&provider.pubkey(), EntityStatus::Suspended);
    s.void(&insurer, &claim).expect("the insurer voids");

    // Still suspended: no way back yet.
    let before = s.snapshot(&[claim]);
    custom_error(s.reinstate(&provider, &claim), ClaimsError::EntityNotActive);
    assert_eq!(s.snapshot(&[claim]), before);
    // Only the claim's provider reinstates it.
    let other = s.world.provider();
    let mut ix = panacea_sdk::claims::reinstate_claim(&other.pubkey(), &s.policy, &claim);
    ix.accounts[4].pubkey = records::pda::entity(&provider.pubkey()).0;
    custom_error(
        s.world.send(&[ix], &[&other]),
        ClaimsError::NotClaimProvider,
    );
    assert_eq!(s.snapshot(&[claim]), before);

    s.world.set_status(&provider.pubkey(), EntityStatus::Active);
    let meta = s.reinstate(&provider, &claim).expect("reinstate");
    let changed = &World::events::<ClaimStatusChanged>(&meta)[0];
    assert_eq!(
        (changed.old_status, changed.new_status),
        (ClaimStatus::Voided, ClaimStatus::Approved)
    );
    let state = s.claim(&claim);
    assert_eq!(
        (state.status, state.voided_at),
        (ClaimStatus::Approved, None)
    );
    let policy = s.policy();
    assert_eq!(
        (policy.reserved, policy.open_claims),
        (state.amount_payable, 1)
    );
    s.world.warp(CHALLENGE);
    s.settle(&claim).expect("paid once active again");
    // 600_000 billed: 500_000 deductible, 20% co-pay on the rest.
    assert_eq!(s.world.token_amount(&s.provider_tokens), 80_000);
    s.assert_escrow();
}

#[test]
fn a_claim_whose_provider_entity_was_closed_can_be_voided() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(600_000);
    let provider = s.provider.insecure_clone();
    s.world
        .set_status(&provider.pubkey(), EntityStatus::Revoked);
    // The entity's account gone, as `close_entity` leaves it (written
    // directly, so the story does not depend on how `records` closes).
    let entity = records::pda::entity(&provider.pubkey()).0;
    s.world
        .svm
        .set_account(entity, solana_account::Account::default())
        .unwrap();
    assert!(!s.world.exists(&entity));

    let adjudicator = s.adjudicator.insecure_clone();
    s.void(&adjudicator, &claim).expect("void");
    assert_eq!(s.claim(&claim).status, ClaimStatus::Voided);
    assert_eq!(s.policy().open_claims, 0);
    // The provider's entity is gone: no reinstatement.
    custom_error(
        s.reinstate(&provider, &claim),
        anchor_lang::error::ErrorCode::AccountNotInitialized,
    );
    s.assert_escrow();
}

#[test]
fn only_approved_claims_are_voided() {
    let mut s = insured(anchor_spl::token::ID);
    let review = s.submit(2_000_000);
    let insurer = s.insurer.insecure_clone();
    let provider = s.provider.pubkey();
    s.world.set_status(&provider, EntityStatus::Suspended);
    let before = s.snapshot(&[review]);
    // Under review the adjudicator decides (or the claim times out).
    custom_error(s.void(&insurer, &review), ClaimsError::InvalidClaimStatus);
    assert_eq!(s.snapshot(&[review]), before);
    s.decide(&review, None).expect("deny");
    custom_error(s.void(&insurer, &review), ClaimsError::InvalidClaimStatus);
}
