use {
    super::Invariant,
    crate::{constants::ACCOUNT_VERSION, errors::ConsentError},
    anchor_lang::prelude::*,
};

/// A patient's consent epoch: `["consent_epoch", patient_authority]`.
///
/// Created with the patient's first consent and never closed or reset.
/// Every wallet-signed consent message names the epoch it was signed in,
/// and closing any of the patient's consents moves the epoch on, so no
/// message signed before a close can be submitted after it, whatever its
/// dates: a message cannot outlive the consent version it names, even when
/// a re-created consent starts its version at 0 again.
#[account]
#[derive(InitSpace, Debug)]
pub struct ConsentEpoch {
    pub version: u8,
    pub bump: u8,
    /// The patient's wallet.
    pub patient: Pubkey,
    /// How many of the patient's consents have been closed; only ever grows.
    pub epoch: u64,
}

impl ConsentEpoch {
    /// A freshly created account, before its first use.
    pub fn is_new(&self) -> bool {
        self.version == 0
    }
}

impl Invariant for ConsentEpoch {
    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION && self.patient != Pubkey::default()
    }

    fn violation() -> anchor_lang::error::Error {
        error!(ConsentError::InvariantViolated)
    }
}
