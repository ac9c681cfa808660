//! The custodian service over HTTP on 127.0.0.1, three custodians (2 of
//! 3), the programs in-process: an ER with a live emergency grant reads the
//! patient's emergency summary; without a grant, after it expired or was
//! revoked, or with a forged request, it gets nothing; one custodian down
//! still works; each custodian's log lists each release.

use {
    panacea_custodian::{Custodian, MAX_REQUEST_BYTES},
    panacea_sdk::{
        backend::in_process::InProcessBackend,
        emergency::{
            Action, CustodianLink, CustodianRequest, EmergencyRecord, ShareAnswer, SYNTHETIC_IPS,
        },
        local::{Actor, LocalDeployment},
        offchain::{BlobStore, EncryptionKeypair},
        ops::patient::AccessTerms,
        records as rx, PanaceaClient, Pubkey,
    },
    records::state::{
        kinds, Custodian as CustodianEntry, EntityKind, EntityStatus, Purpose, RecordKind,
    },
    serde_json::Value,
    solana_keypair::Keypair,
    solana_signer::Signer,
    std::{path::PathBuf, sync::Arc},
};

const DAY: i64 = 86_400;
const START: i64 = 1_795_219_200;

struct Running {
    authority: Pubkey,
    url: String,
    log: PathBuf,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    service: Arc<Custodian<InProcessBackend>>,
}

struct Scene {
    client: PanaceaClient<InProcessBackend>,
    admin: Keypair,
    custodian_entries: Vec<CustodianEntry>,
    backend: Arc<InProcessBackend>,
    store: BlobStore,
    patient: Actor,
    lab: Actor,
    er: Actor,
    other_er: Actor,
    summary: Vec<Pubkey>,
    not_in_summary: Pubkey,
    custodians: Vec<Running>,
    dir: PathBuf,
}

async fn scene() -> Scene {
    let local = LocalDeployment::with_record_book(START).await.unwrap();
    let lab = Actor::new();
    let er = Actor::new();
    let other_er = Actor::new();
    for (actor, kind) in [
        (&lab, EntityKind::Laboratory),
        (&er, EntityKind::Provider),
        (&other_er, EntityKind::Provider),
    ] {
        local
            .register_entity(actor, kind, START + 365 * DAY)
            .await
            .unwrap();
    }
    let LocalDeployment {
        client,
        backend,
        admin,
        ..
    } = local;
    // Three custodians, two of which rebuild a key.
    let custodian_actors: Vec<Actor> = (0..3).map(|_| Actor::new()).collect();
    let custodian_entries: Vec<CustodianEntry> = custodian_actors
        .iter()
        .map(|c| CustodianEntry {
            authority: c.pubkey(),
            encryption_key: c.enc.public_key_bytes(),
        })
        .collect();
    client
        .set_emergency_custodians(&admin, 2, custodian_entries.clone())
        .await
        .unwrap();

    let patient = Actor::new();
    client
        .register_patient(&patient.key, &patient.enc, None)
        .await
        .unwrap();
    client
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
    let store = BlobStore::in_memory();
    let mut summary = Vec::new();
    for (kind, fhir) in SYNTHETIC_IPS {
        let (outcome, _, _) = client
            .issue_record(&lab.key, &patient.pubkey(), kind, fhir.as_bytes(), &store)
            .await
            .unwrap();
        summary.push(outcome.address("record").unwrap());
    }
    let (outcome, _, _) = client
        .issue_record(
            &lab.key,
            &patient.pubkey(),
            RecordKind::ClinicalNote,
            br#"{"resourceType":"Observation","status":"final","code":{"text":"synthetic note, not in the summary"}}"#,
            &store,
        )
        .await
        .unwrap();
    let not_in_summary = outcome.address("record").unwrap();
    let index = client
        .mark_emergency_summary(&patient.pubkey(), &patient.enc, &summary, &store)
        .await
        .unwrap();
    assert_eq!(index.records.len(), 4);
    assert_eq!(index.generation, 1);

    // A random name: `Pubkey::new_unique` repeats from one run to the next,
    // and a log left by an earlier run would be appended to.
    let dir = std::env::temp_dir().join(format!("panacea-custodian-{}", Keypair::new().pubkey()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut custodians = Vec::new();
    for (i, actor) in custodian_actors.into_iter().enumerate() {
        let log = dir.join(format!("custodian-{i}.log"));
        let service = Arc::new(
            Custodian::new(
                backend.clone(),
                actor.pubkey(),
                actor.enc,
                store.clone(),
                &log,
            )
            .unwrap(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        custodians.push(Running {
            authority: actor.key.pubkey(),
            url,
            log,
            task: tokio::spawn(service.clone().serve(listener)),
            service,
        });
    }
    Scene {
        client,
        admin,
        custodian_entries,
        backend,
        store,
        patient,
        lab,
        er,
        other_er,
        summary,
        not_in_summary,
        custodians,
        dir,
    }
}

impl Scene {
    fn urls(&self) -> Vec<String> {
        self.custodians.iter().map(|c| c.url.clone()).collect()
    }

    async fn now(&self) -> i64 {
        use panacea_sdk::backend::Backend;
        self.backend.unix_timestamp().await.unwrap()
    }

    /// A share request of `signer` to custodian 0 for `record`, under the
    /// grant `grant`, at `time`.
    async fn share_request(
        &self,
        signer: &Keypair,
        grant: &Pubkey,
        record: &Pubkey,
        time: i64,
    ) -> CustodianRequest {
        self.share_request_to(0, signer, grant, record, time)
    }

    /// The same, to custodian `custodian`.
    fn share_request_to(
        &self,
        custodian: usize,
        signer: &Keypair,
        grant: &Pubkey,
        record: &Pubkey,
        time: i64,
    ) -> CustodianRequest {
        CustodianRequest::signed(
            signer,
            Action::Share,
            &self.custodians[custodian].authority,
            &self.patient.pubkey(),
            grant,
            Some(record),
            time,
        )
        .unwrap()
    }

    /// The ER reads `patient`'s emergency summary through every custodian
    /// (breaking the glass for an hour, reason 911, when it has no grant).
    async fn er_reads(&self, patient: &Pubkey) -> panacea_sdk::error::Result<Vec<EmergencyRecord>> {
        self.client
            .read_emergency_summary(
                &self.er.key,
                &self.er.enc,
                patient,
                &self.urls(),
                &self.store,
                911,
                3_600,
            )
            .await
    }

    fn releases(&self, custodian: usize) -> Vec<Value> {
        std::fs::read_to_string(&self.custodians[custodian].log)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|l| l["outcome"] == "released" && l["action"] == "share")
            .collect()
    }

    fn log_text(&self) -> String {
        self.custodians
            .iter()
            .map(|c| std::fs::read_to_string(&c.log).unwrap_or_default())
            .collect()
    }
}

/// Posts `request` to custodian 0's `route`: status and JSON body.
async fn post(scene: &Scene, route: &str, request: &CustodianRequest) -> (u16, Value) {
    post_to(scene, 0, route, request).await
}

/// Posts `request` to custodian `custodian`'s `route`: status and JSON body.
async fn post_to(
    scene: &Scene,
    custodian: usize,
    route: &str,
    request: &CustodianRequest,
) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/v1/{route}", scene.custodians[custodian].url))
        .json(request)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json::<Value>().await.unwrap())
}

fn assert_refused(answer: &(u16, Value), status: u16, words: &str) {
    assert_eq!(answer.0, status, "{answer:?}");
    let error = answer.1["error"].as_str().unwrap_or_default();
    assert!(error.contains(words), "{error:?} does not say {words:?}");
    assert!(answer.1.get("wrapped_share").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_er_with_a_live_emergency_grant_reads_the_summary_and_nobody_else_does() {
    let scene = scene().await;
    let patient = scene.patient.pubkey();
    let er_grant = rx::emergency_grant_address(&patient, &scene.er.pubkey());
    let record = scene.summary[0];

    // Without a grant: refused, on chain.
    let now = scene.now().await;
    let request = scene
        .share_request(&scene.er.key, &er_grant, &record, now)
        .await;
    assert_refused(
        &post(&scene, "share", &request).await,
        403,
        "no emergency grant",
    );
    let request = CustodianRequest::signed(
        &scene.er.key,
        Action::Summary,
        &scene.custodians[0].authority,
        &patient,
        &er_grant,
        None,
        now,
    )
    .unwrap();
    assert_refused(
        &post(&scene, "summary", &request).await,
        403,
        "no emergency grant",
    );

    // With a live grant: the summary, decrypted.
    let read = scene.er_reads(&patient).await.unwrap();
    assert_eq!(read.len(), 4);
    for entry in &read {
        let i = scene
            .summary
            .iter()
            .position(|r| *r == entry.record)
            .unwrap();
        assert_eq!(entry.fhir_json, SYNTHETIC_IPS[i].1.as_bytes());
        assert_eq!(entry.kind, SYNTHETIC_IPS[i].0);
    }
    let mut types: Vec<&str> = read.iter().map(|e| e.summary.resource_type).collect();
    types.sort();
    assert_eq!(
        types,
        vec![
            "AllergyIntolerance",
            "Condition",
            "MedicationStatement",
            "Observation"
        ]
    );
    // Two shares per record (custodians 0 and 1, in order), each logged.
    assert_eq!(scene.releases(0).len(), 4);
    assert_eq!(scene.releases(1).len(), 4);
    assert_eq!(scene.releases(2).len(), 0);
    for line in scene.releases(0) {
        assert_eq!(line["er"], scene.er.pubkey().to_string());
        assert_eq!(line["patient"], patient.to_string());
        assert_eq!(line["grant"], er_grant.to_string());
        assert!(scene
            .summary
            .iter()
            .any(|r| line["record"] == r.to_string()));
        assert_eq!(line["request"].as_str().unwrap().len(), 64);
    }
    // The logs name addresses, never content.
    let logs = scene.log_text();
    for phi in ["Penicillin", "Warfarin", "Synthetic Demo Patient", "882-1"] {
        assert!(!logs.contains(phi));
    }

    // Forged requests get nothing, and the accepted one is not replayed.
    let now = scene.now().await;
    let good = scene
        .share_request(&scene.er.key, &er_grant, &record, now)
        .await;
    let answer = post(&scene, "share", &good).await;
    assert_eq!(answer.0, 200, "{answer:?}");
    let share: ShareAnswer = serde_json::from_value(answer.1).unwrap();
    assert_eq!(share.x, 1);
    assert_refused(&post(&scene, "share", &good).await, 403, "replayed");
    // Signed by someone else in the ER's name.
    let mut forged = scene
        .share_request(&scene.other_er.key, &er_grant, &record, now)
        .await;
    forged.er = scene.er.pubkey().to_string();
    assert_refused(&post(&scene, "share", &forged).await, 403, "signature");
    // An altered field breaks the signature.
    let mut altered = scene
        .share_request(&scene.er.key, &er_grant, &record, now)
        .await;
    altered.record = Some(scene.summary[1].to_string());
    assert_refused(&post(&scene, "share", &altered).await, 403, "signature");
    // Another ER (active, no grant of its own) using the ER's grant.
    let other = scene
        .share_request(&scene.other_er.key, &er_grant, &record, now)
        .await;
    assert_refused(&post(&scene, "share", &other).await, 403, "not this ER's");
    // Stale or future timestamps.
    for time in [now - 301, now + 301] {
        let stale = scene
            .share_request(&scene.er.key, &er_grant, &record, time)
            .await;
        assert_refused(&post(&scene, "share", &stale).await, 403, "stale");
    }
    // Addressed to another custodian.
    let mut elsewhere = CustodianRequest::signed(
        &scene.er.key,
        Action::Share,
        &scene.custodians[1].authority,
        &patient,
        &er_grant,
        Some(&record),
        now,
    )
    .unwrap();
    assert_refused(
        &post(&scene, "share", &elsewhere).await,
        400,
        "another custodian",
    );
    elsewhere.custodian = "not an address".into();
    assert_refused(&post(&scene, "share", &elsewhere).await, 400, "custodian");
    // Garbage.
    let response = reqwest::Client::new()
        .post(format!("{}/v1/share", scene.custodians[0].url))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    // A record outside the summary, even with its access logged.
    scene
        .client
        .log_access(&scene.er.key, &er_grant, &scene.not_in_summary)
        .await
        .unwrap();
    let outside = scene
        .share_request(&scene.er.key, &er_grant, &scene.not_in_summary, now)
        .await;
    assert_refused(
        &post(&scene, "share", &outside).await,
        404,
        "not in the patient's emergency summary",
    );
    assert_eq!(scene.releases(0).len(), 5);

    // One custodian down: two of three still answer.
    scene.custodians[0].task.abort();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let read = scene.er_reads(&patient).await.unwrap();
    assert_eq!(read.len(), 4);
    assert_eq!(scene.releases(1).len(), 8);
    assert_eq!(scene.releases(2).len(), 4);

    // Revoked: nothing more, neither through the SDK nor directly.
    scene
        .client
        .revoke_access(&scene.patient.key, &er_grant)
        .await
        .unwrap();
    let before = scene.releases(1).len();
    assert!(scene.er_reads(&patient).await.is_err());
    let now = scene.now().await;
    let revoked = scene.share_request_to(1, &scene.er.key, &er_grant, &record, now);
    let answer = post_to(&scene, 1, "share", &revoked).await;
    assert_refused(&answer, 403, "revoked");
    assert_eq!(scene.releases(1).len(), before);

    // Expired: the other ER breaks the glass for 10 minutes, logs, waits.
    let other_grant = scene
        .client
        .emergency_access(&scene.other_er.key, &patient, 911, 600)
        .await
        .unwrap()
        .address("grant")
        .unwrap();
    scene
        .client
        .log_access(&scene.other_er.key, &other_grant, &record)
        .await
        .unwrap();
    // Before it expires, a share is released (logged access, live grant)...
    let now = scene.now().await;
    let live = scene.share_request_to(1, &scene.other_er.key, &other_grant, &record, now);
    let answer = post_to(&scene, 1, "share", &live).await;
    assert_eq!(answer.0, 200, "{answer:?}");
    // ...but a record whose access it did not log is refused.
    let now = scene.now().await;
    let unlogged =
        scene.share_request_to(1, &scene.other_er.key, &other_grant, &scene.summary[1], now);
    let answer = post_to(&scene, 1, "share", &unlogged).await;
    assert_refused(&answer, 403, "logged");
    scene.backend.advance_clock(601);
    let now = scene.now().await;
    let expired = scene.share_request_to(1, &scene.other_er.key, &other_grant, &record, now);
    let answer = post_to(&scene, 1, "share", &expired).await;
    assert_refused(&answer, 403, "expired");

    // Refusals are logged too, with their reason.
    let log = std::fs::read_to_string(&scene.custodians[1].log).unwrap();
    assert!(log
        .lines()
        .any(|l| l.contains("\"refused\"") && l.contains("expired")));
    let _ = std::fs::remove_dir_all(&scene.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmark_erase_rekey_and_a_new_custodian_set_leave_no_stale_share() {
    let scene = scene().await;
    let patient = scene.patient.pubkey();
    let custodians = scene.client.emergency_custodians().await.unwrap();
    let links: Vec<CustodianLink> = custodians
        .custodians
        .iter()
        .map(|c| CustodianLink::for_patient(&scene.patient.enc, &c.encryption_key).unwrap())
        .collect();
    let has_share = |record: Pubkey| {
        let store = scene.store.clone();
        let names: Vec<_> = links.iter().map(|l| l.share_name(&record)).collect();
        async move {
            let mut found = 0;
            for name in names {
                if store.get_envelope(&name).await.is_ok() {
                    found += 1;
                }
            }
            found
        }
    };
    assert_eq!(has_share(scene.summary[3]).await, 3);
    // Unmark: shares gone, index shrinks.
    let index = scene
        .client
        .unmark_emergency_summary(
            &patient,
            &scene.patient.enc,
            &[scene.summary[3]],
            &scene.store,
        )
        .await
        .unwrap();
    assert_eq!(index.records.len(), 3);
    assert_eq!(has_share(scene.summary[3]).await, 0);
    // Erase a summary record: its shares go with it.
    scene
        .client
        .erase_record(
            &scene.patient.key,
            &patient,
            &scene.summary[2],
            Some(&scene.patient.enc),
            &scene.store,
        )
        .await
        .unwrap();
    assert_eq!(has_share(scene.summary[2]).await, 0);
    let index = scene
        .client
        .emergency_summary(&patient, &scene.patient.enc, &scene.store)
        .await
        .unwrap();
    assert_eq!(index.records.len(), 2);
    // Re-key a summary record: the ER still reads it (new key's shares).
    scene
        .client
        .rekey_record(
            &scene.patient.key,
            &patient,
            &scene.summary[0],
            &scene.patient.enc,
            &scene.store,
        )
        .await
        .unwrap();
    let read = scene.er_reads(&patient).await.unwrap();
    assert_eq!(read.len(), 2);
    assert!(read
        .iter()
        .any(|e| e.record == scene.summary[0] && e.fhir_json == SYNTHETIC_IPS[0].1.as_bytes()));
    // The admin changes the custodian set (now 3 of 3): the summary split
    // for the earlier generation is refused until the patient marks again.
    scene
        .client
        .set_emergency_custodians(&scene.admin, 3, scene.custodian_entries.clone())
        .await
        .unwrap();
    let er_grant = rx::emergency_grant_address(&patient, &scene.er.pubkey());
    let now = scene.now().await;
    let request = scene
        .share_request(&scene.er.key, &er_grant, &scene.summary[0], now)
        .await;
    assert_refused(
        &post(&scene, "share", &request).await,
        409,
        "earlier custodian set",
    );
    let index = scene
        .client
        .mark_emergency_summary(&patient, &scene.patient.enc, &[], &scene.store)
        .await
        .unwrap();
    assert_eq!((index.generation, index.records.len()), (2, 2));
    let read = scene.er_reads(&patient).await.unwrap();
    assert_eq!(read.len(), 2);
    // Three of three: with one custodian down, nothing.
    scene.custodians[2].task.abort();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(scene.er_reads(&patient).await.is_err());

    // A key that is not the patient's registered one marks nothing.
    assert!(scene
        .client
        .mark_emergency_summary(
            &patient,
            &EncryptionKeypair::generate(),
            &[scene.summary[1]],
            &scene.store
        )
        .await
        .is_err());
    // Nor can another patient's record be marked.
    assert!(scene
        .client
        .mark_emergency_summary(
            &patient,
            &scene.patient.enc,
            &[Pubkey::new_unique()],
            &scene.store
        )
        .await
        .is_err());
    let _ = std::fs::remove_dir_all(&scene.dir);
}

/// Posts raw bytes to custodian 0's `route`: status and JSON body.
async fn post_raw(scene: &Scene, route: &str, body: Vec<u8>) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/v1/{route}", scene.custodians[0].url))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json::<Value>().await.unwrap())
}

/// Custodian `custodian`'s log lines.
fn log_lines(scene: &Scene, custodian: usize) -> Vec<Value> {
    std::fs::read_to_string(&scene.custodians[custodian].log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extreme_times_oversized_bodies_other_patients_strangers_and_a_suspended_er_get_nothing() {
    let scene = scene().await;
    let patient = scene.patient.pubkey();
    let custodian = scene.custodians[0].authority;
    let service = scene.custodians[0].service.clone();
    let record = scene.summary[0];
    // The ER breaks the glass and logs its access to one record: from here
    // on, only the request itself can be at fault.
    let grant = scene
        .client
        .emergency_access(&scene.er.key, &patient, 911, 3_600)
        .await
        .unwrap()
        .address("grant")
        .unwrap();
    scene
        .client
        .log_access(&scene.er.key, &grant, &record)
        .await
        .unwrap();
    let mut refusals = 0;

    // Times at the ends of i64 are stale (no arithmetic overflow: the
    // service answers, and logs the refusal).
    for time in [i64::MIN, i64::MIN + 1, i64::MAX, -1, 0] {
        let request = scene
            .share_request(&scene.er.key, &grant, &record, time)
            .await;
        assert_refused(&post(&scene, "share", &request).await, 403, "stale");
        refusals += 1;
    }

    // An oversized body (a good request, padded) is refused before it is
    // parsed, with 413, and logged.
    let now = scene.now().await;
    let request = scene
        .share_request(&scene.er.key, &grant, &record, now)
        .await;
    let mut padded = serde_json::to_value(&request).unwrap();
    padded["padding"] = Value::String("x".repeat(MAX_REQUEST_BYTES));
    let answer = post_raw(&scene, "share", serde_json::to_vec(&padded).unwrap()).await;
    assert_refused(&answer, 413, "request body refused");
    refusals += 1;
    let last = log_lines(&scene, 0).pop().unwrap();
    assert_eq!(
        (last["outcome"].as_str(), last["status"].as_u64()),
        (Some("refused"), Some(413))
    );

    // Another ER asks for the summary under this ER's grant: refused, and
    // the answer lists no record.
    let summary = CustodianRequest::signed(
        &scene.other_er.key,
        Action::Summary,
        &custodian,
        &patient,
        &grant,
        None,
        now,
    )
    .unwrap();
    let answer = post(&scene, "summary", &summary).await;
    assert_refused(&answer, 403, "not this ER's");
    assert!(answer.1.get("records").is_none());
    refusals += 1;

    // A record of another patient, under this patient's grant.
    let other = Actor::new();
    scene
        .backend
        .svm()
        .airdrop(&other.pubkey(), 1_000_000_000)
        .unwrap();
    scene
        .client
        .register_patient(&other.key, &other.enc, None)
        .await
        .unwrap();
    scene
        .client
        .authorize_issuer(
            &other.key,
            &other.pubkey(),
            &scene.lab.pubkey(),
            kinds::ALL,
            AccessTerms {
                permissions: 0,
                purpose: Purpose::Treatment,
                duration: 365 * DAY,
            },
        )
        .await
        .unwrap();
    let (outcome, _, _) = scene
        .client
        .issue_record(
            &scene.lab.key,
            &other.pubkey(),
            RecordKind::Medication,
            SYNTHETIC_IPS[1].1.as_bytes(),
            &scene.store,
        )
        .await
        .unwrap();
    let foreign = outcome.address("record").unwrap();
    let request = scene
        .share_request(&scene.er.key, &grant, &foreign, now)
        .await;
    assert_refused(
        &post(&scene, "share", &request).await,
        403,
        "not an active record of this patient",
    );
    refusals += 1;

    // Strangers (any key pair signs a request) get nothing, and the service
    // remembers none of their nonces.
    for _ in 0..5 {
        let stranger = Keypair::new();
        let their_grant = rx::emergency_grant_address(&patient, &stranger.pubkey());
        let request = scene
            .share_request(&stranger, &their_grant, &record, now)
            .await;
        assert_refused(
            &post(&scene, "share", &request).await,
            403,
            "no emergency grant",
        );
        refusals += 1;
    }
    assert_eq!(service.remembered_nonces(), 0);

    // The ER suspended: its live, logged grant opens nothing.
    scene
        .client
        .set_entity_status(&scene.admin, &scene.er.pubkey(), EntityStatus::Suspended)
        .await
        .unwrap();
    let request = scene
        .share_request(&scene.er.key, &grant, &record, now)
        .await;
    assert_refused(
        &post(&scene, "share", &request).await,
        403,
        "not an active Provider",
    );
    let summary = CustodianRequest::signed(
        &scene.er.key,
        Action::Summary,
        &custodian,
        &patient,
        &grant,
        None,
        now,
    )
    .unwrap();
    let answer = post(&scene, "summary", &summary).await;
    assert_refused(&answer, 403, "not an active Provider");
    assert!(answer.1.get("records").is_none());
    refusals += 2;

    // Nothing was released, every refusal is logged with its reason, and
    // no nonce is held.
    assert!(scene.releases(0).is_empty());
    let lines = log_lines(&scene, 0);
    assert_eq!(lines.len(), refusals);
    assert!(lines
        .iter()
        .all(|l| l["outcome"] == "refused" && l["reason"].is_string()));
    assert_eq!(service.remembered_nonces(), 0);
    let _ = std::fs::remove_dir_all(&scene.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compressed_record_in_the_summary_is_read_through_the_custodians() {
    let scene = scene().await;
    let patient = scene.patient.pubkey();
    let tree = scene
        .client
        .create_record_tree(&scene.lab.key, 14, 64, 10, false)
        .await
        .unwrap()
        .address("tree")
        .unwrap();
    let (kind, fhir) = SYNTHETIC_IPS[1];
    let (_, _, leaf) = scene
        .client
        .issue_record_into(
            &scene.lab.key,
            &patient,
            kind,
            fhir.as_bytes(),
            &scene.store,
            Some(tree),
        )
        .await
        .unwrap();
    assert!(leaf.is_compressed());
    let index = scene
        .client
        .mark_emergency_summary(
            &patient,
            &scene.patient.enc,
            &[leaf.address()],
            &scene.store,
        )
        .await
        .unwrap();
    assert_eq!(index.records.len(), 5);

    // The ER breaks the glass, logs its access to the leaf, gets two
    // shares of its key from the custodians and opens it.
    let read = scene.er_reads(&patient).await.unwrap();
    assert_eq!(read.len(), 5);
    let compressed = read
        .iter()
        .find(|r| r.record == leaf.address())
        .expect("the compressed record was read");
    assert_eq!(compressed.fhir_json, fhir.as_bytes());
    assert_eq!(compressed.kind, kind);
    assert!(scene
        .releases(0)
        .iter()
        .chain(scene.releases(1).iter())
        .any(|l| l["record"] == leaf.address().to_string()));
}
