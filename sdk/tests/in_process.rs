//! Every high-level operation of every actor, through the in-process
//! backend, compared with what was asked; the off-chain failures; and proof
//! that no plaintext of the FHIR payload reaches any account, event or log.

use {
    anchor_spl::{
        associated_token::{
            get_associated_token_address_with_program_id,
            spl_associated_token_account::instruction::create_associated_token_account,
        },
        token_2022::spl_token_2022::{
            extension::StateWithExtensions, instruction as token_ix, state::Account as TokenAccount,
        },
    },
    claims::{
        instructions::CreatePolicyArgs,
        state::{Claim, ClaimStatus, Policy},
    },
    consent::state::{
        actions, Consent, ConsentPurpose, ConsentStatus, ConsentTerms, Decision, SignedVia,
    },
    panacea_sdk::{
        audit::{audit_event_to_fhir, audit_trail, consent_to_fhir},
        backend::{in_process::InProcessBackend, Backend},
        events::PanaceaEvent,
        offchain::{BlobStore, EncryptionKeypair, OffchainError},
        ops::{
            patient::{sign_consent_message, verify_consent_message, AccessTerms},
            provider::{derived_record_id, random_id},
        },
        rent, PanaceaClient, Pubkey, SdkError,
    },
    records::{
        instructions::{RegisterEntityArgs, RequestAccessArgs},
        state::{
            kinds, permissions, EntityKind, Grant, GrantScope, Purpose, Record, RecordKind,
            RecordStatus,
        },
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
    std::sync::Arc,
};

const DAY: i64 = 86_400;
const PATIENT_NAME: &str = "Jane Q. Testpatient";
const OBSERVATION: &str = r#"{
  "resourceType": "Observation",
  "status": "final",
  "code": {"coding": [{"system": "http://loinc.org", "code": "2339-0", "display": "Glucose"}]},
  "subject": {"display": "Jane Q. Testpatient"},
  "valueQuantity": {"value": 6.3, "unit": "mmol/L"}
}"#;

struct Actor {
    key: Keypair,
    enc: EncryptionKeypair,
}

impl Actor {
    fn new() -> Self {
        Self {
            key: Keypair::new(),
            enc: EncryptionKeypair::generate(),
        }
    }
    fn pubkey(&self) -> Pubkey {
        self.key.pubkey()
    }
}

struct Scene {
    client: PanaceaClient<InProcessBackend>,
    backend: Arc<InProcessBackend>,
    store: BlobStore,
    admin: Keypair,
    lab: Actor,
    specialist: Actor,
    colleague: Actor,
    insurer: Actor,
    patient: Actor,
}

async fn scene() -> Scene {
    let upgrade_authority = Keypair::new();
    let payer = Keypair::new();
    let svm = panacea_runtime::deployment(
        &upgrade_authority.pubkey(),
        1_795_219_200,
        &[
            (payer.pubkey(), 100_000_000_000),
            (upgrade_authority.pubkey(), 1_000_000_000),
        ],
    )
    .unwrap();
    let backend = Arc::new(InProcessBackend::new(svm));
    let client = PanaceaClient::new(backend.clone(), payer);
    let admin = Keypair::new();
    let outcome = client
        .initialize_registry(&upgrade_authority, admin.pubkey(), 4 * 3600, "localnet")
        .await
        .unwrap();
    let config: records::state::RegistryConfig = client
        .get(&outcome.address("config").unwrap())
        .await
        .unwrap();
    assert_eq!(config.admin, admin.pubkey());
    assert_eq!(config.deployment, "localnet");
    // A retry of the same operation finds what already landed.
    assert!(
        client
            .initialize_registry(&upgrade_authority, admin.pubkey(), 4 * 3600, "localnet")
            .await
            .unwrap()
            .already_existed
    );

    let mut scene = Scene {
        client,
        backend,
        store: BlobStore::in_memory(),
        admin,
        lab: Actor::new(),
        specialist: Actor::new(),
        colleague: Actor::new(),
        insurer: Actor::new(),
        patient: Actor::new(),
    };
    // Issuers pay their records' rent.
    for actor in [&scene.lab, &scene.specialist, &scene.colleague] {
        scene
            .backend
            .svm()
            .airdrop(&actor.pubkey(), 10_000_000_000)
            .unwrap();
    }
    for (actor, kind) in [
        (&scene.lab, EntityKind::Laboratory),
        (&scene.specialist, EntityKind::Provider),
        (&scene.colleague, EntityKind::Provider),
        (&scene.insurer, EntityKind::Insurer),
    ] {
        let args = RegisterEntityArgs {
            kind,
            credential_commitment: [1; 32],
            jurisdiction: *b"US\0\0\0\0\0\0",
            valid_until: 1_795_219_200 + 365 * DAY,
            encryption_key: actor.enc.public_key_bytes(),
        };
        let outcome = scene
            .client
            .register_entity(&scene.admin, &actor.key, args)
            .await
            .unwrap();
        let entity: records::state::Entity = scene
            .client
            .get(&outcome.address("entity").unwrap())
            .await
            .unwrap();
        assert_eq!(
            (entity.authority, entity.kind, entity.encryption_key),
            (actor.pubkey(), kind, actor.enc.public_key_bytes())
        );
    }
    let outcome = scene
        .client
        .initialize_record_book(&scene.admin, panacea_sdk::rent::RECORD_BOOK_URI)
        .await
        .unwrap();
    assert_eq!(
        outcome.address("record_book"),
        Some(records::pda::record_book().0)
    );
    let outcome = scene
        .client
        .register_patient(&scene.patient.key, &scene.patient.enc, None)
        .await
        .unwrap();
    let profile = scene
        .client
        .patient_profile(&scene.patient.pubkey())
        .await
        .unwrap();
    assert_eq!(
        (profile.authority, profile.encryption_key),
        (scene.patient.pubkey(), scene.patient.enc.public_key_bytes())
    );
    assert_eq!(
        outcome.address("patient"),
        Some(records::pda::patient(&scene.patient.pubkey()).0)
    );
    // The patient's care links: who may issue records to them.
    for issuer in [&scene.lab, &scene.specialist, &scene.colleague] {
        let outcome = scene
            .client
            .authorize_issuer(
                &scene.patient.key,
                &scene.patient.pubkey(),
                &issuer.pubkey(),
                records::state::kinds::ALL,
                panacea_sdk::ops::patient::AccessTerms {
                    permissions: 0,
                    purpose: records::state::Purpose::Treatment,
                    duration: 365 * DAY,
                },
            )
            .await
            .unwrap();
        let link: records::state::Grant = scene
            .client
            .get(&outcome.address("grant").unwrap())
            .await
            .unwrap();
        assert_eq!(link.permissions, records::state::permissions::ISSUE);
    }
    scene.store = BlobStore::in_memory();
    scene
}

impl Scene {
    async fn issue(&self) -> Pubkey {
        let (outcome, sealed, _) = self
            .client
            .issue_record(
                &self.lab.key,
                &self.patient.pubkey(),
                RecordKind::LabResult,
                OBSERVATION.as_bytes(),
                &self.store,
            )
            .await
            .unwrap();
        let record = outcome.address("record").unwrap();
        let state: Record = self.client.get(&record).await.unwrap();
        assert_eq!(
            (state.issuer, state.patient, state.kind),
            (
                self.lab.pubkey(),
                self.patient.pubkey(),
                RecordKind::LabResult
            )
        );
        assert_eq!(
            (state.commitment, state.content_commitment),
            (sealed.commitment, sealed.content_commitment)
        );
        assert_eq!(
            panacea_sdk::offchain::blob_uri(&state.commitment),
            sealed.uri
        );
        record
    }
}

#[tokio::test]
async fn every_actor_every_operation_in_process() {
    let s = scene().await;
    let patient = s.patient.pubkey();

    // Lab: a FHIR Observation becomes an encrypted blob and a record token.
    let record = s.issue().await;
    assert_eq!(
        s.client
            .read_own_record(&record, &s.patient.enc, &s.store)
            .await
            .unwrap(),
        OBSERVATION.as_bytes()
    );

    // Specialist asks; the patient approves, handing over the key; the specialist reads and logs.
    let ask = RequestAccessArgs {
        scope: GrantScope::Record,
        kinds: 0,
        permissions: permissions::READ,
        purpose: Purpose::Treatment,
        duration: 7 * DAY,
        reason_code: 4,
        leaf: None,
    };
    let request = s
        .client
        .request_access(&s.specialist.key, &patient, &record, ask)
        .await
        .unwrap();
    assert!(s
        .client
        .backend()
        .get_account(&request.address("access_request").unwrap())
        .await
        .unwrap()
        .is_some());
    let approved = s
        .client
        .approve_access_request(
            &s.patient.key,
            &patient,
            &s.specialist.pubkey(),
            &record,
            &s.patient.enc,
            &s.store,
        )
        .await
        .unwrap();
    let grant = approved.address("grant").unwrap();
    let state: Grant = s.client.get(&grant).await.unwrap();
    assert_eq!(
        (state.grantee, state.target, state.permissions),
        (s.specialist.pubkey(), record, permissions::READ)
    );
    assert_eq!(
        s.client
            .read_record(&grant, &record, &s.specialist.enc, &s.store)
            .await
            .unwrap(),
        OBSERVATION.as_bytes()
    );
    s.client
        .log_access(&s.specialist.key, &grant, &record)
        .await
        .unwrap();
    assert_eq!(s.client.get::<Grant>(&grant).await.unwrap().access_count, 1);

    // A colleague granted directly by the patient.
    let terms = AccessTerms {
        permissions: permissions::READ,
        purpose: Purpose::Treatment,
        duration: DAY,
    };
    let colleague_grant = s
        .client
        .grant_access(
            &s.patient.key,
            &patient,
            &record,
            &s.colleague.pubkey(),
            terms.clone(),
            &s.patient.enc,
            &s.store,
        )
        .await
        .unwrap()
        .address("grant")
        .unwrap();
    assert_eq!(
        s.client
            .read_record(&colleague_grant, &record, &s.colleague.enc, &s.store)
            .await
            .unwrap(),
        OBSERVATION.as_bytes()
    );
    assert!(
        s.client
            .grant_access(
                &s.patient.key,
                &patient,
                &record,
                &s.colleague.pubkey(),
                terms,
                &s.patient.enc,
                &s.store
            )
            .await
            .unwrap()
            .already_existed
    );

    // Revoking the specialist re-keys the record; the colleague keeps access, the specialist loses it.
    s.client
        .revoke_and_rekey(&s.patient.key, &patient, &grant, &s.patient.enc, &s.store)
        .await
        .unwrap();
    assert_eq!(
        s.client
            .read_record(&colleague_grant, &record, &s.colleague.enc, &s.store)
            .await
            .unwrap(),
        OBSERVATION.as_bytes()
    );
    let revoked = s
        .client
        .read_record(&grant, &record, &s.specialist.enc, &s.store)
        .await;
    assert!(
        matches!(revoked, Err(SdkError::Offchain(OffchainError::Decrypt))),
        "{revoked:?}"
    );
    let refused = s
        .client
        .log_access(&s.specialist.key, &grant, &record)
        .await
        .unwrap_err();
    assert_eq!(refused.program_error_name(), Some("GrantRevoked"));
    assert_eq!(
        refused.landed(),
        Some(false),
        "refused in simulation: nothing landed"
    );

    // Break-glass by the colleague.
    let emergency = s
        .client
        .emergency_access(&s.colleague.key, &patient, 911, 3600)
        .await
        .unwrap();
    let state: Grant = s
        .client
        .get(&emergency.address("grant").unwrap())
        .await
        .unwrap();
    assert!(state.emergency);

    // Consent for payment, signed in the wallet, relayed by the client's payer.
    let terms = ConsentTerms {
        decision: Decision::Permit,
        kinds: kinds::ALL,
        actions: actions::ACCESS,
        period_start: 1_795_219_200,
        period_end: 1_795_219_200 + 365 * DAY,
        policy_commitment: [5; 32],
    };
    let message = s
        .client
        .consent_message(
            &patient,
            &s.insurer.pubkey(),
            ConsentPurpose::Payment,
            Some(terms),
        )
        .await
        .unwrap();
    let signature = sign_consent_message(&s.patient.key, &message).unwrap();
    assert!(verify_consent_message(&patient, &message, &signature));
    assert!(!verify_consent_message(
        &s.lab.pubkey(),
        &message,
        &signature
    ));
    // The signature is over the off-chain message envelope (what a Ledger
    // or a wallet's off-chain signing produces), not over the bare text.
    assert!(message
        .signed_bytes()
        .starts_with(b"\xffsolana offchain\x00\x00"));
    assert_eq!(
        signature,
        <[u8; 64]>::try_from(s.patient.key.sign_message(&message.signed_bytes()).as_ref()).unwrap()
    );
    assert!(!solana_signature::Signature::from(signature)
        .verify(patient.as_ref(), message.text().as_bytes()));
    // Only the patient's key may sign it.
    assert!(sign_consent_message(&s.lab.key, &message).is_err());
    let consent = s
        .client
        .relay_consent(&message, &signature)
        .await
        .unwrap()
        .address("consent")
        .unwrap();
    let state: Consent = s.client.get(&consent).await.unwrap();
    assert_eq!(
        (state.status, state.signed_via, state.terms()),
        (ConsentStatus::Active, SignedVia::OffchainSignature, terms)
    );

    // Insurer: a policy over an SPL Token mint, funded.
    let token = anchor_spl::token::ID;
    let mint = Keypair::new();
    let insurer_tokens = {
        let mut svm = s.backend.svm();
        let rent = svm.minimum_balance_for_rent_exemption(82);
        svm.airdrop(&s.insurer.pubkey(), 1_000_000_000).unwrap();
        let create = anchor_lang::solana_program::system_instruction::create_account(
            &s.insurer.pubkey(),
            &mint.pubkey(),
            rent,
            82,
            &token,
        );
        let init = token_ix::initialize_mint2(&token, &mint.pubkey(), &s.insurer.pubkey(), None, 6)
            .unwrap();
        let ata = get_associated_token_address_with_program_id(
            &s.insurer.pubkey(),
            &mint.pubkey(),
            &token,
        );
        let create_ata = create_associated_token_account(
            &s.insurer.pubkey(),
            &s.insurer.pubkey(),
            &mint.pubkey(),
            &token,
        );
        let mint_to = token_ix::mint_to(
            &token,
            &mint.pubkey(),
            &ata,
            &s.insurer.pubkey(),
            &[],
            10_000_000,
        )
        .unwrap();
        let provider_ata = create_associated_token_account(
            &s.insurer.pubkey(),
            &s.lab.pubkey(),
            &mint.pubkey(),
            &token,
        );
        let tx = solana_transaction::Transaction::new_signed_with_payer(
            &[create, init, create_ata, mint_to, provider_ata],
            Some(&s.insurer.pubkey()),
            &[&s.insurer.key, &mint],
            svm.latest_blockhash(),
        );
        svm.send_transaction(tx).unwrap();
        ata
    };
    let adjudicator = Keypair::new();
    let args = CreatePolicyArgs {
        policy_id: random_id(),
        adjudicator: adjudicator.pubkey(),
        coverage_limit: 5_000_000,
        deductible: 0,
        copay_bps: 0,
        auto_approve_limit: 1_000_000,
        provider_auto_approve_cap: 5_000_000,
        auto_approve_period: 30 * 86_400,
        challenge_window: DAY,
        appeal_window: DAY,
        review_window: 30 * 86_400,
        valid_from: 1_795_219_200,
        valid_until: 1_795_219_200 + 365 * DAY,
    };
    let policy = s
        .client
        .create_policy(&s.insurer.key, &patient, &mint.pubkey(), &token, args)
        .await
        .unwrap()
        .address("policy")
        .unwrap();
    s.client
        .fund_policy(&s.insurer.key, &policy, &insurer_tokens, 4_000_000)
        .await
        .unwrap();
    assert_eq!(
        s.client.get::<Policy>(&policy).await.unwrap().deposited,
        4_000_000
    );

    // The lab bills the record; approved by rule, settled after the window.
    let claim = s
        .client
        .submit_claim(&s.lab.key, &policy, &[record], 500_000, [6; 32])
        .await
        .unwrap()
        .address("claim")
        .unwrap();
    assert_eq!(
        s.client.get::<Claim>(&claim).await.unwrap().status,
        ClaimStatus::Approved
    );
    let lab_tokens =
        get_associated_token_address_with_program_id(&s.lab.pubkey(), &mint.pubkey(), &token);
    let early = s
        .client
        .settle_claim(&claim, Some(&lab_tokens))
        .await
        .unwrap_err();
    assert_eq!(early.program_error_name(), Some("SettlementNotDue"));
    s.backend.advance_clock(DAY);
    s.client
        .settle_claim(&claim, Some(&lab_tokens))
        .await
        .unwrap();
    let account = s
        .client
        .backend()
        .get_account(&lab_tokens)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        StateWithExtensions::<TokenAccount>::unpack(&account.data)
            .unwrap()
            .base
            .amount,
        500_000
    );

    // A second claim above the limit: the adjudicator decides, the lab appeals, withdraws are refused after decision.
    let second = s.issue().await;
    let big = s
        .client
        .submit_claim(&s.lab.key, &policy, &[second], 2_000_000, [7; 32])
        .await
        .unwrap()
        .address("claim")
        .unwrap();
    s.client
        .dispute_claim(&adjudicator, &claim)
        .await
        .unwrap_err();
    s.client
        .decide_claim(&adjudicator, &big, Some(1_500_000))
        .await
        .unwrap();
    s.client.appeal_claim(&s.lab.key, &big).await.unwrap();
    s.client
        .decide_claim(&adjudicator, &big, Some(2_000_000))
        .await
        .unwrap();
    assert_eq!(
        s.client
            .withdraw_claim(&s.lab.key, &big)
            .await
            .unwrap_err()
            .program_error_name(),
        Some("AlreadyDecided")
    );
    s.client
        .settle_claim(&big, Some(&lab_tokens))
        .await
        .unwrap();
    let third = s.issue().await;
    let withdrawn = s
        .client
        .submit_claim(&s.lab.key, &policy, &[third], 100_000, [8; 32])
        .await
        .unwrap()
        .address("claim")
        .unwrap();
    s.client
        .withdraw_claim(&s.lab.key, &withdrawn)
        .await
        .unwrap();
    // Once the partial approval is no longer appealable, the insurer withdraws.
    s.backend.advance_clock(DAY);
    s.client
        .withdraw_unreserved(&s.insurer.key, &policy, &insurer_tokens, 100_000)
        .await
        .unwrap();

    // The audit trail, in time order, and its FHIR export.
    let trail = audit_trail(&s.client, &patient).await.unwrap();
    let names: Vec<&str> = trail.iter().map(|e| e.event.name()).collect();
    for expected in [
        "PatientRegistered",
        "RecordIssued",
        "AccessRequested",
        "AccessGranted",
        "AccessLogged",
        "AccessRevoked",
        "RecordRekeyed",
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
    assert!(position("AccessLogged") < position("ClaimSettled"));
    assert!(trail.windows(2).all(|w| w[0].slot <= w[1].slot));
    let audit_events: Vec<_> = trail.iter().filter_map(audit_event_to_fhir).collect();
    assert!(audit_events.iter().any(|e| e["action"] == "R"
        && e["entity"][0]["what"]["identifier"]["value"] == record.to_string()));
    let fhir_consent = consent_to_fhir(&consent, &s.client.get::<Consent>(&consent).await.unwrap());
    assert_eq!(
        (
            fhir_consent["resourceType"].as_str(),
            fhir_consent["provision"]["type"].as_str()
        ),
        (Some("Consent"), Some("permit"))
    );
    assert_eq!(fhir_consent["provision"]["purpose"][0]["code"], "HPAYMT");
    assert!(trail
        .iter()
        .any(|e| matches!(&e.event, PanaceaEvent::ClaimSettled(c) if c.amount == 500_000)));

    // Rent: the table matches what the accounts actually hold.
    let table = rent::account_rent(s.client.backend()).await.unwrap();
    let row = |name: &str| table.iter().find(|r| r.name == name).unwrap().lamports;
    assert_eq!(
        s.client
            .backend()
            .get_account(&record)
            .await
            .unwrap()
            .unwrap()
            .lamports,
        row("Record")
    );
    assert_eq!(
        s.client
            .backend()
            .get_account(&grant)
            .await
            .unwrap()
            .unwrap()
            .lamports,
        row("Grant")
    );
    assert_eq!(
        s.client
            .backend()
            .get_account(&consent)
            .await
            .unwrap()
            .unwrap()
            .lamports,
        row("Consent")
    );
    assert_eq!(
        s.client
            .backend()
            .get_account(&policy)
            .await
            .unwrap()
            .unwrap()
            .lamports,
        row("Policy")
    );
    assert_eq!(
        s.client
            .backend()
            .get_account(&claim)
            .await
            .unwrap()
            .unwrap()
            .lamports,
        row("Claim")
    );

    // Erasure: blob and keys gone, record and mint closed.
    let state: Record = s.client.get(&third).await.unwrap();
    s.client
        .erase_record(
            &s.patient.key,
            &patient,
            &third,
            Some(&s.patient.enc),
            &s.store,
        )
        .await
        .unwrap();
    assert!(s.client.fetch::<Record>(&third).await.unwrap().is_none());
    assert!(matches!(
        s.store
            .get(&panacea_sdk::offchain::blob_uri(&state.commitment))
            .await,
        Err(OffchainError::BlobNotFound(_))
    ));
    // Retraction by the lab.
    s.client.retract_record(&s.lab.key, &second).await.unwrap();
    assert_eq!(
        s.client.get::<Record>(&second).await.unwrap().status,
        RecordStatus::Retracted
    );
}

#[tokio::test]
async fn no_plaintext_reaches_any_account_event_or_log() {
    let s = scene().await;
    let record = s.issue().await;
    let terms = AccessTerms {
        permissions: permissions::READ,
        purpose: Purpose::Treatment,
        duration: DAY,
    };
    let grant = s
        .client
        .grant_access(
            &s.patient.key,
            &s.patient.pubkey(),
            &record,
            &s.specialist.pubkey(),
            terms,
            &s.patient.enc,
            &s.store,
        )
        .await
        .unwrap()
        .address("grant")
        .unwrap();
    s.client
        .log_access(&s.specialist.key, &grant, &record)
        .await
        .unwrap();
    s.client
        .revoke_and_rekey(
            &s.patient.key,
            &s.patient.pubkey(),
            &grant,
            &s.patient.enc,
            &s.store,
        )
        .await
        .unwrap();

    let needles: [&[u8]; 4] = [
        PATIENT_NAME.as_bytes(),
        b"Testpatient",
        b"2339-0",
        b"Glucose",
    ];
    let contains = |haystack: &[u8]| {
        needles
            .iter()
            .any(|n| haystack.windows(n.len()).any(|w| w == *n))
    };
    for program in [
        records::ID,
        consent::ID,
        claims::ID,
        anchor_spl::token_2022::ID,
        anchor_spl::associated_token::ID,
    ] {
        for (address, account) in s
            .client
            .backend()
            .get_program_accounts(&program, &[])
            .await
            .unwrap()
        {
            assert!(!contains(&account.data), "plaintext in account {address}");
        }
    }
    for address in [
        record,
        grant,
        s.patient.pubkey(),
        records::pda::patient(&s.patient.pubkey()).0,
    ] {
        for signature in s
            .client
            .backend()
            .signatures_for_address(&address)
            .await
            .unwrap()
        {
            let tx = s
                .client
                .backend()
                .transaction(&signature)
                .await
                .unwrap()
                .unwrap();
            for (_, data) in &tx.inner_instructions {
                assert!(!contains(data), "plaintext in an event of {signature}");
            }
        }
    }
    let logs = s
        .backend
        .svm()
        .simulate_transaction(solana_transaction::Transaction::new_unsigned(
            solana_message::Message::new(&[], Some(&s.client.payer())),
        ))
        .map(|r| r.meta.logs)
        .unwrap_or_default();
    assert!(!logs.iter().any(|l| contains(l.as_bytes())));
    // The stored ciphertext does not contain it either.
    let state: Record = s.client.get(&record).await.unwrap();
    assert!(!contains(
        &s.store
            .get(&panacea_sdk::offchain::blob_uri(&state.commitment))
            .await
            .unwrap()
    ));
}

#[tokio::test]
async fn off_chain_failures_have_their_own_errors_and_change_nothing() {
    let s = scene().await;
    let count = || async {
        s.client
            .records_of_patient(&s.patient.pubkey())
            .await
            .unwrap()
            .len()
    };
    let before = count().await;
    for payload in [
        &b"{\"hello\": 1}"[..],
        b"not json",
        br#"{"resourceType": "Nonsense"}"#,
    ] {
        let error = s
            .client
            .issue_record(
                &s.lab.key,
                &s.patient.pubkey(),
                RecordKind::Other,
                payload,
                &s.store,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(error, SdkError::Offchain(OffchainError::InvalidFhir(_))),
            "{error:?}"
        );
    }
    assert_eq!(count().await, before, "nothing issued");

    let record = s.issue().await;
    let state: Record = s.client.get(&record).await.unwrap();
    // A wrong key: another actor's X25519 key cannot open the patient's envelope.
    let wrong = s
        .client
        .read_own_record(&record, &s.specialist.enc, &s.store)
        .await
        .unwrap_err();
    assert!(
        matches!(
            wrong,
            SdkError::Offchain(OffchainError::BlobNotFound(_))
                | SdkError::Offchain(OffchainError::Unwrap)
        ),
        "{wrong:?}"
    );
    let context = panacea_sdk::records::record_context(&state);
    let uri = panacea_sdk::offchain::blob_uri(&state.commitment);
    let name =
        panacea_sdk::offchain::envelope_name_of(&s.store, &context.record, &uri, &s.patient.enc)
            .await
            .unwrap();
    let envelope = s.store.get_envelope(&name).await.unwrap();
    assert!(matches!(
        panacea_sdk::offchain::unwrap_key(&envelope, &context.record, &s.specialist.enc),
        Err(OffchainError::Unwrap)
    ));
    // Nor does the patient's own envelope open as another record's key.
    assert!(matches!(
        panacea_sdk::offchain::unwrap_key(&envelope, &[0x53; 32], &s.patient.enc),
        Err(OffchainError::Unwrap)
    ));

    // Tampered ciphertext: the commitment check fails before decryption.
    let mut blob = s
        .store
        .get(&panacea_sdk::offchain::blob_uri(&state.commitment))
        .await
        .unwrap();
    let last = blob.len() - 1;
    blob[last] ^= 1;
    let tampered_store = BlobStore::in_memory();
    let tampered_uri = tampered_store.put(blob).await.unwrap();
    let key = s
        .client
        .patient_data_key(&state, &s.patient.enc, &s.store)
        .await
        .unwrap();
    let error = panacea_sdk::offchain::open(
        &tampered_store,
        &context,
        &tampered_uri,
        &state.commitment,
        &state.content_commitment,
        &key,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, OffchainError::CommitmentMismatch { .. }),
        "{error:?}"
    );

    // A missing blob.
    let empty = BlobStore::in_memory();
    let error = panacea_sdk::offchain::open(
        &empty,
        &context,
        &panacea_sdk::offchain::blob_uri(&state.commitment),
        &state.commitment,
        &state.content_commitment,
        &key,
    )
    .await
    .unwrap_err();
    assert!(matches!(error, OffchainError::BlobNotFound(_)), "{error:?}");
    // Nothing on chain changed through any of it.
    assert_eq!(
        s.client.get::<Record>(&record).await.unwrap().commitment,
        state.commitment
    );
}

#[tokio::test]
async fn a_retried_issue_reports_the_record_that_already_landed() {
    let s = scene().await;
    let id = random_id();
    // Sealed for the record it will be issued as (its address, version 1).
    let context = panacea_sdk::offchain::RecordContext::new(
        records::pda::record(&s.patient.pubkey(), &id).0.to_bytes(),
        1,
    );
    let sealed = panacea_sdk::offchain::seal(OBSERVATION.as_bytes(), &context, &s.store)
        .await
        .unwrap();
    let first = s
        .client
        .issue_sealed(
            &s.lab.key,
            &s.patient.pubkey(),
            RecordKind::LabResult,
            &sealed,
            id,
        )
        .await
        .unwrap();
    let again = s
        .client
        .issue_sealed(
            &s.lab.key,
            &s.patient.pubkey(),
            RecordKind::LabResult,
            &sealed,
            id,
        )
        .await
        .unwrap();
    assert!(!first.already_existed && again.already_existed);
    assert_eq!(
        (first.address("record"), again.signature),
        (again.address("record"), None)
    );
    // A program error names the program's error.
    let stranger = Keypair::new();
    let sealed = panacea_sdk::offchain::seal(OBSERVATION.as_bytes(), &context, &s.store)
        .await
        .unwrap();
    let error = s
        .client
        .issue_sealed(
            &stranger,
            &s.patient.pubkey(),
            RecordKind::LabResult,
            &sealed,
            random_id(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        error.program_error_name(),
        Some("AccountNotInitialized"),
        "{error}"
    );
    // A re-run of a derived-id issue finds the record and sends nothing;
    // another issuer cannot claim the id.
    let payload = OBSERVATION.as_bytes();
    let derived = derived_record_id(&s.lab.key, &s.patient.pubkey(), payload);
    assert_ne!(
        derived,
        derived_record_id(&s.colleague.key, &s.patient.pubkey(), payload),
        "the id is keyed by the issuer"
    );
    let (issued, sealed) = s
        .client
        .issue_record_with_id(
            &s.lab.key,
            &s.patient.pubkey(),
            RecordKind::LabResult,
            payload,
            &s.store,
            derived,
        )
        .await
        .unwrap();
    assert!(sealed.is_some() && !issued.already_existed);
    let (rerun, sealed) = s
        .client
        .issue_record_with_id(
            &s.lab.key,
            &s.patient.pubkey(),
            RecordKind::LabResult,
            payload,
            &s.store,
            derived,
        )
        .await
        .unwrap();
    assert!(sealed.is_none() && rerun.already_existed && rerun.signature.is_none());
    let record = issued.address("record").unwrap();
    let before: Record = s.client.get(&record).await.unwrap();
    let error = s
        .client
        .issue_record_with_id(
            &s.colleague.key,
            &s.patient.pubkey(),
            RecordKind::Other,
            payload,
            &s.store,
            derived,
        )
        .await
        .unwrap_err();
    assert!(error.to_string().contains("was issued by"), "{error}");
    assert_eq!(error.landed(), Some(false));
    let after: Record = s.client.get(&record).await.unwrap();
    assert_eq!(
        (after.issuer, after.commitment),
        (before.issuer, before.commitment)
    );
    let _ = (&s.insurer, &s.admin, RecordStatus::Active);
}

#[tokio::test]
async fn the_remaining_operations_and_the_wallet_relay_flow() {
    let s = scene().await;
    let patient = s.patient.pubkey();
    // Admin: suspend and renew.
    s.client
        .set_entity_status(
            &s.admin,
            &s.colleague.pubkey(),
            records::state::EntityStatus::Suspended,
        )
        .await
        .unwrap();
    let entity: records::state::Entity = s
        .client
        .get(&records::pda::entity(&s.colleague.pubkey()).0)
        .await
        .unwrap();
    assert_eq!(entity.status, records::state::EntityStatus::Suspended);
    let renewal = records::instructions::RenewEntityArgs {
        valid_until: 1_795_219_200 + 2 * 365 * DAY,
        credential_commitment: [4; 32],
    };
    s.client
        .renew_entity(&s.admin, &s.lab.pubkey(), renewal)
        .await
        .unwrap();
    assert_eq!(
        s.client
            .get::<records::state::Entity>(&records::pda::entity(&s.lab.pubkey()).0)
            .await
            .unwrap()
            .credential_commitment,
        [4; 32]
    );

    // Patient: a guardian named and removed; a request denied; consent granted and revoked directly.
    let guardian = Keypair::new();
    let guardian_enc = EncryptionKeypair::generate();
    s.client
        .set_guardian(
            &s.patient.key,
            Some((&guardian, guardian_enc.public_key_bytes())),
            Some(&s.patient.enc),
            &s.store,
        )
        .await
        .unwrap();
    assert_eq!(
        s.client.patient_profile(&patient).await.unwrap().guardian,
        Some(guardian.pubkey())
    );
    s.client
        .set_guardian(&s.patient.key, None, Some(&s.patient.enc), &s.store)
        .await
        .unwrap();
    assert_eq!(
        s.client.patient_profile(&patient).await.unwrap().guardian,
        None
    );
    let record = s.issue().await;
    let ask = RequestAccessArgs {
        scope: GrantScope::Record,
        kinds: 0,
        permissions: permissions::READ,
        purpose: Purpose::Research,
        duration: DAY,
        reason_code: 2,
        leaf: None,
    };
    let request = s
        .client
        .request_access(&s.specialist.key, &patient, &record, ask)
        .await
        .unwrap()
        .address("access_request")
        .unwrap();
    s.client
        .deny_access_request(&s.patient.key, &patient, &s.specialist.pubkey(), &record)
        .await
        .unwrap();
    assert!(s
        .client
        .backend()
        .get_account(&request)
        .await
        .unwrap()
        .is_none());
    let terms = ConsentTerms {
        decision: Decision::Deny,
        kinds: kinds::ALL,
        actions: actions::ALL,
        period_start: 1_795_219_200,
        period_end: 1_795_219_200 + DAY,
        policy_commitment: [3; 32],
    };
    let consent = s
        .client
        .grant_consent(
            &s.patient.key,
            &patient,
            &s.insurer.pubkey(),
            ConsentPurpose::Research,
            terms,
        )
        .await
        .unwrap()
        .address("consent")
        .unwrap();
    s.client
        .revoke_consent(
            &s.patient.key,
            &patient,
            &s.insurer.pubkey(),
            ConsentPurpose::Research,
        )
        .await
        .unwrap();
    let state: Consent = s.client.get(&consent).await.unwrap();
    assert_eq!(
        (state.status, state.consent_version, state.decision),
        (ConsentStatus::Revoked, 2, Decision::Deny)
    );
    assert_eq!(
        s.client.consents_of_patient(&patient).await.unwrap().len(),
        1
    );

    // A relayed revocation through the wallet flow: the relayer builds and
    // pays, the wallet adds its signature, the relayer submits.
    let message = s
        .client
        .consent_message(
            &patient,
            &s.insurer.pubkey(),
            ConsentPurpose::Research,
            Some(terms),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            message.deployment.as_str(),
            message.consent_epoch,
            message.consent_version
        ),
        ("localnet", 0, 2)
    );
    let ix = panacea_sdk::records::grant_access(
        &s.client.payer(),
        &s.patient.pubkey(),
        &patient,
        &record,
        records::instructions::GrantAccessArgs {
            grantee: s.lab.pubkey(),
            scope: GrantScope::Record,
            kinds: 0,
            permissions: permissions::READ,
            purpose: Purpose::Treatment,
            duration: DAY,
            wrapped_key: vec![],
            leaf: None,
        },
    );
    let unsigned = s.client.partially_signed(&[ix]).await.unwrap();
    let wire = panacea_sdk::client::serialize_for_wallet(&unsigned).unwrap();
    // In the wallet:
    let mut in_wallet = panacea_sdk::client::deserialize_from_wallet(&wire).unwrap();
    let blockhash = in_wallet.message.recent_blockhash;
    in_wallet.partial_sign(&[&s.patient.key], blockhash);
    // Back at the relayer:
    let back = panacea_sdk::client::deserialize_from_wallet(
        &panacea_sdk::client::serialize_for_wallet(&in_wallet).unwrap(),
    )
    .unwrap();
    s.client.submit_signed(&back).await.unwrap();
    // Beside the scene's care links, the one grant the wallet signed.
    let grants = s.client.grants_of_patient(&patient).await.unwrap();
    assert_eq!(
        grants
            .iter()
            .filter(|(_, g)| g.target == record && g.grantee == s.lab.pubkey())
            .count(),
        1
    );
    assert_eq!(grants.len(), 4);
    // A transaction missing the wallet's signature is refused before sending.
    let error = s.client.submit_signed(&unsigned).await.unwrap_err();
    assert!(matches!(error, SdkError::Signing(_)), "{error:?}");
}

/// Issue 11, finding 1: the patient (or a guardian) re-keys a record onto
/// other content. The chain accepts the new ciphertext commitment (a re-key
/// may change the encryption), but every reader checks the decrypted
/// payload against the issuer's content commitment and refuses it.
#[tokio::test]
async fn a_patient_rekey_with_substituted_content_is_refused_by_readers() {
    let s = scene().await;
    let record = s.issue().await;
    let patient = s.patient.pubkey();
    let grant = s
        .client
        .grant_access(
            &s.patient.key,
            &patient,
            &record,
            &s.specialist.pubkey(),
            panacea_sdk::ops::patient::AccessTerms {
                permissions: records::state::permissions::READ,
                purpose: records::state::Purpose::Treatment,
                duration: DAY,
            },
            &s.patient.enc,
            &s.store,
        )
        .await
        .unwrap()
        .address("grant")
        .unwrap();
    let state: Record = s.client.get(&record).await.unwrap();
    // The forgery: other valid FHIR, sealed under the record's current key
    // material as a re-key would, its key handed to the patient and grantee.
    let context = panacea_sdk::records::record_context(&state);
    let forged = panacea_sdk::offchain::seal(
        br#"{"resourceType": "Observation", "status": "final", "code": {"text": "forged"}}"#,
        &context,
        &s.store,
    )
    .await
    .unwrap();
    panacea_sdk::offchain::put_envelope(
        &s.store,
        &forged.data_key,
        &context.record,
        &s.patient.enc.public_key_bytes(),
    )
    .await
    .unwrap();
    let wrapped = panacea_sdk::offchain::wrap_key(
        &forged.data_key,
        &context.record,
        &s.specialist.enc.public_key_bytes(),
    )
    .unwrap();
    let ixs = [
        panacea_sdk::records::rekey_record(
            &s.patient.pubkey(),
            &patient,
            &record,
            records::instructions::RekeyRecordArgs {
                commitment: forged.commitment,
            },
        ),
        panacea_sdk::records::update_grant_key(
            &s.patient.pubkey(),
            &patient,
            &grant,
            records::instructions::UpdateGrantKeyArgs {
                wrapped_key: wrapped.to_vec(),
            },
        ),
    ];
    s.client.send(&ixs, &[&s.patient.key]).await.unwrap();
    let after: Record = s.client.get(&record).await.unwrap();
    assert_eq!(after.commitment, forged.commitment);
    assert_eq!(after.content_commitment, state.content_commitment);

    for read in [
        s.client
            .read_own_record(&record, &s.patient.enc, &s.store)
            .await,
        s.client
            .read_record(&grant, &record, &s.specialist.enc, &s.store)
            .await,
    ] {
        assert!(
            matches!(
                read,
                Err(SdkError::Offchain(OffchainError::ContentMismatch { .. }))
            ),
            "{read:?}"
        );
    }
}

/// Issue 11, finding 14: a re-key that does not land leaves the record
/// readable where it was (the old blob is deleted only after the re-key
/// lands), and the new blob written for it is removed again.
#[tokio::test]
async fn a_rekey_that_does_not_land_leaves_the_record_readable() {
    let s = scene().await;
    let record = s.issue().await;
    let patient = s.patient.pubkey();
    let terms = || panacea_sdk::ops::patient::AccessTerms {
        permissions: records::state::permissions::READ,
        purpose: records::state::Purpose::Treatment,
        duration: DAY,
    };
    let grant = s
        .client
        .grant_access(
            &s.patient.key,
            &patient,
            &record,
            &s.specialist.pubkey(),
            terms(),
            &s.patient.enc,
            &s.store,
        )
        .await
        .unwrap()
        .address("grant")
        .unwrap();
    // The lab retracts the record: the revocation lands, the re-key is
    // refused (a retracted record is not re-keyed).
    let state: Record = s.client.get(&record).await.unwrap();
    let ix =
        panacea_sdk::records::retract_record(&s.lab.pubkey(), &patient, &state.record_id, None);
    s.client.send(&[ix], &[&s.lab.key]).await.unwrap();
    let error = s
        .client
        .revoke_and_rekey(&s.patient.key, &patient, &grant, &s.patient.enc, &s.store)
        .await
        .unwrap_err();
    assert_eq!(error.program_error_name(), Some("RecordNotActive"));
    let after: Record = s.client.get(&record).await.unwrap();
    assert_eq!(after.commitment, state.commitment);
    // Still readable from where the chain points.
    assert_eq!(
        s.client
            .read_own_record(&record, &s.patient.enc, &s.store)
            .await
            .unwrap(),
        OBSERVATION.as_bytes()
    );
}

/// Issue 11, finding 14: the new key goes only to grants that can still be
/// used; an expired grant keeps its old (now useless) wrapped key.
#[tokio::test]
async fn a_rekey_hands_the_new_key_to_live_grants_only() {
    let s = scene().await;
    let record = s.issue().await;
    let patient = s.patient.pubkey();
    let grant_to = |who: Pubkey, duration: i64| {
        let s = &s;
        async move {
            s.client
                .grant_access(
                    &s.patient.key,
                    &patient,
                    &record,
                    &who,
                    panacea_sdk::ops::patient::AccessTerms {
                        permissions: records::state::permissions::READ,
                        purpose: records::state::Purpose::Treatment,
                        duration,
                    },
                    &s.patient.enc,
                    &s.store,
                )
                .await
                .unwrap()
                .address("grant")
                .unwrap()
        }
    };
    let short = grant_to(s.colleague.pubkey(), 3600).await;
    let long = grant_to(s.insurer.pubkey(), 30 * DAY).await;
    let revoked = grant_to(s.specialist.pubkey(), 30 * DAY).await;
    s.backend.advance_clock(2 * 3600);
    let short_before: records::state::Grant = s.client.get(&short).await.unwrap();
    let long_before: records::state::Grant = s.client.get(&long).await.unwrap();
    s.client
        .revoke_and_rekey(&s.patient.key, &patient, &revoked, &s.patient.enc, &s.store)
        .await
        .unwrap();
    let short_after: records::state::Grant = s.client.get(&short).await.unwrap();
    let long_after: records::state::Grant = s.client.get(&long).await.unwrap();
    assert_eq!(short_after.wrapped_key, short_before.wrapped_key);
    assert_ne!(long_after.wrapped_key, long_before.wrapped_key);
    assert_eq!(
        s.client
            .read_record(&long, &record, &s.insurer.enc, &s.store)
            .await
            .unwrap(),
        OBSERVATION.as_bytes()
    );
}

/// A registry admin on a hardware wallet or a multisig: the transaction is
/// built over a known blockhash and signed where the admin key is absent
/// (`sign_only`), its message handed over, the admin's signature collected
/// elsewhere, and the same operation run again with that signature lands.
#[tokio::test]
async fn an_admin_action_signed_offline_lands_with_the_collected_signature() {
    use {
        panacea_sdk::client::{Signed, TxConfig},
        solana_signer::{null_signer::NullSigner, Signer},
    };
    let s = scene().await;
    let entity = s.lab.pubkey();
    let blockhash = s.backend.latest_blockhash().await.unwrap().0;
    let offline = TxConfig {
        blockhash: Some(blockhash),
        sign_only: true,
        ..TxConfig::default()
    };
    let signing = s.client.clone().with_config(offline.clone());
    let absent_admin = NullSigner::new(&s.admin.pubkey());
    let outcome = signing
        .set_entity_status(
            &absent_admin,
            &entity,
            records::state::EntityStatus::Suspended,
        )
        .await
        .unwrap();
    let Signed {
        message,
        signers,
        absent,
        ..
    } = outcome
        .signed_only
        .clone()
        .expect("signed offline, not sent");
    assert_eq!(outcome.signature, None);
    assert_eq!(absent, vec![s.admin.pubkey()]);
    assert_eq!(signers.len(), 1, "the fee payer signed here");
    // Nothing was sent.
    let entity_state: records::state::Entity = s
        .client
        .get(&records::pda::entity(&entity).0)
        .await
        .unwrap();
    assert_eq!(entity_state.status, records::state::EntityStatus::Active);
    // The admin signs the message elsewhere (a hardware wallet, a multisig
    // member); a presigned admin whose signature is over another message is
    // refused before anything is sent.
    let admin_signature = s.admin.sign_message(&message);
    let wrong =
        solana_presigner::Presigner::new(&s.admin.pubkey(), &s.admin.sign_message(b"other"));
    let submitting = s.client.clone().with_config(TxConfig {
        sign_only: false,
        ..offline
    });
    let refused = submitting
        .set_entity_status(&wrong, &entity, records::state::EntityStatus::Suspended)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, panacea_sdk::SdkError::Signing(_)),
        "{refused}"
    );
    let presigned = solana_presigner::Presigner::new(&s.admin.pubkey(), &admin_signature);
    let landed = submitting
        .set_entity_status(&presigned, &entity, records::state::EntityStatus::Suspended)
        .await
        .unwrap();
    assert!(landed.signature.is_some());
    let entity_state: records::state::Entity = s
        .client
        .get(&records::pda::entity(&entity).0)
        .await
        .unwrap();
    assert_eq!(entity_state.status, records::state::EntityStatus::Suspended);
}

/// The listing offsets the SDK filters on are the programs' own, and they
/// point at the field they name in real accounts.
#[tokio::test]
async fn listing_offsets_point_at_the_fields_they_name() {
    let s = scene().await;
    let patient = s.patient.pubkey();
    let grants = s.client.grants_of_patient(&patient).await.unwrap();
    assert!(!grants.is_empty(), "the scene's patient has a care link");
    for (address, _) in grants {
        let raw = s.backend.get_account(&address).await.unwrap().unwrap();
        let at = records::state::grant_offsets::PATIENT;
        assert_eq!(&raw.data[at..at + 32], patient.as_ref());
    }
    let too_high = panacea_sdk::client::MAX_COMPUTE_UNIT_PRICE + 1;
    let priced = s.client.clone().with_config(panacea_sdk::TxConfig {
        priority_fee_micro_lamports: Some(too_high),
        ..Default::default()
    });
    let refused = priced
        .register_patient(&Keypair::new(), &EncryptionKeypair::generate(), None)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("compute unit price"),
        "{refused}"
    );
}

/// What exists is checked against what was asked before anything is sent:
/// a re-registration with another kind, a grant with an impossible
/// duration, a second break-glass while the first is live. Each is refused
/// naming what is on chain, and changes nothing; a finished emergency
/// grant is closed and the glass can be broken again.
#[tokio::test]
async fn what_exists_is_checked_against_what_is_asked() {
    let s = scene().await;
    let patient = s.patient.pubkey();
    let lab_entity = records::pda::entity(&s.lab.pubkey()).0;
    let before = s.backend.get_account(&lab_entity).await.unwrap();
    let refused = s
        .client
        .register_entity(
            &s.admin,
            &s.lab.key,
            RegisterEntityArgs {
                kind: EntityKind::Insurer,
                credential_commitment: [1; 32],
                jurisdiction: *b"US\0\0\0\0\0\0",
                valid_until: 1_795_219_200 + 365 * DAY,
                encryption_key: s.lab.enc.public_key_bytes(),
            },
        )
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("registered as Laboratory, not Insurer"),
        "{refused}"
    );
    assert_eq!(s.backend.get_account(&lab_entity).await.unwrap(), before);

    let refused = s
        .client
        .authorize_issuer(
            &s.patient.key,
            &patient,
            &s.lab.pubkey(),
            0x03ff,
            AccessTerms {
                permissions: permissions::READ,
                purpose: Purpose::Treatment,
                duration: 0,
            },
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("a grant lasts"), "{refused}");

    let glass = s
        .client
        .emergency_access(&s.colleague.key, &patient, 911, 600)
        .await
        .unwrap()
        .address("grant")
        .unwrap();
    let live = s.backend.get_account(&glass).await.unwrap();
    let refused = s
        .client
        .emergency_access(&s.colleague.key, &patient, 911, 600)
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("already holds emergency access"),
        "{refused}"
    );
    assert_eq!(s.backend.get_account(&glass).await.unwrap(), live);
    // Once it ended, it stays as evidence until the patient closes it;
    // then the glass can be broken again.
    s.backend.advance_clock(601);
    let refused = s
        .client
        .emergency_access(&s.colleague.key, &patient, 911, 600)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("closes grant"), "{refused}");
    s.client.close_grant(&s.patient.key, &glass).await.unwrap();
    let reopened = s
        .client
        .emergency_access(&s.colleague.key, &patient, 911, 600)
        .await
        .unwrap();
    assert!(reopened.signature.is_some());
    let grant: records::state::Grant = s.client.get(&glass).await.unwrap();
    let now = s.backend.unix_timestamp().await.unwrap();
    assert!(!grant.is_expired(now) && grant.emergency);
}

#[tokio::test]
async fn a_patient_rotates_their_key_and_reads_with_the_new_one_only() {
    let s = scene().await;
    let first = s.issue().await;
    let second = s.issue().await;
    let new_keys = EncryptionKeypair::generate();
    let stranger = EncryptionKeypair::generate();

    // A wrong "old" key: nothing opens with it, nothing changes.
    let profile = records::pda::patient(&s.patient.pubkey()).0;
    let error = s
        .client
        .rotate_patient_key(&s.patient.key, &stranger, &new_keys, &s.store)
        .await
        .unwrap_err();
    assert!(matches!(error, SdkError::InvalidInput(_)), "{error:?}");
    let on_chain: records::state::Patient = s.client.get(&profile).await.unwrap();
    assert_eq!(on_chain.encryption_key, s.patient.enc.public_key_bytes());
    for record in [first, second] {
        s.client
            .read_own_record(&record, &s.patient.enc, &s.store)
            .await
            .unwrap();
    }

    let outcome = s
        .client
        .rotate_patient_key(&s.patient.key, &s.patient.enc, &new_keys, &s.store)
        .await
        .unwrap();
    assert!(outcome.signature.is_some() && !outcome.already_existed);
    let on_chain: records::state::Patient = s.client.get(&profile).await.unwrap();
    assert_eq!(on_chain.encryption_key, new_keys.public_key_bytes());
    for record in [first, second] {
        assert_eq!(
            s.client
                .read_own_record(&record, &new_keys, &s.store)
                .await
                .unwrap(),
            OBSERVATION.as_bytes()
        );
        // The old key's envelopes are gone.
        assert!(s
            .client
            .read_own_record(&record, &s.patient.enc, &s.store)
            .await
            .is_err());
    }
    // A retry finds the key on chain and sends nothing.
    let again = s
        .client
        .rotate_patient_key(&s.patient.key, &s.patient.enc, &new_keys, &s.store)
        .await
        .unwrap();
    assert!(again.already_existed && again.signature.is_none());
    // The rotation is in the patient's audit trail, once.
    let rotations: Vec<_> = audit_trail(&s.client, &s.patient.pubkey())
        .await
        .unwrap()
        .into_iter()
        .filter(|entry| entry.event.name() == "EncryptionKeyRotated")
        .collect();
    assert_eq!(rotations.len(), 1);

    // A record issued after the rotation is wrapped to the new key.
    let third = s.issue().await;
    s.client
        .read_own_record(&third, &new_keys, &s.store)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_amendment_is_sealed_for_its_own_address_and_version() {
    let s = scene().await;
    let original = s.issue().await;
    let amended_fhir =
        br#"{"resourceType":"Observation","status":"amended","code":{"text":"corrected"}}"#;
    let (outcome, _) = s
        .client
        .amend_record(&s.lab.key, &original, None, amended_fhir, &s.store)
        .await
        .unwrap();
    let amendment = outcome.address("record").unwrap();
    let state: Record = s.client.get(&amendment).await.unwrap();
    assert_eq!(state.record_version, 2);
    assert_eq!(
        s.client
            .read_own_record(&amendment, &s.patient.enc, &s.store)
            .await
            .unwrap(),
        amended_fhir
    );
    // Its ciphertext does not open as the original's (version 1, the
    // original's address), even with the right data key.
    let key = s
        .client
        .patient_data_key(&state, &s.patient.enc, &s.store)
        .await
        .unwrap();
    let uri = panacea_sdk::offchain::blob_uri(&state.commitment);
    for context in [
        panacea_sdk::offchain::RecordContext::new(amendment.to_bytes(), 1),
        panacea_sdk::offchain::RecordContext::new(original.to_bytes(), 2),
    ] {
        assert!(matches!(
            panacea_sdk::offchain::open(
                &s.store,
                &context,
                &uri,
                &state.commitment,
                &state.content_commitment,
                &key
            )
            .await,
            Err(OffchainError::Decrypt)
        ));
    }
}
