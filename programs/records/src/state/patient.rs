use {super::Invariant, crate::constants::*, anchor_lang::prelude::*};

/// A patient's profile: `["patient", authority]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Patient {
    pub version: u8,
    pub bump: u8,
    /// The patient's wallet.
    pub authority: Pubkey,
    /// A wallet the patient named to act for them; removable at any time.
    pub guardian: Option<Pubkey>,
    /// X25519 public key to which the patient's data keys are wrapped.
    pub encryption_key: [u8; 32],
    pub registered_at: i64,
    pub rent_payer: Pubkey,
}

impl Patient {
    /// The patient, or the guardian they currently name.
    pub fn is_patient_or_guardian(&self, signer: &Pubkey) -> bool {
        self.authority == *signer || self.guardian.as_ref() == Some(signer)
    }
}

impl Invariant for Patient {
    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION && self.guardian != Some(self.authority)
    }
}
