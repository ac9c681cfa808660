//! Address derivation for `claims` accounts.

use {crate::constants::*, anchor_lang::prelude::Pubkey};

pub fn policy(insurer: &Pubkey, policy_id: &[u8; 16]) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[POLICY_SEED, insurer.as_ref(), policy_id], &crate::ID)
}

pub fn vault(policy: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[VAULT_SEED, policy.as_ref()], &crate::ID)
}

pub fn claim(policy: &Pubkey, claim_id: &[u8; 16]) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[CLAIM_SEED, policy.as_ref(), claim_id], &crate::ID)
}

/// The marker of a record's amendment chain on a policy: `origin` is the
/// serial of the chain's first version (`Record::origin`).
pub fn claimed_record(policy: &Pubkey, origin: u64) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[CLAIMED_RECORD_SEED, policy.as_ref(), &origin.to_le_bytes()],
        &crate::ID,
    )
}

pub fn provider_usage(policy: &Pubkey, provider: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[PROVIDER_USAGE_SEED, policy.as_ref(), provider.as_ref()],
        &crate::ID,
    )
}

/// The PDA that signs this program's `emit_cpi!` self-invocations.
pub fn event_authority() -> (Pubkey, u8) {
    Pubkey::find_program_address(&[b"__event_authority"], &crate::ID)
}
