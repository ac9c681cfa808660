//! What users pay for state: every `records` account is rent-exempt at its
//! exact size and no more. Run with `--nocapture` to print the table.

use {
    anchor_lang::Space,
    panacea_sdk::records::{self as rx, RecordAddresses},
    panacea_tests::*,
    records::{instructions::*, pda, state::*},
    solana_signer::Signer,
};

#[test]
fn rent_of_every_records_account() {
    let mut world = World::new();
    let lab = world.lab();
    let specialist = world.provider();
    let patient = world.patient();
    let mut args = World::issue_args(RecordKind::LabResult);
    args.uri = "u".repeat(records::constants::MAX_URI_LEN);
    let at = RecordAddresses::new(&patient.pubkey(), &args.record_id);
    world
        .try_issue(&lab, &patient.pubkey(), args)
        .expect("issue");
    let grant = world.grant_record(&patient, &specialist.pubkey(), &at.record, 1, DAY);
    let payer = world.payer.pubkey();
    let ix = rx::request_access(
        &payer,
        &specialist.pubkey(),
        &patient.pubkey(),
        &pda::patient(&patient.pubkey()).0,
        RequestAccessArgs {
            scope: GrantScope::Patient,
            kinds: 1,
            permissions: 1,
            purpose: Purpose::Research,
            duration: DAY,
            reason_code: 1,
        },
    );
    world.send(&[ix], &[&specialist]).expect("request");
    let request = pda::access_request(
        &patient.pubkey(),
        &specialist.pubkey(),
        &pda::patient(&patient.pubkey()).0,
    )
    .0;

    let rows = [
        (
            "RegistryConfig",
            pda::config().0,
            8 + RegistryConfig::INIT_SPACE,
        ),
        (
            "Entity",
            pda::entity(&lab.pubkey()).0,
            8 + Entity::INIT_SPACE,
        ),
        (
            "Patient",
            pda::patient(&patient.pubkey()).0,
            8 + Patient::INIT_SPACE,
        ),
        ("Record", at.record, 8 + Record::INIT_SPACE),
        (
            "record mint",
            at.mint,
            records::token::record_mint_space().unwrap(),
        ),
        ("record token account", at.token_account, 0),
        ("Grant", grant, 8 + Grant::INIT_SPACE),
        ("AccessRequest", request, 8 + AccessRequest::INIT_SPACE),
    ];
    println!("| account | bytes | rent (lamports) |\n| --- | --- | --- |");
    for (name, address, expected_len) in rows {
        let account = world.raw(&address).unwrap();
        let len = account.data.len();
        if expected_len > 0 {
            assert_eq!(len, expected_len, "{name}");
        }
        assert_eq!(
            account.lamports,
            world.svm.minimum_balance_for_rent_exemption(len),
            "{name}"
        );
        println!("| {name} | {len} | {} |", account.lamports);
    }
    let issuance =
        world.lamports(&at.record) + world.lamports(&at.mint) + world.lamports(&at.token_account);
    println!("| record issuance (record + mint + token account) | - | {issuance} |");
}
