//! Compressed records through the SDK, in-process: a tree created, a record
//! issued into it, the tree's index rebuilt from its events, the record read
//! back, granted, logged, billed and erased (crypto-shredded), the index
//! resumed from its cache, and a root the index cannot reach refused
//! clearly before anything is sent.

use {
    claims::{
        instructions::CreatePolicyArgs,
        state::{Claim, ClaimStatus},
    },
    consent::state::{actions, ConsentPurpose, ConsentTerms, Decision},
    panacea_sdk::{
        audit::audit_trail,
        backend::Backend,
        client::AnySigner,
        compression::{RecordRef, TreeIndex},
        events::PanaceaEvent,
        local::{Actor, LocalDeployment, LOCAL_START},
        offchain::BlobStore,
        ops::{compressed::key_binding, patient::AccessTerms, provider::random_id},
        records as rx,
        records_program::{
            instructions::{LogAccessArgs, RequestAccessArgs},
            state::{
                kinds, permissions, AccessRequest, EntityKind, Grant, GrantScope, Purpose,
                RecordKind, RecordStatus, RecordTree,
            },
        },
        PanaceaClient, Pubkey, SdkError,
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
};

const DAY: i64 = 86_400;
const OBSERVATION: &[u8] = br#"{
  "resourceType": "Observation",
  "status": "final",
  "code": {"coding": [{"system": "http://loinc.org", "code": "2339-0", "display": "Glucose"}]},
  "valueQuantity": {"value": 6.3, "unit": "mmol/L"}
}"#;

struct Scene {
    d: LocalDeployment,
    store: BlobStore,
    lab: Actor,
    specialist: Actor,
    insurer: Actor,
    patient: Actor,
}

async fn scene() -> Scene {
    let d = LocalDeployment::with_record_book(LOCAL_START)
        .await
        .unwrap();
    let (lab, specialist, insurer, patient) =
        (Actor::new(), Actor::new(), Actor::new(), Actor::new());
    let until = LOCAL_START + 365 * DAY;
    d.register_entity(&lab, EntityKind::Laboratory, until)
        .await
        .unwrap();
    d.register_entity(&specialist, EntityKind::Provider, until)
        .await
        .unwrap();
    d.register_entity(&insurer, EntityKind::Insurer, until)
        .await
        .unwrap();
    d.client
        .register_patient(&patient.key, &patient.enc, None)
        .await
        .unwrap();
    d.client
        .authorize_issuer(
            &patient.key,
            &patient.pubkey(),
            &lab.pubkey(),
            kinds::ALL,
            AccessTerms {
                permissions: 0,
                purpose: Purpose::Treatment,
                duration: 365 * DAY,
            },
        )
        .await
        .unwrap();
    Scene {
        d,
        store: BlobStore::in_memory(),
        lab,
        specialist,
        insurer,
        patient,
    }
}

impl Scene {
    /// The lab's own tree (depth 14, buffer 64, canopy 10).
    async fn tree(&self) -> Pubkey {
        self.d
            .client
            .create_record_tree(&self.lab.key, 14, 64, 10, false)
            .await
            .unwrap()
            .address("tree")
            .unwrap()
    }

    async fn issue(&self, tree: Pubkey) -> RecordRef {
        let (_, _, record) = self
            .d
            .client
            .issue_record_into(
                &self.lab.key,
                &self.patient.pubkey(),
                RecordKind::LabResult,
                OBSERVATION,
                &self.store,
                Some(tree),
            )
            .await
            .unwrap();
        record
    }

    /// A funded policy of the insurer over the patient, and the patient's
    /// Payment consent to the insurer.
    async fn policy(&self) -> Pubkey {
        let usdc = Keypair::new();
        let token = anchor_spl::token::ID;
        let holders = self
            .d
            .client
            .create_funded_mint(
                &usdc,
                6,
                &token,
                &[(self.insurer.pubkey(), 10_000_000), (self.lab.pubkey(), 0)],
            )
            .await
            .unwrap();
        let policy = self
            .d
            .client
            .create_policy(
                &self.insurer.key,
                &self.patient.pubkey(),
                &usdc.pubkey(),
                &token,
                CreatePolicyArgs {
                    policy_id: random_id(),
                    adjudicator: Keypair::new().pubkey(),
                    coverage_limit: 5_000_000,
                    deductible: 0,
                    copay_bps: 0,
                    auto_approve_limit: 1_000_000,
                    provider_auto_approve_cap: 5_000_000,
                    auto_approve_period: 30 * DAY,
                    challenge_window: DAY,
                    appeal_window: DAY,
                    review_window: 30 * DAY,
                    valid_from: LOCAL_START - 60,
                    valid_until: LOCAL_START + 365 * DAY,
                },
            )
            .await
            .unwrap()
            .address("policy")
            .unwrap();
        self.d
            .client
            .fund_policy(&self.insurer.key, &policy, &holders[0], 4_000_000)
            .await
            .unwrap();
        self.d
            .client
            .grant_consent(
                &self.patient.key,
                &self.patient.pubkey(),
                &self.insurer.pubkey(),
                ConsentPurpose::Payment,
                ConsentTerms {
                    decision: Decision::Permit,
                    kinds: kinds::ALL,
                    actions: actions::ACCESS,
                    period_start: LOCAL_START - 60,
                    period_end: LOCAL_START + 365 * DAY,
                    policy_commitment: [3; 32],
                },
            )
            .await
            .unwrap();
        policy
    }

    async fn book(&self) -> u64 {
        self.d
            .client
            .record_book_balance(&self.patient.pubkey())
            .await
            .unwrap()
            .unwrap()
    }

    async fn lamports(&self, address: &Pubkey) -> u64 {
        self.d
            .backend
            .get_account(address)
            .await
            .unwrap()
            .map_or(0, |a| a.lamports)
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    // Random, not `Pubkey::new_unique` (which repeats from one run to the next).
    let dir = std::env::temp_dir().join(format!("panacea-{name}-{}", Keypair::new().pubkey()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn a_compressed_record_issued_read_granted_logged_billed_and_erased() {
    let s = scene().await;
    let client = &s.d.client;
    let payer_before = s.lamports(&client.payer()).await;
    let tree = s.tree().await;
    let account = client.record_tree(&tree).await.unwrap();
    assert_eq!(account.account.authority, s.lab.pubkey());
    assert_eq!(account.account.issuer, Some(s.lab.pubkey()));
    assert_eq!(account.account.rent_payer, client.payer());
    assert_eq!(
        (
            account.account.max_depth,
            account.account.max_buffer_size,
            account.account.canopy_depth
        ),
        (14, 64, 10)
    );
    assert_eq!(account.space, rx::record_tree_space(14, 64, 10).unwrap());
    let rent =
        s.d.backend
            .minimum_balance_for_rent_exemption(account.space)
            .await
            .unwrap();
    assert_eq!(account.lamports, rent);

    // Issued into the tree: the first leaf, the book counts it.
    let record = s.issue(tree).await;
    assert_eq!(record, RecordRef::Compressed { tree, index: 0 });
    assert_eq!(s.book().await, 1);
    assert!(
        s.d.backend
            .get_account(&record.address())
            .await
            .unwrap()
            .is_none(),
        "a compressed record's address is never an account"
    );

    // The index, rebuilt from the tree's events alone, matches the account.
    let index = client.rebuild_tree_index(&tree).await.unwrap();
    let account = client.record_tree(&tree).await.unwrap();
    assert_eq!(index.len(), 1);
    assert_eq!(index.root(), account.root);
    assert_eq!(index.sequence(), account.header.sequence_number);
    let leaf = index.record(0).unwrap().clone();
    assert_eq!(
        (
            leaf.patient,
            leaf.issuer,
            leaf.kind,
            leaf.status,
            leaf.record_version
        ),
        (
            s.patient.pubkey(),
            s.lab.pubkey(),
            RecordKind::LabResult,
            RecordStatus::Active,
            1
        )
    );
    assert_eq!(leaf.record_id, record.address().to_bytes()[..16]);
    let proof = index.proof(0).unwrap();
    assert_eq!(
        proof.proof.len(),
        14 - 10,
        "the canopy keeps the top 10 siblings"
    );

    // Read back by the patient (bound to tree, patient and content).
    let read = client
        .read_own(&record, &s.patient.enc, &s.store)
        .await
        .unwrap();
    assert_eq!(read, OBSERVATION);
    assert_ne!(
        key_binding(&tree, &s.patient.pubkey(), &leaf.content_commitment),
        record.address().to_bytes()
    );

    // Granted to the lab (itself), read and logged on chain.
    let grant = client
        .grant_record_access(
            &s.patient.key,
            &s.patient.pubkey(),
            &record,
            &s.specialist.pubkey(),
            AccessTerms {
                permissions: permissions::READ,
                purpose: Purpose::Treatment,
                duration: 30 * DAY,
            },
            &s.patient.enc,
            &s.store,
        )
        .await
        .unwrap()
        .address("grant")
        .unwrap();
    let state: Grant = client.get(&grant).await.unwrap();
    assert_eq!(state.target, record.address());
    assert_eq!(
        client
            .read_granted(&grant, &record, &s.specialist.enc, &s.store)
            .await
            .unwrap(),
        OBSERVATION
    );
    client
        .log_record_access(&s.specialist.key, &grant, &record)
        .await
        .unwrap();
    assert_eq!(client.get::<Grant>(&grant).await.unwrap().access_count, 1);
    let trail = audit_trail(client, &s.patient.pubkey()).await.unwrap();
    assert!(trail.iter().any(|e| matches!(
        &e.event,
        PanaceaEvent::AccessLogged(logged) if logged.record == record.address()
    )));
    assert!(trail.iter().any(|e| matches!(
        &e.event,
        PanaceaEvent::RecordIssued(issued) if issued.record == record.address()
    )));

    // Billed: a policy, the patient's Payment consent, a claim.
    let policy = s.policy().await;
    let claim = client
        .bill_records(&s.lab.key, &policy, &[record], 500_000, [6; 32])
        .await
        .unwrap()
        .address("claim")
        .unwrap();
    let state: Claim = client.get(&claim).await.unwrap();
    assert_eq!(state.status, ClaimStatus::Approved);
    assert_eq!(state.records, vec![record.address()]);
    // Billed at most once.
    let again = client
        .bill_records(&s.lab.key, &policy, &[record], 500_000, [7; 32])
        .await;
    assert!(again.is_err());

    // Erased by the patient: payload and envelope shredded, leaf emptied.
    let uri = panacea_sdk::offchain::blob_uri(&leaf.commitment);
    assert!(s.store.get(&uri).await.is_ok());
    let old_proof = client.leaf_proof(&tree, 0).await.unwrap();
    client
        .erase_any_record(&s.patient.key, &record, Some(&s.patient.enc), &s.store)
        .await
        .unwrap();
    assert!(
        s.store.get(&uri).await.is_err(),
        "the ciphertext is shredded"
    );
    assert_eq!(s.book().await, 0);
    let account = client.record_tree(&tree).await.unwrap();
    assert_eq!((account.account.records, account.account.erased), (1, 1));
    let index = client.tree_index(&tree).await.unwrap();
    assert!(index.record(0).is_none());
    assert_eq!(index.root(), account.root);
    // No later instruction accepts the old leaf: the SDK refuses to build a
    // proof of an erased leaf, and the program refuses the old proof.
    let refused = client
        .log_record_access(&s.specialist.key, &grant, &record)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("erased"), "{refused}");
    let specialist: &AnySigner = &s.specialist.key;
    let forged = client
        .send(
            &[rx::log_access_with(
                &s.specialist.pubkey(),
                &grant,
                &tree,
                LogAccessArgs {
                    leaf: Some(old_proof.clone()),
                },
            )],
            &[specialist],
        )
        .await
        .unwrap_err();
    assert_eq!(
        forged.program_error_name(),
        Some("LeafModifiedSinceProof"),
        "{forged}"
    );
    assert_eq!(forged.landed(), Some(false));
    assert_eq!(client.get::<Grant>(&grant).await.unwrap().access_count, 1);

    // The tree, fully erased, closes: its rent goes back to the payer.
    let before_close = s.lamports(&client.payer()).await;
    client.close_record_tree(&s.lab.key, &tree).await.unwrap();
    assert!(s.d.backend.get_account(&tree).await.unwrap().is_none());
    let after_close = s.lamports(&client.payer()).await;
    assert!(after_close + 10_000 >= before_close + rent, "rent refunded");
    assert!(payer_before > after_close, "fees were paid");
}

#[tokio::test]
async fn the_index_resumes_from_its_cache_and_a_damaged_cache_is_rebuilt() {
    let s = scene().await;
    let dir = temp_dir("tree-cache");
    let client = s.d.client.clone().with_tree_cache(&dir);
    let tree = client
        .create_record_tree(&s.lab.key, 10, 16, 4, false)
        .await
        .unwrap()
        .address("tree")
        .unwrap();
    for i in 0..3 {
        let (_, _, record) = client
            .issue_record_into(
                &s.lab.key,
                &s.patient.pubkey(),
                RecordKind::LabResult,
                OBSERVATION,
                &s.store,
                Some(tree),
            )
            .await
            .unwrap();
        assert_eq!(record, RecordRef::Compressed { tree, index: i });
    }
    let index = client.tree_index(&tree).await.unwrap();
    assert_eq!(index.len(), 3);
    let path = dir.join(format!("{tree}.json"));
    let cached = TreeIndex::load(&path).unwrap().unwrap();
    assert_eq!(
        (cached.root(), cached.sequence()),
        (index.root(), index.sequence())
    );
    assert!(cached.last_signature().is_some());

    // A new client (another run) resumes from the file: it reads only the
    // transactions after the cached one.
    let later = PanaceaClient::new(s.d.backend.clone(), Keypair::new()).with_tree_cache(&dir);
    let (_, _, fourth) = client
        .issue_record_into(
            &s.lab.key,
            &s.patient.pubkey(),
            RecordKind::LabResult,
            OBSERVATION,
            &s.store,
            Some(tree),
        )
        .await
        .unwrap();
    let mut resumed = TreeIndex::load(&path).unwrap().unwrap();
    assert_eq!(later.sync_tree_index(&mut resumed).await.unwrap(), 1);
    let index = later.tree_index(&tree).await.unwrap();
    assert_eq!(index.len(), 4);
    assert_eq!(index.root(), later.record_tree(&tree).await.unwrap().root);
    assert_eq!(
        later
            .read_own(&fourth, &s.patient.enc, &s.store)
            .await
            .unwrap(),
        OBSERVATION
    );

    // A damaged cache (its root not that of its leaves) does not load: the
    // index is rebuilt from the tree's history and the file rewritten.
    let mut text: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    text["root"] = serde_json::Value::String("00".repeat(32));
    std::fs::write(&path, text.to_string()).unwrap();
    assert!(
        TreeIndex::load(&path).is_err(),
        "a root not of its leaves is refused"
    );
    let fresh = PanaceaClient::new(s.d.backend.clone(), Keypair::new()).with_tree_cache(&dir);
    let index = fresh.tree_index(&tree).await.unwrap();
    assert_eq!(index.len(), 4);
    assert!(TreeIndex::load(&path).unwrap().is_some(), "rewritten whole");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_root_the_index_cannot_reach_is_refused_naming_the_tree_and_both_roots() {
    let s = scene().await;
    let client = &s.d.client;
    let tree = s.tree().await;
    let record = s.issue(tree).await;
    let grant = client
        .grant_record_access(
            &s.patient.key,
            &s.patient.pubkey(),
            &record,
            &s.specialist.pubkey(),
            AccessTerms {
                permissions: permissions::READ,
                purpose: Purpose::Treatment,
                duration: 30 * DAY,
            },
            &s.patient.enc,
            &s.store,
        )
        .await
        .unwrap()
        .address("grant")
        .unwrap();
    // The account's current root no longer matches what the history says
    // (a node serving another state than its history).
    let good = client.record_tree(&tree).await.unwrap();
    {
        let mut svm = s.d.backend.svm();
        let mut account = svm.get_account(&tree).unwrap();
        let offset =
            RecordTree::TREE_OFFSET + 32 + good.header.active_index as usize * (32 * 15 + 8);
        account.data[offset] ^= 0xff;
        svm.set_account(tree, account).unwrap();
    }
    let bad = client.record_tree(&tree).await.unwrap();
    assert_ne!(bad.root, good.root);
    let error = client
        .log_record_access(&s.specialist.key, &grant, &record)
        .await
        .unwrap_err();
    match &error {
        SdkError::TreeRootMismatch {
            tree: named,
            index_root,
            account_root,
            ..
        } => {
            assert_eq!(*named, tree);
            let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
            assert_eq!(*index_root, hex(&good.root));
            assert_eq!(*account_root, hex(&bad.root));
        }
        other => panic!("expected a root mismatch, got {other}"),
    }
    let text = error.to_string();
    assert!(text.contains(&tree.to_string()) && text.contains("nothing was sent"));
    assert_eq!(client.get::<Grant>(&grant).await.unwrap().access_count, 0);
}

#[tokio::test]
async fn a_depth_20_claim_goes_v0_with_a_lookup_table_and_one_that_cannot_fit_is_refused_unsent() {
    let s = scene().await;
    let client = &s.d.client;
    let tree = client
        .create_record_tree(&s.lab.key, 20, 64, 10, false)
        .await
        .unwrap()
        .address("tree")
        .unwrap();
    let (first, second, third) = (
        s.issue(tree).await,
        s.issue(tree).await,
        s.issue(tree).await,
    );
    let policy = s.policy().await;

    // Two compressed records at depth 20 fit in no transaction: refused
    // before any lookup table is created or anything is sent.
    let before = s.lamports(&client.payer()).await;
    let refused = client
        .bill_records(&s.lab.key, &policy, &[first, second], 500_000, [6; 32])
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("even with a lookup table"),
        "{refused}"
    );
    assert_eq!(
        s.lamports(&client.payer()).await,
        before,
        "nothing was sent"
    );

    // One, paid by a relayer (the client's payer, not the provider): too
    // large as a legacy transaction, it goes as v0 through the payer's
    // claims lookup table.
    let outcome = client
        .bill_records(&s.lab.key, &policy, &[first], 500_000, [6; 32])
        .await
        .unwrap();
    let table = outcome
        .address("lookup_table")
        .expect("a lookup table was used");
    let claim = outcome.address("claim").unwrap();
    let state: Claim = client.get(&claim).await.unwrap();
    assert_eq!(state.records, vec![first.address()]);
    assert_eq!(state.status, ClaimStatus::Approved);
    // The claim's events are read back like any other (audit trail).
    let trail = audit_trail(client, &s.patient.pubkey()).await.unwrap();
    assert!(trail
        .iter()
        .any(|e| matches!(&e.event, PanaceaEvent::ClaimSubmitted(c) if c.claim == claim)));

    // The next claim reuses the table: no new one.
    let outcome = client
        .bill_records(&s.lab.key, &policy, &[second], 400_000, [7; 32])
        .await
        .unwrap();
    assert_eq!(outcome.address("lookup_table"), Some(table));
    // The provider paying its own fees: one signature less, 1,232 bytes
    // as a legacy transaction but 1,233 with the compute-unit limit the
    // client adds when the claim needs more than the default units (as on
    // a validator over JSON-RPC): it goes v0 too, through its own table.
    let own = PanaceaClient::new(s.d.backend.clone(), s.lab.key.insecure_clone());
    let outcome = own
        .bill_records(&s.lab.key, &policy, &[third], 300_000, [8; 32])
        .await
        .unwrap();
    let own_table = outcome.address("lookup_table").expect("v0");
    assert_ne!(own_table, table, "the provider's own table");
}

#[tokio::test]
async fn a_compressed_record_requested_approved_revoked_rekeyed_amended_and_the_amendment_retracted(
) {
    let s = scene().await;
    let client = &s.d.client;
    let tree = s.tree().await;
    let record = s.issue(tree).await;

    // A request over the compressed record, approved: the key is wrapped
    // to the requester, who reads.
    let request = client
        .request_record_access(
            &s.specialist.key,
            &record,
            RequestAccessArgs {
                scope: GrantScope::Record,
                kinds: 0,
                permissions: permissions::READ,
                purpose: Purpose::Treatment,
                duration: 7 * DAY,
                reason_code: 1,
                leaf: None,
            },
        )
        .await
        .unwrap()
        .address("access_request")
        .unwrap();
    assert_eq!(
        client.get::<AccessRequest>(&request).await.unwrap().target,
        record.address()
    );
    let grant = client
        .approve_record_access_request(
            &s.patient.key,
            &s.specialist.pubkey(),
            &record,
            &s.patient.enc,
            &s.store,
        )
        .await
        .unwrap()
        .address("grant")
        .unwrap();
    assert_eq!(
        client
            .read_granted(&grant, &record, &s.specialist.enc, &s.store)
            .await
            .unwrap(),
        OBSERVATION
    );

    // Revoked with a re-key: the leaf points at a new ciphertext, the
    // patient still reads it, the former grantee's key opens nothing.
    let before = client
        .tree_index(&tree)
        .await
        .unwrap()
        .record(0)
        .unwrap()
        .commitment;
    client
        .revoke_grant(&s.patient.key, &grant, Some(&s.patient.enc), &s.store)
        .await
        .unwrap();
    let after = client
        .tree_index(&tree)
        .await
        .unwrap()
        .record(0)
        .unwrap()
        .clone();
    assert_ne!(after.commitment, before, "re-keyed");
    assert!(s
        .store
        .get(&panacea_sdk::offchain::blob_uri(&before))
        .await
        .is_err());
    assert_eq!(
        client
            .read_own(&record, &s.patient.enc, &s.store)
            .await
            .unwrap(),
        OBSERVATION
    );
    assert!(client
        .read_granted(&grant, &record, &s.specialist.enc, &s.store)
        .await
        .is_err());

    // The lab amends it: the next leaf, version 2; the first superseded.
    const AMENDED: &[u8] = br#"{"resourceType": "Observation", "status": "amended",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2339-0"}]},
        "valueQuantity": {"value": 6.1, "unit": "mmol/L"}}"#;
    let (_, _, amended) = client
        .amend_compressed_record(&s.lab.key, &record, None, AMENDED, &s.store)
        .await
        .unwrap();
    assert_eq!(amended, RecordRef::Compressed { tree, index: 1 });
    let index = client.tree_index(&tree).await.unwrap();
    assert_eq!(index.record(0).unwrap().status, RecordStatus::Superseded);
    let second = index.record(1).unwrap();
    assert_eq!(
        (second.record_version, second.supersedes),
        (2, index.record(0).unwrap().record_id)
    );
    assert_eq!(
        client
            .read_own(&amended, &s.patient.enc, &s.store)
            .await
            .unwrap(),
        AMENDED
    );
    assert_eq!(s.book().await, 1, "an amendment does not move the book");

    // Retracted by its issuer: the first version is Active again.
    client
        .retract_any_record(&s.lab.key, &amended)
        .await
        .unwrap();
    let index = client.tree_index(&tree).await.unwrap();
    assert_eq!(index.record(1).unwrap().status, RecordStatus::Retracted);
    assert_eq!(index.record(0).unwrap().status, RecordStatus::Active);
    assert_eq!(s.book().await, 1);
}

/// A grant over the patient's records with Read, and the grant's address.
async fn patient_wide_grant(s: &Scene, grantee: &Pubkey) -> Pubkey {
    s.d.client
        .grant_patient_access(
            &s.patient.key,
            &s.patient.pubkey(),
            grantee,
            kinds::ALL,
            AccessTerms {
                permissions: permissions::READ,
                purpose: Purpose::Treatment,
                duration: 30 * DAY,
            },
            &s.patient.enc,
            &s.store,
        )
        .await
        .unwrap()
        .address("grant")
        .unwrap()
}

#[tokio::test]
async fn a_grant_over_the_patients_records_hands_compressed_keys_and_its_revocation_rekeys_them() {
    let s = scene().await;
    let client = &s.d.client;
    let second = Actor::new();
    s.d.register_entity(&second, EntityKind::Provider, LOCAL_START + 365 * DAY)
        .await
        .unwrap();
    // Issued before any grant over the patient's records: only the grant's
    // sharing can hand their keys on.
    let tree = s.tree().await;
    let record = s.issue(tree).await;
    let (_, _, account) = client
        .issue_record_into(
            &s.lab.key,
            &s.patient.pubkey(),
            RecordKind::LabResult,
            OBSERVATION,
            &s.store,
            None,
        )
        .await
        .unwrap();
    assert!(!account.is_compressed());

    // The shared listing names both kinds, from the chain.
    let listed = client
        .patient_records(&s.patient.pubkey())
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.reference)
        .collect::<Vec<_>>();
    assert_eq!(listed.len(), 2);
    assert!(listed.contains(&record) && listed.contains(&account));
    assert_eq!(
        client.trees_of_patient(&s.patient.pubkey()).await.unwrap(),
        vec![tree]
    );

    let revoked = patient_wide_grant(&s, &s.specialist.pubkey()).await;
    let kept = patient_wide_grant(&s, &second.pubkey()).await;
    for (grant, keys) in [(revoked, &s.specialist.enc), (kept, &second.enc)] {
        for r in [&record, &account] {
            assert_eq!(
                client
                    .read_granted(&grant, r, keys, &s.store)
                    .await
                    .unwrap(),
                OBSERVATION,
                "{r} through {grant}"
            );
        }
    }

    // The key the revoked grantee held, and its envelope's name.
    let resolved = client.resolve_record(&record).await.unwrap();
    let held = client
        .envelope_key_of(&resolved, &s.specialist.enc, &s.store)
        .await
        .unwrap();
    let envelope = panacea_sdk::offchain::envelope_name(
        &held,
        &resolved.binding(),
        &s.specialist.enc.public_key_bytes(),
    )
    .unwrap();
    assert!(s.store.get_envelope(&envelope).await.is_ok());

    let (outcome, rekeyed) = client
        .revoke_grant(&s.patient.key, &revoked, Some(&s.patient.enc), &s.store)
        .await
        .unwrap();
    assert!(rekeyed);
    let named: Vec<Pubkey> = outcome
        .addresses
        .iter()
        .filter(|(what, _)| *what == "record")
        .map(|(_, a)| *a)
        .collect();
    assert!(named.contains(&record.address()), "{named:?}");
    assert!(named.contains(&account.address()), "{named:?}");

    // The leaf points at a new ciphertext; the old one and the former
    // grantee's envelope are gone; the other grantee and the patient read.
    let after = client.resolve_record(&record).await.unwrap();
    assert_ne!(after.record.commitment, resolved.record.commitment);
    assert!(s.store.get(&resolved.uri()).await.is_err());
    assert!(s.store.get_envelope(&envelope).await.is_err());
    for r in [&record, &account] {
        assert!(client
            .read_granted(&revoked, r, &s.specialist.enc, &s.store)
            .await
            .is_err());
        assert_eq!(
            client
                .read_granted(&kept, r, &second.enc, &s.store)
                .await
                .unwrap(),
            OBSERVATION
        );
        assert_eq!(
            client.read_own(r, &s.patient.enc, &s.store).await.unwrap(),
            OBSERVATION
        );
    }
}

#[tokio::test]
async fn rekeying_all_records_and_rotating_the_patient_key_cover_compressed_records() {
    let s = scene().await;
    let client = &s.d.client;
    let tree = s.tree().await;
    let record = s.issue(tree).await;
    let grant = patient_wide_grant(&s, &s.specialist.pubkey()).await;

    // Every record re-keyed, the compressed one too; the live grantee
    // gets the new key.
    let before = client.resolve_record(&record).await.unwrap();
    let rekeyed = client
        .rekey_all_records(
            &s.patient.key,
            &s.patient.pubkey(),
            &s.patient.enc,
            &s.store,
        )
        .await
        .unwrap();
    assert_eq!(rekeyed, vec![record.address()]);
    let after = client.resolve_record(&record).await.unwrap();
    assert_ne!(after.record.commitment, before.record.commitment);
    assert!(s.store.get(&before.uri()).await.is_err());
    assert_eq!(
        client
            .read_own(&record, &s.patient.enc, &s.store)
            .await
            .unwrap(),
        OBSERVATION
    );
    assert_eq!(
        client
            .read_granted(&grant, &record, &s.specialist.enc, &s.store)
            .await
            .unwrap(),
        OBSERVATION
    );

    // The patient's key rotated: the compressed record's envelope is
    // re-wrapped to the new key; the old key opens nothing.
    let new_keys = panacea_sdk::offchain::EncryptionKeypair::generate();
    client
        .rotate_patient_key(&s.patient.key, &s.patient.enc, &new_keys, &s.store)
        .await
        .unwrap();
    assert_eq!(
        client.read_own(&record, &new_keys, &s.store).await.unwrap(),
        OBSERVATION
    );
    assert!(client
        .read_own(&record, &s.patient.enc, &s.store)
        .await
        .is_err());
}

#[tokio::test]
async fn a_compressed_record_in_the_emergency_summary_is_checked_split_refreshed_and_unmarked() {
    use panacea_sdk::{
        emergency::{check_emergency_access, combine_shares, share_binding, CustodianLink},
        offchain::{self, EncryptionKeypair, RecordContext},
        records_program::state::Custodian,
    };
    let s = scene().await;
    let client = &s.d.client;
    let custodians: Vec<EncryptionKeypair> =
        (0..3).map(|_| EncryptionKeypair::generate()).collect();
    client
        .set_emergency_custodians(
            &s.d.admin,
            2,
            custodians
                .iter()
                .map(|c| Custodian {
                    authority: Pubkey::new_unique(),
                    encryption_key: c.public_key_bytes(),
                })
                .collect(),
        )
        .await
        .unwrap();
    let tree = s.tree().await;
    let record = s.issue(tree).await;
    let address = record.address();
    let patient = s.patient.pubkey();

    // Marked by its address: split among the custodians.
    let index = client
        .mark_emergency_summary(&patient, &s.patient.enc, &[address], &s.store)
        .await
        .unwrap();
    assert!(index.records.contains(&address));
    // What two custodians hold rebuilds the key that opens the leaf's payload.
    let opened = |_: ()| async {
        let resolved = client.resolve_record(&record).await.unwrap();
        let mut shares = Vec::new();
        for (i, keys) in custodians.iter().enumerate().take(2) {
            let link =
                CustodianLink::for_custodian(keys, &s.patient.enc.public_key_bytes()).unwrap();
            let wrapped = s
                .store
                .get_envelope(&link.share_name(&address))
                .await
                .unwrap();
            let x = u8::try_from(i + 1).unwrap();
            let share = offchain::unwrap_key(&wrapped, &share_binding(&address, x), keys).unwrap();
            shares.push((x, share));
        }
        let key = combine_shares(2, &shares).unwrap();
        offchain::open(
            &s.store,
            &RecordContext::new(resolved.binding(), resolved.record.record_version),
            &resolved.uri(),
            &resolved.record.commitment,
            &resolved.record.content_commitment,
            &key,
        )
        .await
        .unwrap()
    };
    assert_eq!(opened(()).await, OBSERVATION);

    // The custodians' on-chain check accepts the leaf once the ER broke the
    // glass and logged its access to it.
    let er = &s.specialist;
    client
        .emergency_access(&er.key, &patient, 911, 3_600)
        .await
        .unwrap();
    let grant = rx::emergency_grant_address(&patient, &er.pubkey());
    let now = s.d.backend.unix_timestamp().await.unwrap();
    assert!(matches!(
        check_emergency_access(client, &er.pubkey(), &patient, &grant, Some(&address), now).await,
        Err(panacea_sdk::emergency::Refusal::AccessNotLogged)
    ));
    client
        .log_record_access(&er.key, &grant, &record)
        .await
        .unwrap();
    let checked =
        check_emergency_access(client, &er.pubkey(), &patient, &grant, Some(&address), now)
            .await
            .map_err(|e| e.to_string())
            .unwrap();
    assert_eq!(
        checked.record.unwrap().commitment,
        client
            .resolve_record(&record)
            .await
            .unwrap()
            .record
            .commitment
    );

    // Re-keyed by the patient: the shares are split again from the new key.
    client
        .rekey_compressed_record(&s.patient.key, &record, &s.patient.enc, &s.store)
        .await
        .unwrap();
    assert_eq!(opened(()).await, OBSERVATION);

    // Erased: out of the summary, its shares gone.
    client
        .erase_any_record(&s.patient.key, &record, Some(&s.patient.enc), &s.store)
        .await
        .unwrap();
    let index = client
        .emergency_summary(&patient, &s.patient.enc, &s.store)
        .await
        .unwrap();
    assert!(!index.records.contains(&address));
    let link =
        CustodianLink::for_custodian(&custodians[0], &s.patient.enc.public_key_bytes()).unwrap();
    assert!(s
        .store
        .get_envelope(&link.share_name(&address))
        .await
        .is_err());
}
