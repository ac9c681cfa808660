use {
    super::Invariant,
    crate::{constants::*, errors::BountiesError},
    anchor_lang::prelude::*,
};

/// How many of one patient's records count on one bounty (pending or paid),
/// for the per-patient cap: `["tally", bounty, patient_wallet]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct PatientTally {
    pub version: u8,
    pub bump: u8,
    pub bounty: Pubkey,
    /// The patient's wallet.
    pub patient: Pubkey,
    /// Contributions pending or paid.
    pub counted: u16,
    /// Contributions pending.
    pub pending: u16,
    /// `opened_at` of the bounty these counts belong to.
    pub bounty_opened_at: i64,
    pub rent_payer: Pubkey,
}

impl PatientTally {
    /// A new offer counts.
    pub fn offered(&mut self) -> Result<()> {
        self.counted = self.counted.checked_add(1).ok_or(BountiesError::Overflow)?;
        self.pending = self.pending.checked_add(1).ok_or(BountiesError::Overflow)?;
        self.check_invariant()
    }

    /// A pending offer was paid: it still counts.
    pub fn paid(&mut self) -> Result<()> {
        self.pending = self
            .pending
            .checked_sub(1)
            .ok_or(BountiesError::EscrowInvariantViolated)?;
        self.check_invariant()
    }

    /// A pending offer was rejected or cancelled: its slot is free again.
    pub fn released(&mut self) -> Result<()> {
        self.paid()?;
        self.counted = self
            .counted
            .checked_sub(1)
            .ok_or(BountiesError::EscrowInvariantViolated)?;
        self.check_invariant()
    }
}

impl Invariant for PatientTally {
    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && self.pending <= self.counted
            && self.counted <= MAX_PER_PATIENT
    }

    fn violation() -> anchor_lang::error::Error {
        error!(BountiesError::EscrowInvariantViolated)
    }
}
