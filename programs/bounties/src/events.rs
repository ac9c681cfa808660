//! Events of the `bounties` program (via `emit_cpi!`): actor, subject, new
//! state, and the bounty's running totals where money moved. Addresses,
//! kinds, amounts and times only: no PHI.

use {anchor_lang::prelude::*, records::state::RecordKind};

/// The bounty's running totals after a change.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug)]
pub struct BountyTotals {
    pub deposited: u64,
    pub reserved: u64,
    pub paid: u64,
    pub withdrawn: u64,
    pub pending: u32,
    pub rewarded: u32,
}

#[event]
#[derive(Clone, Debug)]
pub struct BountyCreated {
    pub researcher: Pubkey,
    pub bounty: Pubkey,
    pub mint: Pubkey,
    pub vault: Pubkey,
    pub kinds: u16,
    pub reward: u64,
    pub max_contributions: u32,
    pub max_per_patient: u16,
    pub opened_at: i64,
    pub intake_ends_at: i64,
    pub review_window: i64,
    pub study_commitment: [u8; 32],
    pub consent_text: [u8; 32],
    pub algorithm: Option<[u8; 32]>,
}

#[event]
#[derive(Clone, Debug)]
pub struct BountyFunded {
    pub funder: Pubkey,
    pub bounty: Pubkey,
    pub amount: u64,
    pub totals: BountyTotals,
}

#[event]
#[derive(Clone, Debug)]
pub struct BountyFundsWithdrawn {
    pub researcher: Pubkey,
    pub bounty: Pubkey,
    pub amount: u64,
    pub totals: BountyTotals,
}

#[event]
#[derive(Clone, Debug)]
pub struct BountyIntakeClosed {
    pub researcher: Pubkey,
    pub bounty: Pubkey,
    pub at: i64,
}

#[event]
#[derive(Clone, Debug)]
pub struct BountyCancelled {
    pub researcher: Pubkey,
    pub bounty: Pubkey,
}

#[event]
#[derive(Clone, Debug)]
pub struct BountyClosed {
    pub researcher: Pubkey,
    pub bounty: Pubkey,
    /// What the vault held and was sent to the destination.
    pub returned: u64,
}

#[event]
#[derive(Clone, Debug)]
pub struct ContributionOffered {
    /// The patient or guardian who signed.
    pub actor: Pubkey,
    /// Who paid the fees and rent (a relayer, or the signer).
    pub payer: Pubkey,
    pub bounty: Pubkey,
    pub researcher: Pubkey,
    pub contribution: Pubkey,
    /// The patient's wallet.
    pub patient: Pubkey,
    /// The version offered: an account address or a compressed record's address.
    pub record: Pubkey,
    pub kind: RecordKind,
    pub reward: u64,
    pub review_deadline: i64,
    pub totals: BountyTotals,
}

#[event]
#[derive(Clone, Debug)]
pub struct ContributionAccepted {
    pub actor: Pubkey,
    /// The Researcher member who signed; `None` when the authority signed.
    pub actor_member: Option<Pubkey>,
    pub researcher: Pubkey,
    pub bounty: Pubkey,
    pub contribution: Pubkey,
    pub patient: Pubkey,
    pub amount: u64,
    /// The part of the reward not paid, back in the unreserved escrow.
    pub released: u64,
    pub quality_score: u8,
    pub totals: BountyTotals,
}

#[event]
#[derive(Clone, Debug)]
pub struct ContributionRejected {
    pub actor: Pubkey,
    pub actor_member: Option<Pubkey>,
    pub researcher: Pubkey,
    pub bounty: Pubkey,
    pub contribution: Pubkey,
    pub patient: Pubkey,
    pub reason_code: u16,
    pub totals: BountyTotals,
}

#[event]
#[derive(Clone, Debug)]
pub struct ContributionSettled {
    pub settler: Pubkey,
    pub bounty: Pubkey,
    pub contribution: Pubkey,
    pub patient: Pubkey,
    pub amount: u64,
    pub totals: BountyTotals,
}

#[event]
#[derive(Clone, Debug)]
pub struct ContributionCancelled {
    pub actor: Pubkey,
    pub bounty: Pubkey,
    pub contribution: Pubkey,
    pub patient: Pubkey,
    /// The `BountiesError` code of the check that failed (e.g. ConsentRevoked).
    pub cause: u32,
    pub totals: BountyTotals,
}

#[event]
#[derive(Clone, Debug)]
pub struct ContributionClosed {
    pub bounty: Pubkey,
    pub contribution: Pubkey,
    pub patient: Pubkey,
}

#[event]
#[derive(Clone, Debug)]
pub struct PatientTallyClosed {
    pub bounty: Pubkey,
    pub patient: Pubkey,
}
