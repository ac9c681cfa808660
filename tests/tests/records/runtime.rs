//! The native runtime: CPIs from our natively compiled program reach the
//! real SBF programs (System, Token-2022, ATA) and their effects land.

use {
    crate::support::*,
    anchor_lang::prelude::Pubkey,
    panacea_sdk::records as rx,
    panacea_tests::{assert::*, *},
    records::{instructions::RegisterPatientArgs, pda, state::*},
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// Every program in `programs` was invoked from inside `records` (at depth
/// 2, or 3 through another program), and `records` alone at the top.
#[track_caller]
fn assert_invoked(logs: &[String], programs: &[Pubkey]) {
    let top = format!("Program {} invoke [1]", records::ID);
    assert!(
        logs.iter()
            .filter(|l| l.ends_with("invoke [1]"))
            .all(|l| *l == top)
            && logs.contains(&top),
        "{logs:#?}"
    );
    let logs = logs.join("\n");
    for program in programs {
        assert!(
            logs.contains(&format!("Program {program} invoke [2]"))
                || logs.contains(&format!("Program {program} invoke [3]")),
            "{program} not invoked:\n{logs}"
        );
    }
    assert!(logs.contains(&format!("Program {} success", records::ID)));
}

#[test]
fn cpis_into_system_token_2022_and_ata_take_effect_and_are_logged() {
    let mut world = World::new();
    let lab = world.lab();

    // Registration: System creates the profile, ATA creates the book
    // account (through System and Token-2022).
    let patient = Keypair::new();
    let ix = rx::register_patient(
        &world.payer.pubkey(),
        &patient.pubkey(),
        None,
        RegisterPatientArgs {
            encryption_key: [3; 32],
            guardian_encryption_key: [0; 32],
        },
    );
    let meta = world.send(&[ix], &[&patient]).expect("register");
    assert_invoked(
        &meta.logs,
        &[
            anchor_lang::system_program::ID,
            anchor_spl::token_2022::ID,
            anchor_spl::associated_token::ID,
        ],
    );
    assert_eq!(
        world.raw(&pda::patient(&patient.pubkey()).0).unwrap().owner,
        records::ID
    );
    let book = world.raw(&book_account(&patient.pubkey())).unwrap();
    assert_eq!(book.owner, anchor_spl::token_2022::ID);
    assert_eq!(world.book_balance(&patient.pubkey()), 0);

    // Issuance: System creates the record, Token-2022 mints into the book.
    world.authorize_issuer(&patient, &lab.pubkey());
    let args = World::issue_args(RecordKind::LabResult);
    let record = pda::record(&patient.pubkey(), &args.record_id).0;
    let ix = rx::issue_record(&lab.pubkey(), &patient.pubkey(), args);
    let meta = world.send(&[ix], &[&lab]).expect("issue");
    assert_invoked(
        &meta.logs,
        &[anchor_lang::system_program::ID, anchor_spl::token_2022::ID],
    );
    assert_eq!(world.raw(&record).unwrap().owner, records::ID);
    assert_eq!(book_supply(&world), 1);
    assert_eq!(world.book_balance(&patient.pubkey()), 1);
    // The SBF programs are metered; the native one consumes a token unit.
    assert!(
        meta.compute_units_consumed > 1_000,
        "{}",
        meta.compute_units_consumed
    );
}

#[test]
fn a_failed_cpi_fails_the_instruction_with_the_callees_error_and_changes_nothing() {
    let mut world = World::new();
    // An issuer that cannot afford the record's rent.
    let lab = world.lab();
    // An issuer left with too little to pay a record's rent.
    let mut account = world.svm.get_account(&lab.pubkey()).unwrap();
    account.lamports = 1_000_000;
    world.svm.set_account(lab.pubkey(), account).unwrap();
    let patient = world.patient();
    world.authorize_issuer(&patient, &lab.pubkey());
    let args = World::issue_args(RecordKind::LabResult);
    let record = pda::record(&patient.pubkey(), &args.record_id).0;
    let before = world.snapshot(&[
        lab.pubkey(),
        record,
        pda::patient(&patient.pubkey()).0,
        book_account(&patient.pubkey()),
        book_mint(),
    ]);
    let ix = rx::issue_record(&lab.pubkey(), &patient.pubkey(), args);
    // System program: ResultWithNegativeLamports (1), from inside the CPI.
    custom_error(world.send(&[ix], &[&lab]), 1u32);
    world.assert_unchanged(&before);
    assert_eq!(world.lamports(&lab.pubkey()), 1_000_000);
    assert!(!world.exists(&record));
}

#[test]
fn programs_read_the_cluster_clock() {
    let mut world = World::new();
    world.warp(12_345);
    let patient = world.patient();
    let profile: Patient = world.account(&records::pda::patient(&patient.pubkey()).0);
    assert_eq!(profile.registered_at, world.now());
}
