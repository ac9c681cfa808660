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
    /// The guardian's X25519 public key, to which the records a guardian
    /// must be able to share are wrapped: all zeroes exactly when there is
    /// no guardian. Set with the guardian (`set_guardian`), rotated by the
    /// guardian (`update_guardian_encryption_key`).
    pub guardian_encryption_key: [u8; 32],
}

impl Patient {
    /// The patient, or the guardian they currently name.
    pub fn is_patient_or_guardian(&self, signer: &Pubkey) -> bool {
        self.authority == *signer || self.guardian.as_ref() == Some(signer)
    }
}

/// Record serials of one registration share their high bits: the low 24
/// count the records issued under it.
pub const SERIALS_PER_REGISTRATION: u64 = 1 << 24;

impl Patient {
    /// The first serial of a patient registered in `slot`; refused (rather
    /// than wrapping onto an earlier registration's range) from slot 2^40.
    pub fn first_record_serial(slot: u64) -> Result<u64> {
        slot.checked_add(1)
            .and_then(|s| s.checked_mul(SERIALS_PER_REGISTRATION))
            .ok_or_else(|| error!(crate::errors::RecordsError::Overflow))
    }

    /// What identifies this registration of the wallet: the first serial
    /// of its records. Grants over the patient's records and care links
    /// carry it, so a close and a later re-registration ends them all.
    pub fn registration(&self) -> u64 {
        self.next_record_serial & !(SERIALS_PER_REGISTRATION - 1)
    }

    /// The slot the patient registered in.
    pub fn registered_slot(&self) -> u64 {
        (self.registration() >> 24).saturating_sub(1)
    }

    /// Whether `serial` belongs to a record issued under this registration
    /// (or under the one `registration` names).
    pub fn same_registration(serial: u64, registration: u64) -> bool {
        serial & !(SERIALS_PER_REGISTRATION - 1) == registration
    }

    /// Hands out the next record serial; at most 2^24 - 1 records per
    /// registration, so serials never run into the next registration's.
    pub fn take_record_serial(&mut self) -> Result<u64> {
        let serial = self.next_record_serial;
        let next = serial
            .checked_add(1)
            .ok_or(crate::errors::RecordsError::Overflow)?;
        require!(
            next % SERIALS_PER_REGISTRATION != 0,
            crate::errors::RecordsError::Overflow
        );
        self.next_record_serial = next;
        Ok(serial)
    }
}

impl Invariant for Patient {
    fn violation() -> anchor_lang::error::Error {
        error!(crate::errors::RecordsError::InvariantViolated)
    }

    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && self.guardian != Some(self.authority)
            && self.registration() != 0
            && (self.guardian_encryption_key == [0; 32]) == self.guardian.is_none()
    }
}
