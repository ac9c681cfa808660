//! Accounts of the `claims` program.

pub mod claim;
pub mod claimed_record;
pub mod policy;

pub use {claim::*, claimed_record::*, policy::*};
