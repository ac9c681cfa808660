//! The `Consent` account and its enumerations.

pub mod consent;
pub mod enums;

pub use {consent::*, enums::*};
