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
    /// Serial of the next record issued to this patient. Starts at the
    /// registration slot plus one, shifted left by 24 bits, so serials are
    /// never 0 and never repeat, even across a close and a later
    /// re-registration of the same wallet (up to 16 million records per
    /// registration).
    pub next_record_serial: u64,
}

impl Patient {
    /// The patient, or the guardian they currently name.
    pub fn is_patient_or_guardian(&self, signer: &Pubkey) -> bool {
        self.authority == *signer || self.guardian.as_ref() == Some(signer)
    }
}

impl Patient {
    /// The first serial of a patient registered in `slot`.
    pub fn first_record_serial(slot: u64) -> u64 {
        slot.saturating_add(1) << 24
    }

    /// Hands out the next record serial.
    pub fn take_record_serial(&mut self) -> Result<u64> {
        let serial = self.next_record_serial;
        self.next_record_serial = serial
            .checked_add(1)
            .ok_or(crate::errors::RecordsError::Overflow)?;
        Ok(serial)
    }
}

impl Invariant for Patient {
    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && self.guardian != Some(self.authority)
            && self.next_record_serial != 0
    }
}
