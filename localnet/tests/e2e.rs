//! The whole story over JSON-RPC: a localnet on free ports, the SDK's
//! `RpcBackend`, and every step confirmed by a real validator.

use {
    claims::{
        instructions::CreatePolicyArgs,
        state::{Claim, ClaimStatus, Policy},
    },
    consent::state::{actions, ConsentPurpose, ConsentTerms, Decision},
    panacea_localnet::{start, LocalnetConfig},
    panacea_sdk::{
        audit::audit_trail,
        backend::{rpc::RpcBackend, Backend},
        offchain::{BlobStore, EncryptionKeypair},
        ops::{patient::sign_consent_message, provider::random_id},
        PanaceaClient,
    },
    records::{
        instructions::{RegisterEntityArgs, RequestAccessArgs},
        state::{kinds, permissions, EntityKind, GrantScope, Purpose, RecordKind},
    },
    solana_commitment_config::CommitmentConfig,
    solana_keypair::Keypair,
    solana_signer::Signer,
    std::{
        sync::Arc,
        time::{Duration, Instant},
    },
};

const SOL: u64 = 1_000_000_000;
const FHIR: &[u8] =
    br#"{"resourceType": "Observation", "status": "final", "code": {"text": "HbA1c"}}"#;

#[test]
fn the_whole_story_over_json_rpc() {
    let deployer = Keypair::new();
    let payer = Keypair::new();
    let booted = Instant::now();
    let localnet = start(LocalnetConfig {
        rpc_port: None,
        ledger: None,
        upgrade_authority: deployer.pubkey(),
        airdrops: vec![(payer.pubkey(), 1_000 * SOL), (deployer.pubkey(), 10 * SOL)],
    })
    .expect("localnet starts");
    println!(
        "validator ready in {:.1} s at {}",
        booted.elapsed().as_secs_f64(),
        localnet.rpc_url()
    );
    let story = Instant::now();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let backend = Arc::new(RpcBackend::new(
            localnet.rpc_url(),
            CommitmentConfig::confirmed(),
        ));
        let client = PanaceaClient::new(backend.clone(), payer);
        let admin = Keypair::new();
        client
            .initialize_registry(&deployer, admin.pubkey(), 3600, "localnet")
            .await
            .expect("registry");
        client
            .initialize_record_book(&admin, panacea_sdk::rent::RECORD_BOOK_URI)
            .await
            .expect("record book");

        let now = backend.unix_timestamp().await.unwrap();
        let mut register = Vec::new();
        for kind in [
            EntityKind::Laboratory,
            EntityKind::Provider,
            EntityKind::Insurer,
        ] {
            let (key, enc) = (Keypair::new(), EncryptionKeypair::generate());
            let args = RegisterEntityArgs {
                kind,
                credential_commitment: [1; 32],
                jurisdiction: *b"US\0\0\0\0\0\0",
                valid_until: now + 365 * 86_400,
                encryption_key: enc.public_key_bytes(),
            };
            client
                .register_entity(&admin, &key, args)
                .await
                .expect("register entity");
            // Issuers pay their records' rent.
            let fund = anchor_lang::solana_program::system_instruction::transfer(
                &client.payer(),
                &key.pubkey(),
                1_000_000_000,
            );
            client.send(&[fund], &[]).await.expect("fund entity");
            register.push((key, enc));
        }
        let (insurer, _) = register.pop().unwrap();
        let (specialist, specialist_keys) = register.pop().unwrap();
        let (lab, _) = register.pop().unwrap();
        let (patient, patient_keys) = (Keypair::new(), EncryptionKeypair::generate());
        client
            .register_patient(&patient, &patient_keys, None)
            .await
            .expect("patient");
        // The patient makes the lab their care link for lab results.
        client
            .authorize_issuer(
                &patient,
                &patient.pubkey(),
                &lab.pubkey(),
                RecordKind::LabResult.bit(),
                panacea_sdk::ops::patient::AccessTerms {
                    permissions: 0,
                    purpose: Purpose::Treatment,
                    duration: 365 * 86_400,
                },
            )
            .await
            .expect("care link");

        let store = BlobStore::in_memory();
        let (issued, _, _) = client
            .issue_record(&lab, &patient.pubkey(), RecordKind::LabResult, FHIR, &store)
            .await
            .expect("issue");
        let record = issued.address("record").unwrap();
        assert_eq!(
            client
                .read_own_record(&record, &patient_keys, &store)
                .await
                .unwrap(),
            FHIR
        );

        let ask = RequestAccessArgs {
            scope: GrantScope::Record,
            kinds: 0,
            permissions: permissions::READ,
            purpose: Purpose::Treatment,
            duration: 86_400,
            reason_code: 1,
            leaf: None,
        };
        client
            .request_access(&specialist, &patient.pubkey(), &record, ask)
            .await
            .expect("request");
        let grant = client
            .approve_access_request(
                &patient,
                &patient.pubkey(),
                &specialist.pubkey(),
                &record,
                &patient_keys,
                &store,
            )
            .await
            .expect("approve")
            .address("grant")
            .unwrap();
        assert_eq!(
            client
                .read_record(&grant, &record, &specialist_keys, &store)
                .await
                .unwrap(),
            FHIR
        );
        client
            .log_access(&specialist, &grant, &record)
            .await
            .expect("log access");

        let terms = ConsentTerms {
            decision: Decision::Permit,
            kinds: kinds::ALL,
            actions: actions::ACCESS,
            period_start: now - 60,
            period_end: now + 86_400,
            policy_commitment: [2; 32],
        };
        let message = client
            .consent_message(
                &patient.pubkey(),
                &insurer.pubkey(),
                ConsentPurpose::Payment,
                Some(terms),
            )
            .await
            .unwrap();
        let signature = sign_consent_message(&patient, &message).unwrap();
        client
            .relay_consent(&message, &signature)
            .await
            .expect("relayed consent");

        // A payout mint, the insurer's and the lab's token accounts.
        let token = anchor_spl::token::ID;
        let mint = Keypair::new();
        let accounts = client
            .create_funded_mint(
                &mint,
                6,
                &token,
                &[(insurer.pubkey(), 5_000_000), (lab.pubkey(), 0)],
            )
            .await
            .expect("mint");
        let (insurer_tokens, lab_tokens) = (accounts[0], accounts[1]);

        let adjudicator = Keypair::new();
        let args = CreatePolicyArgs {
            policy_id: random_id(),
            adjudicator: adjudicator.pubkey(),
            coverage_limit: 4_000_000,
            deductible: 0,
            copay_bps: 0,
            auto_approve_limit: 1_000_000,
            provider_auto_approve_cap: 4_000_000,
            auto_approve_period: 30 * 86_400,
            challenge_window: 2,
            appeal_window: 86_400,
            review_window: 30 * 86_400,
            valid_from: now - 60,
            valid_until: now + 86_400,
        };
        let policy = client
            .create_policy(&insurer, &patient.pubkey(), &mint.pubkey(), &token, args)
            .await
            .expect("policy")
            .address("policy")
            .unwrap();
        client
            .fund_policy(&insurer, &policy, &insurer_tokens, 3_000_000)
            .await
            .expect("fund");
        let claim = client
            .submit_claim(&lab, &policy, &[record], 250_000, [3; 32])
            .await
            .expect("claim")
            .address("claim")
            .unwrap();
        let state: Claim = client.get(&claim).await.unwrap();
        assert_eq!(state.status, ClaimStatus::Approved);

        // Wait out the challenge window on the validator's clock.
        let deadline = Instant::now() + Duration::from_secs(120);
        while backend.unix_timestamp().await.unwrap() < state.settle_after {
            assert!(Instant::now() < deadline, "the validator's clock stopped");
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
        client
            .settle_claim(&claim, Some(&lab_tokens))
            .await
            .expect("settle");
        assert_eq!(
            client.get::<Claim>(&claim).await.unwrap().status,
            ClaimStatus::Paid
        );
        assert_eq!(client.get::<Policy>(&policy).await.unwrap().paid, 250_000);

        // The node indexes transaction history as slots are rooted: wait
        // until everything above is finalized, then read the trail there.
        backend
            .wait_for_finalization(Duration::from_secs(120))
            .await
            .expect("finalized");
        let finalized = Arc::new(RpcBackend::new(
            localnet.rpc_url(),
            CommitmentConfig::finalized(),
        ));
        let reader = PanaceaClient::new(finalized, Keypair::new());
        let trail = audit_trail(&reader, &patient.pubkey())
            .await
            .expect("audit trail");
        let names: Vec<&str> = trail.iter().map(|e| e.event.name()).collect();
        for expected in [
            "PatientRegistered",
            "RecordIssued",
            "AccessRequested",
            "AccessGranted",
            "AccessLogged",
            "ConsentChanged",
            "PolicyCreated",
            "ClaimSubmitted",
            "ClaimSettled",
        ] {
            assert!(
                names.contains(&expected),
                "{expected} missing from {names:?}"
            );
        }
        let position = |name: &str| names.iter().position(|n| *n == name).unwrap();
        assert!(position("RecordIssued") < position("AccessLogged"));
        assert!(position("ClaimSubmitted") < position("ClaimSettled"));
    });
    println!(
        "story over JSON-RPC: {:.1} s",
        story.elapsed().as_secs_f64()
    );
}
