//! The life of a bounty: its terms, funding by anyone, intake closing early
//! or by time, cancellation, withdrawal of unreserved money, and closing,
//! with every account's rent back to whoever paid it.

use {
    ::bounties::{
        constants::{MAX_INTAKE_PERIOD, MAX_REVIEW_WINDOW, MIN_REVIEW_WINDOW},
        errors::BountiesError,
        instructions::CreateBountyArgs,
        state::*,
    },
    anchor_lang::prelude::Pubkey,
    panacea_sdk::bounties as bx,
    panacea_tests::{assert::*, bounties::*, *},
    records::state::RecordKind,
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// `by` tries to open a second bounty in the study's mint with the
/// fixture's terms changed by `terms`.
fn try_create(s: &mut Study, by: &Keypair, terms: impl FnOnce(&mut CreateBountyArgs)) -> TxResult {
    let mut args = bounty_args();
    terms(&mut args);
    let bounty = bx::bounty_address(&by.pubkey(), &args.bounty_id);
    let ix = bx::create_bounty(
        &s.world.payer.pubkey(),
        &by.pubkey(),
        &s.mint,
        &s.token_program,
        args,
    );
    let result = s.world.send(&[ix], &[by]);
    if result.is_err() {
        assert!(!s.world.exists(&bounty));
        assert!(!s.world.exists(&bx::vault_address(&bounty)));
    }
    result
}

/// A change to the fixture's terms.
type Terms = Box<dyn Fn(&mut CreateBountyArgs)>;

#[test]
fn terms_out_of_bounds_are_refused() {
    let mut s = study(anchor_spl::token::ID);
    let r = s.researcher.insecure_clone();
    let invalid: Vec<Terms> = vec![
        Box::new(|a| a.kinds = 0),
        Box::new(|a| a.kinds = 1 << 12),
        Box::new(|a| a.reward = 0),
        Box::new(|a| a.max_contributions = 0),
        Box::new(|a| a.max_per_patient = 0),
        Box::new(|a| a.max_per_patient = ::bounties::constants::MAX_PER_PATIENT + 1),
        Box::new(|a| a.review_window = MIN_REVIEW_WINDOW - 1),
        Box::new(|a| a.review_window = MAX_REVIEW_WINDOW + 1),
        Box::new(|a| a.intake_period = 0),
        Box::new(|a| a.study_commitment = [0; 32]),
        Box::new(|a| a.consent_text = [0; 32]),
        Box::new(|a| a.algorithm = Some([0; 32])),
        Box::new(|a| {
            a.reward = u64::MAX / 2;
            a.max_contributions = 3;
        }),
    ];
    for terms in invalid {
        custom_error(
            try_create(&mut s, &r, terms),
            BountiesError::InvalidBountyTerms,
        );
    }
    custom_error(
        try_create(&mut s, &r, |a| a.intake_period = MAX_INTAKE_PERIOD + 1),
        BountiesError::IntakePeriodTooLong,
    );
    custom_error(
        try_create(&mut s, &r, |a| a.bounty_id = [0; 16]),
        BountiesError::InvalidBountyId,
    );
    // The bounds themselves are accepted, and no algorithm means raw access.
    try_create(&mut s, &r, |a| {
        a.intake_period = MAX_INTAKE_PERIOD;
        a.review_window = MAX_REVIEW_WINDOW;
        a.max_per_patient = ::bounties::constants::MAX_PER_PATIENT;
        a.algorithm = None;
    })
    .expect("terms at the bounds");
}

#[test]
fn only_an_active_researcher_opens_a_bounty() {
    let mut s = study(anchor_spl::token::ID);
    let lab = s.lab.insecure_clone();
    custom_error(
        try_create(&mut s, &lab, |_| {}),
        BountiesError::EntityKindNotAllowed,
    );
    let r = s.researcher.insecure_clone();
    s.world
        .set_status(&r.pubkey(), records::state::EntityStatus::Suspended);
    custom_error(
        try_create(&mut s, &r, |_| {}),
        BountiesError::EntityNotActive,
    );
    // A wallet signing with someone else's entity account.
    let stranger = s.world.wallet();
    let mut args = bounty_args();
    args.kinds = RecordKind::Imaging.bit();
    let mut ix = bx::create_bounty(
        &s.world.payer.pubkey(),
        &stranger.pubkey(),
        &s.mint,
        &s.token_program,
        args,
    );
    ix.accounts[2].pubkey = records::pda::entity(&r.pubkey()).0;
    custom_error(
        s.world.send(&[ix], &[&stranger]),
        BountiesError::NotResearcher,
    );
}

#[test]
fn anyone_funds() {
    let mut s = study(anchor_spl::token::ID);
    let sponsor = s.world.wallet();
    let tokens = s
        .world
        .token_account(&sponsor.pubkey(), &s.mint, &s.token_program);
    s.world
        .mint_to(&s.mint, &tokens, 3 * REWARD, &s.token_program);
    let ix = bx::fund_bounty(&sponsor.pubkey(), &s.keys, &tokens, 3 * REWARD);
    s.world.send(&[ix], &[&sponsor]).expect("a sponsor funds");
    assert_eq!(s.world.token_amount(&s.vault), FUNDING + 3 * REWARD);
    assert_eq!(s.state().deposited, FUNDING + 3 * REWARD);
    let before = s.snapshot();
    let ix = bx::fund_bounty(&sponsor.pubkey(), &s.keys, &tokens, 0);
    custom_error(
        s.world.send(&[ix], &[&sponsor]),
        BountiesError::InvalidAmount,
    );
    s.world.assert_unchanged(&before);
    s.check_escrow();
}

#[test]
fn tokens_sent_to_the_vault_directly_count_as_deposits() {
    let mut s = study(anchor_spl::token::ID);
    s.world.mint_to(&s.mint, &s.vault, REWARD, &s.token_program);
    let record = s.record;
    s.offer(&record).expect("offer after a donation");
    assert_eq!(s.state().deposited, FUNDING + REWARD);
    s.check_escrow();
}

#[test]
fn closed_intake_refuses_offers() {
    let mut s = study(anchor_spl::token::ID);
    let stranger = s.world.wallet();
    let ix = bx::close_intake(&stranger.pubkey(), &s.bounty);
    custom_error(
        s.world.send(&[ix], &[&stranger]),
        BountiesError::NotResearcher,
    );
    s.close_intake().expect("close intake");
    assert_eq!(s.state().status, BountyStatus::IntakeClosed);
    let record = s.record;
    let before = s.snapshot();
    custom_error(s.offer(&record), BountiesError::IntakeClosed);
    custom_error(s.close_intake(), BountiesError::IntakeClosed);
    s.world.assert_unchanged(&before);
}

#[test]
fn an_elapsed_intake_refuses_offers() {
    let mut s = study_with(anchor_spl::token::ID, |a| a.intake_period = DAY);
    s.world.warp(DAY);
    let record = s.record;
    let before = s.snapshot();
    custom_error(s.offer(&record), BountiesError::IntakeClosed);
    s.world.assert_unchanged(&before);
}

#[test]
fn cancel_with_pending_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    s.offer(&record).expect("offer");
    let before = s.snapshot();
    custom_error(s.cancel_bounty(), BountiesError::PendingContributions);
    s.world.assert_unchanged(&before);
    s.reject(&record, 4).expect("reject");
    s.cancel_bounty().expect("cancel with nothing pending");
    assert_eq!(s.state().status, BountyStatus::Cancelled);
    let next = s.records[1];
    s.ensure_grant(&next);
    let before = s.snapshot();
    custom_error(s.offer(&next), BountiesError::IntakeClosed);
    custom_error(s.cancel_bounty(), BountiesError::IntakeClosed);
    s.world.assert_unchanged(&before);
}

#[test]
fn withdraw_more_than_unreserved_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    s.offer(&record).expect("offer");
    let before = s.snapshot();
    custom_error(
        s.withdraw(FUNDING - REWARD + 1),
        BountiesError::InsufficientEscrow,
    );
    custom_error(s.withdraw(0), BountiesError::InvalidAmount);
    s.world.assert_unchanged(&before);
    s.withdraw(FUNDING - REWARD)
        .expect("all that is unreserved");
    assert_eq!(s.world.token_amount(&s.vault), REWARD);
    assert_eq!(
        s.world.token_amount(&s.researcher_tokens),
        2 * FUNDING - REWARD
    );
    s.accept(&record, REWARD, 100)
        .expect("the reserve still pays");
    assert_eq!(s.world.token_amount(&s.vault), 0);
    s.check_escrow();
}

#[test]
fn a_stranger_cannot_withdraw() {
    let mut s = study(anchor_spl::token::ID);
    let stranger = s.world.wallet();
    let tokens = s
        .world
        .token_account(&stranger.pubkey(), &s.mint, &s.token_program);
    let mut keys = s.keys;
    keys.researcher = stranger.pubkey();
    let ix = bx::withdraw_unreserved(&keys, &tokens, REWARD);
    let mut watched = s.watched();
    watched.push(tokens);
    let before = s.world.snapshot(&watched);
    custom_error(
        s.world.send(&[ix], &[&stranger]),
        BountiesError::NotResearcher,
    );
    let ix = bx::close_bounty(&keys, &tokens, &s.world.payer.pubkey());
    s.world.warp(INTAKE);
    custom_error(
        s.world.send(&[ix], &[&stranger]),
        BountiesError::NotResearcher,
    );
    s.world.assert_unchanged(&before);
}

#[test]
fn close_before_intake_ends_is_refused() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    s.offer(&record).expect("offer");
    let before = s.snapshot();
    custom_error(s.close_bounty(), BountiesError::IntakeStillOpen);
    s.world.warp(INTAKE);
    custom_error(s.close_bounty(), BountiesError::PendingContributions);
    s.world.assert_unchanged(&before);
}

#[test]
fn close_returns_the_vault_and_the_rent_to_the_lamport() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    s.offer(&record).expect("offer");
    s.accept(&record, REWARD, 75).expect("accept");
    s.close_intake().expect("close intake");
    // Not in the second the bounty opened (ClosedInOpeningSecond).
    s.world.warp(1);
    let payer = s.world.payer.pubkey();
    let rent = s.world.lamports(&s.bounty) + s.world.lamports(&s.vault);
    let researcher_tokens = s.world.token_amount(&s.researcher_tokens);
    // The world's payer pays this transaction's fee (5000 lamports a signature).
    let before = s.world.lamports(&payer);
    let meta = s.close_bounty().expect("close");
    let fee = 5_000 * 2;
    assert_eq!(s.world.lamports(&payer), before + rent - fee);
    assert!(!s.world.exists(&s.bounty));
    assert!(!s.world.exists(&s.vault));
    assert_eq!(
        s.world.token_amount(&s.researcher_tokens),
        researcher_tokens + FUNDING - REWARD
    );
    let closed = World::events::<::bounties::events::BountyClosed>(&meta);
    assert_eq!(closed[0].returned, FUNDING - REWARD);
    // The patient's money stays the patient's.
    assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD);
}

#[test]
fn contribution_and_tally_rent_go_back_to_the_relayer() {
    let mut s = study(anchor_spl::token::ID);
    let (r0, r1) = (s.records[0], s.records[1]);
    let relayer = s.relayer.pubkey();
    let start = s.world.lamports(&relayer);
    let c0 = s.offered(&r0);
    let c1 = s.offered(&r1);
    let tally = s.tally();
    let rent = s.world.lamports(&c0) + s.world.lamports(&c1) + s.world.lamports(&tally);
    // Two offers: the relayer paid the rent and two fees of two signatures.
    assert_eq!(s.world.lamports(&relayer), start - rent - 2 * 10_000);
    s.accept(&r0, REWARD, 10).expect("accept");
    s.reject(&r1, 9).expect("reject");
    s.close_intake().expect("close intake");
    for (contribution, rent_payer) in [(c0, relayer), (c1, relayer)] {
        let ix = bx::close_contribution(&contribution, &s.bounty, &rent_payer);
        s.world.send(&[ix], &[]).expect("close contribution");
        assert!(!s.world.exists(&contribution));
    }
    let ix = bx::close_patient_tally(&tally, &s.bounty, &relayer);
    s.world.send(&[ix], &[]).expect("close tally");
    assert!(!s.world.exists(&tally));
    assert_eq!(s.world.lamports(&relayer), start - 2 * 10_000);
}

#[test]
fn a_contribution_is_not_closed_during_intake() {
    let mut s = study(anchor_spl::token::ID);
    let (r0, r1) = (s.records[0], s.records[1]);
    let c0 = s.offered(&r0);
    let c1 = s.offered(&r1);
    let relayer = s.relayer.pubkey();
    let tally = s.tally();
    let before = s.snapshot();
    // Pending: never.
    let ix = bx::close_contribution(&c0, &s.bounty, &relayer);
    custom_error(
        s.world.send(&[ix], &[]),
        BountiesError::InvalidContributionStatus,
    );
    let ix = bx::close_patient_tally(&tally, &s.bounty, &relayer);
    custom_error(
        s.world.send(&[ix], &[]),
        BountiesError::PendingContributions,
    );
    s.world.assert_unchanged(&before);
    // Rejected, but intake is open: the marker still keeps the record from
    // earning twice.
    s.reject(&r1, 5).expect("reject");
    s.accept(&r0, REWARD, 5).expect("accept");
    let before = s.snapshot();
    let ix = bx::close_contribution(&c1, &s.bounty, &relayer);
    custom_error(s.world.send(&[ix], &[]), BountiesError::IntakeStillOpen);
    let ix = bx::close_patient_tally(&tally, &s.bounty, &relayer);
    custom_error(s.world.send(&[ix], &[]), BountiesError::IntakeStillOpen);
    // To another rent payer: refused.
    s.world.warp(INTAKE);
    let ix = bx::close_contribution(&c1, &s.bounty, &Pubkey::new_unique());
    custom_error(s.world.send(&[ix], &[]), BountiesError::RentPayerMismatch);
    s.world.assert_unchanged(&before);
    let ix = bx::close_contribution(&c1, &s.bounty, &relayer);
    s.world
        .send(&[ix], &[])
        .expect("closed once intake is over");
    // Closed, the rejected record could not be offered again: intake is over.
    custom_error(s.offer(&r1), BountiesError::IntakeClosed);
}

#[test]
fn a_whole_bounty_on_both_token_programs_and_nothing_left_behind() {
    for token_program in [anchor_spl::token::ID, anchor_spl::token_2022::ID] {
        let mut s = study(token_program);
        let (r0, r1, r2) = (s.records[0], s.records[1], s.records[2]);
        let c0 = s.offered(&r0);
        let c1 = s.offered(&r1);
        let c2 = s.offered(&r2);
        s.check_escrow();
        s.accept(&r0, REWARD - 1, 99).expect("accept a part");
        s.reject(&r1, 8).expect("reject");
        s.world.warp(REVIEW);
        s.settle(&r2).expect("settle");
        s.check_escrow();
        let paid = REWARD - 1 + REWARD;
        assert_eq!(s.world.token_amount(&s.patient_tokens), paid);
        s.withdraw(REWARD).expect("withdraw");
        s.close_intake().expect("close intake");
        let relayer = s.relayer.pubkey();
        for contribution in [c0, c1, c2] {
            let ix = bx::close_contribution(&contribution, &s.bounty, &relayer);
            s.world.send(&[ix], &[]).expect("close contribution");
        }
        let ix = bx::close_patient_tally(&s.tally(), &s.bounty, &relayer);
        s.world.send(&[ix], &[]).expect("close tally");
        s.close_bounty().expect("close bounty");
        // Researcher + patient hold everything minted; no account is left.
        assert_eq!(
            s.world.token_amount(&s.researcher_tokens) + s.world.token_amount(&s.patient_tokens),
            2 * FUNDING
        );
        for gone in [s.bounty, s.vault, c0, c1, c2, s.tally()] {
            assert!(!s.world.exists(&gone), "{gone} closed");
        }
    }
}

#[test]
fn a_bounty_recreated_at_its_address_does_not_inherit_old_accounts() {
    let mut s = study(anchor_spl::token::ID);
    let bounty_id = s.state().bounty_id;
    let (r0, r1) = (s.records[0], s.records[1]);
    let old = s.offered(&r0);
    s.accept(&r0, REWARD, 50).expect("accept");
    s.close_intake().expect("close intake");
    // Not in the second the bounty opened (ClosedInOpeningSecond).
    s.world.warp(1);
    s.close_bounty().expect("close bounty");
    let old_bounty = s.bounty;
    s.reopen(|a| a.bounty_id = bounty_id);
    assert_eq!(s.bounty, old_bounty, "the same address");
    s.ensure_grant(&r1);
    let before = s.snapshot();
    // The old tally counts for the old bounty: refused until closed.
    custom_error(s.offer(&r1), BountiesError::StaleAccount);
    // The old contribution keeps its record out until closed...
    custom_error(s.offer(&r0), BountiesError::RecordAlreadyContributed);
    // ...and is neither settled nor cancelled in the new one.
    custom_error(s.settle(&r0), BountiesError::StaleAccount);
    custom_error(s.cancel(&r0), BountiesError::StaleAccount);
    s.world.assert_unchanged(&before);
    // Anyone closes them while the new bounty's intake is open.
    let relayer = s.relayer.pubkey();
    let ix = bx::close_contribution(&old, &s.bounty, &relayer);
    s.world
        .send(&[ix], &[])
        .expect("close the stale contribution");
    let ix = bx::close_patient_tally(&s.tally(), &s.bounty, &relayer);
    s.world.send(&[ix], &[]).expect("close the stale tally");
    s.offer(&r1).expect("offer in the new bounty");
    assert_eq!(s.tally_state().bounty_opened_at, s.state().opened_at);
    s.check_escrow();
}
