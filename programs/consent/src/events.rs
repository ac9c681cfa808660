//! Events of the `consent` program (via `emit_cpi!`): actor, subject, the
//! state before and after. No PHI: keys, enums, masks and timestamps only.

use {crate::state::*, anchor_lang::prelude::*};

#[event]
#[derive(Clone, Debug)]
pub struct ConsentChanged {
    /// Who authorised the change: the patient, or the guardian.
    pub actor: Pubkey,
    /// Who submitted and paid, when a relayer did (signed-message path).
    pub relayer: Option<Pubkey>,
    pub patient: Pubkey,
    pub grantee: Pubkey,
    pub purpose: ConsentPurpose,
    pub consent: Pubkey,
    /// `None` when the consent was created by this change.
    pub old: Option<ConsentState>,
    pub new: ConsentState,
}

#[event]
#[derive(Clone, Debug)]
pub struct ConsentClosed {
    pub actor: Pubkey,
    pub patient: Pubkey,
    pub grantee: Pubkey,
    pub purpose: ConsentPurpose,
    pub consent: Pubkey,
}

/// A patient's consent epoch was created (with the patient's first consent;
/// `old` is `None`) or moved on by the close of one of the patient's
/// consents: every wallet-signed message naming an earlier epoch is void.
#[event]
#[derive(Clone, Debug)]
pub struct ConsentEpochChanged {
    pub actor: Pubkey,
    pub patient: Pubkey,
    pub consent_epoch: Pubkey,
    pub old: Option<u64>,
    pub new: u64,
}
