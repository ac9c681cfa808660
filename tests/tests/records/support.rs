//! What the record stories share beyond the fixture layer: the record book
//! as the tests read it.

use {
    anchor_lang::prelude::Pubkey,
    panacea_tests::*,
    records::{pda, state::*},
};

/// The deployment's record book mint.
pub fn book_mint() -> Pubkey {
    pda::record_book().0
}

/// The patient's record book account.
pub fn book_account(patient: &Pubkey) -> Pubkey {
    pda::record_book_account(patient)
}

/// Total supply of the record book: every patient's Active records.
pub fn book_supply(world: &World) -> u64 {
    world.mint(&book_mint()).supply
}

/// The record at `patient`'s `id`, if one lives there.
pub fn record_at(world: &World, patient: &Pubkey, id: &[u8; 16]) -> Option<Record> {
    let address = pda::record(patient, id).0;
    world
        .raw(&address)
        .map(|_| world.account::<Record>(&address))
}

/// How many of the records at `ids` (duplicates counted once) are Active.
pub fn active_records(world: &World, patient: &Pubkey, ids: &[[u8; 16]]) -> u64 {
    let unique: std::collections::BTreeSet<[u8; 16]> = ids.iter().copied().collect();
    unique
        .iter()
        .filter_map(|id| record_at(world, patient, id))
        .filter(|r| r.status == RecordStatus::Active)
        .count() as u64
}
