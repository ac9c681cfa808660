//! # Panacea SDK
//!
//! The crate third-party apps use to talk to Panacea: an EHR issuing
//! records, a patient app collecting wallet-signed consent, an insurer's
//! payout service.
//!
//! - [`records`], [`consent`], [`claims`], [`bounties`]: an instruction builder for every
//!   instruction, built on the program crates (`no-entrypoint`), so seeds,
//!   argument types and account order come from the programs themselves.
//! - [`client::PanaceaClient`]: async, over a [`backend::Backend`] (JSON-RPC,
//!   or the programs in-process with the `in-process` feature): prices
//!   transactions from simulation, re-sends until they land, decodes
//!   accounts, lists them by owner.
//! - [`ops`]: high-level operations per actor, returning the signature and
//!   the addresses they created.
//! - [`offchain`]: FHIR validation, encryption, key wrapping, blob storage.
//! - [`events`] and [`audit`]: the programs' events decoded from
//!   transactions, a patient's audit trail, FHIR Consent and AuditEvent.
//! - [`rent`]: what each account kind and each operation costs.
//! - [`compression`] and [`ops::compressed`]: compressed records (leaves of
//!   a `records` record tree), the SDK as the trees' indexer, and every
//!   record operation on a [`compression::RecordRef`] of either kind.

/// Who acts for an entity: its authority or a member ([`Acting`]).
pub mod acting;
pub mod audit;
pub mod backend;
pub mod bounties;
pub mod claims;
pub mod client;
pub mod compression;
pub mod consent;
/// A member's staff credential as a W3C Verifiable Credential.
pub mod credential;
/// The emergency summary: key shares with the custodians, break-glass reads.
pub mod emergency;
pub mod error;
pub mod events;
#[cfg(feature = "in-process")]
pub mod local;
pub mod offchain;
pub mod ops;
pub mod records;
pub mod rent;

pub use {
    ::bounties as bounties_program,
    ::claims as claims_program,
    ::consent as consent_program,
    ::records as records_program,
    acting::{Acting, ActingKeys},
    anchor_lang::prelude::Pubkey,
    client::{Outcome, PanaceaClient, TxConfig},
    error::{Result, SdkError},
};

use anchor_lang::{solana_program::instruction::Instruction, InstructionData, ToAccountMetas};

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(all(doctest, feature = "in-process"))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// Builds an instruction of `program_id` from Anchor's generated account and
/// argument types.
pub(crate) fn build(
    program_id: Pubkey,
    accounts: impl ToAccountMetas,
    data: impl InstructionData,
) -> Instruction {
    Instruction {
        program_id,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}
