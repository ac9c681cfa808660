use {
    super::Invariant,
    crate::{constants::*, errors::BountiesError},
    anchor_lang::prelude::*,
    records::state::RecordKind,
};

/// Lifecycle of a contribution. Pending while the researcher reviews it;
/// every other state is final.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum ContributionStatus {
    /// Reserved, waiting for the researcher (or, after the window, anyone).
    Pending,
    /// Accepted (all or part of the reward) or settled (in full); paid once.
    Paid,
    /// Rejected with a reason within the review window; nothing paid.
    Rejected,
    /// The consent or the grant ended before payment; nothing paid.
    Cancelled,
}

/// A record offered to a bounty, and the marker that the record's
/// amendment chain was offered: `["contribution", bounty, patient_wallet,
/// origin (u64 LE)]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Contribution {
    pub version: u8,
    pub bump: u8,
    pub bounty: Pubkey,
    /// The patient's wallet.
    pub patient: Pubkey,
    /// Serial of the first version of the record's amendment chain.
    pub origin: u64,
    /// The version offered: a `Record` account address or a compressed
    /// record's address.
    pub record: Pubkey,
    /// The `records` grant that gives the researcher read access, named at
    /// the offer: accept, settle and cancel read this one.
    pub grant: Pubkey,
    /// The offered version's serial.
    pub serial: u64,
    pub kind: RecordKind,
    pub status: ContributionStatus,
    /// The reward reserved at the offer.
    pub reward: u64,
    pub amount_paid: u64,
    /// 0 to 100, given at acceptance; `None` when settled without review.
    pub quality_score: Option<u8>,
    /// Why the researcher rejected it; 0 otherwise.
    pub reason_code: u16,
    pub offered_at: i64,
    /// The researcher accepts or rejects strictly before it; from it on,
    /// anyone may settle the full reward.
    pub review_deadline: i64,
    pub decided_at: Option<i64>,
    /// `opened_at` of the bounty this contribution belongs to (a bounty
    /// re-created at the same address has another).
    pub bounty_opened_at: i64,
    pub rent_payer: Pubkey,
}

impl Contribution {
    pub fn is_final(&self) -> bool {
        self.status != ContributionStatus::Pending
    }
}

impl Invariant for Contribution {
    fn invariant(&self) -> bool {
        let status_ok = match self.status {
            ContributionStatus::Pending => {
                self.amount_paid == 0
                    && self.decided_at.is_none()
                    && self.quality_score.is_none()
                    && self.reason_code == 0
            }
            ContributionStatus::Paid => {
                self.decided_at.is_some() && self.amount_paid > 0 && self.reason_code == 0
            }
            ContributionStatus::Rejected => {
                self.decided_at.is_some() && self.reason_code != 0 && self.amount_paid == 0
            }
            ContributionStatus::Cancelled => self.decided_at.is_some() && self.amount_paid == 0,
        };
        self.version == ACCOUNT_VERSION
            && self.reward > 0
            && self.amount_paid <= self.reward
            && self.review_deadline > self.offered_at
            && self.quality_score.is_none_or(|q| q <= MAX_QUALITY_SCORE)
            && self.decided_at.is_none_or(|t| t >= self.offered_at)
            && status_ok
    }

    fn violation() -> anchor_lang::error::Error {
        error!(BountiesError::EscrowInvariantViolated)
    }
}

/// Byte offsets (discriminator included) of the fields `Contribution`
/// accounts are listed by; tested against a serialized account.
pub mod contribution_offsets {
    /// `bounty`: after the discriminator, version and bump.
    pub const BOUNTY: usize = 8 + 1 + 1;
    /// `patient`: after the bounty.
    pub const PATIENT: usize = BOUNTY + 32;
}
