//! Anyone may sign: the rules, not the signer, decide.

pub mod cancel_contribution;
pub mod close_contribution;
pub mod close_patient_tally;
pub mod fund_bounty;
pub mod settle_contribution;

#[allow(ambiguous_glob_reexports)]
pub use {
    cancel_contribution::*, close_contribution::*, close_patient_tally::*, fund_bounty::*,
    settle_contribution::*,
};
