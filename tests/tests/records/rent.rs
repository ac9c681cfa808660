//! What users pay for state: every `records` account is rent-exempt at its
//! exact size and no more. Run with `--nocapture` to print the table.

use {
    crate::support::*,
    anchor_lang::Space,
    panacea_sdk::records as rx,
    panacea_tests::*,
    records::{instructions::*, pda, state::*},
    solana_signer::Signer,
};

/// The most an issued record may cost its issuer, all in.
const MAX_RECORD_RENT: u64 = 3_000_000;

#[test]
fn rent_of_every_records_account() {
    let mut world = World::new();
    let lab = world.lab();
    let specialist = world.provider();
    let patient = world.patient();
    world.authorize_issuer(&patient, &lab.pubkey());
    let args = World::issue_args(RecordKind::LabResult);
    let record = pda::record(&patient.pubkey(), &args.record_id).0;
    // What an issuance costs the issuer (the fee is World::payer's).
    let lab_before = world.lamports(&lab.pubkey());
    world
        .try_issue(&lab, &patient.pubkey(), args)
        .expect("issue");
    let issuance = lab_before - world.lamports(&lab.pubkey());
    let grant = world.grant_record(&patient, &specialist.pubkey(), &record, 1, DAY);
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
            leaf: None,
        },
    );
    world.send(&[ix], &[&specialist]).expect("request");
    let request = pda::access_request(
        &patient.pubkey(),
        &specialist.pubkey(),
        &pda::patient(&patient.pubkey()).0,
    )
    .0;
    let book_space = records::token::record_book_space(panacea_sdk::rent::RECORD_BOOK_URI).unwrap();

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
        ("Record", record, 238),
        (
            "record book account (one per patient)",
            book_account(&patient.pubkey()),
            174,
        ),
        (
            "record book mint with metadata (one per deployment)",
            book_mint(),
            book_space,
        ),
        ("Grant", grant, 8 + Grant::INIT_SPACE),
        ("AccessRequest", request, 8 + AccessRequest::INIT_SPACE),
    ];
    assert_eq!(Record::SPACE, 238);
    assert_eq!(records::token::record_book_account_space().unwrap(), 174);
    println!("| account | bytes | rent (lamports) |\n| --- | --- | --- |");
    let mut rent = std::collections::HashMap::new();
    for (name, address, expected_len) in rows {
        let account = world.raw(&address).unwrap();
        let len = account.data.len();
        assert_eq!(len, expected_len, "{name}");
        assert_eq!(
            account.lamports,
            world.svm.minimum_balance_for_rent_exemption(len),
            "{name}"
        );
        println!("| {name} | {len} | {} |", account.lamports);
        rent.insert(name, account.lamports);
    }
    // The SDK's table agrees with the accounts on chain.
    let sizes: std::collections::HashMap<_, _> =
        panacea_sdk::rent::account_sizes().into_iter().collect();
    assert_eq!(sizes["Record"], 238);
    assert_eq!(sizes["record book account (one per patient)"], 174);
    assert_eq!(sizes["record book mint (one per deployment)"], book_space);

    // An issued record costs its issuer the Record's rent and nothing else
    // (the book account is the patient's, paid once at registration).
    assert_eq!(issuance, rent["Record"]);
    assert!(
        issuance <= MAX_RECORD_RENT,
        "an issued record costs {issuance} lamports, more than {MAX_RECORD_RENT}"
    );
    let registration = rent["Patient"] + rent["record book account (one per patient)"];
    println!("| record issuance, all in (Record) | - | {issuance} |");
    println!("| patient registration (Patient + book account) | - | {registration} |");
}
