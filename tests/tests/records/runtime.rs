//! The native runtime: CPIs from our natively compiled program reach the
//! real SBF programs (System, Token-2022, ATA) and their effects land.

use {
    panacea_sdk::records::{self as rx, RecordAddresses},
    panacea_tests::{assert::*, *},
    records::state::*,
    solana_signer::Signer,
};

#[test]
fn cpis_into_system_token_2022_and_ata_take_effect_and_are_logged() {
    let mut world = World::new();
    let lab = world.lab();
    let patient = world.patient();
    let args = World::issue_args(RecordKind::LabResult);
    let at = RecordAddresses::new(&patient.pubkey(), &args.record_id);
    let meta = world
        .try_issue(&lab, &patient.pubkey(), args)
        .expect("issue");

    // Effects: System created the record and the mint, ATA created the token
    // account, Token-2022 initialized and minted.
    assert_eq!(world.raw(&at.record).unwrap().owner, records::ID);
    assert_eq!(
        world.raw(&at.mint).unwrap().owner,
        anchor_spl::token_2022::ID
    );
    assert_eq!(world.mint(&at.mint).supply, 1);
    assert_eq!(world.token_amount(&at.token_account), 1);

    // The runtime saw every CPI as an inner invocation.
    let logs = meta.logs.join("\n");
    for program in [
        records::ID,
        anchor_lang::system_program::ID,
        anchor_spl::token_2022::ID,
        anchor_spl::associated_token::ID,
    ] {
        assert!(
            logs.contains(&format!("Program {program} invoke [2]")),
            "{program} not invoked:\n{logs}"
        );
    }
    assert!(logs.contains(&format!("Program {} success", records::ID)));
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
    let lab = world.lab();
    let patient = world.patient();
    let poor = solana_keypair::Keypair::new();
    world.svm.airdrop(&poor.pubkey(), 1_000_000).unwrap();
    let args = World::issue_args(RecordKind::LabResult);
    let at = RecordAddresses::new(&patient.pubkey(), &args.record_id);
    let ix = rx::issue_record(&poor.pubkey(), &lab.pubkey(), &patient.pubkey(), args);
    // System program: ResultWithNegativeLamports (1), from inside the CPI.
    custom_error(world.send(&[ix], &[&poor, &lab]), 1u32);
    assert_eq!(world.lamports(&poor.pubkey()), 1_000_000);
    assert!(!world.exists(&at.record));
    assert!(!world.exists(&at.mint));
}

#[test]
fn programs_read_the_cluster_clock() {
    let mut world = World::new();
    world.warp(12_345);
    let patient = world.patient();
    let profile: Patient = world.account(&records::pda::patient(&patient.pubkey()).0);
    assert_eq!(profile.registered_at, world.now());
}
