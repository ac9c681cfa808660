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
    /// Which deployment this is ("mainnet-beta", "devnet", "localnet"), set
    /// once by `initialize_registry` and never changed: every wallet-signed
    /// consent message names it, so a message signed for one deployment is
    /// refused on another even where the program ids are the same.
    #[max_len(MAX_DEPLOYMENT_LEN)]
    pub deployment: String,
}

/// Longest deployment name, in bytes.
pub const MAX_DEPLOYMENT_LEN: usize = 32;

/// A deployment name: 1 to [`MAX_DEPLOYMENT_LEN`] visible ASCII characters
/// (`!` to `~`: no spaces, no line breaks) other than `;`, so that it reads
/// as one field of a signed consent message, whose fields are printable
/// ASCII joined by `"; "` (`consent::message`).
pub fn is_valid_deployment(name: &str) -> bool {
    (1..=MAX_DEPLOYMENT_LEN).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_graphic() && b != b';')
}

impl Invariant for RegistryConfig {
    fn violation() -> anchor_lang::error::Error {
        error!(crate::errors::RecordsError::InvariantViolated)
    }

    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && self.max_emergency_duration > 0
            && self.max_emergency_duration <= MAX_EMERGENCY_DURATION_CEILING
            && is_valid_deployment(&self.deployment)
    }
}
