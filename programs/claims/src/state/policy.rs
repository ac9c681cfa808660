use {
    crate::{constants::*, errors::ClaimsError},
    anchor_lang::prelude::*,
};

/// An insurer's policy for one patient, with its escrow vault:
/// `["policy", insurer_authority, policy_id]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Policy {
    pub version: u8,
    pub bump: u8,
    pub vault_bump: u8,
    /// Authority of the insurer entity.
    pub insurer: Pubkey,
    /// Random opaque 16 bytes.
    pub policy_id: [u8; 16],
    /// The patient's wallet.
    pub patient: Pubkey,
    pub payout_mint: Pubkey,
    /// Token account holding the escrow, owned by this policy's PDA.
    pub vault: Pubkey,
    /// SPL Token or Token-2022, whichever owns the payout mint.
    pub token_program: Pubkey,
    /// Key that disputes and decides claims (in production a multisig).
    pub adjudicator: Pubkey,
    /// Most the policy ever pays, in payout-mint base units.
    pub coverage_limit: u64,
    pub deductible: u64,
    /// Share of the amount after deductible the patient pays, in basis points.
    pub copay_bps: u16,
    /// Payable amounts at or under this are approved by rule.
    pub auto_approve_limit: u64,
    /// Seconds an auto-approved claim waits, disputable, before settlement.
    pub challenge_window: i64,
    /// Seconds after a decision during which the provider may appeal.
    pub appeal_window: i64,
    pub valid_from: i64,
    pub valid_until: i64,
    pub deposited: u64,
    /// Owed to claims not yet paid.
    pub reserved: u64,
    pub paid: u64,
    pub withdrawn: u64,
    pub deductible_met: u64,
    pub open_claims: u32,
    /// Until this time a denial or partial approval may still be appealed:
    /// the insurer neither withdraws nor closes before it.
    pub appealable_until: i64,
    pub created_at: i64,
    pub rent_payer: Pubkey,
}

impl Policy {
    /// What the vault must hold: deposited - paid - withdrawn.
    pub fn expected_vault_balance(&self) -> Option<u64> {
        self.deposited
            .checked_sub(self.paid)?
            .checked_sub(self.withdrawn)
    }

    /// Money in the vault not owed to any claim.
    pub fn unreserved(&self) -> Result<u64> {
        self.expected_vault_balance()
            .and_then(|b| b.checked_sub(self.reserved))
            .ok_or(error!(ClaimsError::EscrowInvariantViolated))
    }

    /// Coverage not yet paid or promised.
    pub fn remaining_coverage(&self) -> Result<u64> {
        self.coverage_limit
            .checked_sub(self.paid)
            .and_then(|c| c.checked_sub(self.reserved))
            .ok_or(error!(ClaimsError::EscrowInvariantViolated))
    }

    pub fn is_in_period(&self, now: i64) -> bool {
        self.valid_from <= now && now < self.valid_until
    }

    /// The escrow invariants of the SPEC, against the vault's actual balance.
    pub fn invariant(&self, vault_balance: u64) -> bool {
        self.version == ACCOUNT_VERSION
            && self.expected_vault_balance() == Some(vault_balance)
            && self.reserved <= vault_balance
            && self
                .paid
                .checked_add(self.reserved)
                .is_some_and(|owed| owed <= self.coverage_limit)
            && self.deductible_met <= self.deductible
            && (self.open_claims > 0 || self.reserved == 0)
    }

    pub fn check_invariant(&self, vault_balance: u64) -> Result<()> {
        require!(
            self.invariant(vault_balance),
            ClaimsError::EscrowInvariantViolated
        );
        Ok(())
    }

    /// Counts as a deposit anything sent to the vault outside `fund_policy`,
    /// so that the vault balance equals deposited - paid - withdrawn again.
    /// Returns the amount absorbed.
    pub fn absorb_donations(&mut self, vault_balance: u64) -> Result<u64> {
        let expected = self
            .expected_vault_balance()
            .ok_or(ClaimsError::EscrowInvariantViolated)?;
        let surplus = vault_balance
            .checked_sub(expected)
            .ok_or(ClaimsError::EscrowInvariantViolated)?;
        self.deposited = self
            .deposited
            .checked_add(surplus)
            .ok_or(ClaimsError::Overflow)?;
        Ok(surplus)
    }
}
