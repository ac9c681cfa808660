use {
    super::Invariant,
    crate::{constants::*, errors::ClaimsError},
    anchor_lang::prelude::*,
};

/// Lifecycle of a claim. A claim is Approved (by rule, with a challenge
/// window) or PendingReview as soon as it is submitted. Every claim reaches
/// a final state: Paid, Withdrawn, Denied (once its appeal window has passed)
/// or Voided (once its reinstatement window has passed).
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
    /// Approved, but its provider is no longer active: the insurer or the
    /// adjudicator released its reservation. The provider, active again, may
    /// reinstate it within the appeal window; final after that.
    Voided,
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
    /// Deductible applied to this claim, when it was paid (0 before).
    pub deductible_applied: u64,
    /// The most the policy can owe: the insurer's share of the billed amount
    /// after the co-pay, before the deductible (applied at settlement).
    pub amount_requested: u64,
    /// What is reserved for the claim (approved, before the deductible); once
    /// Paid, what was paid.
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
    /// Under review or on appeal: the adjudicator decides before this time,
    /// or the claim times out. `i64::MAX` otherwise.
    pub review_deadline: i64,
    pub decided_by: Option<Pubkey>,
    pub decided_at: Option<i64>,
    pub appealed: bool,
    /// The adjudicator disputed the claim's approval by rule: it can no
    /// longer be withdrawn (it ends by a decision or a review timeout).
    pub disputed: bool,
    pub paid_at: Option<i64>,
    /// When the claim was voided (while Voided).
    pub voided_at: Option<i64>,
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

    // The status and amounts change only through these methods, called by
    // `Policy`'s ledger methods (which move the policy's side with them and
    // check both invariants) or, for changes that move no money, by the
    // handler followed by `check_invariant`.

    /// The adjudicator disputes an approval by rule: the claim goes under
    /// review until `deadline` (no money moves: its reservation stays).
    pub fn dispute(&mut self, deadline: i64) -> Result<()> {
        self.await_review(ClaimStatus::PendingReview, deadline);
        self.disputed = true;
        self.check_invariant()
    }

    /// Moves the claim under review (or on appeal) until `deadline`.
    pub(crate) fn await_review(&mut self, status: ClaimStatus, deadline: i64) {
        self.status = status;
        self.settle_after = i64::MAX;
        self.review_deadline = deadline;
    }

    /// Makes the claim Approved, payable from `settle_after`.
    pub(crate) fn approve(&mut self, amount_payable: u64, settle_after: i64) {
        self.status = ClaimStatus::Approved;
        self.amount_payable = amount_payable;
        self.settle_after = settle_after;
        self.review_deadline = i64::MAX;
    }

    /// A denied claim holds nothing; it may be appealed once (unless it
    /// already was).
    pub(crate) fn deny(&mut self) {
        self.amount_payable = 0;
        self.status = ClaimStatus::Denied;
        self.settle_after = i64::MAX;
        self.review_deadline = i64::MAX;
    }

    pub(crate) fn withdraw(&mut self) {
        self.status = ClaimStatus::Withdrawn;
        self.settle_after = i64::MAX;
        self.review_deadline = i64::MAX;
    }

    pub(crate) fn void(&mut self, now: i64) {
        self.status = ClaimStatus::Voided;
        self.voided_at = Some(now);
    }

    /// Back to Approved; a claim approved by rule resumes its challenge
    /// window where the voiding stopped it.
    pub(crate) fn reinstate(&mut self, now: i64) -> Result<()> {
        let voided_at = self.voided_at.ok_or(ClaimsError::InvalidClaimStatus)?;
        if self.decided_by.is_none() {
            let left = self.settle_after.saturating_sub(voided_at).max(0);
            self.settle_after = now.checked_add(left).ok_or(ClaimsError::Overflow)?;
        }
        self.status = ClaimStatus::Approved;
        self.voided_at = None;
        Ok(())
    }

    pub(crate) fn mark_paid(&mut self, paid: u64, deductible: u64, now: i64) {
        self.status = ClaimStatus::Paid;
        self.amount_payable = paid;
        self.deductible_applied = deductible;
        self.paid_at = Some(now);
    }

    /// Records a decision (by the adjudicator, or by the program at a timeout).
    pub fn decided(&mut self, by: Pubkey, at: i64) {
        self.decided_by = Some(by);
        self.decided_at = Some(at);
    }
}

impl Invariant for Claim {
    fn invariant(&self) -> bool {
        self.version == ACCOUNT_VERSION
            && !self.records.is_empty()
            && self.records.len() <= MAX_RECORDS_PER_CLAIM
            && self.amount_payable <= self.amount_requested
            && self.amount_requested <= self.amount_billed
            && self.deductible_applied <= self.amount_billed
            && (self.status == ClaimStatus::Paid) == self.paid_at.is_some()
            && self.decided_by.is_some() == self.decided_at.is_some()
            && (self.status != ClaimStatus::Appealed || self.appealed)
            && !(self.disputed && self.status == ClaimStatus::Withdrawn)
            && (self.status == ClaimStatus::Voided) == self.voided_at.is_some()
            && (self.status == ClaimStatus::Paid || self.deductible_applied == 0)
            && (matches!(
                self.status,
                ClaimStatus::PendingReview | ClaimStatus::Appealed
            ) == (self.review_deadline != i64::MAX))
    }

    fn violation() -> anchor_lang::error::Error {
        error!(ClaimsError::EscrowInvariantViolated)
    }
}

/// Byte offsets (discriminator included) of the fields `Claim` accounts are
/// listed by; tested against a serialized account.
pub mod claim_offsets {
    /// `policy`: after the discriminator, version and bump.
    pub const POLICY: usize = 8 + 1 + 1;
    /// `provider`: after the policy and the 16-byte claim id.
    pub const PROVIDER: usize = POLICY + 32 + 16;
    /// `patient`.
    pub const PATIENT: usize = PROVIDER + 32;
}
