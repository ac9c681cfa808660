//! Address derivation for every `records` account: the one place where seeds
//! are combined. Used by the program's tests, the SDK and the CLI.

use {crate::constants::*, anchor_lang::prelude::Pubkey};

/// `RegistryConfig` address and bump.
pub fn config() -> (Pubkey, u8) {
    Pubkey::find_program_address(&[CONFIG_SEED], &crate::ID)
}

/// `Entity` address of an entity authority.
pub fn entity(authority: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[ENTITY_SEED, authority.as_ref()], &crate::ID)
}

/// `Patient` address of a patient authority (wallet).
pub fn patient(authority: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[PATIENT_SEED, authority.as_ref()], &crate::ID)
}

/// `Record` address of a patient's record id.
pub fn record(patient_authority: &Pubkey, record_id: &[u8; 16]) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[RECORD_SEED, patient_authority.as_ref(), record_id],
        &crate::ID,
    )
}

/// The record book: the deployment's one Token-2022 mint of records.
pub fn record_book() -> (Pubkey, u8) {
    Pubkey::find_program_address(&[RECORD_BOOK_SEED], &crate::ID)
}

/// The program authority over the record book.
pub fn record_authority() -> (Pubkey, u8) {
    Pubkey::find_program_address(&[RECORD_AUTHORITY_SEED], &crate::ID)
}

/// `Grant` address. `target` is a `Record` address, or the patient's
/// `Patient` address for a grant over all records of some kinds.
pub fn grant(patient_authority: &Pubkey, grantee: &Pubkey, target: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[
            GRANT_SEED,
            patient_authority.as_ref(),
            grantee.as_ref(),
            target.as_ref(),
        ],
        &crate::ID,
    )
}

/// The target address of a patient's emergency grants (no account lives there).
pub fn emergency_target(patient_authority: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[EMERGENCY_TARGET_SEED, patient_authority.as_ref()],
        &crate::ID,
    )
}

/// `AccessRequest` address.
pub fn access_request(
    patient_authority: &Pubkey,
    requester: &Pubkey,
    target: &Pubkey,
) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[
            ACCESS_REQUEST_SEED,
            patient_authority.as_ref(),
            requester.as_ref(),
            target.as_ref(),
        ],
        &crate::ID,
    )
}

/// The patient's record book account: their associated Token-2022 account
/// of the record book, whose balance is their number of Active records.
pub fn record_book_account(patient_authority: &Pubkey) -> Pubkey {
    anchor_spl::associated_token::get_associated_token_address_with_program_id(
        patient_authority,
        &record_book().0,
        &anchor_spl::token_2022::ID,
    )
}

/// The `ProgramData` account of this program under the upgradeable loader:
/// its upgrade authority is the only key that may initialize the registry.
pub fn program_data() -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[crate::ID.as_ref()],
        &anchor_lang::solana_program::bpf_loader_upgradeable::ID,
    )
}

/// The PDA that signs this program's `emit_cpi!` self-invocations.
pub fn event_authority() -> (Pubkey, u8) {
    Pubkey::find_program_address(&[b"__event_authority"], &crate::ID)
}

/// The registry's `EmergencyCustodians`.
pub fn custodians() -> (Pubkey, u8) {
    Pubkey::find_program_address(&[CUSTODIANS_SEED], &crate::ID)
}

/// The stable address of the compressed record at leaf `index` of `tree`
/// (no account lives there): what grants, access requests, claims and events
/// name; its first 16 bytes are the record's `record_id`.
pub fn compressed_record(tree: &Pubkey, index: u32) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[COMPRESSED_RECORD_SEED, tree.as_ref(), &index.to_le_bytes()],
        &crate::ID,
    )
}

/// `Member` address of a member key under an entity (the `Entity` account
/// address, not its authority).
pub fn member(entity: &Pubkey, member: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[MEMBER_SEED, entity.as_ref(), member.as_ref()], &crate::ID)
}
