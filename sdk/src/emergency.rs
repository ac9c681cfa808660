//! # The emergency summary, under audit
//!
//! A patient marks some of their records (an International Patient
//! Summary: allergies, medications, conditions, blood type) as their
//! *emergency summary*. The data key of each marked record is split with
//! Shamir's secret sharing (the `blahaj` crate, GF(256)) into one share per
//! emergency key custodian of the registry (`EmergencyCustodians` on
//! chain), `threshold` of which rebuild it. Share `x` (custodian number
//! `x`, from 1) is wrapped to that custodian's X25519 key, bound to the
//! record and the share number ([`share_binding`]), and kept in the store as
//! an envelope.
//!
//! ## Names a custodian can find, and nobody else
//!
//! The patient and each custodian share a *link key*:
//! SHA-256 over a label, `DH(patient secret, custodian public)` (which the
//! custodian computes as `DH(custodian secret, patient public)`, both public
//! keys being on chain), and the two public keys ([`CustodianLink`]). A
//! share's envelope is named `HMAC(link, "share" ‖ record)`; the patient's
//! *summary index* (which records are in the summary, and the custodian
//! generation they were split for) is named `HMAC(link, "index")` and
//! encrypted under a key derived from the link. Someone who lists the
//! bucket sees random-looking names; one who also reads the chain cannot
//! tell which patient, record or custodian they belong to.
//!
//! ## Release
//!
//! An emergency room (an active Provider entity) breaks the glass on chain
//! (`emergency_access`), logs each access (`log_access`), and sends each
//! custodian a request signed by its entity authority
//! ([`CustodianRequest`]: a domain-tagged message naming the action, the
//! custodian, the patient, the ER, the grant, the record, a nonce and a
//! time). The custodian verifies the signature, the time (within
//! [`REQUEST_WINDOW`] seconds of the cluster's), the nonce (never seen),
//! then on chain ([`check_emergency_access`]): the grant at the ER's
//! emergency-grant address is an emergency grant of this ER over this
//! patient, neither revoked nor expired; the ER's entity is an active
//! Provider; the record is one the grant covers and an `AccessLogged` event
//! of this grant for this record was emitted since the grant was made. Only
//! then does it unwrap its share and wrap it again to the ER's entity
//! encryption key (bound to the record and share number). The ER combines
//! `threshold` shares ([`combine_shares`]), opens the record as any reader
//! does (commitment, AEAD, content commitment), and so reads the summary
//! while at least `threshold` custodians answer.
//!
//! A custodian sees: which patients (by address) have a summary with it,
//! the record addresses in it, and who asked for them; never a data key
//! (it holds one share, which reveals nothing below the threshold) nor any
//! content.

use {
    crate::{
        backend::Backend,
        client::{AnySigner, PanaceaClient},
        error::{Result, SdkError},
        events::{events_of, PanaceaEvent},
        offchain::{self, BlobStore, DataKey, EncryptionKeypair, EnvelopeName, FhirSummary},
        ops::compressed::PatientRecord,
        records as rx,
    },
    anchor_lang::prelude::Pubkey,
    chacha20poly1305::{
        aead::{rand_core::RngCore, Aead, KeyInit, OsRng, Payload},
        XChaCha20Poly1305, XNonce,
    },
    records::state::{
        EmergencyCustodians, Entity, EntityKind, Grant, Patient, Record, RecordKind, RecordStatus,
    },
    serde::{Deserialize, Serialize},
    sha2::{Digest, Sha256},
    std::{collections::BTreeSet, str::FromStr},
    zeroize::Zeroizing,
};

/// How far (seconds) a request's time may be from the custodian's cluster
/// time.
pub const REQUEST_WINDOW: i64 = 5 * 60;

const LINK_LABEL: &[u8] = b"panacea/emergency/v1/link";
const SHARE_NAME_LABEL: &[u8] = b"panacea/emergency/v1/share-name";
const INDEX_NAME_LABEL: &[u8] = b"panacea/emergency/v1/index-name";
const INDEX_KEY_LABEL: &[u8] = b"panacea/emergency/v1/index-key";
const INDEX_AAD: &[u8] = b"panacea/emergency/v1/index";
const SHARE_BINDING_LABEL: &[u8] = b"panacea/emergency/v1/share";
/// Domain tag of a signed custodian request.
pub const REQUEST_DOMAIN: &str = "panacea/emergency-request/v1";

// ----- shares -----

/// What a share of the record `record`'s key is bound to when wrapped (to
/// a custodian or to an ER): the record and the share's number. A share
/// moved to another record or presented as another number does not unwrap.
pub fn share_binding(record: &Pubkey, x: u8) -> [u8; 32] {
    Sha256::new()
        .chain_update(SHARE_BINDING_LABEL)
        .chain_update(record.as_ref())
        .chain_update([x])
        .finalize()
        .into()
}

/// Splits `key` into `n` shares (numbered 1 to `n`), any `threshold` of
/// which rebuild it.
pub fn split_data_key(key: &DataKey, threshold: u8, n: u8) -> Result<Vec<(u8, DataKey)>> {
    if threshold == 0 || threshold > n {
        return Err(SdkError::InvalidInput(format!(
            "a threshold of {threshold} among {n} custodians"
        )));
    }
    blahaj::Sharks(threshold)
        .dealer(key.as_bytes())
        .take(usize::from(n))
        .map(|share| {
            let y: Zeroizing<Vec<u8>> = Zeroizing::new(share.y.iter().map(|b| b.0).collect());
            let bytes: [u8; offchain::DATA_KEY_LEN] = y
                .as_slice()
                .try_into()
                .map_err(|_| SdkError::InvalidInput("share of unexpected length".into()))?;
            Ok((share.x.0, DataKey::from_bytes(bytes)))
        })
        .collect()
}

/// Rebuilds a data key from at least `threshold` distinct shares.
pub fn combine_shares(threshold: u8, shares: &[(u8, DataKey)]) -> Result<DataKey> {
    let distinct: BTreeSet<u8> = shares.iter().map(|(x, _)| *x).collect();
    if threshold == 0 || distinct.len() < usize::from(threshold) || distinct.contains(&0) {
        return Err(SdkError::InvalidInput(format!(
            "{} distinct emergency key shares, {threshold} needed",
            distinct.len()
        )));
    }
    let shares: Vec<blahaj::Share> = shares
        .iter()
        .map(|(x, y)| {
            let mut bytes = Zeroizing::new(Vec::with_capacity(1 + offchain::DATA_KEY_LEN));
            bytes.push(*x);
            bytes.extend_from_slice(y.as_bytes());
            blahaj::Share::try_from(bytes.as_slice())
                .map_err(|e| SdkError::InvalidInput(format!("emergency key share: {e}")))
        })
        .collect::<Result<_>>()?;
    let secret = Zeroizing::new(
        blahaj::Sharks(threshold)
            .recover(&shares)
            .map_err(|e| SdkError::InvalidInput(format!("emergency key shares: {e}")))?,
    );
    let bytes: [u8; offchain::DATA_KEY_LEN] = secret
        .as_slice()
        .try_into()
        .map_err(|_| SdkError::InvalidInput("rebuilt key of unexpected length".into()))?;
    Ok(DataKey::from_bytes(bytes))
}

// ----- the patient–custodian link -----

/// The key a patient and one custodian share (see the module's "Names a
/// custodian can find"). Wiped when dropped.
pub struct CustodianLink(Zeroizing<[u8; 32]>);

/// Which records of a patient are in their emergency summary, and the
/// custodian generation their keys were split for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SummaryIndex {
    pub generation: u64,
    pub records: BTreeSet<Pubkey>,
}

#[derive(Serialize, Deserialize)]
struct IndexJson {
    generation: u64,
    records: Vec<String>,
}

impl CustodianLink {
    /// The patient's side: their key pair and the custodian's public key.
    pub fn for_patient(
        patient_keys: &EncryptionKeypair,
        custodian_public: &[u8; 32],
    ) -> Result<Self> {
        let shared = patient_keys.diffie_hellman(custodian_public)?;
        Ok(Self::derive(
            &shared,
            &patient_keys.public_key_bytes(),
            custodian_public,
        ))
    }

    /// The custodian's side: its key pair and the patient's public key
    /// (their `Patient` account's encryption key).
    pub fn for_custodian(
        custodian_keys: &EncryptionKeypair,
        patient_public: &[u8; 32],
    ) -> Result<Self> {
        let shared = custodian_keys.diffie_hellman(patient_public)?;
        Ok(Self::derive(
            &shared,
            patient_public,
            &custodian_keys.public_key_bytes(),
        ))
    }

    fn derive(shared: &[u8; 32], patient_public: &[u8; 32], custodian_public: &[u8; 32]) -> Self {
        Self(Zeroizing::new(
            Sha256::new()
                .chain_update(LINK_LABEL)
                .chain_update(shared)
                .chain_update(patient_public)
                .chain_update(custodian_public)
                .finalize()
                .into(),
        ))
    }

    fn mac(&self, label: &[u8], data: &[u8]) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_ref())
            .expect("HMAC takes any key length");
        mac.update(label);
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    /// The name of this custodian's share of `record`.
    pub fn share_name(&self, record: &Pubkey) -> EnvelopeName {
        EnvelopeName(self.mac(SHARE_NAME_LABEL, record.as_ref()))
    }

    /// The name of the patient's summary index for this custodian.
    pub fn index_name(&self) -> EnvelopeName {
        EnvelopeName(self.mac(INDEX_NAME_LABEL, &[]))
    }

    fn index_cipher(&self) -> XChaCha20Poly1305 {
        let key = Zeroizing::new(<[u8; 32]>::from(
            Sha256::new()
                .chain_update(INDEX_KEY_LABEL)
                .chain_update(self.0.as_ref())
                .finalize(),
        ));
        XChaCha20Poly1305::new((&*key).into())
    }

    /// The summary index, encrypted for this custodian: nonce ‖ ciphertext.
    pub fn seal_index(&self, index: &SummaryIndex) -> Result<Vec<u8>> {
        let json = serde_json::to_vec(&IndexJson {
            generation: index.generation,
            records: index.records.iter().map(Pubkey::to_string).collect(),
        })
        .map_err(|e| SdkError::InvalidInput(format!("summary index: {e}")))?;
        let mut nonce = [0u8; offchain::NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .index_cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &json,
                    aad: INDEX_AAD,
                },
            )
            .map_err(|_| offchain::OffchainError::Encrypt)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens a summary index sealed by [`seal_index`](Self::seal_index).
    pub fn open_index(&self, bytes: &[u8]) -> Result<SummaryIndex> {
        if bytes.len() < offchain::NONCE_LEN {
            return Err(offchain::OffchainError::Decrypt.into());
        }
        let (nonce, sealed) = bytes.split_at(offchain::NONCE_LEN);
        let json = self
            .index_cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: INDEX_AAD,
                },
            )
            .map_err(|_| offchain::OffchainError::Decrypt)?;
        let parsed: IndexJson = serde_json::from_slice(&json)
            .map_err(|e| SdkError::InvalidInput(format!("summary index: {e}")))?;
        Ok(SummaryIndex {
            generation: parsed.generation,
            records: parsed
                .records
                .iter()
                .map(|r| parse_pubkey("summary index record", r))
                .collect::<Result<_>>()?,
        })
    }
}

/// A base58 address, or an error naming `what`.
pub fn parse_pubkey(what: &str, text: &str) -> Result<Pubkey> {
    Pubkey::from_str(text).map_err(|_| SdkError::InvalidInput(format!("{what}: not an address")))
}

fn unhex(what: &str, text: &str) -> Result<Vec<u8>> {
    let bad = || SdkError::InvalidInput(format!("{what}: not hex"));
    if !text.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

// ----- requests and answers -----

/// What an ER asks a custodian for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The records of the patient's summary (no key material).
    Summary,
    /// The custodian's share of one record's key.
    Share,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Summary => "summary",
            Action::Share => "share",
        }
    }
}

/// A request to a custodian, signed by the ER's entity authority over
/// [`message`](Self::message).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CustodianRequest {
    /// `summary` or `share`.
    pub action: String,
    /// The custodian addressed (its authority): a request is not replayed
    /// to another custodian.
    pub custodian: String,
    pub patient: String,
    /// The ER's entity authority, the signer.
    pub er: String,
    /// The ER's emergency grant over the patient.
    pub grant: String,
    /// The record whose share is asked for (`share` only).
    pub record: Option<String>,
    /// 16 random bytes, hex: each is accepted once.
    pub nonce: String,
    /// Unix time of the request.
    pub timestamp: i64,
    /// Ed25519 signature of [`message`](Self::message), base58.
    pub signature: String,
}

/// A request whose fields parsed and whose signature verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedRequest {
    pub action: Action,
    pub custodian: Pubkey,
    pub patient: Pubkey,
    pub er: Pubkey,
    pub grant: Pubkey,
    pub record: Option<Pubkey>,
    pub nonce: [u8; 16],
    pub timestamp: i64,
    /// SHA-256 of the signed message and signature, hex: what logs name.
    pub hash: String,
}

impl CustodianRequest {
    /// The canonical signed message: the domain tag, then every field, one
    /// per line.
    pub fn message(&self) -> Vec<u8> {
        format!(
            "{REQUEST_DOMAIN}\naction:{}\ncustodian:{}\npatient:{}\ner:{}\ngrant:{}\nrecord:{}\nnonce:{}\ntimestamp:{}",
            self.action,
            self.custodian,
            self.patient,
            self.er,
            self.grant,
            self.record.as_deref().unwrap_or("-"),
            self.nonce,
            self.timestamp
        )
        .into_bytes()
    }

    /// A fresh request (random nonce) signed by `er`.
    #[allow(clippy::too_many_arguments)]
    pub fn signed(
        er: &AnySigner,
        action: Action,
        custodian: &Pubkey,
        patient: &Pubkey,
        grant: &Pubkey,
        record: Option<&Pubkey>,
        timestamp: i64,
    ) -> Result<Self> {
        let mut nonce = [0u8; 16];
        OsRng.fill_bytes(&mut nonce);
        let mut request = Self {
            action: action.as_str().to_owned(),
            custodian: custodian.to_string(),
            patient: patient.to_string(),
            er: er.pubkey().to_string(),
            grant: grant.to_string(),
            record: record.map(Pubkey::to_string),
            nonce: offchain::to_hex(&nonce),
            timestamp,
            signature: String::new(),
        };
        let signature = er
            .try_sign_message(&request.message())
            .map_err(|e| SdkError::InvalidInput(format!("signing the request: {e}")))?;
        request.signature = signature.to_string();
        Ok(request)
    }

    /// Parses every field and verifies the ER's signature; the error names
    /// the field at fault.
    pub fn verify(&self) -> std::result::Result<VerifiedRequest, RequestError> {
        let malformed = |e: SdkError| RequestError::Malformed(e.to_string());
        let fields = self.parse().map_err(malformed)?;
        let signature = solana_signature::Signature::from_str(&self.signature)
            .map_err(|_| RequestError::Malformed("signature: not a base58 signature".into()))?;
        let message = self.message();
        if !signature.verify(fields.er.as_ref(), &message) {
            return Err(RequestError::BadSignature);
        }
        Ok(VerifiedRequest {
            hash: offchain::to_hex(
                &Sha256::new()
                    .chain_update(&message)
                    .chain_update(signature.as_ref())
                    .finalize(),
            ),
            ..fields
        })
    }

    fn parse(&self) -> Result<VerifiedRequest> {
        let action = match self.action.as_str() {
            "summary" => Action::Summary,
            "share" => Action::Share,
            _ => {
                return Err(SdkError::InvalidInput(
                    "action: not summary or share".into(),
                ))
            }
        };
        let record = self
            .record
            .as_deref()
            .map(|r| parse_pubkey("record", r))
            .transpose()?;
        if (action == Action::Share) != record.is_some() {
            return Err(SdkError::InvalidInput(
                "record: a share request names one record, a summary request none".into(),
            ));
        }
        let nonce: [u8; 16] = unhex("nonce", &self.nonce)?
            .try_into()
            .map_err(|_| SdkError::InvalidInput("nonce: not 16 bytes".into()))?;
        let er = parse_pubkey("er", &self.er)?;
        Ok(VerifiedRequest {
            action,
            custodian: parse_pubkey("custodian", &self.custodian)?,
            patient: parse_pubkey("patient", &self.patient)?,
            er,
            grant: parse_pubkey("grant", &self.grant)?,
            record,
            nonce,
            timestamp: self.timestamp,
            hash: String::new(),
        })
    }
}

/// Why a request is refused before anything is read from the chain.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("signature: not the ER's signature of this request")]
    BadSignature,
}

/// A custodian's identity (`GET /v1/info`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CustodianInfo {
    pub custodian: String,
    pub encryption_key: String,
}

/// A custodian's answer to a `summary` request.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SummaryAnswer {
    pub custodian: String,
    pub generation: u64,
    pub records: Vec<String>,
}

/// A custodian's answer to a `share` request: its share, wrapped to the
/// ER's entity encryption key and bound to the record and share number.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShareAnswer {
    pub custodian: String,
    pub x: u8,
    pub generation: u64,
    /// Hex.
    pub wrapped_share: String,
}

/// A custodian's refusal.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CustodianError {
    pub error: String,
}

// ----- on-chain checks (the custodian's) -----

/// Why a custodian refuses, after the request itself verified.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("no emergency grant of this ER over this patient at {0}")]
    NoGrant(Pubkey),
    #[error("the grant {0} is not this ER's emergency grant over this patient")]
    NotThisGrant(Pubkey),
    #[error("the emergency grant has been revoked")]
    GrantRevoked,
    #[error("the emergency grant has expired")]
    GrantExpired,
    #[error("the ER is not an active Provider entity")]
    EntityNotActive,
    #[error("the record is not an active record of this patient covered by the grant")]
    RecordNotCovered,
    #[error("no access to this record was logged on chain under this grant")]
    AccessNotLogged,
    #[error("chain: {0}")]
    Chain(#[from] SdkError),
}

/// What [`check_emergency_access`] read.
pub struct CheckedAccess {
    pub grant: Grant,
    pub entity: Entity,
    pub record: Option<Record>,
}

/// The custodian's on-chain checks: `grant` is the emergency grant of
/// `er` over `patient` (at its derived address), neither revoked nor
/// expired at cluster time `now`; `er`'s entity is an active Provider; and,
/// for a `record`, the grant covers it and an `AccessLogged` event of this
/// grant, this ER and this record was emitted since the grant was made.
pub async fn check_emergency_access<B: Backend>(
    client: &PanaceaClient<B>,
    er: &Pubkey,
    patient: &Pubkey,
    grant_address: &Pubkey,
    record: Option<&Pubkey>,
    now: i64,
) -> std::result::Result<CheckedAccess, Refusal> {
    if *grant_address != rx::emergency_grant_address(patient, er) {
        return Err(Refusal::NotThisGrant(*grant_address));
    }
    let grant: Grant = client
        .fetch(grant_address)
        .await?
        .ok_or(Refusal::NoGrant(*grant_address))?;
    if !grant.emergency || grant.grantee != *er || grant.patient != *patient {
        return Err(Refusal::NotThisGrant(*grant_address));
    }
    if grant.is_revoked() {
        return Err(Refusal::GrantRevoked);
    }
    if grant.is_expired(now) {
        return Err(Refusal::GrantExpired);
    }
    let entity: Entity = client
        .fetch(&records::pda::entity(er).0)
        .await?
        .ok_or(Refusal::EntityNotActive)?;
    if !entity.is_active(now) || entity.kind != EntityKind::Provider {
        return Err(Refusal::EntityNotActive);
    }
    let record = match record {
        None => None,
        Some(address) => {
            // Either kind: an account, or a live leaf of the patient's.
            let state: Record = client
                .patient_record(patient, address)
                .await?
                .ok_or(Refusal::RecordNotCovered)?
                .record;
            if !grant.covers(address, &state) {
                return Err(Refusal::RecordNotCovered);
            }
            if !access_logged(
                client,
                grant_address,
                grant.access_count,
                er,
                address,
                grant.granted_at,
            )
            .await?
            {
                return Err(Refusal::AccessNotLogged);
            }
            Some(state)
        }
    };
    Ok(CheckedAccess {
        grant,
        entity,
        record,
    })
}

/// How long a custodian waits for a node's history of a grant to catch up
/// with the grant's access count (under the ER's HTTP timeout).
const HISTORY_CATCH_UP: std::time::Duration = std::time::Duration::from_secs(15);

/// Whether a landed transaction mentioning `grant` emitted `AccessLogged`
/// for this grant, grantee and record at or after `since`.
///
/// A node's history can briefly miss a confirmed transaction (over
/// JSON-RPC it listed none of a grant's transactions for a while as their
/// slots were rooted): while it lists fewer readable transactions than the
/// grant's creation and its `access_count` logs, it is read again, for up
/// to [`HISTORY_CATCH_UP`]. A complete history without the log refuses at
/// once.
async fn access_logged<B: Backend>(
    client: &PanaceaClient<B>,
    grant: &Pubkey,
    access_count: u64,
    er: &Pubkey,
    record: &Pubkey,
    since: i64,
) -> Result<bool> {
    let expected = usize::try_from(access_count)
        .unwrap_or(usize::MAX)
        .saturating_add(1);
    let give_up = tokio::time::Instant::now() + HISTORY_CATCH_UP;
    loop {
        let mut readable = 0usize;
        for signature in client.backend().signatures_for_address(grant).await? {
            let Some(tx) = client.backend().transaction(&signature).await? else {
                continue;
            };
            readable += 1;
            if tx.error.is_some() {
                continue;
            }
            let logged = events_of(&tx).iter().any(|event| {
                matches!(event, PanaceaEvent::AccessLogged(e)
                    if e.grant == *grant && e.grantee == *er && e.record == *record
                        && e.emergency && e.accessed_at >= since)
            });
            if logged {
                return Ok(true);
            }
        }
        if readable >= expected || tokio::time::Instant::now() > give_up {
            return Ok(false);
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

// ----- the patient's operations -----

/// One record of an emergency summary, as the ER reads it.
#[derive(Debug)]
pub struct EmergencyRecord {
    pub record: Pubkey,
    pub kind: RecordKind,
    pub summary: FhirSummary,
    /// The FHIR JSON (PHI: the caller shows it to the clinician only).
    pub fhir_json: Vec<u8>,
}

impl<B: Backend> PanaceaClient<B> {
    /// The registry's emergency key custodians.
    pub async fn emergency_custodians(&self) -> Result<EmergencyCustodians> {
        self.fetch(&records::pda::custodians().0)
            .await?
            .ok_or_else(|| {
                SdkError::InvalidInput(
                    "the registry has no emergency key custodians yet (set_emergency_custodians)"
                        .into(),
                )
            })
    }

    /// The patient's key pair, checked against their profile: the
    /// custodians derive their link from the registered key.
    async fn checked_patient_keys(&self, patient: &Pubkey, keys: &EncryptionKeypair) -> Result<()> {
        let profile: Patient = self.get(&records::pda::patient(patient).0).await?;
        if profile.encryption_key != keys.public_key_bytes() {
            return Err(SdkError::InvalidInput(format!(
                "the encryption key given is not {patient}'s registered key"
            )));
        }
        Ok(())
    }

    /// The patient's emergency summary, as their index says (empty when
    /// none is marked).
    pub async fn emergency_summary(
        &self,
        patient: &Pubkey,
        keys: &EncryptionKeypair,
        store: &BlobStore,
    ) -> Result<SummaryIndex> {
        self.checked_patient_keys(patient, keys).await?;
        let custodians = self.emergency_custodians().await?;
        read_index(&custodians, keys, store).await
    }

    /// Marks `records` (the patient's own, active) as part of their
    /// emergency summary: splits each data key among the custodians and
    /// rewrites every custodian's index. Records split for an earlier
    /// custodian generation are split again. The patient signs nothing on
    /// chain; only their encryption key is needed.
    pub async fn mark_emergency_summary(
        &self,
        patient: &Pubkey,
        keys: &EncryptionKeypair,
        records: &[Pubkey],
        store: &BlobStore,
    ) -> Result<SummaryIndex> {
        self.checked_patient_keys(patient, keys).await?;
        let custodians = self.emergency_custodians().await?;
        let old = read_index(&custodians, keys, store).await?;
        let mut index = SummaryIndex {
            generation: custodians.generation,
            records: old.records.clone(),
        };
        let to_split: BTreeSet<Pubkey> = if old.generation == custodians.generation {
            records.iter().copied().collect()
        } else {
            old.records.iter().chain(records).copied().collect()
        };
        let mut gone = Vec::new();
        for record in &to_split {
            match self.patient_record(patient, record).await? {
                Some(state) if state.record.status == RecordStatus::Active => {
                    self.write_shares(&custodians, keys, &state, store).await?;
                    index.records.insert(*record);
                }
                _ if records.contains(record) => {
                    return Err(SdkError::InvalidInput(format!(
                        "{record} is not an active record of {patient}"
                    )))
                }
                // A record of the old index erased or replaced since.
                _ => gone.push(*record),
            }
        }
        for record in gone {
            delete_shares(&custodians, keys, &record, store).await?;
            index.records.remove(&record);
        }
        write_index(&custodians, keys, &index, store).await?;
        Ok(index)
    }

    /// Takes `records` out of the emergency summary: their shares are
    /// deleted and every custodian's index rewritten.
    pub async fn unmark_emergency_summary(
        &self,
        patient: &Pubkey,
        keys: &EncryptionKeypair,
        records: &[Pubkey],
        store: &BlobStore,
    ) -> Result<SummaryIndex> {
        self.checked_patient_keys(patient, keys).await?;
        let custodians = self.emergency_custodians().await?;
        let mut index = read_index(&custodians, keys, store).await?;
        for record in records {
            delete_shares(&custodians, keys, record, store).await?;
            index.records.remove(record);
        }
        write_index(&custodians, keys, &index, store).await?;
        Ok(index)
    }

    /// After a re-key or an erasure of `record`: when it is in the
    /// patient's summary, its shares are split again from the new key, or
    /// deleted (and the record unmarked) when it is no longer active. No
    /// custodians, or a record not in the summary: nothing to do.
    pub async fn refresh_emergency_share(
        &self,
        patient: &Pubkey,
        keys: &EncryptionKeypair,
        record: &Pubkey,
        store: &BlobStore,
    ) -> Result<()> {
        let Some(custodians) = self
            .fetch::<EmergencyCustodians>(&records::pda::custodians().0)
            .await?
        else {
            return Ok(());
        };
        let index = read_index(&custodians, keys, store).await?;
        if !index.records.contains(record) {
            return Ok(());
        }
        match self.patient_record(patient, record).await? {
            Some(state) if state.record.status == RecordStatus::Active => {
                if index.generation == custodians.generation {
                    self.write_shares(&custodians, keys, &state, store).await
                } else {
                    self.mark_emergency_summary(patient, keys, &[], store)
                        .await
                        .map(|_| ())
                }
            }
            _ => self
                .unmark_emergency_summary(patient, keys, &[*record], store)
                .await
                .map(|_| ()),
        }
    }

    async fn write_shares(
        &self,
        custodians: &EmergencyCustodians,
        keys: &EncryptionKeypair,
        state: &PatientRecord,
        store: &BlobStore,
    ) -> Result<()> {
        let record = &state.address;
        let data_key =
            offchain::envelope_data_key(store, &state.binding(), &state.uri(), keys).await?;
        let n = u8::try_from(custodians.custodians.len())
            .map_err(|_| SdkError::InvalidInput("too many custodians".into()))?;
        let shares = split_data_key(&data_key, custodians.threshold, n)?;
        for ((x, share), custodian) in shares.iter().zip(&custodians.custodians) {
            let link = CustodianLink::for_patient(keys, &custodian.encryption_key)?;
            let wrapped =
                offchain::wrap_key(share, &share_binding(record, *x), &custodian.encryption_key)?;
            store
                .put_envelope(&link.share_name(record), &wrapped)
                .await?;
        }
        Ok(())
    }

    /// The ER's break-glass read of `patient`'s emergency summary: breaks
    /// the glass when the ER holds no live emergency grant over the patient
    /// (`reason_code`, `duration`), asks the custodians at `custodian_urls`
    /// which records are in the summary, logs each access on chain, asks
    /// each custodian for its share, rebuilds each key from `threshold`
    /// shares and opens the record. Custodians that do not answer are
    /// skipped as long as `threshold` do.
    #[allow(clippy::too_many_arguments)]
    pub async fn read_emergency_summary(
        &self,
        er: &AnySigner,
        er_keys: &EncryptionKeypair,
        patient: &Pubkey,
        custodian_urls: &[String],
        store: &BlobStore,
        reason_code: u16,
        duration: i64,
    ) -> Result<Vec<EmergencyRecord>> {
        let er_key = er.pubkey();
        let grant = rx::emergency_grant_address(patient, &er_key);
        let now = self.backend().unix_timestamp().await?;
        match self.fetch::<Grant>(&grant).await? {
            Some(live) if !live.is_revoked() && !live.is_expired(now) => {}
            _ => {
                self.emergency_access(er, patient, reason_code, duration)
                    .await?;
            }
        }
        let custodians = self.emergency_custodians().await?;
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .map_err(|e| SdkError::InvalidInput(format!("HTTP client: {e}")))?;
        // Which URL is which custodian: each says, and must be on chain.
        let mut reachable = Vec::new();
        for url in custodian_urls {
            let url = url.trim_end_matches('/').to_owned();
            let Ok(response) = http.get(format!("{url}/v1/info")).send().await else {
                continue;
            };
            let Ok(info) = response.json::<CustodianInfo>().await else {
                continue;
            };
            let Ok(authority) = parse_pubkey("custodian", &info.custodian) else {
                continue;
            };
            if let Some(index) = custodians.index_of(&authority) {
                reachable.push((url, authority, index));
            }
        }
        if reachable.len() < usize::from(custodians.threshold) {
            return Err(SdkError::InvalidInput(format!(
                "{} emergency key custodians answered, {} needed",
                reachable.len(),
                custodians.threshold
            )));
        }
        // The records of the summary: the first custodian that answers.
        let mut summary = None;
        let mut refusals = Vec::new();
        for (url, authority, _) in &reachable {
            let now = self.backend().unix_timestamp().await?;
            let request = CustodianRequest::signed(
                er,
                Action::Summary,
                authority,
                patient,
                &grant,
                None,
                now,
            )?;
            match post::<SummaryAnswer>(&http, &format!("{url}/v1/summary"), &request).await {
                Ok(answer) => {
                    summary = Some(answer);
                    break;
                }
                Err(refusal) => refusals.push(format!("{authority}: {refusal}")),
            }
        }
        let summary = summary.ok_or_else(|| {
            SdkError::InvalidInput(format!(
                "no custodian listed the emergency summary: {}",
                refusals.join("; ")
            ))
        })?;
        let records: Vec<Pubkey> = summary
            .records
            .iter()
            .map(|r| parse_pubkey("summary record", r))
            .collect::<Result<_>>()?;
        // Each access is logged before any share is asked for: the
        // custodians check it in the cluster's transaction history, which
        // a node indexes only some time after the transaction is confirmed
        // (as its slot is rooted): wait until it lists every log.
        let mut states = Vec::with_capacity(records.len());
        let mut logs = Vec::with_capacity(records.len());
        for record in records {
            let state = self
                .patient_record(patient, &record)
                .await?
                .ok_or_else(|| {
                    SdkError::InvalidInput(format!(
                        "record {record} of the summary is no record of patient {patient}"
                    ))
                })?;
            logs.extend(
                self.log_record_access(er, &grant, &state.reference)
                    .await?
                    .signature,
            );
            states.push((record, state));
        }
        self.wait_until_listed(&grant, &logs).await?;
        let mut out = Vec::with_capacity(states.len());
        for (record, state) in states {
            let mut shares = Vec::new();
            let mut refusals = Vec::new();
            for (url, authority, index) in &reachable {
                if shares.len() == usize::from(custodians.threshold) {
                    break;
                }
                let now = self.backend().unix_timestamp().await?;
                let request = CustodianRequest::signed(
                    er,
                    Action::Share,
                    authority,
                    patient,
                    &grant,
                    Some(&record),
                    now,
                )?;
                match post::<ShareAnswer>(&http, &format!("{url}/v1/share"), &request).await {
                    Ok(answer) => {
                        let expected = u8::try_from(index + 1).unwrap_or(0);
                        if answer.x != expected {
                            refusals.push(format!("{authority}: share number {}", answer.x));
                            continue;
                        }
                        let wrapped = unhex("wrapped share", &answer.wrapped_share)?;
                        match offchain::unwrap_key(
                            &wrapped,
                            &share_binding(&record, answer.x),
                            er_keys,
                        ) {
                            Ok(share) => shares.push((answer.x, share)),
                            Err(e) => refusals.push(format!("{authority}: {e}")),
                        }
                    }
                    Err(refusal) => refusals.push(format!("{authority}: {refusal}")),
                }
            }
            if shares.len() < usize::from(custodians.threshold) {
                return Err(SdkError::InvalidInput(format!(
                    "record {record}: {} of {} key shares released ({})",
                    shares.len(),
                    custodians.threshold,
                    refusals.join("; ")
                )));
            }
            let key = combine_shares(custodians.threshold, &shares)?;
            let fhir_json = offchain::open(
                store,
                &offchain::RecordContext::new(state.binding(), state.record.record_version),
                &state.uri(),
                &state.record.commitment,
                &state.record.content_commitment,
                &key,
            )
            .await?;
            let summary = offchain::validate_fhir(&fhir_json)?;
            out.push(EmergencyRecord {
                record,
                kind: state.record.kind,
                summary,
                fhir_json,
            });
        }
        Ok(out)
    }
}

/// How long [`PanaceaClient::read_emergency_summary`] waits for the
/// cluster's transaction history to list the ER's access logs.
const HISTORY_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

impl<B: Backend> PanaceaClient<B> {
    /// Waits (up to [`HISTORY_WAIT`]) until `address`'s transaction
    /// history lists every one of `signatures` and each can be read: what
    /// a custodian reads to find the ER's access logs.
    async fn wait_until_listed(
        &self,
        address: &Pubkey,
        signatures: &[solana_signature::Signature],
    ) -> Result<()> {
        let give_up = tokio::time::Instant::now() + HISTORY_WAIT;
        loop {
            let listed = self.backend().signatures_for_address(address).await?;
            let mut all = true;
            for signature in signatures {
                if !listed.contains(signature)
                    || self.backend().transaction(signature).await?.is_none()
                {
                    all = false;
                    break;
                }
            }
            if all {
                return Ok(());
            }
            if tokio::time::Instant::now() > give_up {
                return Err(SdkError::Rpc(format!(
                    "the cluster's history of {address} did not list the access logs within {} s",
                    HISTORY_WAIT.as_secs()
                )));
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }
}

/// Posts a request; a refusal's message (the custodian's JSON error) or a
/// transport failure is the error.
async fn post<T: for<'de> Deserialize<'de>>(
    http: &reqwest::Client,
    url: &str,
    request: &CustodianRequest,
) -> std::result::Result<T, String> {
    let response = http
        .post(url)
        .json(request)
        .send()
        .await
        .map_err(|e| format!("unreachable ({})", e.without_url()))?;
    let status = response.status();
    if status.is_success() {
        response
            .json::<T>()
            .await
            .map_err(|e| format!("bad answer ({})", e.without_url()))
    } else {
        let error = response
            .json::<CustodianError>()
            .await
            .map(|e| e.error)
            .unwrap_or_default();
        Err(format!("HTTP {}: {error}", status.as_u16()))
    }
}

/// The patient's index, from the first custodian whose copy is there
/// (empty when none is).
async fn read_index(
    custodians: &EmergencyCustodians,
    keys: &EncryptionKeypair,
    store: &BlobStore,
) -> Result<SummaryIndex> {
    for custodian in &custodians.custodians {
        let link = CustodianLink::for_patient(keys, &custodian.encryption_key)?;
        match store.get_envelope(&link.index_name()).await {
            Ok(bytes) => return link.open_index(&bytes),
            Err(offchain::OffchainError::BlobNotFound(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(SummaryIndex::default())
}

/// Writes the index for every custodian (deleted when empty).
async fn write_index(
    custodians: &EmergencyCustodians,
    keys: &EncryptionKeypair,
    index: &SummaryIndex,
    store: &BlobStore,
) -> Result<()> {
    for custodian in &custodians.custodians {
        let link = CustodianLink::for_patient(keys, &custodian.encryption_key)?;
        if index.records.is_empty() {
            store.delete_envelope(&link.index_name()).await?;
        } else {
            store
                .put_envelope(&link.index_name(), &link.seal_index(index)?)
                .await?;
        }
    }
    Ok(())
}

async fn delete_shares(
    custodians: &EmergencyCustodians,
    keys: &EncryptionKeypair,
    record: &Pubkey,
    store: &BlobStore,
) -> Result<()> {
    for custodian in &custodians.custodians {
        let link = CustodianLink::for_patient(keys, &custodian.encryption_key)?;
        store.delete_envelope(&link.share_name(record)).await?;
    }
    Ok(())
}

/// The hex of a wrapped share, as answers carry it.
pub fn share_hex(wrapped: &[u8]) -> String {
    offchain::to_hex(wrapped)
}

/// A clearly synthetic International Patient Summary (no real person): one
/// FHIR R4 resource per record, with the record kind it is issued as. For
/// the demo and the tests.
pub const SYNTHETIC_IPS: [(RecordKind, &str); 4] = [
    (
        RecordKind::Other,
        r#"{"resourceType":"AllergyIntolerance","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"764146007","display":"Penicillin"}]},"criticality":"high","patient":{"display":"Synthetic Demo Patient"}}"#,
    ),
    (
        RecordKind::Medication,
        r#"{"resourceType":"MedicationStatement","status":"active","medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"855332","display":"Warfarin 5 MG Oral Tablet"}]},"subject":{"display":"Synthetic Demo Patient"}}"#,
    ),
    (
        RecordKind::Condition,
        r#"{"resourceType":"Condition","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"49436004","display":"Atrial fibrillation"}]},"subject":{"display":"Synthetic Demo Patient"}}"#,
    ),
    (
        RecordKind::LabResult,
        r#"{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"882-1","display":"ABO and Rh group"}]},"subject":{"display":"Synthetic Demo Patient"},"valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"278152006","display":"Blood group A Rh(D) positive"}]}}"#,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_of_three_rebuilds_and_one_does_not() {
        let key = DataKey::generate();
        let shares = split_data_key(&key, 2, 3).unwrap();
        assert_eq!(
            shares.iter().map(|(x, _)| *x).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        for pair in [[0, 1], [0, 2], [1, 2]] {
            let picked: Vec<(u8, DataKey)> = pair
                .iter()
                .map(|&i| (shares[i].0, DataKey::from_bytes(*shares[i].1.as_bytes())))
                .collect();
            assert_eq!(
                combine_shares(2, &picked).unwrap().as_bytes(),
                key.as_bytes()
            );
        }
        let one = vec![(shares[0].0, DataKey::from_bytes(*shares[0].1.as_bytes()))];
        assert!(combine_shares(2, &one).is_err());
        // The same share twice is one share.
        let twice = vec![
            (shares[0].0, DataKey::from_bytes(*shares[0].1.as_bytes())),
            (shares[0].0, DataKey::from_bytes(*shares[0].1.as_bytes())),
        ];
        assert!(combine_shares(2, &twice).is_err());
        assert!(split_data_key(&key, 0, 3).is_err());
        assert!(split_data_key(&key, 4, 3).is_err());
    }

    #[test]
    fn patient_and_custodian_derive_the_same_names_and_others_do_not() {
        let patient = EncryptionKeypair::generate();
        let custodian = EncryptionKeypair::generate();
        let stranger = EncryptionKeypair::generate();
        let record = Pubkey::new_unique();
        let ours = CustodianLink::for_patient(&patient, &custodian.public_key_bytes()).unwrap();
        let theirs = CustodianLink::for_custodian(&custodian, &patient.public_key_bytes()).unwrap();
        let other = CustodianLink::for_custodian(&stranger, &patient.public_key_bytes()).unwrap();
        assert_eq!(ours.share_name(&record), theirs.share_name(&record));
        assert_eq!(ours.index_name(), theirs.index_name());
        assert_ne!(ours.share_name(&record), other.share_name(&record));
        assert_ne!(ours.index_name(), ours.share_name(&record));
        let index = SummaryIndex {
            generation: 3,
            records: [record].into_iter().collect(),
        };
        let sealed = ours.seal_index(&index).unwrap();
        assert_eq!(theirs.open_index(&sealed).unwrap(), index);
        assert!(other.open_index(&sealed).is_err());
    }

    #[test]
    fn a_request_verifies_and_any_change_breaks_it() {
        let er = solana_keypair::Keypair::new();
        let request = CustodianRequest::signed(
            &er,
            Action::Share,
            &Pubkey::new_unique(),
            &Pubkey::new_unique(),
            &Pubkey::new_unique(),
            Some(&Pubkey::new_unique()),
            1_700_000_000,
        )
        .unwrap();
        let verified = request.verify().unwrap();
        assert_eq!(verified.er, solana_signer::Signer::pubkey(&er));
        let mut later = request.clone();
        later.timestamp += 1;
        assert!(later.verify().is_err());
        let mut other_record = request.clone();
        other_record.record = Some(Pubkey::new_unique().to_string());
        assert!(other_record.verify().is_err());
        let mut other_er = request.clone();
        other_er.er = Pubkey::new_unique().to_string();
        assert!(other_er.verify().is_err());
    }
}
