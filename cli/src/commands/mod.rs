//! One module per command group, one file per command. Each command reads
//! and checks its inputs, acts through the SDK and returns a
//! [`Report`](crate::output::Report) built from a typed (`Serialize`) value.
//! Dispatch lives in [`crate::cli`]: nothing here imports the command line.

pub mod access;
pub mod audit;
pub mod bounty;
pub mod claim;
pub mod consent;
pub mod custodian;
pub mod demo;
pub mod emergency;
pub mod member;
pub mod migrate;
pub mod patient;
pub mod policy;
pub mod record;
pub mod registry;
pub mod rent;
pub mod tree;
