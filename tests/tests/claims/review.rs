//! Attacks found in review of the claims program.

use {
    super::setup::*,
    anchor_spl::token_2022::spl_token_2022::{extension::ExtensionType, instruction as token_ix},
    claims::errors::ClaimsError,
    panacea_sdk::{claims as cl, records as rx},
    panacea_tests::{assert::*, *},
    records::{
        instructions::AmendRecordArgs,
        state::{permissions, EntityStatus, RecordKind},
    },
    solana_signer::Signer,
};

#[test]
fn a_payout_mint_that_could_drain_or_freeze_the_escrow_is_refused() {
    let mut world = World::new();
    let insurer = world.insurer();
    let patient = world.patient();
    let token = anchor_spl::token_2022::ID;
    let delegate = insurer.pubkey();
    let drains = mint_with(&mut world, ExtensionType::PermanentDelegate, |m| {
        token_ix::initialize_permanent_delegate(&token, m, &delegate).unwrap()
    });
    let fees = mint_with(&mut world, ExtensionType::TransferFeeConfig, |m| {
        anchor_spl::token_2022::spl_token_2022::extension::transfer_fee::instruction::initialize_transfer_fee_config(&token, m, Some(&delegate), Some(&delegate), 0, 0).unwrap()
    });
    for mint in [drains, fees] {
        let args = policy_args(&world, &insurer.pubkey());
        let ix = cl::create_policy(
            &world.payer.pubkey(),
            &insurer.pubkey(),
            &patient.pubkey(),
            &mint,
            &token,
            args,
        );
        custom_error(world.send(&[ix], &[&insurer]), ClaimsError::UnsupportedMint);
    }
    // A mint whose extensions cannot touch balances, and that cannot be
    // closed, is accepted.
    let pointer = mint_with(&mut world, ExtensionType::MetadataPointer, |m| {
        anchor_spl::token_2022::spl_token_2022::extension::metadata_pointer::instruction::initialize(&token, m, Some(delegate), Some(*m)).unwrap()
    });
    let args = policy_args(&world, &insurer.pubkey());
    let ix = cl::create_policy(
        &world.payer.pubkey(),
        &insurer.pubkey(),
        &patient.pubkey(),
        &pointer,
        &token,
        args,
    );
    world.send(&[ix], &[&insurer]).expect("harmless extension");
}

#[test]
fn amending_a_billed_record_does_not_make_it_billable_again() {
    let mut s = insured(anchor_spl::token::ID);
    let p = s.provider.insecure_clone();
    let record = s.record(RecordKind::Procedure);
    s.try_submit(&p, &[record], 100_000)
        .1
        .expect("bill the original");
    let amended = random_id();
    let ix = rx::amend_record(
        &p.pubkey(),
        &s.patient.pubkey(),
        &record,
        None,
        AmendRecordArgs {
            record_id: amended,
            commitment: [9; 32],
            content_commitment: [0xCD; 32],
        },
    );
    s.world.send(&[ix], &[&p]).expect("amend");
    let amendment = World::record_address(&s.patient.pubkey(), &amended);
    custom_error(
        s.try_submit(&p, &[amendment], 100_000).1,
        ClaimsError::RecordAlreadyClaimed,
    );

    // Another provider that amends a record does not become its biller.
    let editor = s.world.provider();
    let fresh = s.record(RecordKind::Procedure);
    let patient = s.patient.insecure_clone();
    let grant = s
        .world
        .grant_record(&patient, &editor.pubkey(), &fresh, permissions::AMEND, DAY);
    let theirs = random_id();
    let ix = rx::amend_record(
        &editor.pubkey(),
        &s.patient.pubkey(),
        &fresh,
        Some(&grant),
        AmendRecordArgs {
            record_id: theirs,
            commitment: [8; 32],
            content_commitment: [0xCD; 32],
        },
    );
    s.world.send(&[ix], &[&editor]).expect("amend under grant");
    let theirs = World::record_address(&s.patient.pubkey(), &theirs);
    custom_error(
        s.try_submit(&editor, &[theirs], 100_000).1,
        ClaimsError::RecordIssuerMismatch,
    );
    // The original provider bills the current version, once.
    s.try_submit(&p, &[theirs], 100_000)
        .1
        .expect("the performing provider bills the amendment");
}

#[test]
fn a_denied_claim_uses_no_deductible_and_an_appeal_is_priced_when_paid() {
    let mut s = insured(anchor_spl::token::ID);
    // Billed exactly the deductible: 80% of it reserved, approved by rule.
    let claim = s.submit(DEDUCTIBLE);
    assert_eq!(
        (s.claim(&claim).amount_payable, s.policy().deductible_met),
        (DEDUCTIBLE * 8 / 10, 0)
    );
    s.dispute(&claim).expect("dispute");
    s.decide(&claim, None).expect("deny");
    assert_eq!(
        s.policy().deductible_met,
        0,
        "a denied claim does not use up the deductible"
    );
    assert_eq!(s.claim(&claim).deductible_applied, 0);

    // A later genuine claim, paid first, takes the deductible.
    let genuine = s.submit(800_000);
    s.world.warp(CHALLENGE);
    s.settle(&genuine).expect("settle");
    assert_eq!(s.claim(&genuine).deductible_applied, DEDUCTIBLE);
    assert_eq!(s.world.token_amount(&s.provider_tokens), 240_000);
    // The appealed denial, paid after it, finds the deductible met.
    s.appeal(&claim).expect("appeal");
    let appealed = s.claim(&claim);
    assert_eq!(
        (appealed.deductible_applied, appealed.amount_payable),
        (0, DEDUCTIBLE * 8 / 10)
    );
    s.decide(&claim, Some(DEDUCTIBLE * 8 / 10))
        .expect("approve in full");
    s.settle(&claim).expect("settle");
    assert_eq!(
        s.world.token_amount(&s.provider_tokens),
        240_000 + DEDUCTIBLE * 8 / 10
    );
    assert_eq!(s.policy().deductible_met, DEDUCTIBLE);
    s.assert_escrow();
}

#[test]
fn the_insurer_cannot_withdraw_what_an_appeal_may_claim() {
    let mut s = insured(anchor_spl::token_2022::ID);
    let claim = s.submit(2_000_000);
    s.decide(&claim, None).expect("deny");
    let insurer = s.insurer.insecure_clone();
    let ix = cl::withdraw_unreserved(
        &insurer.pubkey(),
        &s.policy,
        &s.mint,
        &s.insurer_tokens,
        &s.token_program,
        FUNDING,
    );
    custom_error(
        s.world.send(&[ix], &[&insurer]),
        ClaimsError::AppealWindowOpen,
    );
    let p = s.provider.insecure_clone();
    let ix = cl::appeal_claim(&p.pubkey(), &s.policy, &claim);
    s.world
        .send(&[ix], &[&p])
        .expect("the appeal finds its money");
    s.assert_escrow();
}

#[test]
fn a_provider_suspended_before_settlement_is_not_paid() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(600_000);
    s.world.warp(CHALLENGE);
    let p = s.provider.pubkey();
    s.world.set_status(&p, EntityStatus::Suspended);
    custom_error(s.settle(&claim), ClaimsError::EntityNotActive);
    assert_eq!(s.world.token_amount(&s.provider_tokens), 0);
    s.world.set_status(&p, EntityStatus::Active);
    s.settle(&claim).expect("reinstated, paid");
}

#[test]
fn a_claim_of_an_earlier_policy_at_the_same_address_is_refused() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(2_000_000);
    s.decide(&claim, None).expect("deny");
    s.world.warp(365 * DAY);
    let insurer = s.insurer.insecure_clone();
    let admin = s.world.admin.insecure_clone();
    let renew = rx::renew_entity(
        &admin.pubkey(),
        &insurer.pubkey(),
        records::instructions::RenewEntityArgs {
            valid_until: s.world.now() + 365 * DAY,
            credential_commitment: [2; 32],
        },
    );
    s.world.send(&[renew], &[&admin]).expect("renew insurer");
    let payer = s.world.payer.pubkey();
    let ix = cl::close_policy(
        &insurer.pubkey(),
        &s.policy,
        &s.mint,
        &s.insurer_tokens,
        &payer,
        &s.token_program,
    );
    let policy_id = s.policy().policy_id;
    s.world.send(&[ix], &[&insurer]).expect("close");

    // The insurer opens a new policy under the same id: same address.
    let mut args = policy_args(&s.world, &s.adjudicator.pubkey());
    args.policy_id = policy_id;
    let ix = cl::create_policy(
        &payer,
        &insurer.pubkey(),
        &s.patient.pubkey(),
        &s.mint,
        &s.token_program,
        args,
    );
    s.world.send(&[ix], &[&insurer]).expect("reopen");
    assert_eq!(cl::policy_address(&insurer.pubkey(), &policy_id), s.policy);

    // The old claim cannot be decided or appealed against the new policy.
    custom_error(s.decide(&claim, Some(1)), ClaimsError::StaleClaim);
    let p = s.provider.insecure_clone();
    let ix = cl::appeal_claim(&p.pubkey(), &s.policy, &claim);
    custom_error(s.world.send(&[ix], &[&p]), ClaimsError::StaleClaim);
}
