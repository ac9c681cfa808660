//! Permissionless instructions: settlement, review timeouts and rent
//! reclamation.

pub mod close_claim;
pub mod close_claimed_record;
pub mod close_provider_usage;
pub mod expire_claim;
pub mod settle_claim;

#[allow(ambiguous_glob_reexports)]
pub use {
    close_claim::*, close_claimed_record::*, close_provider_usage::*, expire_claim::*,
    settle_claim::*,
};
