use {
    super::Invariant,
    crate::{constants::*, errors::ClaimsError},
    anchor_lang::prelude::*,
};

/// What one provider was approved by rule on one policy in the current
/// auto-approve period: `["provider_usage", policy, provider]`. Claims that
/// would take it over the policy's `provider_auto_approve_cap` wait for the
/// adjudicator.
#[account]
#[derive(InitSpace, Debug)]
pub struct ProviderUsage {
    pub version: u8,
    pub bump: u8,
    pub policy: Pubkey,
    /// Authority of the provider entity.
    pub provider: Pubkey,
    /// `created_at` of the policy these counts belong to (a policy re-created
    /// at the same address starts from zero).
    pub policy_created_at: i64,
    /// The auto-approve period `auto_approved` counts.
    pub period: u64,
    /// Payable amounts approved by rule in `period` (as reserved at
    /// submission, whatever became of the claims).
    pub auto_approved: u64,
    pub rent_payer: Pubkey,
}

impl ProviderUsage {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    /// Approved by rule so far in `period` of the policy created at `created_at`.
    pub fn used_in(&self, created_at: i64, period: u64) -> u64 {
        if self.policy_created_at == created_at && self.period == period {
            self.auto_approved
        } else {
            0
        }
    }
}

impl Invariant for ProviderUsage {
    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
    }

    fn violation() -> anchor_lang::error::Error {
        error!(ClaimsError::EscrowInvariantViolated)
    }
}
