//! Address derivation for `bounties` accounts.

use {crate::constants::*, anchor_lang::prelude::Pubkey};

pub fn bounty(researcher: &Pubkey, bounty_id: &[u8; 16]) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[BOUNTY_SEED, researcher.as_ref(), bounty_id], &crate::ID)
}

pub fn vault(bounty: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[VAULT_SEED, bounty.as_ref()], &crate::ID)
}

/// A record's contribution to a bounty: `origin` is the serial of the
/// record's amendment chain's first version (`Record::origin`), so a record
/// earns at most once per bounty, amended or not.
pub fn contribution(bounty: &Pubkey, patient: &Pubkey, origin: u64) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[
            CONTRIBUTION_SEED,
            bounty.as_ref(),
            patient.as_ref(),
            &origin.to_le_bytes(),
        ],
        &crate::ID,
    )
}

pub fn tally(bounty: &Pubkey, patient: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[TALLY_SEED, bounty.as_ref(), patient.as_ref()], &crate::ID)
}

/// The PDA that signs this program's `emit_cpi!` self-invocations.
pub fn event_authority() -> (Pubkey, u8) {
    Pubkey::find_program_address(&[b"__event_authority"], &crate::ID)
}
