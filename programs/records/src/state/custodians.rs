use {super::Invariant, crate::constants::*, anchor_lang::prelude::*};

/// One emergency key custodian: the key that signs for its service, and the
/// X25519 key to which patients wrap its shares of their emergency summary.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Custodian {
    pub authority: Pubkey,
    pub encryption_key: [u8; 32],
}

/// The registry's emergency key custodians: `["custodians"]`. A patient's
/// emergency summary keys are split `threshold`-of-`custodians.len()` among
/// them; a custodian releases its share only to an emergency room holding a
/// live, logged emergency grant.
#[account]
#[derive(InitSpace, Debug)]
pub struct EmergencyCustodians {
    pub version: u8,
    pub bump: u8,
    /// Shares needed to rebuild a key.
    pub threshold: u8,
    /// Bumped at every change: shares written for another generation are
    /// stale (the patient marks their summary again).
    pub generation: u64,
    #[max_len(MAX_CUSTODIANS)]
    pub custodians: Vec<Custodian>,
    pub updated_at: i64,
    pub rent_payer: Pubkey,
}

impl EmergencyCustodians {
    /// The position of `authority` in the list (its shares are number
    /// `index + 1`).
    pub fn index_of(&self, authority: &Pubkey) -> Option<usize> {
        self.custodians
            .iter()
            .position(|c| c.authority == *authority)
    }
}

/// Whether `threshold` of `custodians` is a valid custodian set: 1 to
/// [`MAX_CUSTODIANS`] custodians, `1 <= threshold <= n`, no zero key, no
/// authority or encryption key named twice.
pub fn is_valid_custodian_set(threshold: u8, custodians: &[Custodian]) -> bool {
    let n = custodians.len();
    (1..=MAX_CUSTODIANS).contains(&n)
        && threshold >= 1
        && usize::from(threshold) <= n
        && custodians
            .iter()
            .all(|c| c.authority != Pubkey::default() && c.encryption_key != [0; 32])
        && custodians.iter().enumerate().all(|(i, a)| {
            custodians[i + 1..]
                .iter()
                .all(|b| a.authority != b.authority && a.encryption_key != b.encryption_key)
        })
}

impl Invariant for EmergencyCustodians {
    fn violation() -> anchor_lang::error::Error {
        error!(crate::errors::RecordsError::InvariantViolated)
    }

    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && self.generation >= 1
            && is_valid_custodian_set(self.threshold, &self.custodians)
    }
}
