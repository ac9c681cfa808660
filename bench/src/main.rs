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
//! - compressed records (leaves of a `records` record tree, buffer 64,
//!   canopy 10) at depths 14, 20 and 24: the tree's rent, the fee and the
//!   lamports per record at capacity, proof bytes, records issued per
//!   second (one writer; several writers whose transactions are all built
//!   before any lands), and the transaction bytes of `log_access` and
//!   `submit_claim` with 1 to 8 compressed records, legacy and v0 with an
//!   address lookup table (how many fit in 1,232 bytes).
//!
//! Time is wall-clock on this machine; run it with `--release` for
//! figures closer to a deployment (the debug build is what the tests use).

use {
    anchor_lang::{
        prelude::Pubkey,
        solana_program::{instruction::Instruction, system_instruction},
        AnchorSerialize,
    },
    anchor_spl::token_2022::spl_token_2022::{extension::ExtensionType, instruction as token_ix},
    panacea_sdk::{
        backend::{in_process::InProcessBackend, Backend},
        claims as cl,
        claims_program::instructions::SubmitClaimArgs,
        compression::{
            legacy_transaction_size, proof_bytes, v0_transaction_size, PACKET_DATA_SIZE,
        },
        offchain::{BlobStore, EncryptionKeypair},
        ops::patient::AccessTerms,
        records as rx,
        records_program::{
            instructions::{LogAccessArgs, RegisterEntityArgs},
            pda,
            state::{kinds, EntityKind, Purpose, Record, RecordKind},
            token,
        },
        rent::RECORD_BOOK_URI,
        PanaceaClient,
    },
    solana_keypair::Keypair,
    solana_message::{AddressLookupTableAccount, Message},
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

    compressed(n, &client, &backend, &admin, &lab, &patient).await;
}

/// Writers that each build their issue before any lands.
const WRITERS: usize = 8;

/// Compressed records: rent and fee per record at depths 14, 20 and 24
/// (buffer 64, canopy 10), records issued per second (one writer; several
/// writers whose transactions are all built before any lands), proof bytes,
/// and the transaction bytes of `log_access` and `submit_claim` with
/// compressed records, legacy and v0 with an address lookup table.
async fn compressed(
    n: usize,
    client: &PanaceaClient<InProcessBackend>,
    backend: &Arc<InProcessBackend>,
    admin: &Keypair,
    lab: &Keypair,
    patient: &Keypair,
) {
    let store = BlobStore::in_memory();
    let lab_client = PanaceaClient::new(backend.clone(), lab.insecure_clone());
    let balance = |key: Pubkey| async move {
        backend
            .get_account(&key)
            .await
            .expect("read")
            .map_or(0, |a| a.lamports)
    };
    println!();
    println!("compressed records (buffer 64, canopy 10)");
    println!(
        "  depth  capacity     tree bytes   rent (lamports)  rent/record  fee/record  lamports/record at capacity  proof bytes  LeafProof bytes"
    );
    let mut sizes = Vec::new();
    for depth in [14u8, 20, 24] {
        let tree = lab_client
            .create_record_tree(lab, depth, 64, 10, false)
            .await
            .expect("tree")
            .address("tree")
            .expect("tree address");
        let account = lab_client.record_tree(&tree).await.expect("tree account");
        let before = balance(lab.pubkey()).await;
        const ISSUED: usize = 8;
        for _ in 0..ISSUED {
            lab_client
                .issue_record_into(
                    lab,
                    &patient.pubkey(),
                    RecordKind::LabResult,
                    FHIR,
                    &store,
                    Some(tree),
                )
                .await
                .expect("compressed issue");
        }
        let fee = (before - balance(lab.pubkey()).await) / ISSUED as u64;
        let capacity = 1u64 << depth;
        let index = lab_client.tree_index(&tree).await.expect("index");
        let proofs: Vec<_> = (0..ISSUED as u32)
            .map(|i| index.proof(i).expect("proof"))
            .collect();
        let mut leaf = Vec::new();
        proofs[0].serialize(&mut leaf).expect("borsh");
        let leaf_bytes = leaf.len();
        println!(
            "  {depth:>5}  {capacity:>10}  {:>11}  {:>15}  {:>11.1}  {fee:>10}  {:>27.1}  {:>11}  {leaf_bytes:>15}",
            account.space,
            account.lamports,
            account.lamports as f64 / capacity as f64,
            account.lamports as f64 / capacity as f64 + fee as f64,
            proof_bytes(u32::from(depth), 10),
        );
        sizes.push((depth, tree, proofs));
    }

    println!("transaction bytes with compressed records (limit {PACKET_DATA_SIZE}; v0: every account but signers and programs in one lookup table)");
    let grantee = Keypair::new().pubkey();
    let (policy, insurer) = (Pubkey::new_unique(), Pubkey::new_unique());
    for (depth, tree, proofs) in &sizes {
        let log = rx::log_access_with(
            &grantee,
            &Pubkey::new_unique(),
            tree,
            LogAccessArgs {
                leaf: Some(proofs[0].clone()),
            },
        );
        let (legacy, v0) = tx_sizes(&log, &grantee);
        println!(
            "  depth {depth}: log_access, 1 record: legacy {legacy} B, v0 + lookup table {v0} B"
        );
        let mut fit = (0, 0);
        let mut line = Vec::new();
        for k in 1..=proofs.len() {
            let billed: Vec<cl::BilledRecord> = proofs[..k]
                .iter()
                .map(|p| cl::BilledRecord {
                    record: *tree,
                    origin: p.record.origin,
                })
                .collect();
            let claim = cl::submit_claim(
                &lab.pubkey(),
                &lab.pubkey(),
                &policy,
                &insurer,
                &patient.pubkey(),
                &billed,
                SubmitClaimArgs {
                    claim_id: [7; 16],
                    amount_billed: 1,
                    service_commitment: [1; 32],
                    leaves: proofs[..k].to_vec(),
                },
            );
            let (legacy, v0) = tx_sizes(&claim, &lab.pubkey());
            if legacy <= PACKET_DATA_SIZE {
                fit.0 = k;
            }
            if v0 <= PACKET_DATA_SIZE {
                fit.1 = k;
            }
            line.push(format!("{k}: {legacy}/{v0}"));
        }
        println!(
            "  depth {depth}: submit_claim, records: legacy/v0 bytes {}; fit in {PACKET_DATA_SIZE}: {} legacy, {} v0",
            line.join(", "),
            fit.0,
            fit.1
        );
    }

    // One writer: the SDK's issue, one transaction each, into the depth-20 tree.
    let (_, tree20, _) = &sizes[1];
    let started = Instant::now();
    for _ in 0..n {
        lab_client
            .issue_record_into(
                lab,
                &patient.pubkey(),
                RecordKind::LabResult,
                FHIR,
                &store,
                Some(*tree20),
            )
            .await
            .expect("compressed issue");
    }
    let one_writer = n as f64 / started.elapsed().as_secs_f64();

    // Several writers: WRITERS issuers on a shared tree, each round every
    // writer builds (seals, stores, wraps, signs) its transaction against the
    // same tree state, then all are sent in one slot.
    let shared = client
        .create_record_tree(admin, 20, 64, 10, true)
        .await
        .expect("shared tree")
        .address("tree")
        .expect("tree address");
    let now = backend.unix_timestamp().await.expect("clock");
    let mut writers = Vec::with_capacity(WRITERS);
    for _ in 0..WRITERS {
        let writer = Keypair::new();
        backend
            .svm()
            .airdrop(&writer.pubkey(), 10_000_000_000)
            .expect("airdrop");
        client
            .register_entity(
                admin,
                &writer,
                RegisterEntityArgs {
                    kind: EntityKind::Laboratory,
                    credential_commitment: [1; 32],
                    jurisdiction: *b"US\0\0\0\0\0\0",
                    valid_until: now + 365 * 86_400,
                    encryption_key: EncryptionKeypair::generate().public_key_bytes(),
                },
            )
            .await
            .expect("writer");
        client
            .authorize_issuer(
                patient,
                &patient.pubkey(),
                &writer.pubkey(),
                kinds::ALL,
                AccessTerms {
                    permissions: 0,
                    purpose: Purpose::Treatment,
                    duration: 365 * 86_400,
                },
            )
            .await
            .expect("care link");
        writers.push(writer);
    }
    let rounds = n.div_ceil(WRITERS);
    let started = Instant::now();
    for _ in 0..rounds {
        let blockhash = backend.latest_blockhash().await.expect("blockhash").0;
        let mut txs = Vec::with_capacity(WRITERS);
        for writer in &writers {
            let prepared = client
                .prepare_compressed_issue(
                    &writer.pubkey(),
                    &patient.pubkey(),
                    RecordKind::LabResult,
                    FHIR,
                    &store,
                    &shared,
                )
                .await
                .expect("prepared");
            let message = Message::new(&[prepared.instruction], Some(&writer.pubkey()));
            txs.push(Transaction::new(&[writer], message, blockhash));
        }
        for tx in &txs {
            backend.send(tx).await.expect("sent");
            assert_eq!(
                backend
                    .signature_status(&tx.signatures[0])
                    .await
                    .expect("status"),
                Some(Ok(())),
                "every append built before any landed lands"
            );
        }
        backend.svm().expire_blockhash();
    }
    let several = (rounds * WRITERS) as f64 / started.elapsed().as_secs_f64();
    let account = client.record_tree(&shared).await.expect("shared tree");
    assert_eq!(account.account.records, (rounds * WRITERS) as u64);
    let index = client.rebuild_tree_index(&shared).await.expect("index");
    assert_eq!(index.root(), account.root, "the index rebuilt from events");
    println!("throughput (compressed, depth 20)");
    println!("  records issued per second, one writer (SDK: validate, encrypt, store, wrap, send): {one_writer:>9.1}");
    println!(
        "  records issued per second, {WRITERS} writers, all {WRITERS} transactions of a slot built first: {several:>9.1} ({} records, all landed)",
        rounds * WRITERS
    );
}

/// Legacy and v0 (every non-signer, non-program account in one lookup
/// table) sizes of `ix` paid by `payer`, with the compute-unit limit the
/// SDK prepends.
fn tx_sizes(ix: &Instruction, payer: &Pubkey) -> (usize, usize) {
    let legacy = legacy_transaction_size(std::slice::from_ref(ix), payer, true);
    let addresses: Vec<Pubkey> = ix
        .accounts
        .iter()
        .filter(|m| !m.is_signer && m.pubkey != ix.program_id)
        .map(|m| m.pubkey)
        .collect();
    let table = AddressLookupTableAccount {
        key: Pubkey::new_unique(),
        addresses,
    };
    let v0 =
        v0_transaction_size(std::slice::from_ref(ix), payer, &[table], true).expect("v0 message");
    (legacy, v0)
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
