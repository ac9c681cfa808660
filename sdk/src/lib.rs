//! # Panacea SDK
//!
//! Instruction builders for every Panacea instruction, built on the program
//! crates (`no-entrypoint`) so that seeds, argument types and account order
//! come from one place: the programs themselves.

pub mod claims;
pub mod consent;
pub mod offchain;
pub mod records;

pub use {::records as records_program, anchor_lang::prelude::Pubkey};

use anchor_lang::{solana_program::instruction::Instruction, InstructionData, ToAccountMetas};

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
