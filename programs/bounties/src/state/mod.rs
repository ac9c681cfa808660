//! Accounts of the `bounties` program.

pub mod bounty;
pub mod contribution;
pub mod tally;

pub use {bounty::*, contribution::*, tally::*};

/// The invariant trait shared by the Panacea programs (`panacea-common`).
pub use panacea_common::{EscrowLedger, Invariant};
