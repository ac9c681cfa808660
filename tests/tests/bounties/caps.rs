//! Caps: per patient, in total, and the escrow itself.

use {
    ::bounties::errors::BountiesError,
    panacea_tests::{assert::*, bounties::*},
};

#[track_caller]
fn refused(s: &mut Study, record: &anchor_lang::prelude::Pubkey, error: BountiesError) {
    s.ensure_grant(record);
    let before = s.snapshot();
    let result = s.offer(record);
    custom_error(result, error);
    s.world.assert_unchanged(&before);
}

#[test]
fn the_per_patient_cap_holds() {
    let mut s = study_with(anchor_spl::token::ID, |a| a.max_per_patient = 2);
    let (r0, r1, r2) = (s.records[0], s.records[1], s.records[2]);
    s.offered(&r0);
    s.offered(&r1);
    refused(&mut s, &r2, BountiesError::PatientCapReached);
    // A paid contribution still counts.
    s.accept(&r0, REWARD, 50).expect("accept");
    refused(&mut s, &r2, BountiesError::PatientCapReached);
    assert_eq!(s.tally_state().counted, 2);
    s.check_escrow();
}

#[test]
fn the_total_cap_holds() {
    let mut s = study_with(anchor_spl::token::ID, |a| a.max_contributions = 2);
    let (r0, r1, r2) = (s.records[0], s.records[1], s.records[2]);
    s.offered(&r0);
    s.offered(&r1);
    refused(&mut s, &r2, BountiesError::BountyFull);
    s.settle_later_and_check(&r0);
    // A fresh grant (r2's no longer outlives a new review window and its
    // settlement period).
    let r3 = s.records[3];
    refused(&mut s, &r3, BountiesError::BountyFull);
}

#[test]
fn an_underfunded_vault_refuses_offers() {
    let mut s = study(anchor_spl::token::ID);
    // Keep one reward and a half.
    s.withdraw(FUNDING - REWARD - REWARD / 2).expect("withdraw");
    let (r0, r1) = (s.records[0], s.records[1]);
    s.offered(&r0);
    refused(&mut s, &r1, BountiesError::InsufficientEscrow);
    // The reservation cannot be withdrawn either.
    let before = s.snapshot();
    custom_error(s.withdraw(REWARD), BountiesError::InsufficientEscrow);
    s.world.assert_unchanged(&before);
    s.withdraw(REWARD / 2).expect("the unreserved half");
    s.check_escrow();
}

#[test]
fn a_rejection_frees_the_slot() {
    let mut s = study_with(anchor_spl::token::ID, |a| {
        a.max_per_patient = 1;
        a.max_contributions = 1;
    });
    let (r0, r1) = (s.records[0], s.records[1]);
    s.offered(&r0);
    refused(&mut s, &r1, BountiesError::PatientCapReached);
    s.reject(&r0, 7).expect("reject");
    let b = s.state();
    assert_eq!((b.pending, b.reserved, b.rewarded), (0, 0, 0));
    assert_eq!(s.tally_state().counted, 0);
    s.offered(&r1);
    assert_eq!(s.state().pending, 1);
    s.check_escrow();
}

trait SettleLater {
    fn settle_later_and_check(&mut self, record: &anchor_lang::prelude::Pubkey);
}

impl SettleLater for Study {
    /// The window passes and anyone settles `record` in full.
    fn settle_later_and_check(&mut self, record: &anchor_lang::prelude::Pubkey) {
        self.world.warp(REVIEW);
        let before = self.world.token_amount(&self.patient_tokens);
        self.settle(record).expect("settle");
        assert_eq!(
            self.world.token_amount(&self.patient_tokens),
            before + REWARD
        );
        self.check_escrow();
    }
}
