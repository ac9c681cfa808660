//! Transport faults over the wire: a small HTTP proxy sits between the SDK
//! and a real validator and, driven by a seeded PRNG, delays, drops and
//! rejects (HTTP 429 and 503) a share of the JSON-RPC requests and
//! responses, including transactions that reach the validator and land
//! while their response is thrown away.
//!
//! Every intended action is retried the way an application would: on an
//! error that says the transaction did not land, the same action is done
//! again. The chain, read afterwards without the proxy, must hold every
//! action exactly once: no duplicate record, no double payment, and no
//! transaction paid by the app that it was not told about.
//!
//! The seed is printed; set `PANACEA_FAULT_SEED` (decimal or `0x..`) to
//! replay or vary a run.

use {
    anchor_lang::solana_program::instruction::Instruction,
    anchor_spl::token::TokenAccount,
    claims::{
        instructions::CreatePolicyArgs,
        state::{Claim, ClaimStatus, Policy},
    },
    consent::{
        instructions::GrantConsentArgs,
        state::{actions, Consent, ConsentPurpose, ConsentTerms, Decision},
    },
    panacea_localnet::{start, Localnet, LocalnetConfig},
    panacea_sdk::{
        backend::{rpc::RpcBackend, Backend},
        claims as cl,
        client::{deserialize_from_wallet, serialize_for_wallet},
        consent as cx,
        offchain::{self, BlobStore, EncryptionKeypair},
        ops::{patient::sign_consent_message, provider::random_id},
        Outcome, PanaceaClient, Pubkey, SdkError,
    },
    records::{
        instructions::{RegisterEntityArgs, RequestAccessArgs},
        pda,
        state::{kinds, permissions, EntityKind, Grant, GrantScope, Purpose, Record, RecordKind},
    },
    solana_commitment_config::CommitmentConfig,
    solana_keypair::Keypair,
    solana_signer::Signer,
    std::{
        collections::{BTreeMap, BTreeSet, VecDeque},
        net::SocketAddr,
        sync::{
            atomic::{AtomicU64, Ordering},
            Arc, Mutex,
        },
        time::{Duration, Instant},
    },
    tokio::{
        io::{AsyncReadExt, AsyncWriteExt},
        net::{TcpListener, TcpStream},
    },
};

const SOL: u64 = 1_000_000_000;
const FHIR: &[u8] =
    br#"{"resourceType": "Observation", "status": "final", "code": {"text": "HbA1c"}}"#;
const DEFAULT_SEED: u64 = 0x5EED_FA17;
/// How often one intended action may be attempted. An operation reads
/// several accounts before it sends, and the SDK does not retry a failed
/// read, so at these fault rates most actions need a few attempts.
const MAX_ATTEMPTS: u32 = 20;
/// One attempt that takes longer than this is a stall, not a fault.
const ATTEMPT_LIMIT: Duration = Duration::from_secs(150);

/// Both tests start a validator; on two cores they take turns.
static SERIAL: Mutex<()> = Mutex::new(());

fn seed() -> u64 {
    match std::env::var("PANACEA_FAULT_SEED") {
        Ok(text) => {
            let text = text.trim();
            match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => text.parse(),
            }
            .unwrap_or_else(|e| panic!("PANACEA_FAULT_SEED={text:?}: {e}"))
        }
        Err(_) => DEFAULT_SEED,
    }
}

/// SplitMix64: small, seeded, good enough to pick faults.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

// ---------------------------------------------------------------------------
// The proxy
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    /// Held 50-800 ms, then forwarded.
    DelayRequest,
    /// Answered `429 Too Many Requests`, not forwarded.
    TooManyRequests,
    /// Answered `503 Service Unavailable`, not forwarded.
    ServiceUnavailable,
    /// Read, then the connection is closed: never forwarded.
    DropRequest,
    /// Forwarded and answered by the validator, then the connection is
    /// closed without a reply: the request took effect, the client does
    /// not know.
    DropResponse,
    /// Forwarded; the reply is held 50-800 ms.
    DelayResponse,
}

impl Fault {
    const ALL: [Fault; 6] = [
        Fault::DelayRequest,
        Fault::TooManyRequests,
        Fault::ServiceUnavailable,
        Fault::DropRequest,
        Fault::DropResponse,
        Fault::DelayResponse,
    ];

    /// Shares per mille; 260 in all.
    fn pick(roll: u64) -> Option<Fault> {
        Some(match roll % 1000 {
            0..50 => Fault::DelayRequest,
            50..90 => Fault::TooManyRequests,
            90..135 => Fault::ServiceUnavailable,
            135..180 => Fault::DropRequest,
            180..225 => Fault::DropResponse,
            225..260 => Fault::DelayResponse,
            _ => return None,
        })
    }
}

struct ProxyState {
    upstream: SocketAddr,
    rng: Mutex<SplitMix64>,
    /// The first request of each named method gets this fault, whatever the
    /// dice say, so the run is sure to contain the cases that matter most.
    forced: Mutex<Vec<(&'static str, Fault)>>,
    requests: AtomicU64,
    faults: Mutex<BTreeMap<(Fault, String), u64>>,
    /// The last requests and what was done to them, for failure reports.
    trace: Mutex<VecDeque<String>>,
}

impl ProxyState {
    fn decide(&self, method: &str) -> Option<(Fault, Duration)> {
        let (roll, delay) = {
            let mut rng = self.rng.lock().unwrap();
            (rng.next(), Duration::from_millis(50 + rng.next() % 751))
        };
        let mut forced = self.forced.lock().unwrap();
        if let Some(i) = forced.iter().position(|(m, _)| *m == method) {
            return Some((forced.remove(i).1, delay));
        }
        Fault::pick(roll).map(|f| (f, delay))
    }

    fn log(&self, n: u64, method: &str, what: String) {
        let mut trace = self.trace.lock().unwrap();
        if trace.len() == 40 {
            trace.pop_front();
        }
        trace.push_back(format!("#{n} {method}: {what}"));
    }

    fn by_kind(&self) -> BTreeMap<Fault, u64> {
        let mut counts: BTreeMap<Fault, u64> = Fault::ALL.iter().map(|f| (*f, 0)).collect();
        for ((fault, _), n) in self.faults.lock().unwrap().iter() {
            *counts.get_mut(fault).unwrap() += n;
        }
        counts
    }

    fn report(&self, label: &str) {
        let total: u64 = self.by_kind().values().sum();
        let requests = self.requests.load(Ordering::SeqCst);
        println!(
            "[{label}] proxy: {requests} requests, {total} faults ({:.0}%)",
            100.0 * total as f64 / requests.max(1) as f64
        );
        for (fault, n) in self.by_kind() {
            println!("[{label}]   {fault:?}: {n}");
        }
        for ((fault, method), n) in self.faults.lock().unwrap().iter() {
            println!("[{label}]     {fault:?} on {method}: {n}");
        }
    }

    fn print_trace(&self, label: &str) {
        println!("[{label}] the proxy's last requests, oldest first:");
        for line in self.trace.lock().unwrap().iter() {
            println!("[{label}]   {line}");
        }
    }
}

/// Starts the proxy on a free port in front of `upstream_url`; returns its
/// URL and the state that counts what it did.
async fn start_proxy(upstream_url: &str, seed: u64) -> (String, Arc<ProxyState>) {
    let upstream: SocketAddr = upstream_url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("validator RPC address");
    let state = Arc::new(ProxyState {
        upstream,
        rng: Mutex::new(SplitMix64(seed)),
        forced: Mutex::new(vec![("sendTransaction", Fault::DropResponse)]),
        requests: AtomicU64::new(0),
        faults: Mutex::new(BTreeMap::new()),
        trace: Mutex::new(VecDeque::new()),
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let shared = state.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                continue;
            };
            let state = shared.clone();
            tokio::spawn(async move {
                // A client that went away mid-exchange is no concern here.
                let _ = serve(socket, state).await;
            });
        }
    });
    (url, state)
}

/// An HTTP/1.1 message: start line, header lines, body.
struct Message {
    lines: Vec<String>,
    body: Vec<u8>,
}

impl Message {
    fn header(&self, name: &str) -> Option<&str> {
        self.lines[1..].iter().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    /// The message with `Connection: close` (and `Host` replaced if given).
    fn encode(&self, host: Option<&str>) -> Vec<u8> {
        let mut out = format!("{}\r\n", self.lines[0]);
        for line in &self.lines[1..] {
            let key = line.split_once(':').map_or("", |(k, _)| k.trim());
            let drop = ["connection", "keep-alive", "proxy-connection"]
                .iter()
                .any(|h| key.eq_ignore_ascii_case(h))
                || (host.is_some() && key.eq_ignore_ascii_case("host"));
            if !drop {
                out.push_str(line);
                out.push_str("\r\n");
            }
        }
        if let Some(host) = host {
            out.push_str(&format!("Host: {host}\r\n"));
        }
        out.push_str("Connection: close\r\n\r\n");
        let mut out = out.into_bytes();
        out.extend_from_slice(&self.body);
        out
    }
}

fn io_error(message: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message.to_string())
}

/// Reads one message; `None` when the peer closed before sending a byte.
async fn read_message(stream: &mut TcpStream, response: bool) -> std::io::Result<Option<Message>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 64 * 1024 {
            return Err(io_error("header too long"));
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(io_error("eof in header"))
            };
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let lines: Vec<String> = String::from_utf8_lossy(&buf[..head_end])
        .split("\r\n")
        .map(str::to_string)
        .collect();
    let mut message = Message {
        lines,
        body: buf[head_end + 4..].to_vec(),
    };
    match message.header("content-length").map(|v| v.parse::<usize>()) {
        Some(Ok(length)) => {
            while message.body.len() < length {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Err(io_error("eof in body"));
                }
                message.body.extend_from_slice(&chunk[..n]);
            }
            message.body.truncate(length);
        }
        Some(Err(_)) => return Err(io_error("bad content-length")),
        // A response without a length ends when the server closes.
        None if response => {
            stream.read_to_end(&mut message.body).await?;
        }
        None => {}
    }
    Ok(Some(message))
}

/// The JSON-RPC method named in a request body.
fn rpc_method(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.split_once("\"method\"")
        .and_then(|(_, rest)| rest.split('"').nth(1))
        .unwrap_or("?")
        .to_string()
}

fn canned(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// One request per connection (each reply says `Connection: close`).
async fn serve(mut client: TcpStream, state: Arc<ProxyState>) -> std::io::Result<()> {
    let Some(request) = read_message(&mut client, false).await? else {
        return Ok(());
    };
    let method = rpc_method(&request.body);
    let n = state.requests.fetch_add(1, Ordering::SeqCst) + 1;
    let decision = state.decide(&method);
    state.log(
        n,
        &method,
        decision.map_or("forwarded".into(), |(f, d)| format!("{f:?} ({d:?})")),
    );
    if let Some((fault, _)) = decision {
        *state
            .faults
            .lock()
            .unwrap()
            .entry((fault, method.clone()))
            .or_default() += 1;
    }
    match decision {
        Some((Fault::DelayRequest, delay)) => tokio::time::sleep(delay).await,
        Some((Fault::TooManyRequests, _)) => {
            client
                .write_all(&canned("429 Too Many Requests", "too many requests"))
                .await?;
            return client.shutdown().await;
        }
        Some((Fault::ServiceUnavailable, _)) => {
            client
                .write_all(&canned("503 Service Unavailable", "service unavailable"))
                .await?;
            return client.shutdown().await;
        }
        // Dropping the socket closes the connection unanswered.
        Some((Fault::DropRequest, _)) => return Ok(()),
        _ => {}
    }
    let upstream = state.upstream;
    let response = tokio::time::timeout(Duration::from_secs(60), async {
        let mut validator = TcpStream::connect(upstream).await?;
        validator
            .write_all(&request.encode(Some(&upstream.to_string())))
            .await?;
        read_message(&mut validator, true)
            .await?
            .ok_or_else(|| io_error("validator closed without a reply"))
    })
    .await
    .map_err(|_| io_error("validator timed out"))??;
    match decision {
        Some((Fault::DropResponse, _)) => return Ok(()),
        Some((Fault::DelayResponse, delay)) => tokio::time::sleep(delay).await,
        _ => {}
    }
    client.write_all(&response.encode(None)).await?;
    client.shutdown().await
}

// ---------------------------------------------------------------------------
// Intended actions, retried as an app would
// ---------------------------------------------------------------------------

/// What a successful action reports: the signature of the transaction the
/// app paid for, if one was sent.
trait Sent {
    fn signature(&self) -> Option<String>;
}

impl Sent for Outcome {
    fn signature(&self) -> Option<String> {
        self.signature.map(|s| s.to_string())
    }
}

impl<A, B> Sent for (Outcome, A, B) {
    fn signature(&self) -> Option<String> {
        self.0.signature()
    }
}

impl Sent for Option<String> {
    fn signature(&self) -> Option<String> {
        self.clone()
    }
}

/// The app's log of what it did through the faulty proxy.
struct Run {
    label: &'static str,
    seed: u64,
    proxy: Arc<ProxyState>,
    /// (action, signature) of every transaction the SDK confirmed.
    confirmed: Vec<(String, String)>,
    /// (action, error) of every failed attempt.
    errors: Vec<(String, String)>,
}

impl Run {
    fn new(label: &'static str, seed: u64, proxy: Arc<ProxyState>) -> Self {
        Self {
            label,
            seed,
            proxy,
            confirmed: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Fails the test, with what the proxy did last.
    fn fail(&self, message: String) -> ! {
        self.proxy.report(self.label);
        self.proxy.print_trace(self.label);
        panic!("[{}] seed {:#x}: {message}", self.label, self.seed);
    }

    /// Does `what` until it confirms. `landed` reads the chain directly (no
    /// proxy) and tells whether the action's effect is there. After an
    /// error that says "did not land", the chain must agree, and the action
    /// is attempted again; an error that does not know is resolved by
    /// waiting on the chain. Returns `None` only when the chain, not the
    /// SDK, showed the action landed.
    async fn intend<T: Sent>(
        &mut self,
        what: &str,
        mut attempt: impl AsyncFnMut() -> Result<T, SdkError>,
        mut landed: impl AsyncFnMut() -> bool,
    ) -> Option<T> {
        let label = self.label;
        if landed().await {
            self.fail(format!("{what}: on chain before the first attempt"));
        }
        for n in 1..=MAX_ATTEMPTS {
            let Ok(result) = tokio::time::timeout(ATTEMPT_LIMIT, attempt()).await else {
                self.fail(format!("{what}: attempt {n} stalled for {ATTEMPT_LIMIT:?}"));
            };
            let error = match result {
                Ok(value) => {
                    if !landed().await {
                        self.fail(format!("{what}: confirmed but not on chain"));
                    }
                    if let Some(signature) = value.signature() {
                        self.confirmed.push((what.to_string(), signature));
                    }
                    if n > 1 {
                        println!("[{label}] {what}: confirmed on attempt {n}");
                    }
                    return Some(value);
                }
                Err(error) => error,
            };
            println!(
                "[{label}] {what}: attempt {n} failed (landed: {:?}): {error}",
                error.landed()
            );
            self.errors.push((what.to_string(), error.to_string()));
            match error.landed() {
                Some(true) => self.fail(format!(
                    "{what}: a transaction landed and failed (a duplicate?): {error}"
                )),
                Some(false) => {
                    // Give a transaction that was in flight time to show.
                    tokio::time::sleep(Duration::from_millis(600)).await;
                    if landed().await {
                        self.fail(format!(
                            "{what}: the SDK said the transaction did not land ({error}), \
                             but it is on chain: an app that retries now does it twice"
                        ));
                    }
                }
                None => {
                    // Unknown: it may still land until its blockhash expires.
                    let deadline = Instant::now() + Duration::from_secs(90);
                    while Instant::now() < deadline {
                        if landed().await {
                            return None;
                        }
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        self.fail(format!("{what} did not land in {MAX_ATTEMPTS} attempts"));
    }
}

// ---------------------------------------------------------------------------
// Setup shared by both tests
// ---------------------------------------------------------------------------

struct Net {
    localnet: Localnet,
    deployer: Keypair,
    /// Pays for setup and reads, straight to the validator.
    payer: Keypair,
    /// The app's fee payer, behind the proxy.
    app: Keypair,
}

fn boot() -> Net {
    let (deployer, payer, app) = (Keypair::new(), Keypair::new(), Keypair::new());
    let booted = Instant::now();
    let localnet = start(LocalnetConfig {
        rpc_port: None,
        ledger: None,
        upgrade_authority: deployer.pubkey(),
        airdrops: vec![
            (payer.pubkey(), 1_000 * SOL),
            (app.pubkey(), 100 * SOL),
            (deployer.pubkey(), 10 * SOL),
        ],
    })
    .expect("localnet starts");
    println!(
        "validator ready in {:.1} s at {}",
        booted.elapsed().as_secs_f64(),
        localnet.rpc_url()
    );
    Net {
        localnet,
        deployer,
        payer,
        app,
    }
}

/// Initializes the registry and credentials one entity per kind.
async fn entities(
    clean: &PanaceaClient<RpcBackend>,
    deployer: &Keypair,
    kinds: &[EntityKind],
) -> Vec<(Keypair, EncryptionKeypair)> {
    let admin = Keypair::new();
    clean
        .initialize_registry(deployer, admin.pubkey(), 3600, "localnet")
        .await
        .expect("registry");
    clean
        .initialize_record_book(&admin, panacea_sdk::rent::RECORD_BOOK_URI)
        .await
        .expect("record book");
    let now = clean.backend().unix_timestamp().await.unwrap();
    let mut out = Vec::new();
    for kind in kinds {
        let (key, enc) = (Keypair::new(), EncryptionKeypair::generate());
        let args = RegisterEntityArgs {
            kind: *kind,
            credential_commitment: [1; 32],
            jurisdiction: *b"US\0\0\0\0\0\0",
            valid_until: now + 365 * 86_400,
            encryption_key: enc.public_key_bytes(),
        };
        clean
            .register_entity(&admin, &key, args)
            .await
            .expect("register entity");
        // Issuers pay their records' rent.
        let fund = anchor_lang::solana_program::system_instruction::transfer(
            &clean.payer(),
            &key.pubkey(),
            1_000_000_000,
        );
        clean.send(&[fund], &[]).await.expect("fund entity");
        out.push((key, enc));
    }
    out
}

/// Every transaction the app's payer paid for that landed must be one the
/// SDK confirmed to it, and vice versa: nothing landed twice, nothing
/// landed behind the app's back (not even a failed duplicate).
async fn assert_history_matches(net: &Net, run: &Run) {
    RpcBackend::new(net.localnet.rpc_url(), CommitmentConfig::confirmed())
        .wait_for_finalization(Duration::from_secs(120))
        .await
        .expect("finalized");
    let finalized = RpcBackend::new(net.localnet.rpc_url(), CommitmentConfig::finalized());
    let on_chain: BTreeSet<String> = finalized
        .signatures_for_address(&net.app.pubkey())
        .await
        .unwrap()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let confirmed: BTreeSet<String> = run.confirmed.iter().map(|(_, s)| s.clone()).collect();
    assert_eq!(
        confirmed.len(),
        run.confirmed.len(),
        "[{}] seed {:#x}: a signature was confirmed twice",
        run.label,
        run.seed
    );
    let extra: Vec<_> = on_chain.difference(&confirmed).collect();
    let missing: Vec<_> = confirmed.difference(&on_chain).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "[{}] seed {:#x}: the app paid for transactions it was not told about: {extra:?}; \
         confirmed but not in history: {missing:?}",
        run.label,
        run.seed
    );
}

fn deadline_check(started: Instant, limit: Duration, what: &str) {
    assert!(
        started.elapsed() < limit,
        "{what}: over {limit:?} of wall time"
    );
}

// ---------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------

/// The story through the faulty proxy with the SDK's own send loop
/// (`PanaceaClient::send`): patient, records, access, consent relay,
/// policy, funding, claims and their settlement.
#[test]
fn every_intended_action_lands_exactly_once_through_a_faulty_proxy() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let seed = seed();
    println!("[story] fault seed {seed:#x} (set PANACEA_FAULT_SEED to change)");
    let net = boot();
    let started = Instant::now();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(story(&net, seed));
    let wall = started.elapsed();
    println!("[story] done in {:.1} s", wall.as_secs_f64());
    deadline_check(started, Duration::from_secs(240), "the story");
}

async fn story(net: &Net, seed: u64) {
    let clean_backend = Arc::new(RpcBackend::new(
        net.localnet.rpc_url(),
        CommitmentConfig::confirmed(),
    ));
    let clean = PanaceaClient::new(clean_backend.clone(), net.payer.insecure_clone());
    let (proxy_url, proxy) = start_proxy(&net.localnet.rpc_url(), seed).await;
    let app = PanaceaClient::new(
        Arc::new(RpcBackend::new(proxy_url, CommitmentConfig::confirmed())),
        net.app.insecure_clone(),
    );
    let mut run = Run::new("story", seed, proxy.clone());

    // Setup, unfaulted: registry, entities, a payout mint and token accounts.
    let mut setup = entities(
        &clean,
        &net.deployer,
        &[
            EntityKind::Laboratory,
            EntityKind::Provider,
            EntityKind::Insurer,
        ],
    )
    .await;
    let (insurer, _) = setup.pop().unwrap();
    let (specialist, specialist_keys) = setup.pop().unwrap();
    let (lab, _) = setup.pop().unwrap();
    let token = anchor_spl::token::ID;
    let mint = Keypair::new();
    let minted = 5_000_000;
    let accounts = clean
        .create_funded_mint(
            &mint,
            6,
            &token,
            &[(insurer.pubkey(), minted), (lab.pubkey(), 0)],
        )
        .await
        .expect("mint");
    let (insurer_tokens, lab_tokens) = (accounts[0], accounts[1]);
    let now = clean_backend.unix_timestamp().await.unwrap();
    println!("[story] setup done; faults from here on");

    // The patient.
    let (patient, patient_keys) = (Keypair::new(), EncryptionKeypair::generate());
    let p = patient.pubkey();
    run.intend(
        "register patient",
        async || app.register_patient(&patient, &patient_keys, None).await,
        async || clean.exists_account(&pda::patient(&p).0).await,
    )
    .await;
    // The patient's care link to the lab (set up without faults).
    clean
        .authorize_issuer(
            &patient,
            &p,
            &lab.pubkey(),
            kinds::ALL,
            panacea_sdk::ops::patient::AccessTerms {
                permissions: 0,
                purpose: Purpose::Treatment,
                duration: 365 * 86_400,
            },
        )
        .await
        .expect("care link");

    // Records: three issued in one call each (a retry seals anew under a
    // fresh id, so only a truthful "did not land" keeps it single), two
    // sealed once and issued under a fixed id (retries are idempotent).
    let store = BlobStore::in_memory();
    let mut records = Vec::new();
    for i in 0..3 {
        let before = clean.records_of_patient(&p).await.unwrap().len();
        let issued = run
            .intend(
                &format!("issue record {i}"),
                async || {
                    app.issue_record(&lab, &p, RecordKind::LabResult, FHIR, &store)
                        .await
                },
                async || clean.records_of_patient(&p).await.unwrap().len() > before,
            )
            .await;
        if let Some((outcome, _, _)) = issued {
            records.push(outcome.address("record").unwrap());
        }
    }
    for i in 3..5 {
        // Sealed for its address (version 1, an original) and wrapped to
        // the patient before the record is issued under that fixed id.
        let record_id = random_id();
        let address = pda::record(&p, &record_id).0;
        let context = offchain::RecordContext::new(address.to_bytes(), 1);
        let sealed = offchain::seal(FHIR, &context, &store).await.unwrap();
        offchain::put_envelope(
            &store,
            &sealed.data_key,
            &context.record,
            &patient_keys.public_key_bytes(),
        )
        .await
        .unwrap();
        run.intend(
            &format!("issue sealed record {i}"),
            async || {
                app.issue_sealed(&lab, &p, RecordKind::LabResult, &sealed, record_id)
                    .await
            },
            async || clean.exists_account(&address).await,
        )
        .await;
        records.push(address);
    }
    let record = records[0];

    // Access: the specialist asks, the patient approves, the specialist
    // reads twice (each read is logged once).
    let ask = RequestAccessArgs {
        scope: GrantScope::Record,
        kinds: 0,
        permissions: permissions::READ,
        purpose: Purpose::Treatment,
        duration: 86_400,
        reason_code: 1,
        leaf: None,
    };
    let s = specialist.pubkey();
    let request = pda::access_request(&p, &s, &record).0;
    run.intend(
        "request access",
        async || {
            app.request_access(&specialist, &p, &record, ask.clone())
                .await
        },
        async || clean.exists_account(&request).await,
    )
    .await;
    let grant = pda::grant(&p, &s, &record).0;
    run.intend(
        "approve access",
        async || {
            app.approve_access_request(&patient, &p, &s, &record, &patient_keys, &store)
                .await
        },
        async || clean.exists_account(&grant).await,
    )
    .await;
    assert_eq!(
        clean
            .read_record(&grant, &record, &specialist_keys, &store)
            .await
            .unwrap(),
        FHIR
    );
    for i in 0..2u64 {
        run.intend(
            &format!("log access {i}"),
            async || app.log_access(&specialist, &grant, &record).await,
            async || clean.get::<Grant>(&grant).await.unwrap().access_count > i,
        )
        .await;
    }

    // Consent the patient signed in a wallet, relayed by the app. The
    // message is built and signed once; only the relay is retried.
    let terms = ConsentTerms {
        decision: Decision::Permit,
        kinds: kinds::ALL,
        actions: actions::ACCESS,
        period_start: now - 60,
        period_end: now + 86_400,
        policy_commitment: [2; 32],
    };
    let message = clean
        .consent_message(&p, &insurer.pubkey(), ConsentPurpose::Payment, Some(terms))
        .await
        .unwrap();
    let signature = sign_consent_message(&patient, &message).unwrap();
    let consent_address = cx::consent_address(&p, &insurer.pubkey(), ConsentPurpose::Payment);
    let consent_version = async || {
        clean
            .fetch::<Consent>(&consent_address)
            .await
            .unwrap()
            .map_or(0, |c| c.consent_version)
    };
    let consent_before = consent_version().await;
    run.intend(
        "relay consent",
        async || app.relay_consent(&message, &signature).await,
        async || consent_version().await > consent_before,
    )
    .await;

    // The policy, funded twice.
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
    let policy = cl::policy_address(&insurer.pubkey(), &args.policy_id);
    run.intend(
        "create policy",
        async || {
            app.create_policy(&insurer, &p, &mint.pubkey(), &token, args.clone())
                .await
        },
        async || clean.exists_account(&policy).await,
    )
    .await;
    let fundings = [1_800_000u64, 1_200_000];
    let mut deposited = 0;
    for (i, amount) in fundings.iter().enumerate() {
        let before = deposited;
        run.intend(
            &format!("fund policy {i}"),
            async || {
                app.fund_policy(&insurer, &policy, &insurer_tokens, *amount)
                    .await
            },
            async || clean.get::<Policy>(&policy).await.unwrap().deposited > before,
        )
        .await;
        deposited += amount;
    }

    // Claims, then their settlement once the challenge window is over.
    let billed = [250_000u64, 400_000, 150_000];
    let mut claims = Vec::new();
    for (i, amount) in billed.iter().enumerate() {
        let before = clean.claims_of_policy(&policy).await.unwrap().len();
        let backing = [records[i]];
        let submitted = run
            .intend(
                &format!("submit claim {i}"),
                async || {
                    app.submit_claim(&lab, &policy, &backing, *amount, [i as u8 + 3; 32])
                        .await
                },
                async || clean.claims_of_policy(&policy).await.unwrap().len() > before,
            )
            .await
            .expect("the SDK reported the claim");
        claims.push(submitted.address("claim").unwrap());
    }
    let mut settle_after = 0;
    for claim in &claims {
        let state: Claim = clean.get(claim).await.unwrap();
        assert_eq!(state.status, ClaimStatus::Approved);
        settle_after = settle_after.max(state.settle_after);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while clean_backend.unix_timestamp().await.unwrap() < settle_after {
        assert!(Instant::now() < deadline, "the validator's clock stopped");
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    for (i, claim) in claims.iter().enumerate() {
        run.intend(
            &format!("settle claim {i}"),
            async || app.settle_claim(claim, Some(&lab_tokens)).await,
            async || clean.get::<Claim>(claim).await.unwrap().status == ClaimStatus::Paid,
        )
        .await;
    }

    // The chain, read without the proxy.
    let on_chain_records = clean.records_of_patient(&p).await.unwrap();
    assert_eq!(
        on_chain_records.len(),
        5,
        "seed {seed:#x}: duplicate or missing records"
    );
    let mut on_chain_addresses: Vec<Pubkey> = on_chain_records.iter().map(|(a, _)| *a).collect();
    on_chain_addresses.sort();
    let mut intended = records.clone();
    intended.sort();
    assert_eq!(on_chain_addresses, intended);
    for (_, r) in &on_chain_records {
        let r: &Record = r;
        assert_eq!(r.issuer, lab.pubkey());
    }
    // Beside the care link set up without faults: exactly one grant.
    let link = panacea_sdk::records::care_link_address(&p, &lab.pubkey());
    let grants: Vec<_> = clean
        .grants_of_patient(&p)
        .await
        .unwrap()
        .into_iter()
        .filter(|(address, _)| *address != link)
        .collect();
    assert_eq!(grants.len(), 1, "seed {seed:#x}: one grant");
    assert_eq!(
        grants[0].1.access_count, 2,
        "seed {seed:#x}: two reads logged"
    );
    assert_eq!(
        consent_version().await,
        consent_before + 1,
        "seed {seed:#x}: the consent changed once"
    );
    assert_eq!(clean.policies_of_patient(&p).await.unwrap().len(), 1);
    let state: Policy = clean.get(&policy).await.unwrap();
    assert_eq!(
        state.deposited,
        fundings.iter().sum::<u64>(),
        "seed {seed:#x}: funded once each"
    );
    let on_chain_claims = clean.claims_of_policy(&policy).await.unwrap();
    assert_eq!(
        on_chain_claims.len(),
        billed.len(),
        "seed {seed:#x}: one claim per bill"
    );
    let mut payable = 0;
    for (address, claim) in &on_chain_claims {
        assert!(claims.contains(address));
        assert_eq!(claim.status, ClaimStatus::Paid);
        assert!(claim.paid_at.is_some());
        payable += claim.amount_payable;
    }
    assert_eq!(payable, billed.iter().sum::<u64>());
    assert_eq!(state.paid, payable, "seed {seed:#x}: paid once each");
    assert_eq!(state.reserved, 0);
    let balance = async |account: &Pubkey| clean.get::<TokenAccount>(account).await.unwrap().amount;
    assert_eq!(
        balance(&lab_tokens).await,
        payable,
        "seed {seed:#x}: no double payment"
    );
    assert_eq!(balance(&state.vault).await, state.deposited - state.paid);
    assert_eq!(balance(&insurer_tokens).await, minted - state.deposited);
    assert_history_matches(net, &run).await;

    proxy.report("story");
    println!(
        "[story] {} transactions confirmed, {} failed attempts retried",
        run.confirmed.len(),
        run.errors.len()
    );
    for (fault, n) in proxy.by_kind() {
        assert!(n > 0, "seed {seed:#x}: no {fault:?} fault was injected");
    }
}

/// The wallet flow: the app builds a transaction, the patient's wallet
/// signs it, the app submits it (`PanaceaClient::submit_signed`). Six
/// consent updates, each bumping the consent's version once.
#[test]
fn wallet_signed_transactions_land_exactly_once_through_a_faulty_proxy() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let seed = seed();
    println!("[wallet] fault seed {seed:#x} (set PANACEA_FAULT_SEED to change)");
    let net = boot();
    let started = Instant::now();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(wallet(&net, seed));
    println!("[wallet] done in {:.1} s", started.elapsed().as_secs_f64());
    deadline_check(started, Duration::from_secs(240), "the wallet flow");
}

async fn wallet(net: &Net, seed: u64) {
    let clean_backend = Arc::new(RpcBackend::new(
        net.localnet.rpc_url(),
        CommitmentConfig::confirmed(),
    ));
    let clean = PanaceaClient::new(clean_backend.clone(), net.payer.insecure_clone());
    // Another stream of faults than the story's, from the same seed.
    let (proxy_url, proxy) = start_proxy(&net.localnet.rpc_url(), seed ^ 0xA11E7).await;
    let app = PanaceaClient::new(
        Arc::new(RpcBackend::new(proxy_url, CommitmentConfig::confirmed())),
        net.app.insecure_clone(),
    );
    let mut run = Run::new("wallet", seed, proxy.clone());
    let (researcher, _) = entities(&clean, &net.deployer, &[EntityKind::Researcher])
        .await
        .pop()
        .unwrap();
    let (patient, keys) = (Keypair::new(), EncryptionKeypair::generate());
    clean
        .register_patient(&patient, &keys, None)
        .await
        .expect("patient");
    let (p, r) = (patient.pubkey(), researcher.pubkey());
    let now = clean_backend.unix_timestamp().await.unwrap();
    let consent_address = cx::consent_address(&p, &r, ConsentPurpose::Research);
    let version = async || {
        clean
            .fetch::<Consent>(&consent_address)
            .await
            .unwrap()
            .map_or(0, |c| c.consent_version)
    };
    println!("[wallet] setup done; faults from here on");

    let updates = 6u32;
    for i in 0..updates {
        let ix = cx::grant_consent(
            &app.payer(),
            &p,
            &p,
            &r,
            GrantConsentArgs {
                purpose: ConsentPurpose::Research,
                terms: ConsentTerms {
                    decision: Decision::Permit,
                    kinds: kinds::ALL,
                    actions: actions::ACCESS,
                    period_start: now - 60,
                    period_end: now + 86_400 + i as i64,
                    policy_commitment: [i as u8 + 1; 32],
                },
            },
        );
        run.intend(
            &format!("wallet-signed consent update {i}"),
            async || wallet_round_trip(&app, &patient, &ix).await,
            async || version().await > i,
        )
        .await;
    }
    assert_eq!(
        version().await,
        updates,
        "seed {seed:#x}: each update landed once"
    );
    assert_history_matches(net, &run).await;
    proxy.report("wallet");
    println!(
        "[wallet] {} transactions confirmed, {} failed attempts retried",
        run.confirmed.len(),
        run.errors.len()
    );
}

/// The relayer builds and pays, the wallet signs, the relayer submits.
async fn wallet_round_trip(
    app: &PanaceaClient<RpcBackend>,
    patient: &Keypair,
    ix: &Instruction,
) -> Result<Option<String>, SdkError> {
    let unsigned = app.partially_signed(std::slice::from_ref(ix)).await?;
    let to_wallet = serialize_for_wallet(&unsigned)?;
    // In the wallet.
    let mut tx = deserialize_from_wallet(&to_wallet)?;
    let blockhash = tx.message.recent_blockhash;
    tx.try_partial_sign(&[patient], blockhash)
        .map_err(|e| SdkError::Signing(e.to_string()))?;
    let back = serialize_for_wallet(&tx)?;
    // Back at the relayer.
    let signed = deserialize_from_wallet(&back)?;
    Ok(Some(app.submit_signed(&signed).await?.to_string()))
}

/// Account existence, read straight from the validator.
trait Exists {
    async fn exists_account(&self, address: &Pubkey) -> bool;
}

impl Exists for PanaceaClient<RpcBackend> {
    async fn exists_account(&self, address: &Pubkey) -> bool {
        self.backend()
            .get_account(address)
            .await
            .expect("direct read")
            .is_some()
    }
}

/// A wallet-signed transaction over a blockhash the cluster never issued
/// (as good as one that expired while the wallet was open) can never land:
/// `submit_signed` must say so, not wait for it forever.
#[test]
fn a_wallet_signed_transaction_that_cannot_land_is_reported() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let net = boot();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let relayer = PanaceaClient::new(
            Arc::new(RpcBackend::new(
                net.localnet.rpc_url(),
                CommitmentConfig::confirmed(),
            )),
            net.app.insecure_clone(),
        );
        let ix = anchor_lang::solana_program::system_instruction::transfer(
            &relayer.payer(),
            &Keypair::new().pubkey(),
            SOL,
        );
        let mut tx = relayer
            .partially_signed(std::slice::from_ref(&ix))
            .await
            .unwrap();
        // Re-signed by the payer over 32 bytes no bank ever hashed.
        tx.try_partial_sign(&[&net.app], [7u8; 32].into()).unwrap();
        // Long enough for a fix that waits out a blockhash's ~150 blocks.
        let limit = Duration::from_secs(120);
        match tokio::time::timeout(limit, relayer.submit_signed(&tx)).await {
            Err(_) => panic!(
                "submit_signed still waiting after {limit:?} for a transaction whose \
                 blockhash the cluster does not know: it never returns"
            ),
            Ok(Ok(signature)) => panic!("landed over an unknown blockhash: {signature}"),
            Ok(Err(error)) => assert_eq!(error.landed(), Some(false), "{error}"),
        }
    });
}
