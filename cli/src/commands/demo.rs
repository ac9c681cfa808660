//! `panacea demo [--url URL]`: the whole Panacea story, step by step.
//!
//! Without `--url` it runs on the programs in-process (nothing to install
//! or start) and moves the clock past the challenge window; with `--url` it
//! runs against that cluster (a localnet: `panacea-localnet`), where the
//! signer must be the programs' upgrade authority or the registry admin,
//! and waits out a short challenge window in real time. The story never
//! waits out an appeal window (at least a day): the provider appeals the
//! partial approval, and a decision on appeal is payable at once.

use {
    crate::{context::Ctx, global::Output, output::Report},
    anyhow::{anyhow, bail, Result},
    panacea_custodian::Custodian as CustodianService,
    panacea_sdk::{
        audit::{audit_trail, AuditEntry},
        backend::{in_process::InProcessBackend, rpc::RpcBackend, Backend},
        bounties_program::{instructions::CreateBountyArgs, state::Bounty},
        claims_program::{
            instructions::CreatePolicyArgs,
            state::{Claim, Policy},
        },
        compression::RecordRef,
        consent_program::state::{actions, ConsentPurpose, ConsentTerms, Decision},
        emergency::SYNTHETIC_IPS,
        offchain::{study_commitment, BlobStore, EncryptionKeypair},
        ops::{
            bounty::access_statement,
            patient::{sign_consent_message, AccessTerms},
            provider::random_id,
        },
        records_program::{
            instructions::{RegisterEntityArgs, RequestAccessArgs},
            pda,
            state::{
                kinds, permissions, roles, Custodian, EntityKind, GrantScope, Purpose, RecordKind,
                RegistryConfig,
            },
        },
        Acting, PanaceaClient, Pubkey,
    },
    serde::Serialize,
    solana_commitment_config::CommitmentConfig,
    solana_keypair::Keypair,
    solana_signer::Signer,
    std::{
        sync::Arc,
        time::{Duration, Instant},
    },
};

/// The lab result the demo issues (synthetic).
pub const LAB_RESULT: &[u8] = include_bytes!("../../samples/lab-result.json");
const CONSULTATION: &[u8] = include_bytes!("../../samples/consultation.json");
const ENDOSCOPY: &[u8] = include_bytes!("../../samples/endoscopy.json");
/// The study the demo's research bounty commits to (synthetic).
pub const RESEARCH_STUDY: &[u8] = include_bytes!("../../samples/research-study.json");

const SOL: u64 = 1_000_000_000;
/// One unit of the demo's 6-decimal payout token ("USDC").
const USDC: u64 = 1_000_000;
const DAY: i64 = 86_400;
/// The clinician's licence the demo commits to (synthetic; only its keyed
/// hash goes on chain, and the name stays off chain).
const CLINICIAN_LICENCE: &[u8] = b"Dr. Rivera, medical licence MD-000000 (synthetic)";

#[derive(clap::Args, Debug)]
pub struct Args {}

/// The demo's own view of time: the in-process clock moves on request, a
/// real cluster's only by waiting.
enum Clock {
    InProcess(Arc<InProcessBackend>),
    Real,
}

impl Clock {
    async fn wait_until(&self, backend: &impl Backend, unix: i64) -> Result<()> {
        let now = backend.unix_timestamp().await?;
        if now >= unix {
            return Ok(());
        }
        match self {
            Clock::InProcess(svm) => svm.advance_clock(unix - now),
            Clock::Real => {
                let deadline = Instant::now() + Duration::from_secs((unix - now) as u64 + 120);
                while backend.unix_timestamp().await? < unix {
                    if Instant::now() > deadline {
                        bail!("the cluster's clock did not reach {unix}");
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
        Ok(())
    }
}

/// One step of the story: what happened, and the addresses and numbers
/// it reports.
#[derive(Serialize)]
pub struct Step {
    pub step: usize,
    pub what: String,
    #[serde(flatten)]
    pub details: Details,
}

/// What a step reports; each step sets the fields it has.
#[derive(Serialize, Default)]
pub struct Details {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_book: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lab: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specialist: Option<String>,
    /// The specialist's clinician member (Dr. Rivera's own key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clinician: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emergency_room: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insurer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub researcher: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_book_balance: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emergency_grant: Option<String>,
    /// The resource types of the emergency summary the ER decrypted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emergency_summary: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_releases: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payout_mint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The specialist's token balance after the first settlement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_balance: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bounty: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contribution: Option<String>,
    /// Bytes of the patient's offer transaction (research grant and offer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer_transaction_bytes: Option<usize>,
    /// What the researcher gets, in plain words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access: Option<String>,
    /// The patient's token balance after the researcher paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_balance: Option<u64>,
    /// The names of the patient's events, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_trail: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rent_lamports: Option<Vec<AccountRent>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rent_total_lamports: Option<u64>,
}

#[derive(Serialize)]
pub struct AccountRent {
    pub account: &'static str,
    pub lamports: u64,
}

/// `demo --output json`: every step.
#[derive(Serialize)]
pub struct Demo {
    pub cluster: String,
    pub steps: Vec<Step>,
}

/// `demo` in text: the steps were printed as they happened.
#[derive(Serialize)]
pub struct DemoSummary {
    pub cluster: String,
    pub steps: usize,
}

/// Prints each step as it happens (text) and keeps them all (JSON).
struct Narrator {
    output: Output,
    steps: Vec<Step>,
}

impl Narrator {
    fn say(&mut self, what: String, details: Details) {
        if self.output == Output::Text {
            println!("{:>2}. {what}", self.steps.len() + 1);
        }
        self.steps.push(Step {
            step: self.steps.len() + 1,
            what,
            details,
        });
    }
}

pub async fn run(ctx: &Ctx, _args: Args) -> Result<Report> {
    let mut narrator = Narrator {
        output: ctx.output,
        steps: Vec::new(),
    };
    let (cluster, trail, rent, story_keys) = if ctx.url_given {
        let payer = ctx.fee_payer()?;
        let signer = ctx.keypair()?;
        let backend = ctx.backend();
        let balance = backend
            .get_account(&payer.pubkey())
            .await?
            .map_or(0, |a| a.lamports);
        if balance < SOL / 2 {
            bail!(
                "insufficient funds: the demo needs about 0.5 SOL in fee payer {}, which holds {} SOL",
                payer.pubkey(),
                balance as f64 / SOL as f64
            );
        }
        let client = PanaceaClient::with_payer(backend.clone(), payer).with_config(ctx.tx_config());
        // A challenge window the demo waits out; the shortest appeal window
        // the program allows, which the story never waits for.
        let windows = (5, DAY);
        let cluster = Cluster {
            clock: Clock::Real,
            deployment: ctx.deployment(None),
        };
        let story = story(&client, &signer, &cluster, windows, &mut narrator).await?;
        // History is indexed once slots are rooted: wait, then read there.
        let finalized = Arc::new(RpcBackend::new(
            ctx.url.clone(),
            CommitmentConfig::finalized(),
        ));
        backend
            .wait_for_finalization(Duration::from_secs(120))
            .await?;
        let reader = PanaceaClient::new(finalized, Keypair::new());
        let trail = audit_trail(&reader, &story.patient).await?;
        let keys = (story.specialist, story.clinician);
        (ctx.url.clone(), trail, story.rent, keys)
    } else {
        let deployer = Keypair::new();
        let payer = Keypair::new();
        let svm = panacea_runtime::deployment(
            &deployer.pubkey(),
            wall_clock(),
            &[(payer.pubkey(), 100 * SOL)],
        )
        .map_err(|e| anyhow!("the in-process deployment: {e}"))?;
        let backend = Arc::new(InProcessBackend::new(svm));
        let client = PanaceaClient::new(backend.clone(), payer);
        let windows = (3 * DAY, 14 * DAY);
        let cluster = Cluster {
            clock: Clock::InProcess(backend),
            deployment: Ok("localnet".to_string()),
        };
        let story = story(&client, &deployer, &cluster, windows, &mut narrator).await?;
        let trail = audit_trail(&client, &story.patient).await?;
        let keys = (story.specialist, story.clinician);
        ("in-process".to_string(), trail, story.rent, keys)
    };
    let events: Vec<&'static str> = trail.iter().map(|e: &AuditEntry| e.event.name()).collect();
    // The trail names the person: the clinician who logged the access, for
    // the specialist.
    let (specialist, clinician) = (story_keys.0, story_keys.1);
    if !trail.iter().any(|e| {
        e.event.name() == "AccessLogged"
            && e.event.actor_member() == Some(clinician)
            && e.event.acting_entity() == Some(specialist)
    }) {
        bail!("the patient's audit trail holds no AccessLogged by the clinician {clinician} for the specialist {specialist}");
    }
    narrator.say(
        format!(
            "the patient's audit trail holds {} events: {}; AccessLogged by {clinician} for {specialist} (the person, Dr. Rivera, beside the organisation)",
            events.len(),
            events.join(", ")
        ),
        Details {
            audit_trail: Some(events),
            ..Details::default()
        },
    );
    let total: u64 = rent.iter().map(|(_, lamports)| lamports).sum();
    let lines: Vec<String> = rent
        .iter()
        .map(|(name, lamports)| format!("{name} {:.6}", *lamports as f64 / SOL as f64))
        .collect();
    narrator.say(
        format!(
            "rent held by the story's accounts: {:.6} SOL, refunded on close ({})",
            total as f64 / SOL as f64,
            lines.join(", ")
        ),
        Details {
            rent_lamports: Some(
                rent.iter()
                    .map(|&(account, lamports)| AccountRent { account, lamports })
                    .collect(),
            ),
            rent_total_lamports: Some(total),
            ..Details::default()
        },
    );
    let steps = narrator.steps;
    let title = format!("Demo complete on {cluster}");
    Ok(if ctx.output == Output::Text {
        // The steps were printed as they happened.
        Report::object(
            title,
            &DemoSummary {
                cluster,
                steps: steps.len(),
            },
        )
    } else {
        Report::object(title, &Demo { cluster, steps })
    })
}

fn wall_clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

struct Story {
    patient: Pubkey,
    /// The specialist's authority and its clinician member.
    specialist: Pubkey,
    clinician: Pubkey,
    rent: Vec<(&'static str, u64)>,
}

/// The story itself, the same on every backend.
/// Where the story runs: its clock, and the deployment name a registry
/// created by the story gets (or why there is none).
struct Cluster {
    clock: Clock,
    deployment: Result<String>,
}

async fn story<B: Backend + 'static>(
    client: &PanaceaClient<B>,
    signer: &Keypair,
    cluster: &Cluster,
    (challenge_window, appeal_window): (i64, i64),
    n: &mut Narrator,
) -> Result<Story> {
    let clock = &cluster.clock;
    let backend = client.backend();
    let store = BlobStore::in_memory();

    // 1. The registry: created by the upgrade authority, or already there.
    let admin = match client.fetch::<RegistryConfig>(&pda::config().0).await? {
        Some(config) if config.admin == signer.pubkey() => {
            n.say(
                format!("registry found; admin {}", config.admin),
                Details::default(),
            );
            signer
        }
        Some(config) => bail!(
            "the registry here is administered by {}: run the demo with that keypair (-k)",
            config.admin
        ),
        None => {
            let deployment = match &cluster.deployment {
                Ok(name) => name.as_str(),
                Err(e) => bail!("{e}"),
            };
            let outcome = client
                .initialize_registry(signer, signer.pubkey(), DAY, deployment)
                .await?;
            n.say(
                format!(
                    "registry initialized by the upgrade authority for deployment '{deployment}'; admin {}",
                    signer.pubkey()
                ),
                Details { config: outcome.address("config").map(|a| a.to_string()), ..Details::default() },
            );
            signer
        }
    };
    // The deployment's record book: one Token-2022 mint that every patient's
    // record count lives in (created once, by the admin).
    let book = client
        .initialize_record_book(admin, panacea_sdk::rent::RECORD_BOOK_URI)
        .await?;
    n.say(
        format!(
            "record book {}: one non-transferable Token-2022 mint with its metadata, whose balance in each patient's wallet counts their active records",
            if book.already_existed { "found" } else { "created" }
        ),
        Details { record_book: book.address("record_book").map(|a| a.to_string()), ..Details::default() },
    );

    // 2. Credentialed entities.
    let now = backend.unix_timestamp().await?;
    let mut entities = Vec::new();
    for (name, kind) in [
        ("lab", EntityKind::Laboratory),
        ("specialist", EntityKind::Provider),
        ("emergency room", EntityKind::Provider),
        ("insurer", EntityKind::Insurer),
        ("researcher", EntityKind::Researcher),
    ] {
        let key = Keypair::new();
        let args = RegisterEntityArgs {
            kind,
            credential_commitment: sha256(name.as_bytes()),
            jurisdiction: *b"US\0\0\0\0\0\0",
            valid_until: now + 365 * DAY,
            encryption_key: encryption_keys(&key).public_key_bytes(),
        };
        client.register_entity(admin, &key, args).await?;
        entities.push((name, key));
    }
    let [lab, specialist, er, insurer, researcher]: [Keypair; 5] = entities
        .into_iter()
        .map(|(_, key)| key)
        .collect::<Vec<_>>()
        .try_into()
        .map_err(|_| anyhow!("five entities"))?;
    // Issuers pay their records' rent (refunded on erasure): the lab and the
    // specialist get 0.1 SOL each from the demo's payer.
    client
        .transfer_lamports(&[lab.pubkey(), specialist.pubkey()], 100_000_000)
        .await?;
    n.say(
        "credentialed: a laboratory, a specialist, an emergency room (providers), an insurer and a researcher"
            .into(),
        Details {
            lab: Some(lab.pubkey().to_string()),
            specialist: Some(specialist.pubkey().to_string()),
            emergency_room: Some(er.pubkey().to_string()),
            insurer: Some(insurer.pubkey().to_string()),
            researcher: Some(researcher.pubkey().to_string()),
            ..Details::default()
        },
    );

    // 2b. The specialist's staff: Dr. Rivera, a clinician with her own key
    // (the name stays off chain), acts for the specialist from now on.
    let clinician = Keypair::new();
    client
        .transfer_lamports(&[clinician.pubkey()], 20_000_000)
        .await?;
    let commitment_key = panacea_sdk::ops::members::new_commitment_key();
    let added = client
        .add_member(
            &specialist,
            &clinician.pubkey(),
            roles::CLINICIAN,
            now + 90 * DAY,
            panacea_sdk::credential::member_commitment(&commitment_key, CLINICIAN_LICENCE),
        )
        .await?;
    let member_account = added.address("member").expect("member address");
    n.say(
        format!(
            "the specialist added Dr. Rivera (the name stays off chain) as a clinician member: her own key {}, role Clinician for 90 days, a keyed hash of her licence on chain",
            clinician.pubkey()
        ),
        Details {
            clinician: Some(clinician.pubkey().to_string()),
            ..Details::default()
        },
    );

    // 3. The patient: holds no SOL, the app's relayer pays.
    let patient = Keypair::new();
    let patient_keys = encryption_keys(&patient);
    client
        .register_patient(&patient, &patient_keys, None)
        .await?;
    n.say(
        format!(
            "patient {} registered (holds no SOL; a relayer pays)",
            patient.pubkey()
        ),
        Details {
            patient: Some(patient.pubkey().to_string()),
            ..Details::default()
        },
    );

    // 4. The patient chooses who may add to their record: the lab for lab
    // results, the specialist for procedures (care links; nobody else can
    // issue records to this patient, nor bill for them).
    let link = |permissions| AccessTerms {
        permissions,
        purpose: Purpose::Treatment,
        duration: 365 * DAY,
    };
    client
        .authorize_issuer(
            &patient,
            &patient.pubkey(),
            &lab.pubkey(),
            RecordKind::LabResult.bit()
                | RecordKind::Other.bit()
                | RecordKind::Medication.bit()
                | RecordKind::Condition.bit(),
            link(0),
        )
        .await?;
    client
        .authorize_issuer(
            &patient,
            &patient.pubkey(),
            &specialist.pubkey(),
            RecordKind::Procedure.bit(),
            link(0),
        )
        .await?;
    n.say(
        "the patient made the lab (lab results, and the allergy, medication and condition records of their summary) and the specialist (procedures) their care links: nobody else can issue records to them or bill for them".into(),
        Details::default(),
    );

    // 4b. The lab issues a result as a record token.
    let (issued, _, _) = client
        .issue_record(
            &lab,
            &patient.pubkey(),
            RecordKind::LabResult,
            LAB_RESULT,
            &store,
        )
        .await?;
    let record = issued.address("record").expect("record address");
    let book = client
        .record_book_balance(&patient.pubkey())
        .await?
        .unwrap_or(0);
    n.say(
        format!(
            "lab result (FHIR Observation, encrypted off chain) issued as record {record}; the patient's record book (a non-transferable token their wallet shows) now counts {book}"
        ),
        Details { record: Some(record.to_string()), record_book_balance: Some(book), ..Details::default() },
    );

    // 5. Dr. Rivera asks for the specialist, the patient approves (to the
    // specialist, the organisation), she reads with the specialist's key.
    let rivera = Acting::member(&clinician, specialist.pubkey());
    let ask = RequestAccessArgs {
        scope: GrantScope::Record,
        kinds: 0,
        permissions: permissions::READ,
        purpose: Purpose::Treatment,
        duration: 30 * DAY,
        reason_code: 1,
        leaf: None,
    };
    client
        .request_access(rivera, &patient.pubkey(), &record, ask)
        .await?;
    let grant = client
        .approve_access_request(
            &patient,
            &patient.pubkey(),
            &specialist.pubkey(),
            &record,
            &patient_keys,
            &store,
        )
        .await?
        .address("grant")
        .expect("grant address");
    let read = client
        .read_record(&grant, &record, &encryption_keys(&specialist), &store)
        .await?;
    if read != LAB_RESULT {
        bail!("the specialist decrypted something other than the lab result");
    }
    n.say(
        format!(
            "Dr. Rivera (clinician {}) for the specialist requested access, the patient approved (key wrapped to the specialist), she decrypted {} bytes of FHIR with the specialist's key",
            clinician.pubkey(),
            read.len()
        ),
        Details { grant: Some(grant.to_string()), ..Details::default() },
    );
    client.log_access(rivera, &grant, &record).await?;
    let logged: panacea_sdk::records_program::state::Grant = client.get(&grant).await?;
    n.say(
        format!(
            "Dr. Rivera (clinician {}) for the specialist logged access #{} on chain",
            clinician.pubkey(),
            logged.access_count
        ),
        Details {
            access_count: Some(logged.access_count),
            ..Details::default()
        },
    );

    // 6. The emergency summary, and break-glass that reads it under audit.
    // Three emergency key custodians (services on 127.0.0.1, 2 of 3) hold
    // shares of the data keys of the records the patient marks: a clearly
    // synthetic patient summary (allergy, medication, condition, blood
    // group), issued by the lab's clinic system.
    let custodian_keys: Vec<(Keypair, EncryptionKeypair)> = (0..3)
        .map(|_| (Keypair::new(), EncryptionKeypair::generate()))
        .collect();
    client
        .set_emergency_custodians(
            admin,
            2,
            custodian_keys
                .iter()
                .map(|(key, enc)| Custodian {
                    authority: key.pubkey(),
                    encryption_key: enc.public_key_bytes(),
                })
                .collect(),
        )
        .await?;
    let log_dir = std::env::temp_dir().join(format!(
        "panacea-demo-custodians-{}",
        Keypair::new().pubkey()
    ));
    std::fs::create_dir_all(&log_dir)?;
    let mut urls = Vec::new();
    let mut services = Vec::new();
    let mut logs = Vec::new();
    for (i, (key, enc)) in custodian_keys.into_iter().enumerate() {
        let log = log_dir.join(format!("custodian-{}.jsonl", i + 1));
        let service = Arc::new(CustodianService::new(
            client.shared_backend(),
            key.pubkey(),
            enc,
            store.clone(),
            &log,
        )?);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        urls.push(format!("http://{}", listener.local_addr()?));
        services.push(tokio::spawn(service.serve(listener)));
        logs.push(log);
    }
    client
        .transfer_lamports(&[lab.pubkey()], 100_000_000)
        .await?;
    let mut summary = Vec::new();
    for (kind, fhir) in SYNTHETIC_IPS {
        let (issued, _, _) = client
            .issue_record(&lab, &patient.pubkey(), kind, fhir.as_bytes(), &store)
            .await?;
        summary.push(issued.address("record").expect("record address"));
    }
    client
        .mark_emergency_summary(&patient.pubkey(), &patient_keys, &summary, &store)
        .await?;
    // One custodian is down: two of three suffice.
    services[2].abort();
    let read = client
        .read_emergency_summary(
            &er,
            &encryption_keys(&er),
            &patient.pubkey(),
            &urls,
            &store,
            911,
            3_600,
        )
        .await?;
    for entry in &read {
        let expected = summary
            .iter()
            .position(|r| *r == entry.record)
            .map(|i| SYNTHETIC_IPS[i].1.as_bytes());
        if expected != Some(entry.fhir_json.as_slice()) {
            bail!("the emergency room decrypted something other than the patient's summary");
        }
    }
    if read.len() != summary.len() {
        bail!(
            "the emergency room read {} of {} summary records",
            read.len(),
            summary.len()
        );
    }
    let glass = panacea_sdk::records::emergency_grant_address(&patient.pubkey(), &er.pubkey());
    client.revoke_access(&patient, &glass).await?;
    for service in &services {
        service.abort();
    }
    let releases = logs
        .iter()
        .map(|log| {
            std::fs::read_to_string(log)
                .unwrap_or_default()
                .lines()
                .filter(|l| {
                    l.contains("\"outcome\":\"released\"") && l.contains("\"action\":\"share\"")
                })
                .count()
        })
        .sum::<usize>();
    let _ = std::fs::remove_dir_all(&log_dir);
    let types: Vec<String> = read
        .iter()
        .map(|e| e.summary.resource_type.to_string())
        .collect();
    n.say(
        format!(
            "the patient marked {} records as their emergency summary (keys split 2 of 3 among three custodians); the emergency room broke the glass (flagged, 1 hour), logged each read and, with one custodian down, decrypted the summary from two custodians' shares: {}; the custodians logged {releases} share releases; the patient then revoked the grant",
            summary.len(),
            types.join(", ")
        ),
        Details {
            emergency_grant: Some(glass.to_string()),
            emergency_summary: Some(types),
            share_releases: Some(releases),
            ..Details::default()
        },
    );

    // 7. Consent for payment, signed in the patient's wallet and relayed.
    let terms = ConsentTerms {
        decision: Decision::Permit,
        kinds: kinds::ALL,
        actions: actions::ACCESS,
        period_start: now - 60,
        period_end: now + 365 * DAY,
        policy_commitment: sha256(b"Panacea sample payment consent, v1"),
    };
    let message = client
        .consent_message(
            &patient.pubkey(),
            &insurer.pubkey(),
            ConsentPurpose::Payment,
            Some(terms),
        )
        .await?;
    let signature = sign_consent_message(&patient, &message)?;
    let consent = client
        .relay_consent(&message, &signature)
        .await?
        .address("consent")
        .expect("consent address");
    n.say(
        "the patient signed consent for Payment in their wallet (off-line message); a relayer submitted it".into(),
        Details { consent: Some(consent.to_string()), ..Details::default() },
    );

    // 8. A payout token, and a funded policy.
    let token = anchor_spl::token::ID;
    let usdc = Keypair::new();
    let accounts = client
        .create_funded_mint(
            &usdc,
            6,
            &token,
            &[
                (insurer.pubkey(), 5_000 * USDC),
                (specialist.pubkey(), 0),
                (researcher.pubkey(), 500 * USDC),
            ],
        )
        .await?;
    let (insurer_usdc, specialist_usdc, researcher_usdc) = (accounts[0], accounts[1], accounts[2]);
    let adjudicator = Keypair::new();
    let policy_args = CreatePolicyArgs {
        policy_id: random_id(),
        adjudicator: adjudicator.pubkey(),
        coverage_limit: 10_000 * USDC,
        deductible: 100 * USDC,
        copay_bps: 2_000,
        auto_approve_limit: 500 * USDC,
        provider_auto_approve_cap: 10_000 * USDC,
        auto_approve_period: 30 * 86_400,
        challenge_window,
        appeal_window,
        review_window: 30 * 86_400,
        valid_from: now - 60,
        valid_until: now + 365 * DAY,
    };
    let policy = client
        .create_policy(
            &insurer,
            &patient.pubkey(),
            &usdc.pubkey(),
            &token,
            policy_args,
        )
        .await?
        .address("policy")
        .expect("policy address");
    client
        .fund_policy(&insurer, &policy, &insurer_usdc, 5_000 * USDC)
        .await?;
    n.say(
        "the insurer opened a policy (deductible 100, co-pay 20%, auto-approve up to 500) and escrowed 5,000 test USDC".into(),
        Details { policy: Some(policy.to_string()), payout_mint: Some(usdc.pubkey().to_string()), ..Details::default() },
    );

    // 9. A claim within the auto-approve limit, settled after the window.
    let (consultation, _, _) = client
        .issue_record(
            &specialist,
            &patient.pubkey(),
            RecordKind::Procedure,
            CONSULTATION,
            &store,
        )
        .await?;
    let consultation = consultation.address("record").expect("record address");
    let small = client
        .submit_claim(
            &specialist,
            &policy,
            &[consultation],
            400 * USDC,
            sha256(b"consultation"),
        )
        .await?
        .address("claim")
        .expect("claim address");
    let claim: Claim = client.get(&small).await?;
    n.say(
        format!(
            "the specialist billed 400 for a consultation: 20% co-pay leaves {} reserved (the deductible comes off when it is paid), {:?} by rule",
            claim.amount_payable / USDC,
            claim.status
        ),
        Details { claim: Some(small.to_string()), status: Some(format!("{:?}", claim.status)), ..Details::default() },
    );
    clock.wait_until(backend, claim.settle_after).await?;
    client.settle_claim(&small, Some(&specialist_usdc)).await?;
    let paid = client.token_balance(&specialist_usdc).await?;
    let settled: Claim = client.get(&small).await?;
    n.say(
        format!(
            "settled after the {} challenge window: deductible {} applied, the specialist holds {} USDC",
            span(challenge_window),
            settled.deductible_applied / USDC,
            paid / USDC
        ),
        Details { provider_balance: Some(paid), ..Details::default() },
    );

    // 10. A claim above the limit, partly approved by the adjudicator,
    // appealed, and decided again: final, payable at once.
    let (endoscopy, _, _) = client
        .issue_record(
            &specialist,
            &patient.pubkey(),
            RecordKind::Procedure,
            ENDOSCOPY,
            &store,
        )
        .await?;
    let endoscopy = endoscopy.address("record").expect("record address");
    let large = client
        .submit_claim(
            &specialist,
            &policy,
            &[endoscopy],
            2_000 * USDC,
            sha256(b"endoscopy"),
        )
        .await?
        .address("claim")
        .expect("claim address");
    let claim: Claim = client.get(&large).await?;
    n.say(
        format!(
            "the specialist billed 2,000 for an endoscopy: {} reserved, above the auto-approve limit: {:?}",
            claim.amount_payable / USDC,
            claim.status
        ),
        Details { claim: Some(large.to_string()), status: Some(format!("{:?}", claim.status)), ..Details::default() },
    );
    client
        .decide_claim(&adjudicator, &large, Some(1_200 * USDC))
        .await?;
    client.appeal_claim(&specialist, &large).await?;
    client
        .decide_claim(&adjudicator, &large, Some(1_400 * USDC))
        .await?;
    let decided: Claim = client.get(&large).await?;
    clock.wait_until(backend, decided.settle_after).await?;
    client.settle_claim(&large, Some(&specialist_usdc)).await?;
    let totals: Policy = client.get(&policy).await?;
    n.say(
        format!(
            "the adjudicator approved 1,200; the specialist appealed within the {} appeal window and on appeal the adjudicator approved 1,400, final and settled at once. Policy: paid {}, reserved {}, escrow left {} USDC",
            span(appeal_window),
            totals.paid / USDC,
            totals.reserved / USDC,
            client.token_balance(&totals.vault).await? / USDC
        ),
        Details { paid: Some(totals.paid), reserved: Some(totals.reserved), ..Details::default() },
    );

    // 11. A compressed record: a leaf of the specialist's own record tree
    // (no account of its own), read back and billed like any other record.
    let tree = client
        .create_record_tree(&specialist, 5, 8, 2, false)
        .await?
        .address("tree")
        .expect("tree address");
    let (_, _, follow_up) = client
        .issue_record_into(
            &specialist,
            &patient.pubkey(),
            RecordKind::Procedure,
            CONSULTATION,
            &store,
            Some(tree),
        )
        .await?;
    if client.read_own(&follow_up, &patient_keys, &store).await? != CONSULTATION {
        bail!("the patient decrypted something other than the follow-up");
    }
    let billed = client
        .bill_records(
            &specialist,
            &policy,
            &[follow_up],
            150 * USDC,
            sha256(b"follow-up"),
        )
        .await?
        .address("claim")
        .expect("claim address");
    let claim: Claim = client.get(&billed).await?;
    let tree_rent = backend.get_account(&tree).await?.map_or(0, |a| a.lamports);
    n.say(
        format!(
            "the specialist created a record tree (32 records, {tree_rent} lamports of rent), issued a follow-up into it as compressed record {follow_up} (a leaf, no account of its own; the patient read it back) and billed 150 for it: {} reserved, {:?}",
            claim.amount_payable / USDC,
            claim.status
        ),
        Details {
            record: Some(follow_up.address().to_string()),
            claim: Some(billed.to_string()),
            status: Some(format!("{:?}", claim.status)),
            ..Details::default()
        },
    );

    // 12. Research: a researcher's bounty for lab results issued before it
    // opened (the clock has moved on since step 5), under Research consent.
    let consent_text: &[u8] = b"Panacea sample research consent, v1";
    let bounty = client
        .create_bounty(
            &researcher,
            &usdc.pubkey(),
            &token,
            CreateBountyArgs {
                bounty_id: random_id(),
                kinds: RecordKind::LabResult.bit(),
                reward: 25 * USDC,
                max_contributions: 100,
                max_per_patient: 3,
                intake_period: 30 * DAY,
                review_window: 7 * DAY,
                study_commitment: study_commitment(RESEARCH_STUDY)?,
                consent_text: sha256(consent_text),
                algorithm: Some(sha256(b"panacea-demo-cohort-statistics v1")),
            },
        )
        .await?
        .address("bounty")
        .expect("bounty address");
    client
        .fund_bounty(&researcher, &bounty, &researcher_usdc, 500 * USDC)
        .await?;
    let now = backend.unix_timestamp().await?;
    let research_consent = client
        .grant_consent(
            &patient,
            &patient.pubkey(),
            &researcher.pubkey(),
            ConsentPurpose::Research,
            ConsentTerms {
                decision: Decision::Permit,
                kinds: RecordKind::LabResult.bit(),
                actions: actions::ACCESS,
                period_start: now,
                period_end: now + 90 * DAY,
                policy_commitment: sha256(consent_text),
            },
        )
        .await?
        .address("consent")
        .expect("consent address");
    n.say(
        "a researcher opened a bounty for lab results (25 test USDC each, at most 3 per patient, 30-day intake, 7-day review; the study committed as the SHA-256 of research-study.json, a compute-to-data algorithm named) and escrowed 500; the patient gave Research consent naming the study's consent text".into(),
        Details { bounty: Some(bounty.to_string()), consent: Some(research_consent.to_string()), ..Details::default() },
    );
    let lab_result = RecordRef::Account(record);
    let offer_bytes = client
        .offer_transaction_size(
            &patient.pubkey(),
            &patient.pubkey(),
            &bounty,
            &lab_result,
            &patient_keys,
            &store,
            None,
        )
        .await?;
    let offered = client
        .offer_contribution(
            &patient,
            &patient.pubkey(),
            &bounty,
            &lab_result,
            &patient_keys,
            &store,
            None,
        )
        .await?;
    let contribution = offered.address("contribution").expect("contribution");
    let access = access_statement(&client.get::<Bounty>(&bounty).await?);
    let paid_to = client
        .accept_contribution(&researcher, &contribution, Some(25 * USDC), 90)
        .await?
        .address("paid to")
        .expect("paid to");
    let patient_balance = client.token_balance(&paid_to).await?;
    n.say(
        format!(
            "a researcher's bounty paid the patient {} test USDC for a lab result offered under Research consent (the research grant and the offer in one {offer_bytes}-byte transaction, paid by the relayer; accepted with quality 90). {access}",
            patient_balance / USDC
        ),
        Details {
            contribution: Some(contribution.to_string()),
            offer_transaction_bytes: Some(offer_bytes),
            access: Some(access.clone()),
            patient_balance: Some(patient_balance),
            ..Details::default()
        },
    );

    let mut rent = Vec::new();
    for (name, address) in [
        ("record", record),
        (
            "patient's record book account (once per patient)",
            pda::record_book_account(&patient.pubkey()),
        ),
        ("grant", grant),
        ("consent", consent),
        ("policy", policy),
        ("claim", small),
        ("record tree (32 compressed records)", tree),
        ("member (staff)", member_account),
        ("bounty", bounty),
        ("contribution", contribution),
    ] {
        let lamports = backend
            .get_account(&address)
            .await?
            .map_or(0, |a| a.lamports);
        rent.push((name, lamports));
    }
    Ok(Story {
        patient: patient.pubkey(),
        specialist: specialist.pubkey(),
        clinician: clinician.pubkey(),
        rent,
    })
}

/// `3 days`, `5 seconds`.
fn span(seconds: i64) -> String {
    match seconds {
        s if s % DAY == 0 => format!("{}-day", s / DAY),
        s => format!("{s}-second"),
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).into()
}

/// The X25519 key of a demo actor: derived from its throwaway wallet (the
/// demo's actors live for one run and keep no key files).
fn encryption_keys(wallet: &Keypair) -> panacea_sdk::offchain::EncryptionKeypair {
    panacea_sdk::offchain::EncryptionKeypair::from_wallet_seed(wallet.secret_bytes())
}
