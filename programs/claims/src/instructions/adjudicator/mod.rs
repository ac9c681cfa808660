//! Instructions the policy's adjudicator signs.

pub mod decide_claim;
pub mod dispute_claim;

#[allow(ambiguous_glob_reexports)]
pub use {decide_claim::*, dispute_claim::*};
