use {crate::constants::*, anchor_lang::prelude::*};

/// Lifecycle of a claim. A claim is Approved (by rule, with a challenge
/// window) or PendingReview as soon as it is submitted.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum ClaimStatus {
    /// Waiting for the adjudicator.
    PendingReview,
    /// Payable once `settle_after` has passed.
    Approved,
    /// Paid to the provider; final.
    Paid,
    /// Refused; appealable once within the appeal window.
    Denied,
    /// The provider appealed a denial or a partial approval.
    Appealed,
    /// Withdrawn by the provider before a decision; final.
    Withdrawn,
}

/// A provider's claim against a policy: `["claim", policy, claim_id]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Claim {
    pub version: u8,
    pub bump: u8,
    pub policy: Pubkey,
    pub claim_id: [u8; 16],
    /// Authority of the billing provider entity.
    pub provider: Pubkey,
    /// The patient's wallet (the policy's patient).
    pub patient: Pubkey,
    pub amount_billed: u64,
    /// Deductible applied to this claim.
    pub deductible_applied: u64,
    /// What the policy owes after deductible and co-pay, before any decision.
    pub amount_requested: u64,
    /// What the policy will pay: reserved in the vault until paid or released.
    pub amount_payable: u64,
    /// SHA-256 of the coded services (never the codes).
    pub service_commitment: [u8; 32],
    /// `Record` addresses backing the claim.
    #[max_len(MAX_RECORDS_PER_CLAIM)]
    pub records: Vec<Pubkey>,
    pub status: ClaimStatus,
    pub submitted_at: i64,
    /// Settlement is possible from this time on (when Approved).
    pub settle_after: i64,
    pub decided_by: Option<Pubkey>,
    pub decided_at: Option<i64>,
    pub appealed: bool,
    pub paid_at: Option<i64>,
    pub rent_payer: Pubkey,
}

impl Claim {
    /// Still counted in the policy's open claims (money may still move).
    pub fn is_open(&self) -> bool {
        matches!(
            self.status,
            ClaimStatus::PendingReview | ClaimStatus::Approved | ClaimStatus::Appealed
        )
    }

    /// Reservation held for this claim.
    pub fn reservation(&self) -> u64 {
        if self.is_open() {
            self.amount_payable
        } else {
            0
        }
    }

    pub fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && !self.records.is_empty()
            && self.records.len() <= MAX_RECORDS_PER_CLAIM
            && self.amount_payable <= self.amount_requested
            && self.amount_requested <= self.amount_billed
            && self.deductible_applied <= self.amount_billed
            && (self.status == ClaimStatus::Paid) == self.paid_at.is_some()
            && self.decided_by.is_some() == self.decided_at.is_some()
            && (self.status != ClaimStatus::Appealed || self.appealed)
    }
}
