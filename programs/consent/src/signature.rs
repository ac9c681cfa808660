//! Reading the Ed25519 program instruction that precedes a signed-consent
//! instruction in the same transaction.
//!
//! The runtime verifies the Ed25519 instruction's signatures before any
//! program runs; a transaction whose signature is invalid never executes.
//! What the runtime does not check is *what* was verified: this module
//! finds the instruction, insists it verifies exactly one signature whose
//! key, signature and message all live in its own data, and returns the
//! key and message so the caller can compare them with what it expects.

use {
    crate::errors::ConsentError,
    anchor_lang::{
        compat::solana_instructions_sysvar::{
            load_current_index_checked, load_instruction_at_checked,
        },
        prelude::*,
    },
};

/// The Ed25519 signature-verification precompile.
pub const ED25519_PROGRAM_ID: Pubkey = pubkey!("Ed25519SigVerify111111111111111111111111111");

/// Size of the header (count and padding) and of one offsets record.
const HEADER_LEN: usize = 2;
const OFFSETS_LEN: usize = 14;
const PUBKEY_LEN: usize = 32;
const SIGNATURE_LEN: usize = 64;
/// "The data is in this same instruction."
const THIS_INSTRUCTION: u16 = u16::MAX;

/// The key and message verified by the Ed25519 instruction immediately
/// before the current instruction.
pub struct VerifiedMessage {
    pub signer: Pubkey,
    pub message: Vec<u8>,
}

pub fn verified_message(instructions_sysvar: &AccountInfo) -> Result<VerifiedMessage> {
    let current = load_current_index_checked(instructions_sysvar)?;
    let previous = current
        .checked_sub(1)
        .ok_or(error!(ConsentError::MissingSignatureInstruction))?;
    let ix = load_instruction_at_checked(previous as usize, instructions_sysvar)?;
    require_keys_eq!(
        ix.program_id,
        ED25519_PROGRAM_ID,
        ConsentError::MissingSignatureInstruction
    );
    parse(&ix.data)
}

fn read_u16(data: &[u8], at: usize) -> Result<u16> {
    let bytes = data
        .get(at..at + 2)
        .ok_or(error!(ConsentError::MalformedSignatureInstruction))?;
    Ok(u16::from_le_bytes([bytes[0], bytes[1]]))
}

fn slice(data: &[u8], offset: u16, len: usize) -> Result<&[u8]> {
    let start = offset as usize;
    data.get(start..start + len)
        .ok_or(error!(ConsentError::MalformedSignatureInstruction))
}

/// Parses an Ed25519 instruction that verifies one signature over data it
/// carries itself.
fn parse(data: &[u8]) -> Result<VerifiedMessage> {
    require!(
        data.len() >= HEADER_LEN + OFFSETS_LEN && data[0] == 1,
        ConsentError::MalformedSignatureInstruction
    );
    let at = HEADER_LEN;
    let signature_offset = read_u16(data, at)?;
    let signature_ix = read_u16(data, at + 2)?;
    let pubkey_offset = read_u16(data, at + 4)?;
    let pubkey_ix = read_u16(data, at + 6)?;
    let message_offset = read_u16(data, at + 8)?;
    let message_len = read_u16(data, at + 10)?;
    let message_ix = read_u16(data, at + 12)?;
    // Data taken from another instruction could be anything the attacker
    // placed there; only data inside the verified instruction is trusted.
    require!(
        signature_ix == THIS_INSTRUCTION
            && pubkey_ix == THIS_INSTRUCTION
            && message_ix == THIS_INSTRUCTION,
        ConsentError::MalformedSignatureInstruction
    );
    slice(data, signature_offset, SIGNATURE_LEN)?;
    let signer = slice(data, pubkey_offset, PUBKEY_LEN)?;
    let message = slice(data, message_offset, message_len as usize)?;
    Ok(VerifiedMessage {
        signer: Pubkey::try_from(signer)
            .map_err(|_| error!(ConsentError::MalformedSignatureInstruction))?,
        message: message.to_vec(),
    })
}
