//! Events of the `claims` program (via `emit_cpi!`): actor, subject, new
//! state, and the policy's running totals where money moved. No PHI.

use {crate::state::ClaimStatus, anchor_lang::prelude::*};

/// The policy's running totals after a change.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug)]
pub struct EscrowTotals {
    pub deposited: u64,
    pub reserved: u64,
    pub paid: u64,
    pub withdrawn: u64,
    pub deductible_met: u64,
    pub open_claims: u32,
}

#[event]
#[derive(Clone, Debug)]
pub struct PolicyCreated {
    pub insurer: Pubkey,
    pub policy: Pubkey,
    pub patient: Pubkey,
    pub payout_mint: Pubkey,
    pub vault: Pubkey,
    pub adjudicator: Pubkey,
    pub coverage_limit: u64,
    pub valid_until: i64,
}

#[event]
#[derive(Clone, Debug)]
pub struct PolicyFunded {
    pub funder: Pubkey,
    pub policy: Pubkey,
    pub amount: u64,
    pub totals: EscrowTotals,
}

#[event]
#[derive(Clone, Debug)]
pub struct FundsWithdrawn {
    pub insurer: Pubkey,
    pub policy: Pubkey,
    pub amount: u64,
    pub totals: EscrowTotals,
}

#[event]
#[derive(Clone, Debug)]
pub struct PolicyClosed {
    pub insurer: Pubkey,
    pub policy: Pubkey,
    pub returned: u64,
}

#[event]
#[derive(Clone, Debug)]
pub struct ClaimSubmitted {
    pub provider: Pubkey,
    pub policy: Pubkey,
    pub claim: Pubkey,
    pub patient: Pubkey,
    pub amount_billed: u64,
    /// Reserved: the insurer's share after the co-pay, before the deductible.
    pub amount_payable: u64,
    pub record_count: u8,
    pub status: ClaimStatus,
    pub settle_after: i64,
    /// When under review: the adjudicator decides before this or it times out.
    pub review_deadline: i64,
    pub totals: EscrowTotals,
    /// The member who signed for the entity; `None` when its authority did.
    pub actor_member: Option<Pubkey>,
}

#[event]
#[derive(Clone, Debug)]
pub struct ClaimStatusChanged {
    pub actor: Pubkey,
    pub policy: Pubkey,
    pub claim: Pubkey,
    pub old_status: ClaimStatus,
    pub new_status: ClaimStatus,
    pub amount_payable: u64,
    pub settle_after: i64,
    pub review_deadline: i64,
    pub totals: EscrowTotals,
    /// The member who signed for the entity; `None` when its authority did.
    pub actor_member: Option<Pubkey>,
}

#[event]
#[derive(Clone, Debug)]
pub struct ClaimSettled {
    /// Whoever submitted the settlement (anyone may).
    pub settler: Pubkey,
    pub policy: Pubkey,
    pub claim: Pubkey,
    pub provider: Pubkey,
    pub amount: u64,
    /// Deductible applied at this payment.
    pub deductible_applied: u64,
    /// Reservation given back to the escrow (what the deductible saved).
    pub released: u64,
    pub totals: EscrowTotals,
}

#[event]
#[derive(Clone, Debug)]
pub struct ClaimClosed {
    pub actor: Pubkey,
    pub policy: Pubkey,
    pub claim: Pubkey,
}

#[event]
#[derive(Clone, Debug)]
pub struct ProviderUsageClosed {
    pub policy: Pubkey,
    pub provider: Pubkey,
}

#[event]
#[derive(Clone, Debug)]
pub struct ClaimedRecordClosed {
    pub policy: Pubkey,
    pub record: Pubkey,
}
