use {super::Invariant, crate::constants::*, anchor_lang::prelude::*};

/// The registry's configuration: `["config"]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct RegistryConfig {
    pub version: u8,
    pub bump: u8,
    /// Credentials entities; in production a multisig.
    pub admin: Pubkey,
    /// Longest break-glass grant, in seconds.
    pub max_emergency_duration: i64,
}

impl Invariant for RegistryConfig {
    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && self.max_emergency_duration > 0
            && self.max_emergency_duration <= MAX_EMERGENCY_DURATION_CEILING
    }
}
