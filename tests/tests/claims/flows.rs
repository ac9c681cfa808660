//! Claims paid by rule, by decision, after appeal; withdrawn; policies closed.

use {
    super::setup::*,
    claims::{errors::ClaimsError, events::*, state::*},
    panacea_sdk::claims as cl,
    panacea_tests::{assert::*, *},
    records::state::RecordKind,
    solana_signer::Signer,
};

#[test]
fn a_small_claim_is_approved_by_rule_and_settled_after_the_challenge_window() {
    for token_program in token_programs() {
        let mut s = insured(token_program);
        let records: Vec<_> = (0..4).map(|_| s.record(RecordKind::Procedure)).collect();
        let provider = s.provider.insecure_clone();
        let (claim, result) = s.try_submit(&provider, &records, 800_000);
        let meta = result.expect("submit");
        // 20% co-pay: 640_000 reserved; the deductible comes off when paid.
        let state = s.claim(&claim);
        assert_eq!(
            (state.deductible_applied, state.amount_payable),
            (0, 640_000)
        );
        assert_eq!(
            (state.status, state.settle_after),
            (ClaimStatus::Approved, s.world.now() + CHALLENGE)
        );
        assert_eq!(state.records, records);
        let event = &World::events::<ClaimSubmitted>(&meta)[0];
        assert_eq!(
            (event.record_count, event.status, event.totals.reserved),
            (4, ClaimStatus::Approved, 640_000)
        );
        let policy = s.policy();
        assert_eq!(
            (policy.reserved, policy.deductible_met, policy.open_claims),
            (640_000, 0, 1)
        );
        s.assert_escrow();

        custom_error(s.settle(&claim), ClaimsError::SettlementNotDue);
        s.world.warp(CHALLENGE);
        let meta = s.settle(&claim).expect("settle");
        // Deductible 500_000 first, then 20% co-pay on the remaining 300_000.
        assert_eq!(s.world.token_amount(&s.provider_tokens), 240_000);
        assert_eq!(s.world.token_amount(&s.vault), FUNDING - 240_000);
        let settled = &World::events::<ClaimSettled>(&meta)[0];
        assert_eq!(
            (
                settled.amount,
                settled.provider,
                settled.deductible_applied,
                settled.released
            ),
            (240_000, s.provider.pubkey(), 500_000, 400_000)
        );
        let policy = s.policy();
        assert_eq!(
            (
                policy.paid,
                policy.reserved,
                policy.open_claims,
                policy.deductible_met
            ),
            (240_000, 0, 0, 500_000)
        );
        let paid = s.claim(&claim);
        assert_eq!(
            (paid.status, paid.amount_payable, paid.deductible_applied),
            (ClaimStatus::Paid, 240_000, 500_000)
        );
        s.assert_escrow();

        // Settling twice pays nothing more.
        custom_error(s.settle(&claim), ClaimsError::InvalidClaimStatus);
        assert_eq!(s.world.token_amount(&s.provider_tokens), 240_000);
    }
}

#[test]
fn a_large_claim_is_partly_approved_appealed_and_then_paid_in_full() {
    let mut s = insured(anchor_spl::token_2022::ID);
    // 2_000_000 billed: 1_600_000 after the co-pay, above the auto limit.
    let claim = s.submit(2_000_000);
    assert_eq!(s.claim(&claim).status, ClaimStatus::PendingReview);
    assert_eq!(s.claim(&claim).review_deadline, s.world.now() + REVIEW);
    custom_error(s.settle(&claim), ClaimsError::InvalidClaimStatus);

    s.decide(&claim, Some(700_000)).expect("partial approval");
    let state = s.claim(&claim);
    assert_eq!(
        (state.status, state.amount_payable, state.decided_by),
        (ClaimStatus::Approved, 700_000, Some(s.adjudicator.pubkey()))
    );
    assert_eq!(s.policy().reserved, 700_000);
    // A partial approval waits out the appeal window before anyone can settle it.
    custom_error(s.settle(&claim), ClaimsError::SettlementNotDue);

    let provider = s.provider.insecure_clone();
    let ix = cl::appeal_claim(&provider.pubkey(), &s.policy, &claim);
    s.world.send(&[ix], &[&provider]).expect("appeal");
    let state = s.claim(&claim);
    assert_eq!(
        (state.status, state.amount_payable, state.appealed),
        (ClaimStatus::Appealed, 1_600_000, true)
    );
    assert_eq!(s.policy().reserved, 1_600_000);
    s.assert_escrow();

    s.decide(&claim, Some(1_600_000))
        .expect("approve in full on appeal");
    s.settle(&claim).expect("settle at once");
    // Paid less the insurer's share of the deductible: 1_600_000 - 400_000.
    assert_eq!(s.world.token_amount(&s.provider_tokens), 1_200_000);
    assert_eq!(s.policy().reserved, 0);
    s.assert_escrow();
}

#[test]
fn a_denial_can_be_appealed_once_and_the_final_claim_closed() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(2_000_000);
    s.decide(&claim, None).expect("deny");
    let policy = s.policy();
    assert_eq!((policy.reserved, policy.open_claims), (0, 0));
    custom_error(s.settle(&claim), ClaimsError::InvalidClaimStatus);

    let provider = s.provider.insecure_clone();
    let appeal = |s: &Insured| cl::appeal_claim(&s.provider.pubkey(), &s.policy, &claim);
    s.world.send(&[appeal(&s)], &[&provider]).expect("appeal");
    assert_eq!(s.policy().open_claims, 1);
    s.decide(&claim, None).expect("deny again");
    custom_error(
        s.world.send(&[appeal(&s)], &[&provider]),
        ClaimsError::AlreadyAppealed,
    );

    let payer = s.world.payer.pubkey();
    let ix = cl::close_claim(&payer, &s.policy, &claim, &payer);
    s.world.send(&[ix], &[]).expect("close final claim");
    assert!(!s.world.exists(&claim));
    s.assert_escrow();
}

#[test]
fn the_adjudicator_disputes_an_auto_approval_inside_the_window() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(600_000);
    let adjudicator = s.adjudicator.insecure_clone();
    let ix = cl::dispute_claim(&adjudicator.pubkey(), &s.policy, &claim);
    let meta = s.world.send(&[ix], &[&adjudicator]).expect("dispute");
    let changed = &World::events::<ClaimStatusChanged>(&meta)[0];
    assert_eq!(
        (changed.old_status, changed.new_status),
        (ClaimStatus::Approved, ClaimStatus::PendingReview)
    );
    s.world.warp(CHALLENGE);
    custom_error(s.settle(&claim), ClaimsError::InvalidClaimStatus);
    s.decide(&claim, None).expect("deny");
    assert_eq!(s.world.token_amount(&s.provider_tokens), 0);
    s.assert_escrow();

    // Outside the window, a dispute comes too late.
    let late = s.submit(100_000);
    s.world.warp(CHALLENGE);
    let ix = cl::dispute_claim(&adjudicator.pubkey(), &s.policy, &late);
    custom_error(
        s.world.send(&[ix], &[&adjudicator]),
        ClaimsError::ChallengeWindowClosed,
    );
}

#[test]
fn a_withdrawn_claim_releases_its_money_and_records() {
    let mut s = insured(anchor_spl::token_2022::ID);
    let record = s.record(RecordKind::LabResult);
    let provider = s.provider.insecure_clone();
    let (claim, result) = s.try_submit(&provider, &[record], 900_000);
    result.expect("submit");
    let marker = claims::pda::claimed_record(&s.policy, s.origin(&record)).0;
    assert!(s.world.exists(&marker));

    let payer = s.world.payer.pubkey();
    let ix = cl::withdraw_claim(
        &provider.pubkey(),
        &s.policy,
        &claim,
        &[s.origin(&record)],
        &payer,
    );
    s.world.send(&[ix], &[&provider]).expect("withdraw");
    let policy = s.policy();
    assert_eq!(
        (policy.reserved, policy.deductible_met, policy.open_claims),
        (0, 0, 0)
    );
    assert_eq!(s.claim(&claim).status, ClaimStatus::Withdrawn);
    assert!(!s.world.exists(&marker));
    custom_error(s.settle(&claim), ClaimsError::InvalidClaimStatus);

    // The record may back a new claim now.
    let (_, result) = s.try_submit(&provider, &[record], 900_000);
    result.expect("resubmit");
    s.assert_escrow();
}

#[test]
fn the_insurer_withdraws_unreserved_money_and_closes_the_policy_after_its_period() {
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(800_000);
    let insurer = s.insurer.insecure_clone();
    let unreserved = FUNDING - 240_000;
    let ix = cl::withdraw_unreserved(
        &insurer.pubkey(),
        &s.policy,
        &s.mint,
        &s.insurer_tokens,
        &s.token_program,
        1_000_000,
    );
    let meta = s
        .world
        .send(&[ix], &[&insurer])
        .expect("withdraw unreserved");
    assert_eq!(
        World::events::<FundsWithdrawn>(&meta)[0].totals.withdrawn,
        1_000_000
    );
    s.assert_escrow();

    s.world.warp(365 * DAY);
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
        ClaimsError::OpenClaims,
    );
    // The provider's credential ran out with the year: renewed, it is paid.
    s.renew_provider();
    s.settle(&claim).expect("settle");

    let before = s.world.token_amount(&s.insurer_tokens);
    let rent = s.world.lamports(&s.policy) + s.world.lamports(&s.vault);
    let lamports = s.world.lamports(&payer);
    let meta = s
        .world
        .send(&[close(&s)], &[&insurer])
        .expect("close policy");
    assert_eq!(
        s.world.token_amount(&s.insurer_tokens),
        before + unreserved - 1_000_000
    );
    assert!(!s.world.exists(&s.policy));
    assert!(!s.world.exists(&s.vault));
    assert_eq!(s.world.lamports(&payer), lamports + rent - meta.fee);

    // With the policy gone, the settled claim, its ClaimedRecord markers and
    // the provider's usage counter are closed, each rent back to its payer
    // to the lamport (nothing stranded).
    let record = s.claim_records(&claim)[0];
    let marker = claims::pda::claimed_record(&s.policy, s.origin(&record)).0;
    let usage = cl::provider_usage_address(&s.policy, &s.provider.pubkey());
    let rent = s.world.lamports(&claim) + s.world.lamports(&marker) + s.world.lamports(&usage);
    assert!(rent > 0);
    let lamports = s.world.lamports(&payer);
    let ixs = [
        cl::close_claim(&payer, &s.policy, &claim, &payer),
        cl::close_claimed_record(&payer, &s.policy, s.origin(&record), &payer),
        cl::close_provider_usage(&payer, &s.policy, &s.provider.pubkey(), &payer),
    ];
    let meta = s.world.send(&ixs, &[]).expect("close claim, marker, usage");
    assert!(!s.world.exists(&claim));
    assert!(!s.world.exists(&marker));
    assert!(!s.world.exists(&usage));
    assert_eq!(s.world.lamports(&payer), lamports + rent - meta.fee);
}

#[test]
fn rent_and_transaction_sizes_of_claims() {
    use anchor_lang::Space;
    let mut s = insured(anchor_spl::token::ID);
    let claim = s.submit(100_000);
    let record = s.claim_records(&claim)[0];
    let rows = [
        ("Policy", s.policy, 8 + Policy::INIT_SPACE),
        ("Claim", claim, 8 + Claim::INIT_SPACE),
        (
            "ClaimedRecord",
            claims::pda::claimed_record(&s.policy, s.origin(&record)).0,
            ClaimedRecord::SPACE,
        ),
        (
            "ProviderUsage",
            cl::provider_usage_address(&s.policy, &s.provider.pubkey()),
            ProviderUsage::SPACE,
        ),
    ];
    for (name, address, len) in rows {
        let account = s.world.raw(&address).unwrap();
        assert_eq!(account.data.len(), len, "{name}");
        assert_eq!(
            account.lamports,
            s.world.svm.minimum_balance_for_rent_exemption(len),
            "{name}"
        );
        println!("| {name} | {len} | {} |", account.lamports);
    }
    for n in [1usize, 4, 8] {
        let records: Vec<_> = (0..n)
            .map(|i| anchor_lang::prelude::Pubkey::new_from_array([i as u8 + 1; 32]))
            .collect();
        let ix = cl::submit_claim(
            &s.world.payer.pubkey(),
            &s.provider.pubkey(),
            &s.policy,
            &s.insurer.pubkey(),
            &s.patient.pubkey(),
            &records
                .iter()
                .copied()
                .map(|record| cl::BilledRecord { record, origin: 1 })
                .collect::<Vec<_>>(),
            Insured::claim_args(1),
        );
        let message = solana_message::Message::new(&[ix], Some(&s.world.payer.pubkey()));
        let tx = solana_transaction::Transaction::new_unsigned(message);
        let mut signed = tx.clone();
        signed.signatures = vec![Default::default(); 2];
        println!(
            "submit_claim with {n} records: {} bytes (legacy, 2 signers)",
            transaction_size(&signed)
        );
    }
}
