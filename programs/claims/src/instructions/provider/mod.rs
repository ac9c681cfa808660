//! Instructions the billing provider signs.

pub mod appeal_claim;
pub mod reinstate_claim;
pub mod submit_claim;
pub mod withdraw_claim;

#[allow(ambiguous_glob_reexports)]
pub use {appeal_claim::*, reinstate_claim::*, submit_claim::*, withdraw_claim::*};
