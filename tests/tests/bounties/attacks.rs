//! Security review of issue 18 (branch i18-review): each attack is tried and
//! refused with its exact error, nothing changed. Two findings are fixed in
//! the program and tested here: a payout to a patient's token account that a
//! delegate controls (`PayoutDelegated`), and a bounty closed in the second it
//! opened, which let a bounty re-created in that second inherit the old
//! contributions and tallies (`ClosedInOpeningSecond`).

use {
    ::bounties::{constants::SETTLEMENT_PERIOD, errors::BountiesError, state::*},
    anchor_lang::{error::ErrorCode as Anchor, prelude::Pubkey},
    anchor_spl::token_2022::spl_token_2022::instruction as token_ix,
    panacea_sdk::{bounties as bx, records as rx},
    panacea_tests::{assert::*, bounties::*, *},
    records::state::{permissions, Grant, Purpose},
    solana_signer::Signer,
};

const PROGRAMS: [Pubkey; 2] = [anchor_spl::token::ID, anchor_spl::token_2022::ID];

/// The fixture with its record offered.
fn offered(token_program: Pubkey) -> (Study, Pubkey) {
    let mut s = study(token_program);
    let record = s.record;
    s.offer(&record).expect("offer");
    (s, record)
}

/// The researcher creates a bounty with `bounty_id` now (no clock move) and
/// funds it; the study points at it.
fn recreate(s: &mut Study, bounty_id: [u8; 16]) {
    let mut args = bounty_args();
    args.bounty_id = bounty_id;
    let ix = bx::create_bounty(
        &s.world.payer.pubkey(),
        &s.researcher.pubkey(),
        &s.mint,
        &s.token_program,
        args,
    );
    let researcher = s.researcher.insecure_clone();
    s.world.send(&[ix], &[&researcher]).expect("create bounty");
    let bounty = bx::bounty_address(&s.researcher.pubkey(), &bounty_id);
    s.bounty = bounty;
    s.vault = bx::vault_address(&bounty);
    s.keys.bounty = bounty;
    s.fund(FUNDING).expect("fund bounty");
}

// ----- finding 1: a delegate on the patient's payout account -----

/// The patient's own token account, but a delegate (here the relayer, who
/// paid the offer) may move what lands there: accept and settle refuse it;
/// once the delegate is revoked the patient is paid. Both token programs.
#[test]
fn payout_to_a_delegated_patient_account_is_refused() {
    for token_program in PROGRAMS {
        let (mut s, record) = offered(token_program);
        let patient = s.patient.insecure_clone();
        let approve = token_ix::approve(
            &token_program,
            &s.patient_tokens,
            &s.relayer.pubkey(),
            &patient.pubkey(),
            &[],
            u64::MAX,
        )
        .unwrap();
        s.world.send(&[approve], &[&patient]).expect("approve");
        let before = s.snapshot();
        custom_error(
            s.accept(&record, REWARD, 90),
            BountiesError::PayoutDelegated,
        );
        s.world.warp(REVIEW);
        custom_error(s.settle(&record), BountiesError::PayoutDelegated);
        s.world.assert_unchanged(&before);

        let revoke =
            token_ix::revoke(&token_program, &s.patient_tokens, &patient.pubkey(), &[]).unwrap();
        s.world.send(&[revoke], &[&patient]).expect("revoke");
        s.settle(&record).expect("settle");
        assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD);
        assert_eq!(
            s.contribution_state(&record).status,
            ContributionStatus::Paid
        );
        s.check_escrow();
    }
}

// ----- finding 2: close in the opening second, re-create in it -----

/// Before the fix: create, offer, reject, cancel and close in one second,
/// then re-create at the same address in that second: the old tally and
/// contribution carried the same `opened_at` and counted as the new
/// bounty's (the patient's record refused as already contributed, and not
/// closable while the new intake is open). Now the close waits a second,
/// and the re-created bounty refuses the old accounts as stale.
#[test]
fn a_bounty_is_not_closed_in_the_second_it_opened() {
    let mut s = study(anchor_spl::token::ID);
    assert_eq!(s.now(), s.state().opened_at, "the fixture's opening second");
    let bounty_id = s.state().bounty_id;
    let (r0, r1) = (s.records[0], s.records[1]);
    let old = s.offered(&r0);
    s.reject(&r0, 7).expect("reject");
    s.cancel_bounty().expect("cancel bounty");
    let before = s.snapshot();
    custom_error(s.close_bounty(), BountiesError::ClosedInOpeningSecond);
    s.world.assert_unchanged(&before);

    s.world.warp(1);
    s.close_bounty().expect("close a second later");
    // Re-created in the very second of the close.
    recreate(&mut s, bounty_id);
    assert!(s.state().opened_at > s.tally_state().bounty_opened_at);
    s.ensure_grant(&r1);
    let before = s.snapshot();
    custom_error(s.offer(&r1), BountiesError::StaleAccount);
    s.world.assert_unchanged(&before);
    // The stale accounts are anyone's to close now, and the record comes back.
    let relayer = s.relayer.pubkey();
    let ix = bx::close_contribution(&old, &s.bounty, &relayer);
    s.world
        .send(&[ix], &[])
        .expect("close the stale contribution");
    let ix = bx::close_patient_tally(&s.tally(), &s.bounty, &relayer);
    s.world.send(&[ix], &[]).expect("close the stale tally");
    s.offer(&r0)
        .expect("the record offered again in the new bounty");
    s.check_escrow();
}

// ----- finding 3: a grant or consent ending at the review deadline -----

/// Before the fix a grant lasting exactly the review window was taken: it
/// ended at the review deadline, when settling starts, so only the
/// researcher's acceptance could pay, and a researcher who had read the
/// record could wait and pay nothing (the same with a consent ending inside
/// the window). Now both must outlive the window by SETTLEMENT_PERIOD.
#[test]
fn a_grant_or_consent_ending_before_settlement_is_refused_at_offer() {
    let mut s = study(anchor_spl::token::ID);
    let patient = s.patient.insecure_clone();
    let record = s.records[1];
    s.research_grant(&record, permissions::READ, Purpose::Research, REVIEW);
    let before = s.snapshot();
    custom_error(s.offer(&record), BountiesError::GrantEndsInsideWindow);
    s.world.assert_unchanged(&before);

    // A consent ending one second before the settlement period is over.
    let record = s.records[2];
    s.research_grant(
        &record,
        permissions::READ,
        Purpose::Research,
        REVIEW + SETTLEMENT_PERIOD,
    );
    let end = s.now() + REVIEW + SETTLEMENT_PERIOD;
    s.research_consent(&patient, CONSENT_TEXT, |t| t.period_end = end - 1);
    let before = s.snapshot();
    custom_error(s.offer(&record), BountiesError::ConsentEndsInsideWindow);
    s.world.assert_unchanged(&before);
    // Lasting exactly through the settlement period: taken, and settled.
    s.research_consent(&patient, CONSENT_TEXT, |t| t.period_end = end);
    s.offer(&record).expect("offer");
    s.world.warp(REVIEW);
    s.settle(&record).expect("settled after the window");
    assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD);
    s.check_escrow();
}

// ----- account-type confusion and forged accounts -----

/// A grant where the record goes, the record where the grant goes, the
/// grant where the consent goes, the consent where the grant goes.
#[test]
fn offer_refuses_accounts_of_the_wrong_type() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    let grant = s.grant_address(&record);
    let consent = s.consent_address();
    let patient = s.patient.insecure_clone();
    let ix = s.offer_ix(&record, &patient.pubkey());
    let cases = [
        (record, grant, BountiesError::InvalidRecord),
        (grant, record, BountiesError::GrantMissing),
        (consent, grant, BountiesError::ConsentMissing),
        (grant, consent, BountiesError::GrantMissing),
    ];
    let before = s.snapshot();
    for (from, to, error) in cases {
        // Only the first occurrence of `from` is replaced: each slot in turn.
        let mut attack = ix.clone();
        let slot = attack
            .accounts
            .iter()
            .position(|m| m.pubkey == from)
            .unwrap();
        attack.accounts[slot].pubkey = to;
        custom_error(s.send_relayed(attack, &patient), error);
    }
    s.world.assert_unchanged(&before);
}

/// The bytes of the real grant and consent copied to other addresses that
/// their own programs own: owner and discriminator pass, the address does not.
#[test]
fn grant_and_consent_copied_to_other_addresses_are_refused() {
    let mut s = study(anchor_spl::token::ID);
    let record = s.record;
    let grant = s.grant_address(&record);
    let consent = s.consent_address();
    let patient = s.patient.insecure_clone();
    let fake_grant = Pubkey::new_unique();
    let fake_consent = Pubkey::new_unique();
    let g = s.world.raw(&grant).unwrap();
    s.world.svm.set_account(fake_grant, g).unwrap();
    let c = s.world.raw(&consent).unwrap();
    s.world.svm.set_account(fake_consent, c).unwrap();
    let before = s.snapshot();
    let ix = replace(s.offer_ix(&record, &patient.pubkey()), &grant, &fake_grant);
    custom_error(s.send_relayed(ix, &patient), BountiesError::GrantMissing);
    let ix = replace(
        s.offer_ix(&record, &patient.pubkey()),
        &consent,
        &fake_consent,
    );
    custom_error(s.send_relayed(ix, &patient), BountiesError::ConsentMissing);
    s.world.assert_unchanged(&before);
}

/// A contribution's bytes in an account of another program, and a tally
/// where the contribution goes, are refused by settle and cancel.
#[test]
fn forged_or_confused_contribution_accounts_are_refused() {
    let (mut s, record) = offered(anchor_spl::token::ID);
    s.world.warp(REVIEW);
    let contribution = s.contribution(&record);
    let tally = s.tally();
    let mut forged = s.world.raw(&contribution).unwrap();
    forged.owner = Pubkey::new_unique();
    let fake = Pubkey::new_unique();
    s.world.svm.set_account(fake, forged).unwrap();
    let before = s.snapshot();
    let ix = replace(s.settle_ix(&record), &contribution, &fake);
    custom_error(s.world.send(&[ix], &[]), Anchor::AccountOwnedByWrongProgram);
    let ix = replace(s.cancel_ix(&record), &contribution, &fake);
    custom_error(s.world.send(&[ix], &[]), Anchor::AccountOwnedByWrongProgram);
    // The tally in the contribution's slot (and the contribution in the tally's).
    let mut ix = s.settle_ix(&record);
    for meta in ix.accounts.iter_mut() {
        if meta.pubkey == contribution {
            meta.pubkey = tally;
        } else if meta.pubkey == tally {
            meta.pubkey = contribution;
        }
    }
    custom_error(
        s.world.send(&[ix], &[]),
        Anchor::AccountDiscriminatorMismatch,
    );
    s.world.assert_unchanged(&before);
}

// ----- token accounts and programs -----

/// Settle naming the other token program, and the researcher's withdraw or
/// close naming the vault itself as destination.
#[test]
fn token_program_substitution_and_vault_as_destination_are_refused() {
    let (mut s, record) = offered(anchor_spl::token::ID);
    s.world.warp(REVIEW);
    let before = s.snapshot();
    let ix = replace(
        s.settle_ix(&record),
        &anchor_spl::token::ID,
        &anchor_spl::token_2022::ID,
    );
    custom_error(
        s.world.send(&[ix], &[]),
        Anchor::ConstraintTokenTokenProgram,
    );
    // The vault as the patient's account, the mint or the vault of another kind.
    let ix = replace(s.settle_ix(&record), &s.patient_tokens, &s.vault);
    custom_error(
        s.world.send(&[ix], &[]),
        Anchor::ConstraintDuplicateMutableAccount,
    );
    let other_mint = s.world.create_mint(&anchor_spl::token::ID);
    let ix = replace(s.settle_ix(&record), &s.mint, &other_mint);
    custom_error(s.world.send(&[ix], &[]), BountiesError::InvalidTokenAccount);
    // The researcher's withdraw or close naming the vault as destination.
    let researcher = s.researcher.insecure_clone();
    let ix = bx::withdraw_unreserved(&s.keys, &s.vault, 1);
    custom_error(
        s.world.send(&[ix], &[&researcher]),
        Anchor::ConstraintDuplicateMutableAccount,
    );
    s.world.assert_unchanged(&before);
    s.close_intake().expect("close intake");
    s.settle(&record).expect("settle");
    let before = s.snapshot();
    let ix = bx::close_bounty(&s.keys, &s.vault, &s.world.payer.pubkey());
    custom_error(
        s.world.send(&[ix], &[&researcher]),
        Anchor::ConstraintDuplicateMutableAccount,
    );
    s.world.assert_unchanged(&before);
}

/// A contribution of one bounty used with another bounty of the same
/// researcher: its bounty, tally and vault are the contribution's own.
#[test]
fn a_contribution_is_used_only_with_its_own_bounty_tally_and_vault() {
    let (mut s, record) = offered(anchor_spl::token::ID);
    let first = s.keys;
    let contribution = s.contribution(&record);
    let first_tally = s.tally();
    s.reopen(|_| {});
    let r1 = s.records[1];
    s.offered(&r1);
    let second_tally = s.tally();
    s.world.warp(REVIEW);
    let mut watched = s.watched();
    watched.extend([first.bounty, first.vault(), contribution, first_tally]);
    let before = s.world.snapshot(&watched);
    // The first bounty's contribution settled against the second bounty.
    let ix = bx::settle_contribution(
        &s.world.payer.pubkey(),
        &s.keys,
        &contribution,
        &s.patient.pubkey(),
        &s.grant_address(&record),
        &s.patient_tokens,
    );
    custom_error(s.world.send(&[ix], &[]), Anchor::ConstraintAddress);
    // With its own bounty, but the second bounty's tally or vault.
    let ix = bx::settle_contribution(
        &s.world.payer.pubkey(),
        &first,
        &contribution,
        &s.patient.pubkey(),
        &s.grant_address(&record),
        &s.patient_tokens,
    );
    let tally_swapped = replace(ix.clone(), &first_tally, &second_tally);
    custom_error(s.world.send(&[tally_swapped], &[]), Anchor::ConstraintSeeds);
    let vault_swapped = replace(ix.clone(), &first.vault(), &s.vault);
    custom_error(
        s.world.send(&[vault_swapped], &[]),
        BountiesError::InvalidTokenAccount,
    );
    s.world.assert_unchanged(&before);
    s.world
        .send(&[ix], &[])
        .expect("settled with its own accounts");
    assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD);
}

// ----- ordering: reserved money, close, cancel -----

/// With an offer pending after intake closed: the researcher cannot cancel,
/// close, or withdraw the reserved reward (donations sent straight to the
/// vault included in what is free); the patient is paid in full after.
#[test]
fn reserved_reward_is_neither_withdrawn_nor_stranded() {
    let (mut s, record) = offered(anchor_spl::token::ID);
    s.close_intake().expect("close intake");
    let vault = s.vault;
    s.world.mint_to(&s.mint, &vault, 5, &anchor_spl::token::ID);
    let before = s.snapshot();
    custom_error(s.cancel_bounty(), BountiesError::PendingContributions);
    s.world.warp(1);
    custom_error(s.close_bounty(), BountiesError::PendingContributions);
    custom_error(
        s.withdraw(FUNDING - REWARD + 6),
        BountiesError::InsufficientEscrow,
    );
    s.world.assert_unchanged(&before);
    s.withdraw(FUNDING - REWARD + 5)
        .expect("withdraw all that is free, the donation too");
    let before = s.snapshot();
    custom_error(s.withdraw(1), BountiesError::InsufficientEscrow);
    s.world.assert_unchanged(&before);
    s.world.warp(REVIEW);
    s.settle(&record).expect("settle");
    assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD);
    assert_eq!(s.world.token_amount(&s.vault), 0);
    s.check_escrow();
    s.close_bounty().expect("close");
}

/// Nobody closes a contribution or a tally early to re-offer: during intake
/// (IntakeStillOpen), a tally with a pending offer (PendingContributions),
/// or to another rent payer (RentPayerMismatch).
#[test]
fn contributions_and_tallies_are_not_closed_early_or_to_a_stranger() {
    let (mut s, record) = offered(anchor_spl::token::ID);
    let contribution = s.contribution(&record);
    let relayer = s.relayer.pubkey();
    let stranger = s.world.wallet().pubkey();
    let mut watched = s.watched();
    watched.push(stranger);
    let before = s.world.snapshot(&watched);
    // Pending: not final.
    let ix = bx::close_contribution(&contribution, &s.bounty, &relayer);
    custom_error(
        s.world.send(&[ix], &[]),
        BountiesError::InvalidContributionStatus,
    );
    s.world.assert_unchanged(&before);
    s.reject(&record, 3).expect("reject");
    let before_closing = s.world.snapshot(&watched);
    let ix = bx::close_contribution(&contribution, &s.bounty, &relayer);
    custom_error(s.world.send(&[ix], &[]), BountiesError::IntakeStillOpen);
    let ix = bx::close_patient_tally(&s.tally(), &s.bounty, &relayer);
    custom_error(s.world.send(&[ix], &[]), BountiesError::IntakeStillOpen);
    // The rejected record stays out of this bounty.
    custom_error(s.offer(&record), BountiesError::RecordAlreadyContributed);
    s.world.assert_unchanged(&before_closing);

    // A second offer keeps the tally pending after intake closes.
    let r1 = s.records[1];
    s.offered(&r1);
    s.close_intake().expect("close intake");
    let before = s.world.snapshot(&watched);
    let ix = bx::close_patient_tally(&s.tally(), &s.bounty, &relayer);
    custom_error(
        s.world.send(&[ix], &[]),
        BountiesError::PendingContributions,
    );
    let ix = bx::close_contribution(&contribution, &s.bounty, &stranger);
    custom_error(s.world.send(&[ix], &[]), BountiesError::RentPayerMismatch);
    s.world.assert_unchanged(&before);
}

/// Paid once: accept, then settle after the window and accept again are
/// refused; a settled contribution is not cancelled.
#[test]
fn a_contribution_is_paid_once() {
    let (mut s, record) = offered(anchor_spl::token::ID);
    s.accept(&record, REWARD / 2, 40).expect("accept half");
    let before = s.snapshot();
    custom_error(
        s.accept(&record, REWARD / 2, 40),
        BountiesError::InvalidContributionStatus,
    );
    s.world.warp(REVIEW);
    custom_error(s.settle(&record), BountiesError::InvalidContributionStatus);
    s.revoke_consent();
    custom_error(s.cancel(&record), BountiesError::InvalidContributionStatus);
    s.world.assert_unchanged(&before);
    assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD / 2);
}

// ----- a grant replaced at the same address after the offer -----

/// The patient revokes the grant named at the offer, closes it, and grants
/// again at the same address: a grant without read blocks settlement
/// (GrantWithoutRead), a grant with read lets it settle. The check is made
/// at payment against what the address holds then.
#[test]
fn a_grant_replaced_at_its_address_is_checked_again_at_payment() {
    let (mut s, record) = offered(anchor_spl::token::ID);
    let grant = s.grant_address(&record);
    replace_grant(&mut s, &record, permissions::AMEND);
    s.world.warp(REVIEW);
    let before = s.snapshot();
    custom_error(s.settle(&record), BountiesError::GrantWithoutRead);
    s.world.assert_unchanged(&before);
    replace_grant(&mut s, &record, permissions::READ);
    assert_eq!(s.grant_address(&record), grant);
    s.settle(&record).expect("settle");
    assert_eq!(s.world.token_amount(&s.patient_tokens), REWARD);
    s.check_escrow();
}

/// Revokes (when live), closes and re-grants `record`'s research grant with
/// `perms` for a year.
fn replace_grant(s: &mut Study, record: &Pubkey, perms: u8) {
    let grant = s.grant_address(record);
    let patient = s.patient.insecure_clone();
    if s.world.exists(&grant) {
        let g: Grant = s.world.account(&grant);
        if g.revoked_at.is_none() && g.expires_at > s.now() {
            s.revoke_grant(&grant);
        }
        let ix = rx::close_grant(
            &patient.pubkey(),
            &patient.pubkey(),
            &grant,
            &s.world.payer.pubkey(),
        );
        s.world.send(&[ix], &[&patient]).expect("close grant");
    }
    s.research_grant(record, perms, Purpose::Research, 365 * DAY);
}

// ----- a seeded sequence of cancel / close / re-create -----

/// A deterministic sequence (xorshift, fixed seed) of offers, rejects,
/// cancels (after the grant is revoked), settlements, intake closes, bounty
/// closes and re-creations at the same address (in the second of the
/// close): after every step the escrow matches the vault, a refused step
/// changes nothing, the old contributions and tallies are stale in the new
/// bounty, and the patient's tokens only grow.
#[test]
fn seeded_cancel_close_recreate_sequence() {
    let mut s = study(anchor_spl::token::ID);
    let bounty_id = s.state().bounty_id;
    let mut seed: u64 = 0x1818_2026_1201_0245;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut paid = 0u64;
    let (mut succeeded, mut recreated) = ([0u32; 6], 0u32);
    for _ in 0..80 {
        let records = s.records.clone();
        let record = records[(next() % records.len() as u64) as usize];
        let roll = next() % 20;
        let op = match roll {
            0..=7 => 0,   // offer
            8..=9 => 1,   // reject
            10..=12 => 2, // cancel
            13..=15 => 3, // settle
            16 => 4,      // close intake
            _ => 5,       // close the bounty
        };
        match op {
            0 => {
                let grant = s.grant_address(&record);
                let stale = !s.world.exists(&grant) || {
                    let g: Grant = s.world.account(&grant);
                    g.revoked_at.is_some() || g.expires_at <= s.now() + 2 * REVIEW
                };
                if stale {
                    replace_grant(&mut s, &record, permissions::READ);
                }
            }
            2 => {
                let c = s.contribution(&record);
                if next() % 2 == 0
                    && s.world.exists(&c)
                    && s.contribution_state(&record).status == ContributionStatus::Pending
                {
                    let grant = s.grant_address(&record);
                    let g: Grant = s.world.account(&grant);
                    if g.revoked_at.is_none() && g.expires_at > s.now() {
                        s.revoke_grant(&grant);
                    }
                }
            }
            3 => s.world.warp(REVIEW / 2),
            5 => s.world.warp(1),
            _ => {}
        }
        let before = s.snapshot();
        let result = match op {
            0 => s.offer(&record),
            1 => s.reject(&record, 9),
            2 => s.cancel(&record),
            3 => s.settle(&record),
            4 => s.close_intake(),
            _ => s.close_bounty(),
        };
        match result {
            Ok(_) => succeeded[op] += 1,
            Err(_) => s.world.assert_unchanged(&before),
        }
        if s.world.exists(&s.bounty) {
            s.check_escrow();
        } else {
            // Re-created at once; every old contribution and tally is stale.
            let old_tally = s.world.exists(&s.tally()).then(|| s.tally_state());
            recreate(&mut s, bounty_id);
            recreated += 1;
            let relayer = s.relayer.pubkey();
            for r in s.records.clone() {
                let c = s.contribution(&r);
                if s.world.exists(&c) {
                    let before = s.snapshot();
                    custom_error(s.settle(&r), BountiesError::StaleAccount);
                    custom_error(s.cancel(&r), BountiesError::StaleAccount);
                    s.world.assert_unchanged(&before);
                    let ix = bx::close_contribution(&c, &s.bounty, &relayer);
                    s.world.send(&[ix], &[]).expect("close stale contribution");
                }
            }
            if let Some(old) = old_tally {
                assert!(old.bounty_opened_at < s.state().opened_at);
                let ix = bx::close_patient_tally(&s.tally(), &s.bounty, &relayer);
                s.world.send(&[ix], &[]).expect("close stale tally");
            }
            s.check_escrow();
        }
        let now_paid = s.world.token_amount(&s.patient_tokens);
        assert!(now_paid >= paid, "the patient's tokens only grow");
        paid = now_paid;
    }
    println!("succeeded by operation {succeeded:?}, re-created {recreated}");
    assert!(recreated >= 1, "the bounty was re-created");
    assert!(succeeded[0] >= 4 && succeeded[2] >= 1 && succeeded[3] >= 1);
}

/// The bounty's rent goes back only to whoever paid it, and only the
/// researcher closes it.
#[test]
fn close_bounty_rent_goes_only_to_its_payer_and_only_the_researcher_closes() {
    let mut s = study(anchor_spl::token::ID);
    s.close_intake().expect("close intake");
    s.world.warp(1);
    let stranger = s.world.wallet();
    let mut watched = s.watched();
    watched.push(stranger.pubkey());
    let before = s.world.snapshot(&watched);
    let researcher = s.researcher.insecure_clone();
    let ix = bx::close_bounty(&s.keys, &s.researcher_tokens, &stranger.pubkey());
    custom_error(
        s.world.send(&[ix], &[&researcher]),
        BountiesError::RentPayerMismatch,
    );
    let mut keys = s.keys;
    keys.researcher = stranger.pubkey();
    let ix = bx::close_bounty(&keys, &s.researcher_tokens, &s.world.payer.pubkey());
    custom_error(
        s.world.send(&[ix], &[&stranger]),
        BountiesError::NotResearcher,
    );
    s.world.assert_unchanged(&before);
    s.close_bounty().expect("close");
}
