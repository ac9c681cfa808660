//! # Panacea emergency key custodian
//!
//! A small HTTP service holding one custodian's X25519 key. Patients split
//! the data keys of their emergency summary among the registry's
//! custodians (`panacea_sdk::emergency`); this service releases its share
//! of a record's key to an emergency room, wrapped to the ER's entity
//! encryption key, only after it has checked the ER's signed request (the
//! signature, the time, a nonce never seen) and, on chain through the SDK,
//! that the ER holds a live emergency grant over the patient, is an active
//! Provider, and has logged its access to that record
//! ([`panacea_sdk::emergency::check_emergency_access`]). It refuses
//! anything else with an HTTP error and a JSON `{"error": ...}`.
//!
//! Every answer (release or refusal) appends one JSON line to the release
//! log: time, outcome, action, custodian, ER, patient, record, grant, the
//! request's hash and the reason of a refusal. Addresses only: no content,
//! no key material.
//!
//! Routes: `GET /v1/info` (the custodian's authority and encryption key),
//! `POST /v1/summary` (which records of a patient are in their summary),
//! `POST /v1/share` (the share of one record's key).
//!
//! The service is generic over the SDK's [`Backend`]: `panacea custodian
//! serve` runs it over JSON-RPC (`RpcBackend`); tests run it over the
//! programs in-process.

use {
    axum::{
        body::Bytes,
        extract::{rejection::BytesRejection, DefaultBodyLimit, State},
        http::StatusCode,
        response::{IntoResponse, Response},
        routing::{get, post},
        Json, Router,
    },
    panacea_sdk::{
        audit::iso8601,
        backend::Backend,
        emergency::{
            check_emergency_access, share_binding, share_hex, Action, CustodianError,
            CustodianInfo, CustodianLink, CustodianRequest, Refusal, RequestError, ShareAnswer,
            SummaryAnswer, VerifiedRequest, REQUEST_WINDOW,
        },
        offchain::{self, BlobStore, EncryptionKeypair, OffchainError},
        PanaceaClient, Pubkey,
    },
    records::state::{EmergencyCustodians, Patient},
    serde_json::{json, Value},
    std::{
        collections::HashMap,
        fs::{File, OpenOptions},
        io::Write,
        path::Path,
        sync::{Arc, Mutex},
        time::{SystemTime, UNIX_EPOCH},
    },
};

/// The largest request body accepted (a signed request is about 600
/// bytes): a larger one is refused, and logged, before it is parsed.
pub const MAX_REQUEST_BYTES: usize = 4 * 1024;

/// One custodian: its keys, the chain it checks, the store of its shares,
/// its log and the nonces it has seen.
pub struct Custodian<B: Backend> {
    client: PanaceaClient<B>,
    authority: Pubkey,
    keys: EncryptionKeypair,
    store: BlobStore,
    log: Mutex<File>,
    /// (ER, nonce) → request time, kept for twice the window.
    nonces: Mutex<HashMap<(Pubkey, [u8; 16]), i64>>,
}

/// A refusal: its HTTP status and message.
struct Refused(StatusCode, String);

impl<B: Backend + 'static> Custodian<B> {
    /// A custodian acting as `authority` (its registered key in
    /// `EmergencyCustodians`), holding `keys` (the registered encryption
    /// key), reading the chain through `backend` and its shares from
    /// `store`, appending to the log at `log_path`.
    pub fn new(
        backend: Arc<B>,
        authority: Pubkey,
        keys: EncryptionKeypair,
        store: BlobStore,
        log_path: &Path,
    ) -> std::io::Result<Self> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(log_path)?;
        Ok(Self {
            client: PanaceaClient::reader(backend),
            authority,
            keys,
            store,
            log: Mutex::new(log),
            nonces: Mutex::new(HashMap::new()),
        })
    }

    /// The service's routes.
    pub fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/v1/info", get(info::<B>))
            .route("/v1/summary", post(summary::<B>))
            .route("/v1/share", post(share::<B>))
            .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
            .with_state(self)
    }

    /// How many (ER, nonce) pairs the service remembers: only requests that
    /// passed the on-chain checks are remembered, so a signer with no live
    /// emergency grant cannot fill this memory.
    pub fn remembered_nonces(&self) -> usize {
        self.nonces.lock().expect("nonce lock").len()
    }

    /// Serves on `listener` until the task is dropped.
    pub async fn serve(self: Arc<Self>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        axum::serve(listener, self.router()).await
    }

    fn append_log(&self, line: Value) {
        // The log is the audit evidence: a line that cannot be written is
        // reported on stderr, never silently dropped.
        let mut file = self.log.lock().expect("log lock");
        if let Err(e) = writeln!(file, "{line}").and_then(|()| file.flush()) {
            eprintln!("custodian: cannot append to the release log: {e}");
        }
    }

    /// Handles a request: verifies it, checks the chain, answers; logs the
    /// outcome either way.
    async fn handle(&self, action: Action, body: Result<Bytes, BytesRejection>) -> Response {
        let mut verified = None;
        let result = match &body {
            Ok(body) => self.answer(action, body, &mut verified).await,
            // Too large (or unreadable): refused before it is parsed.
            Err(rejection) => Err(Refused(
                rejection.status(),
                format!(
                    "request body refused (at most {MAX_REQUEST_BYTES} bytes): {}",
                    rejection.body_text()
                ),
            )),
        };
        let (status, outcome, reason, body) = match result {
            Ok(body) => (StatusCode::OK, "released", Value::Null, body),
            Err(Refused(status, message)) => (
                status,
                "refused",
                Value::String(message.clone()),
                serde_json::to_value(CustodianError { error: message }).unwrap_or_default(),
            ),
        };
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        let request = verified.as_ref();
        self.append_log(json!({
            "time": iso8601(seconds),
            "outcome": outcome,
            "status": status.as_u16(),
            "action": action.as_str(),
            "custodian": self.authority.to_string(),
            "er": request.map(|r| r.er.to_string()),
            "patient": request.map(|r| r.patient.to_string()),
            "record": request.and_then(|r| r.record.map(|k| k.to_string())),
            "grant": request.map(|r| r.grant.to_string()),
            "request": request.map(|r| r.hash.clone()),
            "reason": reason,
        }));
        (status, Json(body)).into_response()
    }

    async fn answer(
        &self,
        action: Action,
        body: &[u8],
        verified: &mut Option<VerifiedRequest>,
    ) -> Result<Value, Refused> {
        let bad = |m: String| Refused(StatusCode::BAD_REQUEST, m);
        let forbidden = |m: String| Refused(StatusCode::FORBIDDEN, m);
        let chain =
            |e: panacea_sdk::SdkError| Refused(StatusCode::BAD_GATEWAY, format!("chain: {e}"));
        let request: CustodianRequest =
            serde_json::from_slice(body).map_err(|e| bad(format!("malformed request: {e}")))?;
        let request = match request.verify() {
            Ok(request) => request,
            Err(RequestError::BadSignature) => {
                return Err(forbidden(RequestError::BadSignature.to_string()))
            }
            Err(e) => return Err(bad(e.to_string())),
        };
        *verified = Some(request.clone());
        if request.action != action {
            return Err(bad(format!(
                "a {} request sent to /v1/{}",
                request.action.as_str(),
                action.as_str()
            )));
        }
        if request.custodian != self.authority {
            return Err(bad("request addressed to another custodian".into()));
        }
        let now = self
            .client
            .backend()
            .unix_timestamp()
            .await
            .map_err(chain)?;
        // `abs_diff`: a timestamp near i64::MIN or i64::MAX is stale, not
        // an arithmetic overflow.
        if request.timestamp.abs_diff(now) > REQUEST_WINDOW.unsigned_abs() {
            return Err(forbidden(format!(
                "stale request: its time is more than {REQUEST_WINDOW} s from the cluster's"
            )));
        }
        let access = check_emergency_access(
            &self.client,
            &request.er,
            &request.patient,
            &request.grant,
            request.record.as_ref(),
            now,
        )
        .await
        .map_err(|refusal| match refusal {
            Refusal::Chain(e) => chain(e),
            other => forbidden(other.to_string()),
        })?;
        // The nonce is remembered only once the signer is known to hold a
        // live emergency grant (any key pair can sign a request: remembering
        // theirs would let anyone fill this memory), and before anything is
        // released (a replay is refused even while the grant lives).
        {
            let mut nonces = self.nonces.lock().expect("nonce lock");
            nonces.retain(|_, t| t.abs_diff(now) <= 2 * REQUEST_WINDOW.unsigned_abs());
            if nonces
                .insert((request.er, request.nonce), request.timestamp)
                .is_some()
            {
                return Err(forbidden("replayed request: this nonce was used".into()));
            }
        }

        let custodians: EmergencyCustodians = self
            .client
            .fetch(&records::pda::custodians().0)
            .await
            .map_err(chain)?
            .ok_or_else(|| {
                Refused(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the registry names no emergency key custodians".into(),
                )
            })?;
        let position = custodians
            .index_of(&self.authority)
            .filter(|&i| custodians.custodians[i].encryption_key == self.keys.public_key_bytes())
            .ok_or_else(|| {
                Refused(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "this service is not a registered custodian with this encryption key".into(),
                )
            })?;
        let x = u8::try_from(position + 1)
            .map_err(|_| Refused(StatusCode::SERVICE_UNAVAILABLE, "custodian number".into()))?;
        let not_found = |m: &str| Refused(StatusCode::NOT_FOUND, m.to_owned());
        let profile: Patient = self
            .client
            .fetch(&records::pda::patient(&request.patient).0)
            .await
            .map_err(chain)?
            .ok_or_else(|| not_found("no such patient"))?;
        let link = CustodianLink::for_custodian(&self.keys, &profile.encryption_key)
            .map_err(|e| Refused(StatusCode::CONFLICT, e.to_string()))?;
        let index_bytes = match self.store.get_envelope(&link.index_name()).await {
            Ok(bytes) => bytes,
            Err(OffchainError::BlobNotFound(_)) => {
                return Err(not_found(
                    "this patient has no emergency summary with this custodian",
                ))
            }
            Err(e) => return Err(Refused(StatusCode::BAD_GATEWAY, format!("store: {e}"))),
        };
        let index = link.open_index(&index_bytes).map_err(|_| {
            Refused(
                StatusCode::CONFLICT,
                "the patient's summary index does not open (written under another key)".into(),
            )
        })?;
        if index.generation != custodians.generation {
            return Err(Refused(
                StatusCode::CONFLICT,
                "the patient's summary was split for an earlier custodian set: the patient marks it again"
                    .into(),
            ));
        }
        match (request.action, request.record) {
            (Action::Summary, _) => Ok(serde_json::to_value(SummaryAnswer {
                custodian: self.authority.to_string(),
                generation: index.generation,
                records: index.records.iter().map(Pubkey::to_string).collect(),
            })
            .unwrap_or_default()),
            (Action::Share, Some(record)) => {
                if !index.records.contains(&record) {
                    return Err(not_found(
                        "the record is not in the patient's emergency summary",
                    ));
                }
                let wrapped = match self.store.get_envelope(&link.share_name(&record)).await {
                    Ok(bytes) => bytes,
                    Err(OffchainError::BlobNotFound(_)) => {
                        return Err(not_found("no share of this record with this custodian"))
                    }
                    Err(e) => return Err(Refused(StatusCode::BAD_GATEWAY, format!("store: {e}"))),
                };
                let binding = share_binding(&record, x);
                let share = offchain::unwrap_key(&wrapped, &binding, &self.keys).map_err(|_| {
                    Refused(
                        StatusCode::CONFLICT,
                        "this custodian's share of the record does not open".into(),
                    )
                })?;
                let rewrapped = offchain::wrap_key(&share, &binding, &access.entity.encryption_key)
                    .map_err(|_| {
                        forbidden("the ER's encryption key cannot receive a key".into())
                    })?;
                Ok(serde_json::to_value(ShareAnswer {
                    custodian: self.authority.to_string(),
                    x,
                    generation: index.generation,
                    wrapped_share: share_hex(&rewrapped),
                })
                .unwrap_or_default())
            }
            (Action::Share, None) => Err(bad("a share request names a record".into())),
        }
    }
}

async fn info<B: Backend + 'static>(State(custodian): State<Arc<Custodian<B>>>) -> Response {
    Json(CustodianInfo {
        custodian: custodian.authority.to_string(),
        encryption_key: share_hex(&custodian.keys.public_key_bytes()),
    })
    .into_response()
}

async fn summary<B: Backend + 'static>(
    State(custodian): State<Arc<Custodian<B>>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    custodian.handle(Action::Summary, body).await
}

async fn share<B: Backend + 'static>(
    State(custodian): State<Arc<Custodian<B>>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    custodian.handle(Action::Share, body).await
}
