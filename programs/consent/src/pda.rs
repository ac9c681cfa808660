//! Address derivation for `consent` accounts.

use {
    crate::{constants::*, state::ConsentPurpose},
    anchor_lang::prelude::Pubkey,
};

/// `Consent` address of a patient's consent to `grantee` for `purpose`.
pub fn consent(
    patient_authority: &Pubkey,
    grantee: &Pubkey,
    purpose: ConsentPurpose,
) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[
            CONSENT_SEED,
            patient_authority.as_ref(),
            grantee.as_ref(),
            &[purpose as u8],
        ],
        &crate::ID,
    )
}

/// `ConsentEpoch` address of a patient: the counter every wallet-signed
/// consent message names, bumped when one of the patient's consents closes.
pub fn consent_epoch(patient_authority: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[CONSENT_EPOCH_SEED, patient_authority.as_ref()],
        &crate::ID,
    )
}

/// The PDA that signs this program's `emit_cpi!` self-invocations.
pub fn event_authority() -> (Pubkey, u8) {
    Pubkey::find_program_address(&[b"__event_authority"], &crate::ID)
}
