use {crate::constants::*, anchor_lang::prelude::*};

/// Marks a record as backing a claim on a policy, so that it backs at most
/// one: `["claimed_record", policy, origin]`, keyed on the record's amendment
/// chain so that amending a billed record does not make it billable again.
#[account]
#[derive(InitSpace, Debug)]
pub struct ClaimedRecord {
    pub version: u8,
    pub bump: u8,
    pub policy: Pubkey,
    /// The record's `origin`: the first version of its amendment chain.
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
