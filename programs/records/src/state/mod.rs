//! Accounts of the `records` program, one file each. Every account carries a
//! layout `version` and its PDA `bump`, is sized with `InitSpace`, and has an
//! `invariant()` that handlers check after every change.

pub mod access_request;
pub mod config;
pub mod custodians;
pub mod entity;
pub mod enums;
pub mod grant;
pub mod member;
pub mod patient;
pub mod record;
pub mod record_tree;

pub use custodians::*;
pub use member::*;
pub use record_tree::*;
pub use {access_request::*, config::*, entity::*, enums::*, grant::*, patient::*, record::*};

/// The invariant trait shared by the three programs (`panacea-common`).
pub use panacea_common::Invariant;
