//! Signed by the patient or the patient's guardian (a relayer may pay).

pub mod offer_contribution;

pub use offer_contribution::*;
