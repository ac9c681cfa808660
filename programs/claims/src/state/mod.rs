//! Accounts of the `claims` program.

pub mod claim;
pub mod claimed_record;
pub mod policy;
pub mod provider_usage;

pub use {claim::*, claimed_record::*, policy::*, provider_usage::*};

/// The invariant trait shared by the three programs (`panacea-common`).
pub use panacea_common::{EscrowLedger, Invariant};
