//! `cargo run -p panacea-bench [-- N]`: issues N records (1,000 by default)
//! in-process through the SDK and prints, in one run:
//!
//! - rent per record before the compact layout (the landed layout's sizes:
//!   a 437-byte Record, a 310-byte record mint, the patient's 174-byte
//!   token account, all per record) and now (the Record alone), and the
//!   one-time costs (the deployment's record book mint, each patient's book
//!   account);
//! - records issued per second (each one FHIR-validated, encrypted, stored
//!   in memory, wrapped to the patient and sent as its own transaction);
//! - the same figure for a bare Token-2022 `mint_to` of one token per
//!   transaction in the same runtime, and the ratio of the two (the
//!   program's and the SDK's overhead).
//!
//! Time is wall-clock on this machine; run it with `--release` for
//! figures closer to a deployment (the debug build is what the tests use).

use {
    anchor_lang::solana_program::system_instruction,
    anchor_spl::token_2022::spl_token_2022::{extension::ExtensionType, instruction as token_ix},
    panacea_sdk::{
        backend::{in_process::InProcessBackend, Backend},
        offchain::{BlobStore, EncryptionKeypair},
        ops::patient::AccessTerms,
        records_program::{
            instructions::RegisterEntityArgs,
            pda,
            state::{kinds, EntityKind, Purpose, Record, RecordKind},
            token,
        },
        rent::RECORD_BOOK_URI,
        PanaceaClient,
    },
    solana_keypair::Keypair,
    solana_message::Message,
    solana_signer::Signer,
    solana_transaction::Transaction,
    std::{sync::Arc, time::Instant},
};

/// The landed layout's per-record accounts, before this change.
const OLD_RECORD_BYTES: usize = 437;
const OLD_RECORD_MINT_BYTES: usize = 310;
const OLD_TOKEN_ACCOUNT_BYTES: usize = 174;

const FHIR: &[u8] = br#"{"resourceType": "Observation", "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "2339-0"}]},
    "valueQuantity": {"value": 95, "unit": "mg/dL"}}"#;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("N must be a number of records"))
        .unwrap_or(1_000);
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(run(n));
}

async fn run(n: usize) {
    let (payer, deployer, admin) = (Keypair::new(), Keypair::new(), Keypair::new());
    let svm = panacea_runtime::deployment(
        &deployer.pubkey(),
        1_795_219_200,
        &[(payer.pubkey(), 1_000_000_000_000)],
    )
    .expect("deployment");
    let backend = Arc::new(InProcessBackend::new(svm));
    let client = PanaceaClient::new(backend.clone(), payer.insecure_clone());
    client
        .initialize_registry(&deployer, admin.pubkey(), 3600, "bench")
        .await
        .expect("registry");
    client
        .initialize_record_book(&admin, RECORD_BOOK_URI)
        .await
        .expect("record book");
    let (lab, lab_keys) = (Keypair::new(), EncryptionKeypair::generate());
    backend
        .svm()
        .airdrop(&lab.pubkey(), 1_000_000_000_000)
        .expect("airdrop");
    let now = backend.unix_timestamp().await.expect("clock");
    client
        .register_entity(
            &admin,
            &lab,
            RegisterEntityArgs {
                kind: EntityKind::Laboratory,
                credential_commitment: [1; 32],
                jurisdiction: *b"US\0\0\0\0\0\0",
                valid_until: now + 365 * 86_400,
                encryption_key: lab_keys.public_key_bytes(),
            },
        )
        .await
        .expect("lab");
    let (patient, patient_keys) = (Keypair::new(), EncryptionKeypair::generate());
    client
        .register_patient(&patient, &patient_keys, None)
        .await
        .expect("patient");
    client
        .authorize_issuer(
            &patient,
            &patient.pubkey(),
            &lab.pubkey(),
            kinds::ALL,
            AccessTerms {
                permissions: 0,
                purpose: Purpose::Treatment,
                duration: 365 * 86_400,
            },
        )
        .await
        .expect("care link");

    // Rent.
    let rent = |bytes: usize| backend.svm().minimum_balance_for_rent_exemption(bytes);
    let before =
        rent(OLD_RECORD_BYTES) + rent(OLD_RECORD_MINT_BYTES) + rent(OLD_TOKEN_ACCOUNT_BYTES);
    let now_per_record = rent(Record::SPACE);
    let book_mint = rent(token::record_book_space(RECORD_BOOK_URI).expect("book size"));
    let book_account = rent(token::record_book_account_space().expect("book account size"));
    let measured_book_mint = backend
        .get_account(&pda::record_book().0)
        .await
        .expect("read")
        .expect("book mint")
        .lamports;
    let measured_book_account = backend
        .get_account(&pda::record_book_account(&patient.pubkey()))
        .await
        .expect("read")
        .expect("book account")
        .lamports;
    assert_eq!(
        (measured_book_mint, measured_book_account),
        (book_mint, book_account)
    );

    // Records per second through the SDK.
    let store = BlobStore::in_memory();
    let lab_before = backend
        .get_account(&lab.pubkey())
        .await
        .expect("read")
        .expect("lab")
        .lamports;
    let started = Instant::now();
    let lab_client = PanaceaClient::new(backend.clone(), lab.insecure_clone());
    for _ in 0..n {
        lab_client
            .issue_record(&lab, &patient.pubkey(), RecordKind::LabResult, FHIR, &store)
            .await
            .expect("issue");
    }
    let issue_secs = started.elapsed().as_secs_f64();
    let lab_after = backend
        .get_account(&lab.pubkey())
        .await
        .expect("read")
        .expect("lab")
        .lamports;
    let book = client
        .record_book_balance(&patient.pubkey())
        .await
        .expect("book")
        .expect("book account");
    assert_eq!(book, n as u64, "the book counts every record issued");

    // A bare Token-2022 mint_to of one token per transaction.
    let mint = Keypair::new();
    let space = ExtensionType::try_calculate_account_len::<
        anchor_spl::token_2022::spl_token_2022::state::Mint,
    >(&[])
    .expect("mint size");
    let token_2022 = anchor_spl::token_2022::ID;
    let holder = anchor_spl::associated_token::get_associated_token_address_with_program_id(
        &patient.pubkey(),
        &mint.pubkey(),
        &token_2022,
    );
    let setup = [
        system_instruction::create_account(
            &payer.pubkey(),
            &mint.pubkey(),
            rent(space),
            space as u64,
            &token_2022,
        ),
        token_ix::initialize_mint2(&token_2022, &mint.pubkey(), &payer.pubkey(), None, 0)
            .expect("init mint"),
        anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account(
            &payer.pubkey(),
            &patient.pubkey(),
            &mint.pubkey(),
            &token_2022,
        ),
    ];
    send(&backend, &payer, &setup, &[&mint]);
    let started = Instant::now();
    for _ in 0..n {
        let ix = token_ix::mint_to(
            &token_2022,
            &mint.pubkey(),
            &holder,
            &payer.pubkey(),
            &[],
            1,
        )
        .expect("mint_to");
        send(&backend, &payer, &[ix], &[]);
    }
    let mint_secs = started.elapsed().as_secs_f64();

    let per_second = |secs: f64| n as f64 / secs;
    println!(
        "Panacea record cost benchmark ({n} records, in-process, {} build)",
        build()
    );
    println!();
    println!("rent per record");
    println!(
        "  before (Record 437 B + record mint 310 B + token account 174 B): {before:>12} lamports"
    );
    println!(
        "  now    (Record {} B; the book moves, nothing is created):          {now_per_record:>12} lamports",
        Record::SPACE
    );
    println!(
        "  saved: {:.1}% ({:.2}x cheaper)",
        100.0 * (before - now_per_record) as f64 / before as f64,
        before as f64 / now_per_record as f64
    );
    println!(
        "  paid by the issuer for {n} records: {} lamports ({} per record)",
        lab_before - lab_after,
        (lab_before - lab_after) / n as u64
    );
    println!("one-time");
    println!("  record book mint (per deployment, with metadata):               {book_mint:>12} lamports");
    println!("  patient's record book account (per patient, at registration):   {book_account:>12} lamports");
    println!("throughput");
    println!(
        "  records issued per second (SDK: validate, encrypt, store, wrap, send): {:>9.1}",
        per_second(issue_secs)
    );
    println!(
        "  bare Token-2022 mint_to per second (one token per transaction):       {:>9.1}",
        per_second(mint_secs)
    );
    println!(
        "  overhead: one record costs {:.2}x a bare mint_to",
        issue_secs / mint_secs
    );
}

fn send(
    backend: &InProcessBackend,
    payer: &Keypair,
    ixs: &[anchor_lang::solana_program::instruction::Instruction],
    signers: &[&Keypair],
) {
    let mut svm = backend.svm();
    svm.expire_blockhash();
    let mut all = vec![payer];
    all.extend_from_slice(signers);
    let message = Message::new(ixs, Some(&payer.pubkey()));
    let tx = Transaction::new(&all, message, svm.latest_blockhash());
    svm.send_transaction(tx).expect("transaction");
}

fn build() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}
