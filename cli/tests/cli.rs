//! The `panacea` binary, run as a user runs it: the demo in-process and
//! against a localnet, every command group's main flow, and bad input.
//! Each failure must be one line on stderr, a non-zero exit, and change
//! nothing.

use {
    anchor_spl::associated_token::get_associated_token_address_with_program_id,
    panacea_localnet::{start, LocalnetConfig},
    panacea_sdk::{
        backend::{rpc::RpcBackend, Backend},
        PanaceaClient, Pubkey,
    },
    serde_json::Value,
    solana_commitment_config::CommitmentConfig,
    solana_keypair::Keypair,
    solana_signer::Signer,
    std::{
        path::{Path, PathBuf},
        process::{Command, Output},
        sync::{mpsc, Arc, OnceLock},
        time::{Duration, Instant},
    },
};

const SOL: u64 = 1_000_000_000;
/// The demo's narrated steps (the in-process and the localnet run).
const STEPS: usize = 21;
const ACTORS: [&str; 19] = [
    "researcher",
    "bounty-patient",
    "batch-patient",
    "bad-patient",
    "claims-patient",
    "deployer",
    "lab",
    "specialist",
    "insurer",
    "patient",
    "relayer",
    "broke",
    "guarded",
    "emergency-room",
    "summary-patient",
    "tree-patient",
    "member-patient",
    "clinician",
    "billing-clerk",
];

/// One localnet for the whole test binary, kept alive on its own thread,
/// and the actors' keypair files.
struct Net {
    url: String,
    dir: PathBuf,
}

fn net() -> &'static Net {
    static NET: OnceLock<Net> = OnceLock::new();
    NET.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let mut airdrops = Vec::new();
        let mut deployer = None;
        for name in ACTORS {
            let key = Keypair::new();
            solana_keypair::write_keypair_file(&key, dir.join(format!("{name}.json"))).unwrap();
            if name != "broke" {
                airdrops.push((key.pubkey(), 100 * SOL));
            }
            if name == "deployer" {
                deployer = Some(key.pubkey());
            }
        }
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let localnet = start(LocalnetConfig {
                rpc_port: None,
                ledger: None,
                upgrade_authority: deployer.unwrap(),
                airdrops,
            })
            .expect("localnet starts");
            sender.send(localnet.rpc_url()).unwrap();
            loop {
                std::thread::park();
            }
        });
        let url = receiver
            .recv_timeout(Duration::from_secs(120))
            .expect("localnet ready");
        Net { url, dir }
    })
}

impl Net {
    fn key(&self, name: &str) -> String {
        self.dir.join(format!("{name}.json")).display().to_string()
    }

    fn address(&self, name: &str) -> Pubkey {
        solana_keypair::read_keypair_file(self.key(name))
            .unwrap()
            .pubkey()
    }

    fn store(&self) -> String {
        self.dir.join("store").display().to_string()
    }

    /// `panacea --url <localnet> -k <actor> --output json ARGS`.
    fn run(&self, actor: &str, args: &[&str]) -> Output {
        self.run_in(&self.store(), actor, args)
    }

    /// The same with its own payload store.
    fn run_in(&self, store: &str, actor: &str, args: &[&str]) -> Output {
        panacea(
            &[
                &[
                    "--url",
                    &self.url,
                    "-k",
                    &self.key(actor),
                    "--store",
                    store,
                    "--output",
                    "json",
                ],
                args,
            ]
            .concat(),
        )
    }

    /// Runs and expects success; the JSON output.
    fn ok(&self, actor: &str, args: &[&str]) -> Value {
        self.ok_in(&self.store(), actor, args)
    }

    fn ok_in(&self, store: &str, actor: &str, args: &[&str]) -> Value {
        let out = self.run_in(store, actor, args);
        assert!(
            out.status.success(),
            "panacea {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON output")
    }

    fn client(&self) -> PanaceaClient<RpcBackend> {
        let backend = Arc::new(RpcBackend::new(
            self.url.clone(),
            CommitmentConfig::confirmed(),
        ));
        let payer = solana_keypair::read_keypair_file(self.key("relayer")).unwrap();
        PanaceaClient::new(backend, payer)
    }
}

fn panacea(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_panacea"))
        .args(args)
        // No user config: every test names its cluster and keys.
        .env("HOME", std::env::temp_dir())
        .env_remove("PANACEA_STORE")
        .output()
        .expect("run panacea")
}

/// The same, with `input` on standard input (a signer given as `stdin`).
fn panacea_with_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_panacea"))
        .args(args)
        .env("HOME", std::env::temp_dir())
        .env_remove("PANACEA_STORE")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run panacea");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().expect("panacea exits")
}

/// A keypair as a Solana keypair file holds it (what `stdin` reads).
fn keypair_json(key: &Keypair) -> Vec<u8> {
    serde_json::to_vec(&key.to_bytes().to_vec()).unwrap()
}

/// Expects a failure: non-zero exit, exactly one line on stderr that
/// contains `needle`, nothing on stdout.
fn fails(out: Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "expected a failure, got {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "not one line: {stderr:?}"
    );
    assert!(
        stderr.contains(needle),
        "{stderr:?} does not mention {needle:?}"
    );
    assert!(
        out.stdout.is_empty(),
        "printed {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn sample(name: &str) -> String {
    samples().join(name).display().to_string()
}

/// The registry, a lab, a specialist, an insurer and a patient, once.
fn registered() -> &'static Net {
    static READY: OnceLock<()> = OnceLock::new();
    let net = net();
    READY.get_or_init(|| {
        net.ok("deployer", &["migrate"]);
        for (name, kind) in [
            ("lab", "laboratory"),
            ("specialist", "provider"),
            ("insurer", "insurer"),
        ] {
            net.ok(
                "deployer",
                &[
                    "registry",
                    "register",
                    "--entity",
                    &net.key(name),
                    "--kind",
                    kind,
                ],
            );
        }
        // One patient per test: tests run in parallel and count records.
        // Each makes the lab and the specialist their care links.
        for patient in ["patient", "batch-patient", "bad-patient", "claims-patient"] {
            net.ok(patient, &["patient", "register"]);
            for issuer in ["lab", "specialist"] {
                let issuer = net.address(issuer).to_string();
                net.ok(patient, &["access", "authorize", "--issuer", &issuer]);
            }
        }
    });
    net
}

/// The demo step that reports `key`.
fn step<'a>(steps: &'a [Value], key: &str) -> &'a Value {
    steps
        .iter()
        .find(|s| !s[key].is_null())
        .unwrap_or_else(|| panic!("no demo step reports {key}"))
}

fn records_of(net: &Net, patient: &str) -> usize {
    net.ok(patient, &["record", "list"])
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn the_demo_runs_in_process() {
    let out = panacea(&["demo", "--output", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["cluster"], "in-process");
    let steps = report["steps"].as_array().unwrap();
    assert_eq!(steps.len(), STEPS);
    // Dr. Rivera, the specialist's clinician member, logged the access: the
    // trail names her for the specialist.
    let clinician = step(steps, "clinician")["clinician"].as_str().unwrap();
    let specialist = step(steps, "specialist")["specialist"].as_str().unwrap();
    let audit = step(steps, "audit_trail")["what"].as_str().unwrap();
    assert!(
        audit.contains(&format!("AccessLogged by {clinician} for {specialist}")),
        "{audit}"
    );
    let compressed = steps
        .iter()
        .find(|s| {
            s["what"]
                .as_str()
                .is_some_and(|w| w.contains("compressed record"))
        })
        .expect("the compressed record step");
    assert_eq!(compressed["status"], "Approved");
    let trail = step(steps, "audit_trail")["audit_trail"]
        .as_array()
        .unwrap();
    for event in [
        "RecordIssued",
        "AccessLogged",
        "ConsentChanged",
        "ClaimSettled",
        "ContributionOffered",
        "ContributionAccepted",
    ] {
        assert!(
            trail.iter().any(|e| e == event),
            "{event} missing from {trail:?}"
        );
    }
    assert_eq!(
        step(steps, "provider_balance")["provider_balance"],
        240_000_000
    );
    assert_eq!(step(steps, "paid")["paid"], 1_640_000_000);
    // The research bounty paid the patient 25 test USDC; the grant and the
    // offer went as one transaction within a packet.
    let research = step(steps, "patient_balance");
    assert_eq!(research["patient_balance"], 25_000_000);
    let bytes = research["offer_transaction_bytes"].as_u64().unwrap();
    assert!(bytes <= 1232, "{bytes}");
    assert!(research["access"]
        .as_str()
        .unwrap()
        .starts_with("Compute-to-data: "));
}

/// The registry has one emergency custodian set: the tests that set it
/// (the demo, the custodian services') take turns.
fn custodian_set_turn() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[test]
fn the_demo_runs_against_a_localnet() {
    let net = registered();
    let _turn = custodian_set_turn();
    let report = net.ok("deployer", &["demo"]);
    assert_eq!(report["cluster"], net.url);
    let steps = report["steps"].as_array().unwrap();
    assert_eq!(steps.len(), STEPS);
    let clinician = step(steps, "clinician")["clinician"].as_str().unwrap();
    assert!(step(steps, "audit_trail")["what"]
        .as_str()
        .unwrap()
        .contains(&format!("AccessLogged by {clinician} for")));
    assert_eq!(step(steps, "paid")["paid"], 1_640_000_000);
    let trail = step(steps, "audit_trail")["audit_trail"]
        .as_array()
        .unwrap();
    assert!(trail.iter().any(|e| e == "ClaimSettled"), "{trail:?}");
}

#[test]
fn migrate_is_idempotent() {
    let net = registered();
    let again = net.ok("deployer", &["migrate"]);
    let registry = again.as_array().unwrap().last().unwrap().clone();
    assert_eq!(registry["status"], "unchanged");
    // Another key cannot take the registry over.
    fails(
        net.run("lab", &["migrate"]),
        "the registry exists with admin",
    );
    let shown = net.ok("lab", &["registry", "show"]);
    assert_eq!(shown["admin"], net.address("deployer").to_string());
}

#[test]
fn records_access_and_consent_through_the_binary() {
    let net = registered();
    let patient = net.address("patient").to_string();
    let before = records_of(net, "patient");
    let issued = net.ok(
        "lab",
        &[
            "record",
            "issue",
            &sample("lab-result.json"),
            "--patient",
            &patient,
        ],
    );
    assert_eq!(issued["status"], "issued");
    assert_eq!(issued["kind"], "LabResult");
    let record = issued["record"].as_str().unwrap().to_string();
    assert_eq!(records_of(net, "patient"), before + 1);
    let shown = net.ok("lab", &["record", "show", &record]);
    assert_eq!(shown["status"], "Active");
    assert_eq!(shown["issuer"], net.address("lab").to_string());

    // The patient reads their own record.
    let own = net.ok("patient", &["record", "fetch", &record]);
    assert_eq!(own["fhir"]["resourceType"], "Observation");

    // The specialist asks, the patient approves, the specialist reads and logs.
    let specialist = net.address("specialist").to_string();
    net.ok(
        "specialist",
        &[
            "access",
            "request",
            "--patient",
            &patient,
            "--record",
            &record,
            "--reason",
            "7",
        ],
    );
    let listed = net.ok("patient", &["access", "list"]);
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["type"] == "request" && i["who"] == specialist));
    let approved = net.ok(
        "patient",
        &[
            "access",
            "approve",
            "--requester",
            &specialist,
            "--record",
            &record,
        ],
    );
    let grant = approved["grant"].as_str().unwrap().to_string();
    let out = net.dir.join("read.json");
    net.ok(
        "specialist",
        &["record", "fetch", &record, "--out", out.to_str().unwrap()],
    );
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(sample("lab-result.json")).unwrap()
    );
    let logged = net.ok(
        "specialist",
        &["access", "log", &grant, "--record", &record],
    );
    assert_eq!(logged["access_count"], 1);

    // Revoking re-keys the record: the specialist's key no longer opens it.
    net.ok("patient", &["access", "revoke", &grant]);
    assert!(!net
        .run("specialist", &["record", "fetch", &record])
        .status
        .success());
    let own = net.ok("patient", &["record", "fetch", &record]);
    assert_eq!(own["fhir"]["resourceType"], "Observation");

    // A request over all the patient's lab results, denied: nothing pending.
    net.ok(
        "specialist",
        &[
            "access",
            "request",
            "--patient",
            &patient,
            "--kinds",
            "lab-result",
        ],
    );
    net.ok("patient", &["access", "deny", "--requester", &specialist]);
    let listed = net.ok("patient", &["access", "list"]);
    assert!(!listed
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["type"] == "request" && i["who"] == specialist));

    // Break-glass: flagged, time-boxed, logged.
    let glass = net.ok(
        "specialist",
        &[
            "access",
            "emergency",
            "--patient",
            &patient,
            "--reason",
            "911",
            "--duration",
            "30m",
        ],
    );
    let glass = glass["grant"].as_str().unwrap().to_string();
    assert_eq!(
        net.ok(
            "specialist",
            &["access", "log", &glass, "--record", &record]
        )["access_count"],
        1
    );
    let listed = net.ok("patient", &["access", "list"]);
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["address"] == glass && i["type"] == "emergency grant"));
    net.ok("patient", &["access", "revoke", &glass]);

    // Consent signed off-line by the patient, relayed by someone else.
    let signed = net.dir.join("consent.json");
    net.ok(
        "patient",
        &[
            "consent",
            "sign",
            "--to",
            &specialist,
            "--purpose",
            "research",
            "--out",
            signed.to_str().unwrap(),
        ],
    );
    let relayed = net.ok("relayer", &["consent", "submit", signed.to_str().unwrap()]);
    let consent = relayed["consent"].as_str().unwrap().to_string();
    let shown = net.ok("relayer", &["consent", "show", &consent]);
    assert_eq!(
        (shown["decision"].as_str(), shown["signed_via"].as_str()),
        (Some("Permit"), Some("OffchainSignature"))
    );
    let fhir = net.ok("relayer", &["consent", "export", &consent]);
    assert_eq!(fhir["resourceType"], "Consent");
    // Submitting the same signed message again changes nothing.
    let again = net.run("relayer", &["consent", "submit", signed.to_str().unwrap()]);
    assert!(!again.status.success());
    assert_eq!(
        net.ok("relayer", &["consent", "show", &consent])["consent_version"],
        shown["consent_version"]
    );
    // A tampered file is refused before anything is paid.
    let mut file: Value = serde_json::from_slice(&std::fs::read(&signed).unwrap()).unwrap();
    file["purpose"] = Value::String("Treatment".into());
    let tampered = net.dir.join("tampered.json");
    std::fs::write(&tampered, file.to_string()).unwrap();
    fails(
        net.run(
            "relayer",
            &["consent", "submit", tampered.to_str().unwrap()],
        ),
        "does not match",
    );

    // Someone else's signature over the patient's message: refused, unpaid.
    let forged = net.dir.join("forged.json");
    net.ok(
        "bad-patient",
        &[
            "consent",
            "sign",
            "--to",
            &specialist,
            "--purpose",
            "research",
            "--out",
            forged.to_str().unwrap(),
        ],
    );
    let mut file: Value = serde_json::from_slice(&std::fs::read(&signed).unwrap()).unwrap();
    let other: Value = serde_json::from_slice(&std::fs::read(&forged).unwrap()).unwrap();
    file["signature"] = other["signature"].clone();
    std::fs::write(&forged, file.to_string()).unwrap();
    fails(
        net.run("relayer", &["consent", "submit", forged.to_str().unwrap()]),
        "the signature is not the patient's",
    );

    // Amend, then retract the amendment: the original is Active again.
    let amended = net.ok(
        "lab",
        &["record", "amend", &record, &sample("lab-result.json")],
    );
    let amendment = amended["record"].as_str().unwrap().to_string();
    assert_eq!(
        net.ok("lab", &["record", "show", &record])["status"],
        "Superseded"
    );
    net.ok("lab", &["record", "retract", &amendment]);
    assert_eq!(
        net.ok("lab", &["record", "show", &record])["status"],
        "Active"
    );

    // Erasure: the record is gone.
    net.ok("patient", &["record", "erase", &record]);
    fails(
        net.run("patient", &["record", "show", &record]),
        "no record at",
    );
}

#[test]
fn batch_issuance_resumes_without_duplicates() {
    let net = registered();
    let patient = net.address("batch-patient").to_string();
    let batch = net.dir.join("batch");
    std::fs::create_dir_all(&batch).unwrap();
    // An interrupted run: only two of the three files were there.
    for name in ["consultation.json", "endoscopy.json"] {
        std::fs::copy(samples().join(name), batch.join(name)).unwrap();
    }
    let before = records_of(net, "batch-patient");
    let first = net.ok(
        "specialist",
        &[
            "record",
            "issue",
            batch.to_str().unwrap(),
            "--patient",
            &patient,
        ],
    );
    assert_eq!(first.as_array().unwrap().len(), 2);
    std::fs::copy(
        samples().join("lab-result.json"),
        batch.join("lab-result.json"),
    )
    .unwrap();
    let second = net.ok(
        "specialist",
        &[
            "record",
            "issue",
            batch.to_str().unwrap(),
            "--patient",
            &patient,
        ],
    );
    let statuses: Vec<&str> = second
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["already issued", "already issued", "issued"]);
    assert_eq!(records_of(net, "batch-patient"), before + 3);
    let kinds: Vec<&str> = second
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Procedure", "Procedure", "LabResult"]);
}

#[test]
fn policies_and_claims_through_the_binary() {
    let net = registered();
    let client = net.client();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let patient = net.address("claims-patient").to_string();
    let (insurer, lab) = (net.address("insurer"), net.address("lab"));

    // A payout mint (6 decimals) and the insurer's tokens.
    let mint = Keypair::new();
    let token = anchor_spl::token::ID;
    runtime
        .block_on(client.create_funded_mint(&mint, 6, &token, &[(insurer, 1_000_000_000)]))
        .unwrap();
    let mint = mint.pubkey().to_string();
    // Billing needs the patient's consent for payment to the insurer.
    let consent = net.ok(
        "claims-patient",
        &[
            "consent",
            "grant",
            "--to",
            &insurer.to_string(),
            "--purpose",
            "payment",
        ],
    );
    assert_eq!(consent["decision"], "Permit");

    let created = net.ok(
        "insurer",
        &[
            "policy",
            "create",
            "--patient",
            &patient,
            "--mint",
            &mint,
            "--coverage",
            "800",
            "--auto-approve",
            "100",
            "--challenge-window",
            "2s",
            // The shortest the program allows; nothing here waits it out.
            "--appeal-window",
            "1d",
        ],
    );
    let policy = created["policy"].as_str().unwrap().to_string();
    net.ok("insurer", &["policy", "fund", &policy, "500"]);
    // More than the insurer holds: the token program refuses, nothing moves.
    fails(
        net.run("insurer", &["policy", "fund", &policy, "5000"]),
        "insufficient funds: a lamport or token balance cannot cover",
    );
    assert_eq!(
        net.ok("insurer", &["policy", "show", &policy])["deposited"],
        500_000_000
    );

    let mut records = Vec::new();
    for file in ["consultation.json", "endoscopy.json"] {
        let path = net.dir.join(format!("claims-{file}"));
        let mut fhir: Value =
            serde_json::from_slice(&std::fs::read(samples().join(file)).unwrap()).unwrap();
        fhir["id"] = Value::String("claims-test".into());
        std::fs::write(&path, fhir.to_string()).unwrap();
        let issued = net.ok(
            "lab",
            &[
                "record",
                "issue",
                path.to_str().unwrap(),
                "--patient",
                &patient,
            ],
        );
        records.push(issued["record"].as_str().unwrap().to_string());
    }

    // Within the auto-approve limit: approved by rule, settled by anyone.
    let small = net.ok(
        "lab",
        &[
            "claim",
            "submit",
            "--policy",
            &policy,
            "--record",
            &records[0],
            "--amount",
            "60.5",
        ],
    );
    assert_eq!(small["status"], "Approved");
    assert_eq!(small["amount_payable"], 60_500_000);
    let small = small["claim"].as_str().unwrap().to_string();
    // The same record cannot be billed twice.
    assert!(!net
        .run(
            "lab",
            &[
                "claim",
                "submit",
                "--policy",
                &policy,
                "--record",
                &records[0],
                "--amount",
                "1"
            ]
        )
        .status
        .success());
    std::thread::sleep(Duration::from_secs(3));
    let settled = wait_ok(net, "relayer", &["claim", "settle", &small]);
    assert_eq!(settled["status"], "Paid");

    // Above it: the adjudicator (the insurer by default) decides; approved
    // in full it is payable at once (a partial approval would wait out the
    // appeal window).
    let large = net.ok(
        "lab",
        &[
            "claim",
            "submit",
            "--policy",
            &policy,
            "--record",
            &records[1],
            "--amount",
            "300",
        ],
    );
    assert_eq!(large["status"], "PendingReview");
    let large = large["claim"].as_str().unwrap().to_string();
    let decided = net.ok("insurer", &["claim", "decide", &large, "--approve", "300"]);
    assert_eq!(decided["status"], "Approved");
    wait_ok(net, "relayer", &["claim", "settle", &large]);

    let shown = net.ok("insurer", &["policy", "show", &policy]);
    assert_eq!(shown["paid"], 360_500_000);
    assert_eq!(shown["reserved"], 0);
    let listed = net.ok("insurer", &["claim", "list", "--policy", &policy]);
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["status"] == "Paid"));
    let lab_tokens =
        get_associated_token_address_with_program_id(&lab, &mint.parse().unwrap(), &token);
    let balance = runtime
        .block_on(client.backend().get_account(&lab_tokens))
        .unwrap()
        .unwrap();
    assert_eq!(
        u64::from_le_bytes(balance.data[64..72].try_into().unwrap()),
        360_500_000
    );

    // What is left can be withdrawn: no decision can be appealed.
    wait_ok(net, "insurer", &["policy", "withdraw", &policy, "139.5"]);
    assert_eq!(
        net.ok("insurer", &["policy", "show", &policy])["withdrawn"],
        139_500_000
    );

    // The audit trail, read back from finalized history.
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let trail = net.ok("claims-patient", &["audit"]);
        let events: Vec<&str> = trail
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].as_str().unwrap())
            .collect();
        if events.contains(&"ClaimSettled") && events.contains(&"PolicyCreated") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the trail never showed the settlement: {events:?}"
        );
        std::thread::sleep(Duration::from_secs(2));
    }
    let rent = net.ok("claims-patient", &["rent"]);
    assert!(rent
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["item"] == "Record" && r["lamports"] == 2_547_360));
}

/// A research bounty through the binary: created with a FHIR ResearchStudy
/// (RAW ACCESS said plainly), funded, a lab result offered by the patient
/// (grant and offer in one transaction), accepted, shown as FHIR, listed;
/// bad input is one clear line and creates nothing.
#[test]
fn bounty_commands_end_to_end() {
    let net = registered();
    let client = net.client();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    net.ok(
        "deployer",
        &[
            "registry",
            "register",
            "--entity",
            &net.key("researcher"),
            "--kind",
            "researcher",
        ],
    );
    let researcher = net.address("researcher");
    let patient = net.address("bounty-patient").to_string();
    net.ok("bounty-patient", &["patient", "register"]);
    let lab = net.address("lab").to_string();
    net.ok("bounty-patient", &["access", "authorize", "--issuer", &lab]);
    let issued = net.ok(
        "lab",
        &[
            "record",
            "issue",
            &sample("lab-result.json"),
            "--patient",
            &patient,
        ],
    );
    let record = issued["record"].as_str().unwrap().to_string();
    // Only records issued before the bounty opens count.
    std::thread::sleep(Duration::from_secs(2));
    let mint = Keypair::new();
    runtime
        .block_on(client.create_funded_mint(
            &mint,
            6,
            &anchor_spl::token::ID,
            &[(researcher, 1_000_000_000)],
        ))
        .unwrap();
    let mint = mint.pubkey().to_string();
    let consent_text = net.dir.join("research-consent.txt");
    std::fs::write(&consent_text, "Panacea sample research consent, v1").unwrap();
    let consent_text = consent_text.to_str().unwrap().to_string();
    let study = sample("research-study.json");
    let create = |kinds: &str, study: &str| {
        net.run(
            "researcher",
            &[
                "bounty",
                "create",
                "--mint",
                &mint,
                "--reward",
                "25",
                "--kinds",
                kinds,
                "--max-contributions",
                "10",
                "--max-per-patient",
                "2",
                "--intake",
                "30d",
                "--review",
                "7d",
                "--study",
                study,
                "--consent-text",
                &consent_text,
            ],
        )
    };
    // Bad input: a kind that does not exist, a missing study, a study that
    // is no ResearchStudy. Nothing is created.
    fails(create("lab-results", &study), "invalid value 'lab-results'");
    fails(
        create("lab-result", "/nonexistent/study.json"),
        "cannot read /nonexistent/study.json",
    );
    fails(
        create("lab-result", &sample("lab-result.json")),
        "a study must be a FHIR ResearchStudy",
    );
    let none = net.ok(
        "researcher",
        &["bounty", "list", "--researcher", &researcher.to_string()],
    );
    assert_eq!(none.as_array().unwrap().len(), 0);

    let out = create("lab-result", &study);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(created["access"]
        .as_str()
        .unwrap()
        .starts_with("RAW ACCESS: "));
    let bounty = created["bounty"].as_str().unwrap().to_string();
    net.ok(
        "researcher",
        &["bounty", "fund", &bounty, "--amount", "100"],
    );
    fails(
        net.run(
            "researcher",
            &["bounty", "fund", &bounty, "--amount", "1.0000001"],
        ),
        "is not a token amount with at most 6 decimals",
    );

    // The patient's Research consent names the study's consent text.
    net.ok(
        "bounty-patient",
        &[
            "consent",
            "grant",
            "--to",
            &researcher.to_string(),
            "--purpose",
            "research",
            "--kinds",
            "lab-result",
            "--for",
            "90d",
            "--document",
            &consent_text,
        ],
    );
    let offered = net.ok(
        "bounty-patient",
        &["bounty", "contribute", &bounty, &record],
    );
    let bytes = offered["transaction_bytes"].as_u64().unwrap();
    assert!(bytes <= 1232, "{bytes}");
    assert!(offered["access"]
        .as_str()
        .unwrap()
        .starts_with("RAW ACCESS: "));
    let contribution = offered["contribution"].as_str().unwrap().to_string();
    // Twice: the contribution is found, nothing more.
    assert_eq!(
        net.ok(
            "bounty-patient",
            &["bounty", "contribute", &bounty, &record]
        )["already_existed"],
        true
    );
    // Only the researcher accepts.
    fails(
        net.run(
            "bounty-patient",
            &["bounty", "accept", &contribution, "--quality", "90"],
        ),
        "NotResearcher",
    );
    fails(
        net.run(
            "researcher",
            &["bounty", "accept", &contribution, "--quality", "101"],
        ),
        "101",
    );
    let accepted = net.ok(
        "researcher",
        &["bounty", "accept", &contribution, "--quality", "90"],
    );
    assert_eq!(accepted["status"], "Paid");
    assert_eq!(accepted["amount_paid"], 25_000_000);
    let shown = net.ok("researcher", &["bounty", "show", &bounty]);
    assert_eq!(shown["paid"], "25");
    assert_eq!(shown["rewarded"], 1);
    let study_fhir = net.ok("researcher", &["bounty", "show", &bounty, "--fhir"]);
    assert_eq!(study_fhir["resourceType"], "ResearchStudy");
    assert_eq!(study_fhir["status"], "active");
    let subject = net.ok("researcher", &["bounty", "show", &contribution, "--fhir"]);
    assert_eq!(subject["resourceType"], "ResearchSubject");
    assert_eq!(subject["status"], "on-study");
    let listed = net.ok("researcher", &["bounty", "list", "--bounty", &bounty]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let mine = net.ok("bounty-patient", &["bounty", "list", "--patient", &patient]);
    assert_eq!(mine[0]["status"], "Paid");
    // Intake closed early, the contribution closed, the rest withdrawn.
    net.ok("researcher", &["bounty", "close", &bounty, "--intake-only"]);
    net.ok("bounty-patient", &["bounty", "close", &contribution]);
    net.ok(
        "researcher",
        &["bounty", "withdraw", &bounty, "--amount", "75"],
    );
    fails(
        net.run(
            "researcher",
            &["bounty", "cancel", &Pubkey::new_unique().to_string()],
        ),
        "is not a bounty, a contribution or a patient tally",
    );
}

/// Retries a command that waits on the cluster's clock (a window closing).
fn wait_ok(net: &Net, actor: &str, args: &[&str]) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = net.run(actor, args);
        if out.status.success() {
            return serde_json::from_slice(&out.stdout).unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_secs(1));
    }
}

#[test]
fn bad_input_is_one_clear_line_and_changes_nothing() {
    let net = registered();
    let patient = net.address("bad-patient").to_string();
    let unknown = Pubkey::new_unique().to_string();
    // Its own payload store, so that other tests' payloads do not show.
    let store = net.dir.join("bad-input-store").display().to_string();
    let store_files = || walk(Path::new(&store));

    // Keypair files.
    fails(
        panacea(&[
            "--url",
            &net.url,
            "-k",
            "/nonexistent/id.json",
            "patient",
            "register",
        ]),
        "keypair file /nonexistent/id.json not found",
    );
    let malformed = net.dir.join("malformed.json");
    std::fs::write(&malformed, "{ not a keypair").unwrap();
    fails(
        panacea(&[
            "--url",
            &net.url,
            "-k",
            malformed.to_str().unwrap(),
            "patient",
            "register",
        ]),
        "is not a Solana keypair",
    );

    // Addresses and flags.
    fails(
        net.run_in(&store, "bad-patient", &["record", "show", "not-an-address"]),
        "'not-an-address' is not a valid base58 address",
    );
    fails(
        net.run_in(&store, "bad-patient", &["record", "show", &unknown]),
        &format!("no record at {unknown}"),
    );
    fails(
        panacea(&["--url", &net.url, "--output", "yaml", "rent"]),
        "invalid value 'yaml'",
    );
    fails(
        panacea(&["--url", "devnett", "rent"]),
        "invalid --url 'devnett'",
    );

    // A global option given before and after the subcommand (clap would
    // keep the second silently): refused, naming it.
    fails(
        panacea(&[
            "--url",
            &net.url,
            "record",
            "list",
            "--patient",
            &patient,
            "--url",
            "http://127.0.0.1:1",
        ]),
        "the global option '--url <URL_OR_MONIKER>' was given more than once",
    );
    fails(
        panacea(&[
            "--url",
            &net.url,
            "-k",
            &net.key("bad-patient"),
            "patient",
            "show",
            "-k",
            &net.key("lab"),
        ]),
        "the global option '--keypair <SIGNER>' was given more than once",
    );

    // A role's signer given as a public key, without its signature: named,
    // nothing sent.
    let stranger = Keypair::new().pubkey().to_string();
    fails(
        net.run_in(
            &store,
            "deployer",
            &[
                "registry", "register", "--entity", &stranger, "--kind", "provider",
            ],
        ),
        &format!("entity {stranger} is a public key: give its signature with --signer"),
    );
    fails(
        net.run_in(&store, "deployer", &["registry", "entity", &stranger]),
        "the account does not exist",
    );
    // Signed offline, a public-key entity needs its encryption key given.
    fails(
        net.run_in(
            &store,
            "deployer",
            &[
                "--sign-only",
                "--blockhash",
                "11111111111111111111111111111111",
                "registry",
                "register",
                "--entity",
                &stranger,
                "--kind",
                "provider",
            ],
        ),
        "--entity-encryption-key",
    );
    fails(
        net.run_in(
            &store,
            "deployer",
            &[
                "registry",
                "register",
                "--entity",
                &net.key("lab"),
                "--kind",
                "provider",
                "--entity-encryption-key",
                "abcd",
            ],
        ),
        "'abcd' is not an X25519 public key",
    );
    let guardian_before =
        net.ok_in(&store, "bad-patient", &["patient", "show"])["guardian"].clone();
    fails(
        net.run_in(
            &store,
            "bad-patient",
            &["patient", "set-guardian", "--guardian", &stranger],
        ),
        &format!("guardian {stranger} is a public key: give its signature with --signer"),
    );
    assert_eq!(
        net.ok_in(&store, "bad-patient", &["patient", "show"])["guardian"],
        guardian_before
    );
    fails(
        net.run_in(
            &store,
            "broke",
            &["patient", "register", "--guardian", &stranger],
        ),
        "--signer",
    );

    // A file that is not FHIR: nothing stored, nothing issued.
    let (files, records) = (store_files(), records_of(net, "bad-patient"));
    let not_fhir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/not-fhir.json");
    fails(
        net.run_in(
            &store,
            "lab",
            &[
                "record",
                "issue",
                not_fhir.to_str().unwrap(),
                "--patient",
                &patient,
            ],
        ),
        "is not a FHIR R4 JSON resource",
    );
    fails(
        net.run_in(
            &store,
            "lab",
            &[
                "record",
                "issue",
                "/nonexistent.json",
                "--patient",
                &patient,
            ],
        ),
        "/nonexistent.json not found",
    );
    assert_eq!(
        (store_files(), records_of(net, "bad-patient")),
        (files, records)
    );

    // Grants that do not exist.
    fails(
        net.run_in(&store, "bad-patient", &["access", "revoke", &unknown]),
        &format!("no grant at {unknown}"),
    );
    let issued = net.ok_in(
        &store,
        "lab",
        &[
            "record",
            "issue",
            &sample("consultation.json"),
            "--patient",
            &patient,
            "--kind",
            "clinical-note",
        ],
    );
    let record = issued["record"].as_str().unwrap();
    fails(
        net.run_in(&store, "insurer", &["record", "fetch", record]),
        "holds no grant on record",
    );

    // No SOL: the transaction is refused in simulation, nothing is created.
    let broke = net.address("broke");
    let files = store_files();
    fails(
        net.run_in(&store, "broke", &["patient", "register"]),
        &format!("insufficient funds: the fee payer cannot pay the fee (fee payer {broke} holds 0 SOL; nothing was sent)"),
    );
    fails(
        net.run_in(
            &store,
            "bad-patient",
            &["patient", "show", &broke.to_string()],
        ),
        "no registered patient",
    );
    fails(
        net.run_in(
            &store,
            "lab",
            &[
                "--fee-payer",
                &net.key("broke"),
                "record",
                "issue",
                &sample("endoscopy.json"),
                "--patient",
                &patient,
                "--kind",
                "imaging",
            ],
        ),
        "insufficient funds",
    );
    assert_eq!(store_files(), files, "a failed issue left payloads behind");

    // Signed offline, an erasure would shred the payload of a record that
    // stays on chain: refused before the store is touched.
    fails(
        net.run_in(
            &store,
            "bad-patient",
            &[
                "--sign-only",
                "--blockhash",
                "11111111111111111111111111111111",
                "record",
                "erase",
                record,
            ],
        ),
        "record erase cannot be signed offline (--sign-only)",
    );
    assert_eq!(store_files(), files, "the payload was not shredded");

    // Wrong signer: the program's error, named.
    fails(
        net.run_in(&store, "lab", &["record", "erase", record]),
        "records error",
    );
    assert_eq!(
        net.ok_in(&store, "lab", &["record", "show", record])["status"],
        "Active"
    );
    assert!(
        net.ok_in(&store, "bad-patient", &["record", "fetch", record])["fhir"].is_object(),
        "the payload survived"
    );

    // Staff: an unknown role, --days offline, an unknown member: one line
    // each, the lab's staff unchanged (the staff test uses the
    // specialist's).
    let members = || {
        net.ok_in(
            &store,
            "bad-patient",
            &["member", "list", &net.address("lab").to_string()],
        )
    };
    let staff = members();
    let newcomer = Keypair::new().pubkey().to_string();
    let commitment = "cd".repeat(32);
    fails(
        net.run_in(
            &store,
            "lab",
            &[
                "member",
                "add",
                &newcomer,
                "--roles",
                "surgeon",
                "--days",
                "30",
                "--credential-commitment",
                &commitment,
            ],
        ),
        "invalid value 'surgeon' for '--roles <ROLES>'",
    );
    fails(
        net.run_in(
            &store,
            "lab",
            &[
                "--sign-only",
                "--blockhash",
                "11111111111111111111111111111111",
                "member",
                "add",
                &newcomer,
                "--roles",
                "clinician",
                "--days",
                "30",
                "--credential-commitment",
                &commitment,
            ],
        ),
        "--days counts from the cluster's clock",
    );
    fails(
        net.run_in(
            &store,
            "lab",
            &[
                "member",
                "add",
                &newcomer,
                "--roles",
                "clinician",
                "--days",
                "30",
            ],
        ),
        "give the member's credential: --credential FILE",
    );
    fails(
        net.run_in(&store, "lab", &["member", "suspend", &unknown]),
        &format!("{unknown} is not a member of entity {}", net.address("lab")),
    );
    fails(
        net.run_in(
            &store,
            "lab",
            &[
                "--entity",
                "not-an-address",
                "access",
                "log",
                &unknown,
                "--record",
                record,
            ],
        ),
        "--entity not-an-address",
    );
    fails(
        panacea(&[
            "--url",
            &net.url,
            "-k",
            "usb://ledger",
            "member",
            "credential",
            &unknown,
        ]),
        "a hardware wallet or a public key cannot sign raw bytes",
    );
    assert_eq!(members(), staff, "the staff did not change");

    // Nobody listening.
    fails(
        panacea(&["--url", "http://127.0.0.1:1", "record", "show", &unknown]),
        "cannot reach the cluster at http://127.0.0.1:1",
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(walk(&path));
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn config_file_and_monikers_are_honoured() {
    let net = net();
    let config = net.dir.join("config.yml");
    std::fs::write(
        &config,
        format!("json_rpc_url: \"{}\"\nwebsocket_url: \"\"\nkeypair_path: {}\naddress_labels: {{}}\ncommitment: confirmed\n", net.url, net.key("patient")),
    )
    .unwrap();
    let rent: Value = serde_json::from_slice(
        &panacea(&["-C", config.to_str().unwrap(), "--output", "json", "rent"]).stdout,
    )
    .unwrap();
    assert!(rent.as_array().unwrap().len() > 10);
    fails(
        panacea(&["-C", "/nonexistent/config.yml", "rent"]),
        "config file /nonexistent/config.yml not found",
    );
    // A malformed default config is named, not silently ignored.
    let home = net.dir.join("home-with-bad-config");
    std::fs::create_dir_all(home.join(".config/solana/cli")).unwrap();
    std::fs::write(
        home.join(".config/solana/cli/config.yml"),
        "json_rpc_url: [",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_panacea"))
        .args(["rent"])
        .env("HOME", &home)
        .output()
        .unwrap();
    fails(out, "is not a Solana CLI config");
    // `localhost` is the moniker for port 8899, where nothing listens here.
    fails(
        panacea(&["-u", "localhost", "rent"]),
        "cannot reach the cluster at http://localhost:8899",
    );
}

/// The registry admin on a hardware wallet or a multisig, in two steps as
/// with the Solana CLIs: the admin's machine signs offline (`--sign-only`
/// over a `--blockhash`, the fee payer given as a public key), and the fee
/// payer's machine submits the same command with the admin's signature
/// (`--signer PUBKEY=SIGNATURE`). A third run prints the message for a
/// multisig proposal (`--dump-transaction-message`).
#[test]
fn a_registry_admin_action_signed_offline_then_submitted() {
    let net = registered();
    // An entity of its own: the other tests use the lab and the specialist.
    let entity = Keypair::new();
    let entity_file = net.dir.join("offline-entity.json");
    solana_keypair::write_keypair_file(&entity, &entity_file).unwrap();
    net.ok(
        "deployer",
        &[
            "registry",
            "register",
            "--entity",
            &entity_file.display().to_string(),
            "--kind",
            "provider",
        ],
    );
    let entity = entity.pubkey().to_string();
    let (admin, payer) = (net.address("deployer"), net.address("relayer"));
    let blockhash = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(net.client().backend().latest_blockhash())
        .unwrap()
        .0
        .to_string();
    let action = ["registry", "set-status", &entity, "suspended"];
    // 1. The admin signs offline; the fee payer is only a public key here.
    let signed = net.ok(
        "deployer",
        &[
            &[
                "--fee-payer",
                &payer.to_string(),
                "--sign-only",
                "--blockhash",
                &blockhash,
            ][..],
            &action,
        ]
        .concat(),
    );
    assert_eq!(
        signed["absent_signers"],
        serde_json::json!([payer.to_string()])
    );
    let admin_signature = signed["signers"][0].as_str().unwrap().to_string();
    assert!(
        admin_signature.starts_with(&format!("{admin}=")),
        "{signed}"
    );
    assert!(
        signed.get("message_base58").is_none(),
        "printed only when asked"
    );
    assert_eq!(
        net.ok("deployer", &["registry", "entity", &entity])["status"],
        "Active",
        "nothing was sent"
    );
    // 2. The fee payer submits, the admin given as a public key with its signature.
    let submitted = json_of(panacea(
        &[
            &["--url", &net.url, "--output", "json"][..],
            &[
                "-k",
                &admin.to_string(),
                "--fee-payer",
                &net.key("relayer"),
                "--blockhash",
                &blockhash,
                "--signer",
                &admin_signature,
            ][..],
            &action,
        ]
        .concat(),
    ));
    assert!(submitted["signature"].is_string(), "{submitted}");
    assert_eq!(
        net.ok("deployer", &["registry", "entity", &entity])["status"],
        "Suspended"
    );
    // A public key without its signature is refused, naming the fix.
    fails(
        panacea(
            &[
                &["--url", &net.url, "-k", &admin.to_string()][..],
                &["registry", "set-status", &entity, "active"],
            ]
            .concat(),
        ),
        "--signer",
    );
    // 3. A message for a multisig: every signer absent, the message printed.
    let dumped = json_of(panacea(
        &[
            &["--url", &net.url, "--output", "json"][..],
            &[
                "-k",
                &admin.to_string(),
                "--sign-only",
                "--blockhash",
                &blockhash,
                "--dump-transaction-message",
            ][..],
            &["registry", "set-status", &entity, "active"],
        ]
        .concat(),
    ));
    assert_eq!(dumped["signers"], serde_json::json!([]));
    let message = bs58::decode(dumped["message_base58"].as_str().unwrap())
        .into_vec()
        .unwrap();
    let message: solana_message::Message = bincode::deserialize(&message).unwrap();
    assert_eq!(message.account_keys[0], admin, "the admin pays and signs");
    assert_eq!(message.recent_blockhash.to_string(), blockhash);
}

/// The JSON a successful run printed.
fn json_of(out: Output) -> Value {
    assert!(
        out.status.success(),
        "panacea failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// `--entity` and `--guardian` take any signer source, as `-k` does: here
/// a keypair read from standard input, and a guardian who signs offline on
/// their own machine (a public key and `--signer PUBKEY=SIGNATURE` on the
/// patient's).
#[test]
fn role_signers_of_any_source() {
    let net = registered();
    // An entity whose keypair comes from stdin: its encryption key is the
    // one of its key file, created on first use (not derived from the
    // wallet).
    let entity = Keypair::new();
    let registered = json_of(panacea_with_stdin(
        &[
            "--url",
            &net.url,
            "-k",
            &net.key("deployer"),
            "--output",
            "json",
            "registry",
            "register",
            "--entity",
            "stdin",
            "--kind",
            "pharmacy",
        ],
        &keypair_json(&entity),
    ));
    assert_eq!(registered["authority"], entity.pubkey().to_string());
    assert_eq!(registered["kind"], "Pharmacy");
    let shown = net.ok(
        "deployer",
        &["registry", "entity", &entity.pubkey().to_string()],
    );
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let key_file: Value = serde_json::from_slice(
        &std::fs::read(
            std::env::temp_dir()
                .join(".config/panacea/encryption")
                .join(format!("{}.json", entity.pubkey())),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(shown["encryption_key"], key_file["public_key"]);
    let derived = panacea_sdk::offchain::EncryptionKeypair::from_wallet_seed(entity.secret_bytes())
        .public_key_bytes();
    assert_ne!(shown["encryption_key"], hex(&derived));
    // Deriving from the seed is for keypair files only: not stdin.
    let refused = Keypair::new();
    fails(
        panacea_with_stdin(
            &[
                "--url",
                &net.url,
                "-k",
                &net.key("deployer"),
                "--derive-encryption-key-from-seed",
                "registry",
                "register",
                "--entity",
                "stdin",
                "--kind",
                "pharmacy",
            ],
            &keypair_json(&refused),
        ),
        "--derive-encryption-key-from-seed needs a keypair file",
    );
    fails(
        net.run(
            "deployer",
            &["registry", "entity", &refused.pubkey().to_string()],
        ),
        "the account does not exist",
    );
    assert_eq!(shown["status"], "Active");
    // An encryption key given explicitly (an entity whose wallet cannot
    // derive one) is the one registered.
    let other = Keypair::new();
    let given = [7u8; 32];
    json_of(panacea_with_stdin(
        &[
            "--url",
            &net.url,
            "-k",
            &net.key("deployer"),
            "--output",
            "json",
            "registry",
            "register",
            "--entity",
            "stdin",
            "--kind",
            "provider",
            "--entity-encryption-key",
            &hex(&given),
        ],
        &keypair_json(&other),
    ));
    assert_eq!(
        net.ok(
            "deployer",
            &["registry", "entity", &other.pubkey().to_string()]
        )["encryption_key"],
        hex(&given)
    );

    // A patient registers with a guardian read from stdin.
    let first = Keypair::new();
    let patient = net.address("guarded").to_string();
    json_of(panacea_with_stdin(
        &[
            "--url",
            &net.url,
            "-k",
            &net.key("guarded"),
            "--store",
            &net.store(),
            "--output",
            "json",
            "patient",
            "register",
            "--guardian",
            "stdin",
        ],
        &keypair_json(&first),
    ));
    assert_eq!(
        net.ok("guarded", &["patient", "show"])["guardian"],
        first.pubkey().to_string()
    );
    // A new guardian signs offline on their machine, where the patient is
    // only a public key; the patient submits with the guardian's signature.
    let second = Keypair::new();
    // The guardian's encryption key, from its own key file on its machine.
    let second_key: String = panacea_sdk::offchain::EncryptionKeypair::generate()
        .public_key_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let second_file = net.dir.join("second-guardian.json");
    solana_keypair::write_keypair_file(&second, &second_file).unwrap();
    let blockhash = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(net.client().backend().latest_blockhash())
        .unwrap()
        .0
        .to_string();
    let signed = json_of(panacea(&[
        "--url",
        &net.url,
        "--output",
        "json",
        "-k",
        &patient,
        "--sign-only",
        "--blockhash",
        &blockhash,
        "patient",
        "set-guardian",
        "--guardian",
        second_file.to_str().unwrap(),
        "--guardian-encryption-key",
        &second_key,
    ]));
    assert_eq!(signed["absent_signers"], serde_json::json!([patient]));
    let guardian_signature = signed["signers"][0].as_str().unwrap().to_string();
    assert!(guardian_signature.starts_with(&format!("{}=", second.pubkey())));
    assert_eq!(
        net.ok("guarded", &["patient", "show"])["guardian"],
        first.pubkey().to_string(),
        "nothing was sent"
    );
    let submitted = net.ok(
        "guarded",
        &[
            "--blockhash",
            &blockhash,
            "--signer",
            &guardian_signature,
            "patient",
            "set-guardian",
            "--guardian",
            &second.pubkey().to_string(),
            // A public key has no key file here: the key the guardian
            // published, as in the signing run.
            "--guardian-encryption-key",
            &second_key,
        ],
    );
    assert!(submitted["signature"].is_string(), "{submitted}");
    assert_eq!(submitted["guardian"], second.pubkey().to_string());
    assert_eq!(
        net.ok("guarded", &["patient", "show"])["guardian"],
        second.pubkey().to_string()
    );
}

fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The files in `dir` whose name starts with `prefix`.
fn files_starting(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect()
}

/// The encryption key is a file of its own (0600, created on first use),
/// refused when others can read it; a patient rotates it (their records
/// re-wrapped, the old key kept beside the new one), and so does an entity.
#[test]
fn encryption_key_files_and_rotation() {
    let net = registered();
    let deployer = net.key("deployer");
    let patient = Keypair::new();
    solana_keypair::write_keypair_file(&patient, net.dir.join("rotating-patient.json")).unwrap();
    let key_file = net.dir.join("rotating-patient.key.json");
    let key = key_file.to_str().unwrap();
    let as_patient = |args: &[&str]| -> Vec<String> {
        ["--fee-payer", deployer.as_str(), "--encryption-key", key]
            .iter()
            .chain(args)
            .map(|s| s.to_string())
            .collect()
    };
    let run = |args: &[&str]| {
        let args = as_patient(args);
        net.run(
            "rotating-patient",
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    };
    let ok = |args: &[&str]| -> Value { json_of(run(args)) };

    // Registering creates the key file (0600) and publishes its public key.
    let registered = ok(&["patient", "register"]);
    assert_eq!(mode_of(&key_file), 0o600);
    let file: Value = serde_json::from_slice(&std::fs::read(&key_file).unwrap()).unwrap();
    assert_eq!(registered["encryption_key"], file["public_key"]);
    let old_key = file["public_key"].as_str().unwrap().to_string();
    assert_eq!(ok(&["patient", "show"])["encryption_key"], old_key);
    let address = patient.pubkey().to_string();
    ok(&[
        "access",
        "authorize",
        "--issuer",
        &net.address("lab").to_string(),
    ]);
    let issued = net.ok(
        "lab",
        &[
            "record",
            "issue",
            &sample("lab-result.json"),
            "--patient",
            &address,
        ],
    );
    let record = issued["record"].as_str().unwrap().to_string();
    assert_eq!(
        ok(&["record", "fetch", &record])["fhir"]["resourceType"],
        "Observation"
    );

    // A key file others can read is refused, naming it; nothing changes.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    fails(run(&["record", "fetch", &record]), "is readable by others");
    fails(run(&["patient", "rotate-key"]), "is readable by others");
    assert_eq!(mode_of(&key_file), 0o644);
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();

    // A rotation cannot be signed offline.
    fails(
        run(&[
            "--sign-only",
            "--blockhash",
            "11111111111111111111111111111111",
            "patient",
            "rotate-key",
        ]),
        "cannot be signed offline",
    );
    assert_eq!(ok(&["patient", "show"])["encryption_key"], old_key);

    // The rotation: the new key on chain and in the key file, the old one
    // kept beside it (0600), the record still readable with the key file.
    let rotated = ok(&["patient", "rotate-key"]);
    let new_key = rotated["encryption_key"].as_str().unwrap().to_string();
    assert_ne!(new_key, old_key);
    assert_eq!(rotated["old_encryption_key"], old_key);
    assert_eq!(ok(&["patient", "show"])["encryption_key"], new_key);
    let file: Value = serde_json::from_slice(&std::fs::read(&key_file).unwrap()).unwrap();
    assert_eq!(file["public_key"], new_key);
    let kept = files_starting(&net.dir, "rotating-patient.key.json.old-");
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(rotated["old_key_file"], kept[0].display().to_string());
    assert_eq!(mode_of(&kept[0]), 0o600);
    let old: Value = serde_json::from_slice(&std::fs::read(&kept[0]).unwrap()).unwrap();
    assert_eq!(old["public_key"], old_key);
    assert!(files_starting(&net.dir, "rotating-patient.key.json.pending").is_empty());
    assert_eq!(
        ok(&["record", "fetch", &record])["fhir"]["resourceType"],
        "Observation"
    );

    // An entity rotates its key too (its key file in the default place).
    let entity = Keypair::new();
    solana_keypair::write_keypair_file(&entity, net.dir.join("rotating-entity.json")).unwrap();
    net.ok(
        "deployer",
        &[
            "registry",
            "register",
            "--entity",
            &net.key("rotating-entity"),
            "--kind",
            "provider",
        ],
    );
    let entity_address = entity.pubkey().to_string();
    let before =
        net.ok("deployer", &["registry", "entity", &entity_address])["encryption_key"].clone();
    let rotated = net.ok(
        "rotating-entity",
        &["--fee-payer", &deployer, "registry", "rotate-key"],
    );
    assert_eq!(rotated["old_encryption_key"], before);
    assert_ne!(rotated["encryption_key"], before);
    assert_eq!(
        net.ok("deployer", &["registry", "entity", &entity_address])["encryption_key"],
        rotated["encryption_key"]
    );
    let dir = std::env::temp_dir().join(".config/panacea/encryption");
    assert_eq!(
        files_starting(&dir, &format!("{entity_address}.json.old-")).len(),
        1
    );
}

/// A `panacea custodian serve` process, killed (and reaped) with the test.
struct CustodianProcess {
    child: std::process::Child,
    url: String,
    authority: String,
    log: PathBuf,
}

impl Drop for CustodianProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl CustodianProcess {
    /// Starts custodian `n` of `dir` (its keypair `cN.json`, key file
    /// `cN.key.json`, log `cN.jsonl`) over the localnet and the shared
    /// store, on a port the system picks; its URL is the one it prints.
    fn start(net: &Net, dir: &Path, n: usize, authority: &str) -> Self {
        use std::io::BufRead;
        let log = dir.join(format!("c{n}.jsonl"));
        let child = Command::new(env!("CARGO_BIN_EXE_panacea"))
            .args([
                "--url",
                &net.url,
                "-k",
                dir.join(format!("c{n}.json")).to_str().unwrap(),
                "--encryption-key",
                dir.join(format!("c{n}.key.json")).to_str().unwrap(),
                "--store",
                &net.store(),
                "custodian",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--log",
                log.to_str().unwrap(),
            ])
            .env("HOME", std::env::temp_dir())
            .env_remove("PANACEA_STORE")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run panacea custodian serve");
        let mut process = Self {
            child,
            url: String::new(),
            authority: authority.to_owned(),
            log,
        };
        let mut lines = std::io::BufReader::new(process.child.stderr.take().unwrap()).lines();
        let mut said = Vec::new();
        process.url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(rest) = line.split(" listening on ").nth(1) {
                        assert!(line.contains(authority), "{line}");
                        break rest.split_whitespace().next().unwrap().to_owned();
                    }
                    said.push(line);
                }
                end => panic!("custodian {n} did not start ({end:?}): {said:?}"),
            }
        };
        // Keep its stderr drained while it runs.
        std::thread::spawn(move || lines.for_each(drop));
        process
    }

    /// The release log's lines.
    fn log_lines(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON log line"))
            .collect()
    }
}

/// POSTs `body` (JSON) to `url` + `path` over plain HTTP/1.1: the status
/// and the JSON answer.
fn post_json(url: &str, path: &str, body: &str) -> (u16, Value) {
    use std::io::{Read, Write};
    let host = url.strip_prefix("http://").unwrap();
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {response:?}"));
    let json = &response[response.find('{').unwrap()..=response.rfind('}').unwrap()];
    (status, serde_json::from_str(json).unwrap())
}

/// A custodian request for `record`'s share, signed by `signer`.
fn share_request(
    signer: &Keypair,
    custodian: &str,
    patient: &Pubkey,
    er: &Pubkey,
    record: &Pubkey,
    now: i64,
) -> panacea_sdk::emergency::CustodianRequest {
    panacea_sdk::emergency::CustodianRequest::signed(
        signer,
        panacea_sdk::emergency::Action::Share,
        &custodian.parse().unwrap(),
        patient,
        &panacea_sdk::records::emergency_grant_address(patient, er),
        Some(record),
        now,
    )
    .unwrap()
}

/// Break-glass through the binary, against three `panacea custodian serve`
/// processes that check the chain over JSON-RPC: the registry names them
/// (2 of 3), a patient marks an emergency summary, an emergency room reads
/// and decrypts it with one custodian down; each remaining custodian logs
/// its releases (addresses, no content); a laboratory, a provider with no
/// grant, a forged request and the ER after the patient revokes its grant
/// get nothing, each refusal logged.
#[test]
fn break_glass_reads_the_summary_from_custodian_processes() {
    let net = registered();
    let _turn = custodian_set_turn();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = net.client();
    let cluster_time = || runtime.block_on(client.backend().unix_timestamp()).unwrap();

    // Three custodians, each with its keypair and key file; the admin
    // registers them, 2 of 3.
    let mut set = Vec::new();
    let mut authorities = Vec::new();
    for n in 1..=3 {
        let key = dir.join(format!("c{n}.json"));
        solana_keypair::write_keypair_file(&Keypair::new(), &key).unwrap();
        let key_file = dir.join(format!("c{n}.key.json"));
        let info = json_of(panacea(&[
            "--url",
            &net.url,
            "-k",
            key.to_str().unwrap(),
            "--encryption-key",
            key_file.to_str().unwrap(),
            "--output",
            "json",
            "custodian",
            "info",
        ]));
        let file: Value = serde_json::from_slice(&std::fs::read(&key_file).unwrap()).unwrap();
        assert_eq!(info["encryption_key"], file["public_key"]);
        let authority = info["custodian"].as_str().unwrap().to_owned();
        set.push(format!(
            "{authority}={}",
            info["encryption_key"].as_str().unwrap()
        ));
        authorities.push(authority);
    }
    let registered = net.ok(
        "deployer",
        &[
            "emergency",
            "custodians",
            "--threshold",
            "2",
            "--custodian",
            &set[0],
            "--custodian",
            &set[1],
            "--custodian",
            &set[2],
        ],
    );
    assert_eq!(registered["threshold"], 2);
    let mut custodians: Vec<CustodianProcess> = (1..=3)
        .map(|n| CustodianProcess::start(net, dir, n, &authorities[n - 1]))
        .collect();

    // A patient, the lab as their care link, a synthetic patient summary
    // issued by the lab and marked as the emergency summary.
    let patient = net.address("summary-patient");
    net.ok("summary-patient", &["patient", "register"]);
    net.ok(
        "summary-patient",
        &[
            "access",
            "authorize",
            "--issuer",
            &net.address("lab").to_string(),
        ],
    );
    let ips = panacea_sdk::emergency::SYNTHETIC_IPS;
    let mut records = Vec::new();
    for (i, (_, fhir)) in ips.iter().enumerate() {
        let file = dir.join(format!("ips-{i}.json"));
        std::fs::write(&file, fhir).unwrap();
        let issued = net.ok(
            "lab",
            &[
                "record",
                "issue",
                file.to_str().unwrap(),
                "--patient",
                &patient.to_string(),
            ],
        );
        records.push(issued["record"].as_str().unwrap().to_owned());
    }
    let marked = net.ok(
        "summary-patient",
        &[
            &["emergency", "summary", "mark"][..],
            &records.iter().map(String::as_str).collect::<Vec<_>>(),
        ]
        .concat(),
    );
    assert_eq!(marked["records"].as_array().unwrap().len(), ips.len());

    // An emergency room (a registered provider).
    net.ok(
        "deployer",
        &[
            "registry",
            "register",
            "--entity",
            &net.key("emergency-room"),
            "--kind",
            "provider",
        ],
    );
    let er = net.address("emergency-room");
    let grant = panacea_sdk::records::emergency_grant_address(&patient, &er);

    // (a) Custodian 3 is down: the ER breaks the glass and reads the
    // summary from the other two.
    let down = custodians.pop().unwrap();
    let (down_url, down_log) = (down.url.clone(), down.log.clone());
    drop(down);
    let urls: Vec<String> = custodians
        .iter()
        .map(|c| c.url.clone())
        .chain([down_url])
        .collect();
    let out = dir.join("read");
    let read_args = |urls: &[String], out: &Path| -> Vec<String> {
        let mut args = vec![
            "emergency".to_owned(),
            "read".to_owned(),
            "--patient".to_owned(),
            patient.to_string(),
            "--out".to_owned(),
            out.display().to_string(),
        ];
        for url in urls {
            args.extend(["--custodian".to_owned(), url.clone()]);
        }
        args
    };
    let args = read_args(&urls, &out);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let raw = net.run("emergency-room", &args);
    let read = json_of(raw.clone());
    let rows = read.as_array().unwrap();
    assert_eq!(rows.len(), ips.len(), "{read}");
    let stdout = String::from_utf8_lossy(&raw.stdout);
    for (record, (kind, fhir)) in records.iter().zip(ips) {
        let row = rows
            .iter()
            .find(|r| r["record"] == record.as_str())
            .unwrap_or_else(|| panic!("{record} not read: {read}"));
        let resource: Value = serde_json::from_str(fhir).unwrap();
        assert_eq!(row["resource_type"], resource["resourceType"]);
        assert_eq!(row["kind"], format!("{kind:?}"));
        let written = row["written_to"].as_str().unwrap();
        assert_eq!(std::fs::read(written).unwrap(), fhir.as_bytes());
        // What is printed names the records, not their content.
        assert!(!stdout.contains(fhir), "{stdout}");
    }
    let on_chain: panacea_sdk::records_program::state::Grant =
        runtime.block_on(client.get(&grant)).unwrap();
    assert!(on_chain.emergency && on_chain.grantee == er && on_chain.patient == patient);
    assert_eq!(on_chain.access_count, ips.len() as u64);

    // (b) Each remaining custodian logged a release of each record's
    // share to this ER for this patient under this grant; no content.
    let phi = [
        "resourceType",
        "Synthetic Demo Patient",
        "Penicillin",
        "Warfarin",
        "Atrial fibrillation",
        "Blood group",
    ];
    for custodian in &custodians {
        let lines = custodian.log_lines();
        for record in &records {
            assert!(
                lines.iter().any(|l| l["outcome"] == "released"
                    && l["action"] == "share"
                    && l["status"] == 200
                    && l["custodian"] == custodian.authority.as_str()
                    && l["er"] == er.to_string()
                    && l["patient"] == patient.to_string()
                    && l["grant"] == grant.to_string()
                    && l["record"] == record.as_str()),
                "no release of {record} in {lines:?}"
            );
        }
        let text = std::fs::read_to_string(&custodian.log).unwrap();
        for word in phi {
            assert!(!text.contains(word), "{word:?} in the release log");
        }
    }
    assert!(
        std::fs::read_to_string(&down_log)
            .unwrap_or_default()
            .lines()
            .all(|l| !l.contains("\"released\"")),
        "the custodian that was down released nothing"
    );
    let logged = |c: &CustodianProcess| c.log_lines().len();
    let before: Vec<usize> = custodians.iter().map(logged).collect();

    // (c) A laboratory cannot break the glass: the program refuses, no
    // custodian is asked, nothing is written.
    let lab_out = dir.join("lab-read");
    let args = read_args(&urls, &lab_out);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    fails(
        net.run("lab", &args),
        "entity kind may not perform this action",
    );
    assert!(!lab_out.exists());
    let lab_glass = panacea_sdk::records::emergency_grant_address(&patient, &net.address("lab"));
    assert!(runtime
        .block_on(client.fetch::<panacea_sdk::records_program::state::Grant>(&lab_glass))
        .unwrap()
        .is_none());
    assert_eq!(custodians.iter().map(logged).collect::<Vec<_>>(), before);

    // A provider with no emergency grant over the patient asks a custodian
    // directly: refused, logged.
    let specialist = solana_keypair::read_keypair_file(net.key("specialist")).unwrap();
    let first = &custodians[0];
    let record: Pubkey = records[0].parse().unwrap();
    let request = share_request(
        &specialist,
        &first.authority,
        &patient,
        &specialist.pubkey(),
        &record,
        cluster_time(),
    );
    let (status, answer) = post_json(
        &first.url,
        "/v1/share",
        &serde_json::to_string(&request).unwrap(),
    );
    assert_eq!(status, 403, "{answer}");
    assert!(answer["wrapped_share"].is_null(), "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("no emergency grant"),
        "{answer}"
    );
    let last = first.log_lines().pop().unwrap();
    assert_eq!(last["outcome"], "refused");
    assert_eq!(last["er"], specialist.pubkey().to_string());
    assert_eq!(last["record"], records[0].as_str());
    assert!(last["reason"]
        .as_str()
        .unwrap()
        .contains("no emergency grant"));

    // A forged request: it names the ER (who holds a live grant and logged
    // its access) but another key signed it.
    let mut forged = share_request(
        &specialist,
        &first.authority,
        &patient,
        &er,
        &record,
        cluster_time(),
    );
    forged.er = er.to_string();
    let (status, answer) = post_json(
        &first.url,
        "/v1/share",
        &serde_json::to_string(&forged).unwrap(),
    );
    assert_eq!(status, 403, "{answer}");
    assert!(answer["wrapped_share"].is_null(), "{answer}");
    let last = first.log_lines().pop().unwrap();
    assert_eq!(last["outcome"], "refused");
    assert_eq!(last["status"], 403);
    assert!(
        last["er"].is_null(),
        "an unverified request names no ER: {last}"
    );

    // The patient revokes the grant: the ER's own signed request is
    // refused, logged.
    net.ok("summary-patient", &["access", "revoke", &grant.to_string()]);
    let er_key = solana_keypair::read_keypair_file(net.key("emergency-room")).unwrap();
    let request = share_request(
        &er_key,
        &first.authority,
        &patient,
        &er,
        &record,
        cluster_time(),
    );
    let (status, answer) = post_json(
        &first.url,
        "/v1/share",
        &serde_json::to_string(&request).unwrap(),
    );
    assert_eq!(status, 403, "{answer}");
    assert!(answer["wrapped_share"].is_null(), "{answer}");
    let last = first.log_lines().pop().unwrap();
    assert_eq!(last["outcome"], "refused");
    assert_eq!(last["er"], er.to_string());
    assert!(
        last["reason"].as_str().unwrap().contains("revoked"),
        "{last}"
    );
    assert_eq!(first.log_lines().len(), before[0] + 3);
    let text = std::fs::read_to_string(&first.log).unwrap();
    for word in phi {
        assert!(!text.contains(word), "{word:?} in the release log");
    }
}

#[test]
fn compressed_records_over_json_rpc() {
    let net = registered();
    let client = net.client();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let patient = net.address("tree-patient").to_string();
    let (insurer, specialist) = (net.address("insurer"), net.address("specialist"));
    net.ok("tree-patient", &["patient", "register"]);
    net.ok(
        "tree-patient",
        &[
            "access",
            "authorize",
            "--issuer",
            &net.address("lab").to_string(),
        ],
    );

    // The lab's own tree at the default dimensions (depth 20, canopy 10).
    let created = net.ok("lab", &["tree", "create"]);
    let tree = created["tree"].as_str().unwrap().to_string();
    assert_eq!(created["capacity"], 1u64 << 20);
    let mut leaves = Vec::new();
    for at in 0..2 {
        let issued = net.ok(
            "lab",
            &[
                "record",
                "issue",
                &sample("lab-result.json"),
                "--patient",
                &patient,
                "--tree",
                &tree,
            ],
        );
        assert_eq!(issued["status"], "issued");
        let leaf = issued["leaf"].as_str().unwrap().to_string();
        assert_eq!(leaf, format!("{tree}:{at}"));
        leaves.push(leaf);
    }
    // The index, rebuilt over JSON-RPC from the tree's history, matches
    // the account (`tree show` checks the root).
    let shown = net.ok("lab", &["tree", "show", &tree, "--leaves"]);
    assert_eq!(
        (shown["records"].as_u64(), shown["erased"].as_u64()),
        (Some(2), Some(0))
    );
    let listed = shown["leaves"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed
        .iter()
        .all(|l| l["status"] == "Active" && l["patient"] == patient.as_str()));

    // The patient reads it; a grant over the leaf lets the specialist read
    // and log; a grant over the patient's records hands the other leaf's
    // key (found from the patient's history).
    let own = net.ok("tree-patient", &["record", "fetch", &leaves[0]]);
    assert_eq!(own["fhir"]["resourceType"], "Observation");
    let granted = net.ok(
        "tree-patient",
        &[
            "access",
            "grant",
            &leaves[0],
            "--to",
            &specialist.to_string(),
        ],
    );
    let grant = granted["grant"].as_str().unwrap().to_string();
    let read = net.ok("specialist", &["record", "fetch", &leaves[0]]);
    assert_eq!(read["fhir"]["resourceType"], "Observation");
    let logged = net.ok(
        "specialist",
        &["access", "log", &grant, "--record", &leaves[0]],
    );
    assert_eq!(logged["access_count"], 1);
    // The patient's records of both kinds, listed over JSON-RPC from the
    // patient's history: both leaves.
    let patient_key: Pubkey = patient.parse().unwrap();
    let listed = runtime
        .block_on(client.patient_records(&patient_key))
        .unwrap()
        .into_iter()
        .map(|r| r.reference.to_string())
        .collect::<Vec<_>>();
    assert_eq!(
        listed,
        leaves,
        "{:?}",
        runtime.block_on(client.trees_of_patient(&patient_key))
    );
    let wide = net.ok(
        "tree-patient",
        &[
            "access",
            "grant",
            "--kinds",
            "all",
            "--to",
            &specialist.to_string(),
        ],
    );
    let wide = wide["grant"].as_str().unwrap().to_string();
    let read = net.ok(
        "specialist",
        &["record", "fetch", &leaves[1], "--grant", &wide],
    );
    assert_eq!(read["fhir"]["resourceType"], "Observation");

    // Billed: a policy of the insurer, the patient's payment consent, a
    // claim over the compressed record (a v0 transaction through the
    // lab's lookup table at depth 20); billed twice is refused.
    let mint = Keypair::new();
    let token = anchor_spl::token::ID;
    runtime
        .block_on(client.create_funded_mint(&mint, 6, &token, &[(insurer, 1_000_000_000)]))
        .unwrap();
    let mint = mint.pubkey().to_string();
    net.ok(
        "tree-patient",
        &[
            "consent",
            "grant",
            "--to",
            &insurer.to_string(),
            "--purpose",
            "payment",
        ],
    );
    let policy = net.ok(
        "insurer",
        &[
            "policy",
            "create",
            "--patient",
            &patient,
            "--mint",
            &mint,
            "--coverage",
            "800",
            "--auto-approve",
            "100",
            "--appeal-window",
            "1d",
        ],
    )["policy"]
        .as_str()
        .unwrap()
        .to_string();
    net.ok("insurer", &["policy", "fund", &policy, "500"]);
    let submit = [
        "claim", "submit", "--policy", &policy, "--record", &leaves[0], "--amount", "40",
    ];
    let claim = net.ok("lab", &submit);
    assert_eq!(claim["status"], "Approved");
    assert_eq!(claim["amount_payable"], 40_000_000);
    assert!(!net.run("lab", &submit).status.success(), "billed twice");

    // The tree does not close while a leaf lives; erased one by one, it
    // closes and its rent goes back.
    fails(
        net.run("lab", &["tree", "close", &tree]),
        "2 records not erased",
    );
    net.ok("tree-patient", &["record", "erase", &leaves[0]]);
    let shown = net.ok("lab", &["tree", "show", &tree, "--leaves"]);
    assert_eq!(shown["erased"], 1);
    assert_eq!(shown["leaves"][0]["status"], "Erased");
    fails(
        net.run("tree-patient", &["record", "fetch", &leaves[0]]),
        "was erased",
    );
    fails(
        net.run("lab", &["tree", "close", &tree]),
        "1 records not erased",
    );
    net.ok("tree-patient", &["record", "erase", &leaves[1]]);
    let closed = net.ok("lab", &["tree", "close", &tree]);
    assert_eq!(closed["lamports"], shown["rent_lamports"]);
    assert!(runtime
        .block_on(client.backend().get_account(&tree.parse().unwrap()))
        .unwrap()
        .is_none());
}

/// Staff: the specialist's authority adds a clinician and a billing member;
/// the clinician acts for the specialist with --entity (request, read with
/// the specialist's key file, log) and the audit trail names her; suspended,
/// she is refused at once and nothing changes; reinstated, she works again;
/// her credential verifies (a tampered copy does not); revoke and close.
#[test]
fn staff_members_over_json_rpc() {
    let net = registered();
    let patient = net.address("member-patient").to_string();
    let specialist = net.address("specialist").to_string();
    let clinician = net.address("clinician").to_string();
    let billing = net.address("billing-clerk").to_string();
    net.ok("member-patient", &["patient", "register"]);
    net.ok(
        "member-patient",
        &[
            "access",
            "authorize",
            "--issuer",
            &net.address("lab").to_string(),
        ],
    );
    let issued = net.ok(
        "lab",
        &[
            "record",
            "issue",
            &sample("lab-result.json"),
            "--patient",
            &patient,
        ],
    );
    let record = issued["record"].as_str().unwrap().to_string();

    // The authority adds its staff.
    let licence = net.dir.join("rivera-licence.txt");
    std::fs::write(&licence, "medical licence MD-000001 (synthetic)").unwrap();
    let added = net.ok(
        "specialist",
        &[
            "member",
            "add",
            &clinician,
            "--roles",
            "clinician,nurse",
            "--days",
            "90",
            "--credential",
            licence.to_str().unwrap(),
        ],
    );
    assert_eq!(added["roles"], "clinician,nurse");
    assert_eq!(added["entity"], specialist);
    let key = added["commitment_key"].as_str().unwrap().to_string();
    assert_eq!(key.len(), 64);
    net.ok(
        "specialist",
        &[
            "member",
            "add",
            &billing,
            "--roles",
            "billing",
            "--valid-until",
            "2030-01-01",
            "--credential-commitment",
            &"ab".repeat(32),
        ],
    );
    let listed = net.ok("specialist", &["member", "list"]);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed
        .iter()
        .any(|m| m["member"] == billing && m["roles"] == "billing" && m["status"] == "Active"));
    // Anyone lists them, naming the entity.
    assert_eq!(
        net.ok("relayer", &["member", "list", &specialist])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let shown = net.ok("specialist", &["member", "show", &clinician]);
    assert_eq!(shown["status"], "Active");
    assert_eq!(shown["revision"], 1);
    assert_eq!(shown["added_by"], specialist);
    assert_eq!(shown["valid_until"].as_str().unwrap().len(), 20);

    // The clinician acts for the specialist: request, read, log.
    let as_clinician = |args: &[&str]| -> Value {
        net.ok(
            "clinician",
            &[&["--entity", specialist.as_str()], args].concat(),
        )
    };
    as_clinician(&[
        "access",
        "request",
        "--patient",
        &patient,
        "--record",
        &record,
    ]);
    let approved = net.ok(
        "member-patient",
        &[
            "access",
            "approve",
            "--requester",
            &specialist,
            "--record",
            &record,
        ],
    );
    let grant = approved["grant"].as_str().unwrap().to_string();
    let read = as_clinician(&["record", "fetch", &record]);
    assert_eq!(read["fhir"]["resourceType"], "Observation");
    assert_eq!(
        as_clinician(&["access", "log", &grant, "--record", &record])["access_count"],
        1
    );
    // The trail is read at `finalized`: wait until the log is there.
    let by = format!("by {clinician} for {specialist}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let trail = wait_ok(net, "member-patient", &["audit"]);
        if trail
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["event"] == "AccessLogged" && e["by"] == by.as_str())
        {
            break;
        }
        assert!(Instant::now() < deadline, "no AccessLogged {by}: {trail}");
        std::thread::sleep(Duration::from_secs(1));
    }

    // Suspended: refused at once, with the program's error, nothing changed.
    let suspended = net.ok("specialist", &["member", "suspend", &clinician]);
    assert_eq!(suspended["status"], "Suspended");
    assert_eq!(suspended["revision"], 2);
    let grant_address: Pubkey = grant.parse().unwrap();
    let count = || {
        let client = net.client();
        let rt = tokio_runtime();
        rt.block_on(client.get::<panacea_sdk::records_program::state::Grant>(&grant_address))
            .unwrap()
            .access_count
    };
    fails(
        net.run(
            "clinician",
            &[
                "--entity",
                &specialist,
                "access",
                "log",
                &grant,
                "--record",
                &record,
            ],
        ),
        "(MemberSuspended): member is suspended",
    );
    assert_eq!(count(), 1, "a suspended member logged nothing");
    fails(
        net.run(
            "clinician",
            &["--entity", &specialist, "record", "fetch", &record],
        ),
        &format!("member {clinician} of entity {specialist} is Suspended: it cannot read for it"),
    );
    net.ok("specialist", &["member", "reinstate", &clinician]);
    assert_eq!(
        as_clinician(&["access", "log", &grant, "--record", &record])["access_count"],
        2
    );

    // Her credential, exported by the authority, verifies for anyone; a
    // copy that claims another role does not.
    let vc = net.dir.join("rivera-vc.json");
    net.ok(
        "specialist",
        &[
            "member",
            "credential",
            &clinician,
            "-o",
            vc.to_str().unwrap(),
        ],
    );
    let verified = net.ok(
        "relayer",
        &[
            "member",
            "verify",
            vc.to_str().unwrap(),
            "--credential",
            licence.to_str().unwrap(),
            "--commitment-key",
            &key,
        ],
    );
    assert_eq!(verified["member"], clinician);
    assert_eq!(verified["roles"], "clinician,nurse");
    assert_eq!(verified["document_matches"], true);
    let mut tampered: Value = serde_json::from_slice(&std::fs::read(&vc).unwrap()).unwrap();
    tampered["credentialSubject"]["roles"] =
        serde_json::json!(["Clinician", "Nurse", "Pharmacist"]);
    tampered["credentialSubject"]["panacea"]["rolesMask"] = serde_json::json!(7);
    let forged = net.dir.join("rivera-vc-forged.json");
    std::fs::write(&forged, serde_json::to_vec(&tampered).unwrap()).unwrap();
    fails(
        net.run("relayer", &["member", "verify", forged.to_str().unwrap()]),
        "proof does not verify",
    );
    // A member cannot sign credentials unless it is an EntityAdmin.
    fails(
        net.run(
            "clinician",
            &["--entity", &specialist, "member", "credential", &billing],
        ),
        "nor an active EntityAdmin member of it",
    );

    // Revoked: final, the tombstone stays. Closed: gone, its rent refunded.
    let revoked = net.ok("specialist", &["member", "revoke", &billing]);
    assert_eq!(revoked["status"], "Revoked");
    fails(
        net.run("specialist", &["member", "close", &billing]),
        "(MemberRevoked)",
    );
    let closed = net.ok("specialist", &["member", "close", &clinician]);
    // The specialist paid the rent (its fee payer): it gets it back.
    assert_eq!(closed["refunded_to"], specialist);
    fails(
        net.run("specialist", &["member", "show", &clinician]),
        &format!("{clinician} is not a member of entity {specialist}"),
    );
    fails(
        net.run(
            "clinician",
            &[
                "--entity",
                &specialist,
                "access",
                "log",
                &grant,
                "--record",
                &record,
            ],
        ),
        "(MemberNotFound)",
    );
    assert_eq!(count(), 2, "a closed member logged nothing");
    // The old credential no longer verifies.
    fails(
        net.run("relayer", &["member", "verify", vc.to_str().unwrap()]),
        "no Member account",
    );
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}
