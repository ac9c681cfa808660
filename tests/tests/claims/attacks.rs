//! Every way to take money out of the escrow that must fail.

use {
    super::setup::*,
    anchor_lang::error::ErrorCode as Anchor,
    claims::{errors::ClaimsError, state::*},
    consent::{
        instructions::GrantConsentArgs,
        state::{ConsentPurpose, ConsentTerms, Decision},
    },
    panacea_sdk::{claims as cl, consent as cx, records as rx},
    panacea_tests::{assert::*, *},
    records::state::{EntityStatus, RecordKind},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

fn provider(s: &Insured) -> Keypair {
    s.provider.insecure_clone()
}

#[test]
fn no_claim_without_the_patients_payment_consent_to_this_insurer() {
    let mut s = insured(anchor_spl::token::ID);
    let record = s.record(RecordKind::Procedure);
    let p = provider(&s);
    let patient = s.patient.insecure_clone();
    let payer = s.world.payer.pubkey();

    // Consent to another insurer, passed in place of the right one.
    let other_insurer = s.world.insurer();
    let other = s
        .world
        .consent(&patient, &other_insurer.pubkey(), ConsentPurpose::Payment);
    // Consent to this insurer for another purpose.
    let research = s
        .world
        .consent(&patient, &s.insurer.pubkey(), ConsentPurpose::Research);
    for wrong in [other, research] {
        let mut ix = cl::submit_claim(
            &payer,
            &p.pubkey(),
            &s.policy,
            &s.insurer.pubkey(),
            &patient.pubkey(),
            &[s.billed(&record)],
            Insured::claim_args(100_000),
        );
        ix.accounts[5].pubkey = wrong;
        custom_error(s.world.send(&[ix], &[&p]), ClaimsError::ConsentMissing);
    }

    // A Deny decision.
    let terms = ConsentTerms {
        decision: Decision::Deny,
        ..s.world.consent_terms()
    };
    let ix = cx::grant_consent(
        &payer,
        &patient.pubkey(),
        &patient.pubkey(),
        &s.insurer.pubkey(),
        GrantConsentArgs {
            purpose: ConsentPurpose::Payment,
            terms,
        },
    );
    s.world.send(&[ix], &[&patient]).expect("deny");
    custom_error(
        s.try_submit(&p, &[record], 100_000).1,
        ClaimsError::ConsentMissing,
    );

    // Revoked.
    let ix = cx::revoke_consent(
        &patient.pubkey(),
        &patient.pubkey(),
        &s.insurer.pubkey(),
        ConsentPurpose::Payment,
    );
    s.world.send(&[ix], &[&patient]).expect("revoke");
    custom_error(
        s.try_submit(&p, &[record], 100_000).1,
        ClaimsError::ConsentMissing,
    );

    // Expired: a Permit granted until tomorrow, two days later. (A period
    // that has already ended is refused at grant time.)
    let now = s.world.now();
    let terms = ConsentTerms {
        period_start: now - 10 * DAY,
        period_end: now + DAY,
        ..s.world.consent_terms()
    };
    let ix = cx::grant_consent(
        &payer,
        &patient.pubkey(),
        &patient.pubkey(),
        &s.insurer.pubkey(),
        GrantConsentArgs {
            purpose: ConsentPurpose::Payment,
            terms,
        },
    );
    s.world
        .send(&[ix], &[&patient])
        .expect("permit until tomorrow");
    s.world.warp(2 * DAY);
    custom_error(
        s.try_submit(&p, &[record], 100_000).1,
        ClaimsError::ConsentMissing,
    );

    // A consent that does not cover the record's kind.
    let terms = ConsentTerms {
        kinds: RecordKind::Imaging.bit(),
        ..s.world.consent_terms()
    };
    let ix = cx::grant_consent(
        &payer,
        &patient.pubkey(),
        &patient.pubkey(),
        &s.insurer.pubkey(),
        GrantConsentArgs {
            purpose: ConsentPurpose::Payment,
            terms,
        },
    );
    s.world.send(&[ix], &[&patient]).expect("imaging only");
    custom_error(
        s.try_submit(&p, &[record], 100_000).1,
        ClaimsError::ConsentMissing,
    );
    assert_eq!(s.policy().open_claims, 0);
    s.assert_escrow();
}

#[test]
fn no_claim_at_all_without_a_consent_account() {
    let mut world = World::new();
    let p = world.provider();
    let insurer = world.insurer();
    let patient = world.patient();
    let mint = world.create_mint(&anchor_spl::token::ID);
    let args = policy_args(&world, &insurer.pubkey());
    let policy = cl::policy_address(&insurer.pubkey(), &args.policy_id);
    let ix = cl::create_policy(
        &world.payer.pubkey(),
        &insurer.pubkey(),
        &patient.pubkey(),
        &mint,
        &anchor_spl::token::ID,
        args,
    );
    world.send(&[ix], &[&insurer]).expect("policy");
    let id = world.issue(&p, &patient.pubkey(), RecordKind::Procedure);
    let record = World::record_address(&patient.pubkey(), &id);
    let ix = cl::submit_claim(
        &world.payer.pubkey(),
        &p.pubkey(),
        &policy,
        &insurer.pubkey(),
        &patient.pubkey(),
        &[cl::BilledRecord {
            record,
            origin: world.account::<records::state::Record>(&record).origin,
        }],
        Insured::claim_args(1),
    );
    custom_error(world.send(&[ix], &[&p]), Anchor::AccountNotInitialized);
}

#[test]
fn only_active_credentialed_billing_providers_claim() {
    let mut s = insured(anchor_spl::token_2022::ID);
    let record = s.record(RecordKind::Procedure);
    let stranger = s.world.wallet();
    custom_error(
        s.try_submit(&stranger, &[record], 100_000).1,
        Anchor::AccountNotInitialized,
    );
    let researcher = s.world.entity(records::state::EntityKind::Researcher);
    custom_error(
        s.try_submit(&researcher, &[record], 100_000).1,
        ClaimsError::EntityKindNotAllowed,
    );
    let p = provider(&s);
    s.world.set_status(&p.pubkey(), EntityStatus::Suspended);
    custom_error(
        s.try_submit(&p, &[record], 100_000).1,
        ClaimsError::EntityNotActive,
    );
    // Another provider's Entity account passed for the signer.
    let other = s.world.provider();
    let mut ix = cl::submit_claim(
        &s.world.payer.pubkey(),
        &stranger.pubkey(),
        &s.policy,
        &s.insurer.pubkey(),
        &s.patient.pubkey(),
        &[s.billed(&record)],
        Insured::claim_args(1),
    );
    ix.accounts[2].pubkey = records::pda::entity(&other.pubkey()).0;
    // The usage account of the entity passed (its seeds follow the Entity's
    // authority, so that a member can bill): the signer check is what refuses.
    ix.accounts[7].pubkey = cl::provider_usage_address(&s.policy, &other.pubkey());
    custom_error(
        s.world.send(&[ix], &[&stranger]),
        ClaimsError::NotClaimProvider,
    );
}

#[test]
fn records_must_be_the_patients_issued_by_the_provider_and_active() {
    let mut s = insured(anchor_spl::token::ID);
    let p = provider(&s);
    // Another patient's record, issued by this provider.
    let stranger = s.world.patient();
    let id = s.world.issue(&p, &stranger.pubkey(), RecordKind::Procedure);
    let theirs = World::record_address(&stranger.pubkey(), &id);
    custom_error(
        s.try_submit(&p, &[theirs], 100_000).1,
        ClaimsError::RecordPatientMismatch,
    );

    // The patient's record, issued by another provider.
    let lab = s.world.lab();
    let id = s
        .world
        .issue(&lab, &s.patient.pubkey(), RecordKind::LabResult);
    let labs = World::record_address(&s.patient.pubkey(), &id);
    custom_error(
        s.try_submit(&p, &[labs], 100_000).1,
        ClaimsError::RecordIssuerMismatch,
    );

    // Retracted.
    let id = s
        .world
        .issue(&p, &s.patient.pubkey(), RecordKind::Procedure);
    let ix = rx::retract_record(&p.pubkey(), &s.patient.pubkey(), &id, None);
    s.world.send(&[ix], &[&p]).expect("retract");
    let retracted = World::record_address(&s.patient.pubkey(), &id);
    custom_error(
        s.try_submit(&p, &[retracted], 100_000).1,
        ClaimsError::RecordNotActive,
    );

    // Superseded.
    let id = s
        .world
        .issue(&p, &s.patient.pubkey(), RecordKind::Procedure);
    let old = World::record_address(&s.patient.pubkey(), &id);
    let ix = rx::amend_record(
        &p.pubkey(),
        &s.patient.pubkey(),
        &old,
        None,
        records::instructions::AmendRecordArgs {
            record_id: random_id(),
            commitment: [4; 32],
            content_commitment: [0xCD; 32],
        },
    );
    s.world.send(&[ix], &[&p]).expect("amend");
    custom_error(
        s.try_submit(&p, &[old], 100_000).1,
        ClaimsError::RecordNotActive,
    );

    // Not a Record at all (type cosplay): the patient's profile.
    let profile = records::pda::patient(&s.patient.pubkey()).0;
    custom_error(
        s.try_submit(&p, &[profile], 100_000).1,
        ClaimsError::InvalidRecord,
    );
    // No records, or too many.
    custom_error(
        s.try_submit(&p, &[], 100_000).1,
        ClaimsError::InvalidRecordList,
    );
    let many: Vec<_> = (0..9).map(|_| s.record(RecordKind::Procedure)).collect();
    custom_error(
        s.try_submit(&p, &many, 100_000).1,
        ClaimsError::InvalidRecordList,
    );
    assert_eq!(s.policy().open_claims, 0);
}

#[test]
fn a_record_backs_at_most_one_claim_per_policy() {
    let mut s = insured(anchor_spl::token::ID);
    let p = provider(&s);
    let record = s.record(RecordKind::Procedure);
    s.try_submit(&p, &[record], 100_000).1.expect("first claim");
    let reserved = s.policy().reserved;
    custom_error(
        s.try_submit(&p, &[record], 100_000).1,
        ClaimsError::RecordAlreadyClaimed,
    );
    let fresh = s.record(RecordKind::Procedure);
    custom_error(
        s.try_submit(&p, &[fresh, fresh], 100_000).1,
        ClaimsError::InvalidRecordList,
    );
    // A wrong marker address next to a record.
    let mut ix = cl::submit_claim(
        &s.world.payer.pubkey(),
        &p.pubkey(),
        &s.policy,
        &s.insurer.pubkey(),
        &s.patient.pubkey(),
        &[s.billed(&fresh)],
        Insured::claim_args(1),
    );
    let last = ix.accounts.len() - 1;
    ix.accounts[last].pubkey = claims::pda::claimed_record(&s.policy, s.origin(&record)).0;
    custom_error(
        s.world.send(&[ix], &[&p]),
        ClaimsError::ClaimedRecordMismatch,
    );
    assert_eq!(s.policy().reserved, reserved);
}

#[test]
fn no_claim_beyond_the_remaining_coverage_or_the_escrow() {
    let mut s = insured(anchor_spl::token_2022::ID);
    let p = provider(&s);
    let record = s.record(RecordKind::Procedure);
    // 20_000_000 billed: 16_000_000 after the co-pay, above the 10_000_000 coverage.
    custom_error(
        s.try_submit(&p, &[record], 20_000_000).1,
        ClaimsError::CoverageExceeded,
    );
    // 11_000_000 billed: 8_800_000 after the co-pay, within coverage, above the 8_000_000 escrow.
    custom_error(
        s.try_submit(&p, &[record], 11_000_000).1,
        ClaimsError::InsufficientEscrow,
    );
    custom_error(s.try_submit(&p, &[record], 0).1, ClaimsError::InvalidAmount);
    let policy = s.policy();
    assert_eq!(
        (policy.reserved, policy.deductible_met, policy.open_claims),
        (0, 0, 0)
    );
}

#[test]
fn settlement_happens_once_after_the_window_and_only_for_approved_claims() {
    let mut s = insured(anchor_spl::token::ID);
    let p = provider(&s);
    let claim = s.submit(600_000);
    custom_error(s.settle(&claim), ClaimsError::SettlementNotDue);
    s.world.warp(CHALLENGE - 1);
    custom_error(s.settle(&claim), ClaimsError::SettlementNotDue);
    s.world.warp(1);
    s.settle(&claim).expect("settle");
    custom_error(s.settle(&claim), ClaimsError::InvalidClaimStatus);

    let withdrawn = s.submit(100_000);
    let records = s.claim_records(&withdrawn);
    let ix = cl::withdraw_claim(
        &p.pubkey(),
        &s.policy,
        &withdrawn,
        &s.origins(&records),
        &s.world.payer.pubkey(),
    );
    s.world.send(&[ix], &[&p]).expect("withdraw");
    s.world.warp(CHALLENGE);
    custom_error(s.settle(&withdrawn), ClaimsError::InvalidClaimStatus);
    assert_eq!(s.world.token_amount(&s.provider_tokens), s.policy().paid);
    s.assert_escrow();
}

#[test]
fn money_goes_only_through_the_policys_vault_and_mint_to_the_provider() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(600_000);
    s.world.warp(CHALLENGE);
    let payer = s.world.payer.pubkey();
    let thief = s.world.wallet();
    let thief_tokens = s
        .world
        .token_account(&thief.pubkey(), &s.mint, &s.token_program);
    let ix = cl::settle_claim(
        &payer,
        &s.policy,
        &claim,
        &s.provider.pubkey(),
        &s.mint,
        &thief_tokens,
        &s.token_program,
    );
    custom_error(s.world.send(&[ix], &[]), ClaimsError::InvalidTokenAccount);

    // A provider account of another mint.
    let other_mint = s.world.create_mint(&s.token_program);
    let wrong_mint_account =
        s.world
            .token_account(&s.provider.pubkey(), &other_mint, &s.token_program);
    let ix = cl::settle_claim(
        &payer,
        &s.policy,
        &claim,
        &s.provider.pubkey(),
        &s.mint,
        &wrong_mint_account,
        &s.token_program,
    );
    custom_error(s.world.send(&[ix], &[]), ClaimsError::InvalidTokenAccount);
    let ix = cl::settle_claim(
        &payer,
        &s.policy,
        &claim,
        &s.provider.pubkey(),
        &other_mint,
        &s.provider_tokens,
        &s.token_program,
    );
    custom_error(s.world.send(&[ix], &[]), ClaimsError::InvalidTokenAccount);

    // Another vault: the insurer's own token account in the vault's place.
    let mut ix = cl::settle_claim(
        &payer,
        &s.policy,
        &claim,
        &s.provider.pubkey(),
        &s.mint,
        &s.provider_tokens,
        &s.token_program,
    );
    ix.accounts[2].pubkey = s.insurer_tokens;
    custom_error(s.world.send(&[ix], &[]), ClaimsError::InvalidTokenAccount);
    // The other token program.
    let ix = cl::settle_claim(
        &payer,
        &s.policy,
        &claim,
        &s.provider.pubkey(),
        &s.mint,
        &s.provider_tokens,
        &anchor_spl::token_2022::ID,
    );
    custom_error(s.world.send(&[ix], &[]), ClaimsError::InvalidTokenAccount);

    assert_eq!(s.world.token_amount(&s.provider_tokens), 0);
    s.settle(&claim).expect("the right accounts settle");
    assert_eq!(
        s.world.token_amount(&s.provider_tokens),
        s.claim(&claim).amount_payable
    );
}

#[test]
fn only_the_adjudicator_disputes_and_decides() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(2_000_000);
    let auto = s.submit(100_000);
    for impostor in [s.insurer.insecure_clone(), provider(&s), s.world.wallet()] {
        let ix = cl::decide_claim(&impostor.pubkey(), &s.policy, &claim, Some(1));
        custom_error(
            s.world.send(&[ix], &[&impostor]),
            ClaimsError::NotAdjudicator,
        );
        let ix = cl::dispute_claim(&impostor.pubkey(), &s.policy, &auto);
        custom_error(
            s.world.send(&[ix], &[&impostor]),
            ClaimsError::NotAdjudicator,
        );
    }
    custom_error(
        s.decide(&claim, Some(5_000_000)),
        ClaimsError::ApprovalExceedsPayable,
    );
    custom_error(s.decide(&claim, Some(0)), ClaimsError::InvalidAmount);
    custom_error(s.decide(&auto, Some(1)), ClaimsError::InvalidClaimStatus);
    assert_eq!(s.claim(&claim).status, ClaimStatus::PendingReview);
}

#[test]
fn an_appeal_comes_once_inside_its_window_from_the_provider() {
    let mut s = insured(anchor_spl::token::ID);
    let p = provider(&s);
    let late = s.submit(2_000_000);
    s.decide(&late, None).expect("deny");
    s.world.warp(APPEAL);
    let ix = cl::appeal_claim(&p.pubkey(), &s.policy, &late);
    custom_error(s.world.send(&[ix], &[&p]), ClaimsError::AppealWindowClosed);

    let claim = s.submit(2_000_000);
    s.decide(&claim, None).expect("deny");
    let other = s.world.provider();
    let ix = cl::appeal_claim(&other.pubkey(), &s.policy, &claim);
    custom_error(
        s.world.send(&[ix], &[&other]),
        ClaimsError::NotClaimProvider,
    );
    let ix = cl::appeal_claim(&p.pubkey(), &s.policy, &claim);
    s.world
        .send(std::slice::from_ref(&ix), &[&p])
        .expect("appeal");
    custom_error(s.world.send(&[ix], &[&p]), ClaimsError::AlreadyAppealed);

    // A full approval or an undecided claim is not appealable.
    let full = s.submit(2_000_000);
    let ix = cl::appeal_claim(&p.pubkey(), &s.policy, &full);
    custom_error(
        s.world.send(std::slice::from_ref(&ix), &[&p]),
        ClaimsError::InvalidClaimStatus,
    );
    let payable = s.claim(&full).amount_payable;
    s.decide(&full, Some(payable)).expect("approve in full");
    custom_error(s.world.send(&[ix], &[&p]), ClaimsError::InvalidClaimStatus);
}

#[test]
fn reserved_money_stays_in_the_vault() {
    let mut s = insured(anchor_spl::token_2022::ID);
    let claim = s.submit(2_000_000);
    let insurer = s.insurer.insecure_clone();
    let reserved = s.claim(&claim).amount_payable;
    let all = FUNDING;
    let ix = cl::withdraw_unreserved(
        &insurer.pubkey(),
        &s.policy,
        &s.mint,
        &s.insurer_tokens,
        &s.token_program,
        all,
    );
    custom_error(
        s.world.send(&[ix], &[&insurer]),
        ClaimsError::InsufficientEscrow,
    );
    let ix = cl::withdraw_unreserved(
        &insurer.pubkey(),
        &s.policy,
        &s.mint,
        &s.insurer_tokens,
        &s.token_program,
        FUNDING - reserved,
    );
    s.world
        .send(&[ix], &[&insurer])
        .expect("withdraw exactly the unreserved part");
    // Not the insurer.
    let p = provider(&s);
    let ix = cl::withdraw_unreserved(
        &p.pubkey(),
        &s.policy,
        &s.mint,
        &s.provider_tokens,
        &s.token_program,
        1,
    );
    custom_error(s.world.send(&[ix], &[&p]), ClaimsError::NotInsurer);
    s.decide(&claim, Some(reserved)).expect("approve");
    s.settle(&claim).expect("the reservation pays");
    // Less the insurer's share of the deductible, applied at payment.
    assert_eq!(
        s.world.token_amount(&s.provider_tokens),
        reserved - DEDUCTIBLE * 8 / 10
    );
    s.assert_escrow();
}

#[test]
fn a_policy_closes_only_after_its_period_without_open_claims() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(2_000_000);
    let insurer = s.insurer.insecure_clone();
    let payer = s.world.payer.pubkey();
    let close = |s: &Insured| {
        cl::close_policy(
            &s.insurer.pubkey(),
            &s.policy,
            &s.mint,
            &s.insurer_tokens,
            &payer,
            &s.token_program,
        )
    };
    custom_error(
        s.world.send(&[close(&s)], &[&insurer]),
        ClaimsError::PolicyStillRunning,
    );
    let record = s.record(RecordKind::Procedure);
    s.world.warp(366 * DAY);
    custom_error(
        s.world.send(&[close(&s)], &[&insurer]),
        ClaimsError::OpenClaims,
    );
    let p = provider(&s);
    let ix = cl::close_policy(
        &p.pubkey(),
        &s.policy,
        &s.mint,
        &s.provider_tokens,
        &payer,
        &s.token_program,
    );
    custom_error(s.world.send(&[ix], &[&p]), ClaimsError::NotInsurer);
    // A claim on a policy past its period is refused (the provider renewed).
    let admin = s.world.admin.insecure_clone();
    let renew = rx::renew_entity(
        &admin.pubkey(),
        &p.pubkey(),
        records::instructions::RenewEntityArgs {
            valid_until: s.world.now() + 365 * DAY,
            credential_commitment: [1; 32],
        },
    );
    s.world.send(&[renew], &[&admin]).expect("renew provider");
    custom_error(
        s.try_submit(&p, &[record], 100_000).1,
        ClaimsError::PolicyNotActive,
    );
    s.decide(&claim, None).expect("deny");
    // The markers cannot be closed while the policy lives.
    let marker_record = s.claim_records(&claim)[0];
    let ix = cl::close_claimed_record(&payer, &s.policy, s.origin(&marker_record), &payer);
    custom_error(s.world.send(&[ix], &[]), ClaimsError::PolicyStillOpen);
    // The provider may still appeal the denial: the policy stays open.
    custom_error(
        s.world.send(&[close(&s)], &[&insurer]),
        ClaimsError::AppealWindowOpen,
    );
    s.world.warp(APPEAL);
    s.world.send(&[close(&s)], &[&insurer]).expect("close");
}

#[test]
fn withdrawing_a_claim_is_the_providers_and_only_before_a_decision() {
    let mut s = insured(anchor_spl::token::ID);
    let p = provider(&s);
    let claim = s.submit(2_000_000);
    let records = s.claim_records(&claim);
    let payer = s.world.payer.pubkey();
    let other = s.world.provider();
    let ix = cl::withdraw_claim(
        &other.pubkey(),
        &s.policy,
        &claim,
        &s.origins(&records),
        &payer,
    );
    custom_error(
        s.world.send(&[ix], &[&other]),
        ClaimsError::NotClaimProvider,
    );
    s.decide(&claim, Some(100)).expect("partial");
    let ix = cl::withdraw_claim(&p.pubkey(), &s.policy, &claim, &s.origins(&records), &payer);
    custom_error(s.world.send(&[ix], &[&p]), ClaimsError::AlreadyDecided);
}

#[test]
fn policy_terms_and_the_insurer_are_checked() {
    let mut world = World::new();
    let insurer = world.insurer();
    let provider = world.provider();
    let patient = world.patient();
    let mint = world.create_mint(&anchor_spl::token::ID);
    let base = policy_args(&world, &insurer.pubkey());
    let bad = [
        claims::instructions::CreatePolicyArgs {
            coverage_limit: 0,
            ..base.clone()
        },
        claims::instructions::CreatePolicyArgs {
            copay_bps: 10_001,
            ..base.clone()
        },
        claims::instructions::CreatePolicyArgs {
            auto_approve_limit: COVERAGE + 1,
            ..base.clone()
        },
        claims::instructions::CreatePolicyArgs {
            challenge_window: 0,
            ..base.clone()
        },
        claims::instructions::CreatePolicyArgs {
            valid_until: base.valid_from,
            ..base.clone()
        },
    ];
    for args in bad {
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
    }
    let ix = cl::create_policy(
        &world.payer.pubkey(),
        &provider.pubkey(),
        &patient.pubkey(),
        &mint,
        &anchor_spl::token::ID,
        base.clone(),
    );
    custom_error(
        world.send(&[ix], &[&provider]),
        ClaimsError::EntityKindNotAllowed,
    );
    let _ = Keypair::new();
}
