use {crate::constants::*, anchor_lang::prelude::*};

/// Marks a record as backing a claim on a policy, so that it backs at most
/// one: `["claimed_record", policy, record]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct ClaimedRecord {
    pub version: u8,
    pub bump: u8,
    pub policy: Pubkey,
    pub record: Pubkey,
    pub claim: Pubkey,
    pub rent_payer: Pubkey,
}

impl ClaimedRecord {
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    pub fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
    }
}
