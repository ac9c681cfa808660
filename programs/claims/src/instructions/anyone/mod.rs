//! Permissionless instructions: settlement and rent reclamation.

pub mod close_claim;
pub mod close_claimed_record;
pub mod settle_claim;

#[allow(ambiguous_glob_reexports)]
pub use {close_claim::*, close_claimed_record::*, settle_claim::*};
