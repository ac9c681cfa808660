//! The `Consent` and `ConsentEpoch` accounts and their enumerations.

pub mod consent;
pub mod consent_epoch;
pub mod enums;

pub use {consent::*, consent_epoch::*, enums::*};

/// The invariant trait shared by the three programs (`panacea-common`).
pub use panacea_common::Invariant;
