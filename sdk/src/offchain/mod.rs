//! # Off-chain records
//!
//! The chain holds a record's commitment and an opaque URI; the record itself
//! lives off chain, encrypted:
//!
//! 1. the payload is checked to be a FHIR R4 JSON resource or Bundle
//!    ([`validate_fhir`]);
//! 2. it is encrypted with a fresh random [`DataKey`] (XChaCha20-Poly1305,
//!    [`encrypt`]);
//! 3. the ciphertext is stored in a [`BlobStore`] (a local directory, S3, ...)
//!    under an opaque content URI, `panacea://<hex of the commitment>`;
//! 4. the commitment, SHA-256 of the ciphertext ([`commitment`]), and the URI
//!    go on chain with `issue_record`.
//!
//! [`seal`] does all four off-chain steps; [`open`] fetches a record, checks
//! it against the on-chain commitment and only then decrypts it. A data key
//! is shared by wrapping it to a grantee's X25519 key ([`wrap_key`]) for
//! `grant_access`, or kept in the store as an envelope under a keyed name
//! ([`put_envelope`], [`envelope_data_key`]).
//!
//! Everything is bound to its record ([`RecordContext`]): the ciphertext's
//! associated data names the record's address and version, a wrapped key
//! names the record's address and its recipient, and an envelope's name is
//! a MAC that only the writer and the recipient can compute (the reasoning
//! is in the `keywrap` module's "Envelope names"). This is format `v2`;
//! payloads and wrapped keys written by `v1` (a constant associated data, a
//! wrap bound only to the two public keys, envelopes at
//! `envelopes/<commitment>/<recipient key>`) are not read: records sealed
//! before it must be issued again. When a grant is revoked, [`reseal`] re-keys the record so
//! that the revoked grantee's wrapped key opens nothing; the caller then
//! wraps the new key for the grants that remain and amends the record on
//! chain. Erasure is [`shred`] (the blob) plus dropping the data key, plus
//! `erase_record` on chain.
//!
//! Nothing in this module logs, and no error carries record content.

mod aead;
mod fhir;
mod keywrap;
mod store;

pub use self::{
    aead::{
        commitment, commitment_key, content_commitment, decrypt, encrypt, keyed_commitment,
        naming_key_of, DataKey, RecordContext, DATA_KEY_LEN, NAMING_KEY_LEN, NONCE_LEN, SALT_LEN,
        TAG_LEN,
    },
    aead::{commitment_with_key, COMMITMENT_TAG},
    fhir::{canonical_json, study_commitment, validate_fhir, FhirSummary},
    keywrap::{
        envelope_name, envelope_name_for_recipient, naming_public_key, unwrap_key, wrap_key,
        EncryptionKeypair, EnvelopeName, WRAPPED_KEY_LEN, X25519_KEY_LEN,
    },
    store::{blob_uri, BlobStore, URI_LEN, URI_SCHEME},
};

use zeroize::Zeroizing;

/// Everything that can go wrong off chain.
#[derive(Debug, thiserror::Error)]
pub enum OffchainError {
    /// The payload is not a FHIR R4 JSON resource or Bundle. The message is
    /// the parser's, with input values redacted.
    #[error("invalid FHIR payload: {0}")]
    InvalidFhir(String),
    /// Encryption failed (a payload beyond XChaCha20-Poly1305's limit).
    #[error("encryption failed")]
    Encrypt,
    /// A record ciphertext did not decrypt: wrong data key, or a ciphertext
    /// altered or truncated.
    #[error("record decryption failed: wrong data key or altered ciphertext")]
    Decrypt,
    /// A wrapped data key did not unwrap: wrapped to another key, altered, or
    /// not 80 bytes.
    #[error("wrapped key could not be unwrapped: wrong recipient key or altered wrapped key")]
    Unwrap,
    /// An X25519 public key that cannot receive a wrapped key (a low-order
    /// point).
    #[error("invalid X25519 public key")]
    InvalidPublicKey,
    /// The decrypted payload is not what the issuer attested: its salted
    /// hash differs from the record's on-chain content commitment (content
    /// substituted by a re-key, or a payload that is not a sealed record).
    #[error("content does not match the issuer's attestation (content commitment {expected})")]
    ContentMismatch {
        /// The record's on-chain content commitment, hex.
        expected: String,
    },
    /// The fetched ciphertext does not hash to the on-chain commitment.
    #[error("commitment mismatch: expected {expected}, blob hashes to {actual}")]
    CommitmentMismatch {
        /// The expected commitment (on chain), hex.
        expected: String,
        /// SHA-256 of the fetched ciphertext, hex.
        actual: String,
    },
    /// No blob at this content URI.
    #[error("no blob at {0}")]
    BlobNotFound(String),
    /// A content URI or store URL that is malformed or not supported.
    #[error("invalid or unsupported URI: {0}")]
    InvalidUri(String),
    /// The blob store failed.
    #[error("blob store: {0}")]
    Storage(#[from] object_store::Error),
    /// A local file system operation failed (creating a store's directory).
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
}

/// A record sealed off chain: what goes on chain (`commitment`,
/// `content_commitment`, `uri`), the key that opens it, and what the payload
/// is.
#[derive(Debug)]
pub struct SealedRecord {
    /// SHA-256 of the stored ciphertext: the record's on-chain commitment.
    pub commitment: [u8; 32],
    /// The issuer's attestation of the content ([`content_commitment`]):
    /// the same for every re-encryption of this payload.
    pub content_commitment: [u8; 32],
    /// The opaque content URI: the record's on-chain `uri`.
    pub uri: String,
    /// The record's data key: keep it (patient side) and wrap it for grantees.
    pub data_key: DataKey,
    /// Resource type and Bundle size of the payload.
    pub summary: FhirSummary,
}

/// Validates `fhir_json` as a FHIR R4 resource or Bundle, encrypts it (with
/// a fresh random salt in front) under a fresh data key for the record
/// `context`, stores the ciphertext and returns its commitment, content
/// commitment, URI and key.
pub async fn seal(
    fhir_json: &[u8],
    context: &RecordContext,
    store: &BlobStore,
) -> Result<SealedRecord, OffchainError> {
    let summary = validate_fhir(fhir_json)?;
    let salt = aead::generate_salt();
    let mut payload = Zeroizing::new(Vec::with_capacity(SALT_LEN + fhir_json.len()));
    payload.extend_from_slice(&salt);
    payload.extend_from_slice(fhir_json);
    seal_payload(
        &payload,
        content_commitment(&salt, fhir_json),
        summary,
        context,
        store,
    )
    .await
}

/// Like [`seal`], for a record whose address is not known before it lands
/// (a compressed record takes the next leaf of its tree): the ciphertext is
/// bound to `bind(content_commitment)` and `record_version` instead, which
/// a reader rebuilds from the record's fields. Returns that context too.
pub async fn seal_bound(
    fhir_json: &[u8],
    record_version: u16,
    bind: impl FnOnce(&[u8; 32]) -> [u8; 32],
    store: &BlobStore,
) -> Result<(SealedRecord, RecordContext), OffchainError> {
    let summary = validate_fhir(fhir_json)?;
    let salt = aead::generate_salt();
    let mut payload = Zeroizing::new(Vec::with_capacity(SALT_LEN + fhir_json.len()));
    payload.extend_from_slice(&salt);
    payload.extend_from_slice(fhir_json);
    let content = content_commitment(&salt, fhir_json);
    let context = RecordContext::new(bind(&content), record_version);
    let sealed = seal_payload(&payload, content, summary, &context, store).await?;
    Ok((sealed, context))
}

/// Encrypts a sealed payload (salt and plaintext) under a fresh key and
/// stores it.
async fn seal_payload(
    payload: &[u8],
    content_commitment: [u8; 32],
    summary: FhirSummary,
    context: &RecordContext,
    store: &BlobStore,
) -> Result<SealedRecord, OffchainError> {
    let data_key = DataKey::generate();
    let ciphertext = encrypt(&data_key, context, payload)?;
    let commitment = commitment(&ciphertext);
    let uri = store.put(ciphertext).await?;
    Ok(SealedRecord {
        commitment,
        content_commitment,
        uri,
        data_key,
        summary,
    })
}

/// Fetches the ciphertext at `uri`, checks that it hashes to
/// `expected_commitment` (the on-chain commitment) before anything else,
/// decrypts it and returns the payload (salt, then plaintext) once its
/// salted hash is `expected_content` (the issuer's attestation).
async fn open_payload(
    store: &BlobStore,
    context: &RecordContext,
    uri: &str,
    expected_commitment: &[u8; 32],
    expected_content: &[u8; 32],
    data_key: &DataKey,
) -> Result<Zeroizing<Vec<u8>>, OffchainError> {
    let ciphertext = store.get(uri).await?;
    let actual = commitment(&ciphertext);
    if actual != *expected_commitment {
        return Err(OffchainError::CommitmentMismatch {
            expected: to_hex(expected_commitment),
            actual: to_hex(&actual),
        });
    }
    let payload = Zeroizing::new(decrypt(data_key, context, &ciphertext)?);
    let mismatch = || OffchainError::ContentMismatch {
        expected: to_hex(expected_content),
    };
    let salt: &[u8; SALT_LEN] = payload
        .get(..SALT_LEN)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(mismatch)?;
    if content_commitment(salt, &payload[SALT_LEN..]) != *expected_content {
        return Err(mismatch());
    }
    Ok(payload)
}

/// Fetches the record at `uri`, checks its ciphertext against
/// `expected_commitment` (on chain) before anything else, decrypts it with
/// `data_key` for the record `context`, and checks the plaintext against `expected_content` (the
/// issuer's content commitment, on chain): content that is not what the
/// issuer attested is refused, whoever re-encrypted it.
pub async fn open(
    store: &BlobStore,
    context: &RecordContext,
    uri: &str,
    expected_commitment: &[u8; 32],
    expected_content: &[u8; 32],
    data_key: &DataKey,
) -> Result<Vec<u8>, OffchainError> {
    let payload = open_payload(
        store,
        context,
        uri,
        expected_commitment,
        expected_content,
        data_key,
    )
    .await?;
    Ok(payload[SALT_LEN..].to_vec())
}

/// Re-keys a record, when a grant is revoked: opens it with `old_key` (both
/// commitments checked), seals the same payload (same salt, so the same
/// content commitment) under a fresh key and stores the new blob.
///
/// The old blob is kept: the caller wraps the new key for the grants that
/// remain, puts the new commitment and URI on chain, and only once that has
/// landed deletes the old blob ([`shred`]). A failure at any step leaves the
/// record readable as it was.
pub async fn reseal(
    store: &BlobStore,
    context: &RecordContext,
    uri: &str,
    commitment: &[u8; 32],
    content_commitment: &[u8; 32],
    old_key: &DataKey,
) -> Result<SealedRecord, OffchainError> {
    let payload =
        open_payload(store, context, uri, commitment, content_commitment, old_key).await?;
    let summary = validate_fhir(&payload[SALT_LEN..])?;
    seal_payload(&payload, *content_commitment, summary, context, store).await
}

/// Wraps `data_key` (the key of the record `record`) to `recipient_public`
/// and keeps it in the store as an envelope under its keyed name, which is
/// returned (to delete it later with [`BlobStore::delete_envelope`]).
pub async fn put_envelope(
    store: &BlobStore,
    data_key: &DataKey,
    record: &[u8; 32],
    recipient_public: &[u8; X25519_KEY_LEN],
) -> Result<EnvelopeName, OffchainError> {
    let wrapped = wrap_key(data_key, record, recipient_public)?;
    let name = envelope_name(data_key, record, recipient_public)?;
    store.put_envelope(&name, &wrapped).await?;
    Ok(name)
}

/// The name of `recipient`'s envelope of the record `record` whose
/// ciphertext is at `uri` (read for its naming key).
pub async fn envelope_name_of(
    store: &BlobStore,
    record: &[u8; 32],
    uri: &str,
    recipient: &EncryptionKeypair,
) -> Result<EnvelopeName, OffchainError> {
    let ciphertext = store.get(uri).await?;
    envelope_name_for_recipient(recipient, record, &naming_key_of(&ciphertext)?)
}

/// The data key of the record `record` (ciphertext at `uri`) from
/// `recipient`'s envelope: finds the envelope's name from the ciphertext's
/// naming key, fetches it and unwraps it.
pub async fn envelope_data_key(
    store: &BlobStore,
    record: &[u8; 32],
    uri: &str,
    recipient: &EncryptionKeypair,
) -> Result<DataKey, OffchainError> {
    let name = envelope_name_of(store, record, uri, recipient).await?;
    let wrapped = store.get_envelope(&name).await?;
    unwrap_key(&wrapped, record, recipient)
}

/// Deletes a record's blob: the off-chain half of erasure. The caller drops
/// (and so wipes) the data key and calls `erase_record` on chain.
pub async fn shred(store: &BlobStore, uri: &str) -> Result<(), OffchainError> {
    store.delete(uri).await
}

/// Lowercase hex of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{
        fhir::tests::{BUNDLE, OBSERVATION, PATIENT_NAME},
        store::tests::TempDir,
        *,
    };

    /// The record every test seals for.
    const CTX: RecordContext = RecordContext {
        record: [0x52; 32],
        record_version: 1,
    };

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[tokio::test]
    async fn observation_round_trip() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        let sealed = seal(OBSERVATION.as_bytes(), &CTX, &store).await.unwrap();
        assert_eq!(sealed.summary.resource_type, "Observation");
        assert_eq!(sealed.summary.bundle_entries, None);
        assert_eq!(sealed.uri, blob_uri(&sealed.commitment));
        assert!(sealed.uri.len() <= 96);

        let opened = open(
            &store,
            &CTX,
            &sealed.uri,
            &sealed.commitment,
            &sealed.content_commitment,
            &sealed.data_key,
        )
        .await
        .unwrap();
        assert_eq!(opened, OBSERVATION.as_bytes());
    }

    #[tokio::test]
    async fn bundle_round_trip() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        let sealed = seal(BUNDLE.as_bytes(), &CTX, &store).await.unwrap();
        assert_eq!(sealed.summary.resource_type, "Bundle");
        assert_eq!(sealed.summary.bundle_entries, Some(2));
        let opened = open(
            &store,
            &CTX,
            &sealed.uri,
            &sealed.commitment,
            &sealed.content_commitment,
            &sealed.data_key,
        )
        .await
        .unwrap();
        assert_eq!(opened, BUNDLE.as_bytes());
    }

    #[tokio::test]
    async fn stored_ciphertext_hides_the_plaintext() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        for payload in [OBSERVATION, BUNDLE] {
            let sealed = seal(payload.as_bytes(), &CTX, &store).await.unwrap();
            let ciphertext = store.get(&sealed.uri).await.unwrap();
            assert_eq!(commitment(&ciphertext), sealed.commitment);
            for needle in [
                PATIENT_NAME,
                "Zebedee",
                "Quixworth",
                "resourceType",
                "4548-4",
            ] {
                assert!(!contains(&ciphertext, needle.as_bytes()), "{needle}");
            }
            // Nor does the URI, or the blob's file name.
            assert!(!sealed.uri.contains("Zebedee"));
        }
    }

    #[tokio::test]
    async fn non_fhir_payloads_are_not_stored() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        for payload in [
            r#"{"hello":1}"#,
            r#"{"resourceType": "Observation", "status": "#,
            r#"{"resourceType": "PatientRecordOfZebedee", "id": "x"}"#,
        ] {
            assert!(matches!(
                seal(payload.as_bytes(), &CTX, &store).await,
                Err(OffchainError::InvalidFhir(_))
            ));
        }
        assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn tampered_blob_fails_the_commitment_check() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        let sealed = seal(OBSERVATION.as_bytes(), &CTX, &store).await.unwrap();

        // Alter the stored blob in place.
        let file = dir.0.join(&sealed.uri[URI_SCHEME.len()..]);
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&file, &bytes).unwrap();

        match open(
            &store,
            &CTX,
            &sealed.uri,
            &sealed.commitment,
            &sealed.content_commitment,
            &sealed.data_key,
        )
        .await
        {
            Err(OffchainError::CommitmentMismatch { expected, actual }) => {
                assert_eq!(expected, to_hex(&sealed.commitment));
                assert_eq!(actual, to_hex(&commitment(&bytes)));
            }
            other => panic!("expected CommitmentMismatch, got {other:?}"),
        }

        // A tampered blob stored as such matches its own commitment; the
        // AEAD still refuses it.
        let tampered_uri = store.put(bytes.clone()).await.unwrap();
        assert!(matches!(
            open(
                &store,
                &CTX,
                &tampered_uri,
                &commitment(&bytes),
                &sealed.content_commitment,
                &sealed.data_key
            )
            .await,
            Err(OffchainError::Decrypt)
        ));
    }

    #[tokio::test]
    async fn wrong_data_key_fails_to_decrypt() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        let sealed = seal(OBSERVATION.as_bytes(), &CTX, &store).await.unwrap();
        assert!(matches!(
            open(
                &store,
                &CTX,
                &sealed.uri,
                &sealed.commitment,
                &sealed.content_commitment,
                &DataKey::generate()
            )
            .await,
            Err(OffchainError::Decrypt)
        ));
    }

    #[tokio::test]
    async fn missing_blob_is_reported() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        let sealed = seal(OBSERVATION.as_bytes(), &CTX, &store).await.unwrap();
        shred(&store, &sealed.uri).await.unwrap();
        assert!(matches!(
            open(
            &store,
            &CTX, &sealed.uri, &sealed.commitment, &sealed.content_commitment, &sealed.data_key).await,
            Err(OffchainError::BlobNotFound(uri)) if uri == sealed.uri
        ));
        // Shredding twice is harmless.
        shred(&store, &sealed.uri).await.unwrap();
    }

    #[tokio::test]
    async fn malformed_uri_is_refused() {
        let store = BlobStore::in_memory();
        assert!(matches!(
            open(
                &store,
                &CTX,
                "https://example.org/x",
                &[0; 32],
                &[0; 32],
                &DataKey::generate()
            )
            .await,
            Err(OffchainError::InvalidUri(_))
        ));
    }

    #[tokio::test]
    async fn reseal_rekeys_and_keeps_the_old_blob_until_told() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        let old = seal(BUNDLE.as_bytes(), &CTX, &store).await.unwrap();
        let new = reseal(
            &store,
            &CTX,
            &old.uri,
            &old.commitment,
            &old.content_commitment,
            &old.data_key,
        )
        .await
        .unwrap();

        assert_ne!(new.data_key.as_bytes(), old.data_key.as_bytes());
        assert_ne!(new.commitment, old.commitment);
        assert_ne!(new.uri, old.uri);
        assert_eq!(new.summary, old.summary);
        // The issuer's attestation survives the re-key.
        assert_eq!(new.content_commitment, old.content_commitment);
        // The old blob stays until the caller's re-key has landed.
        assert!(store.get(&old.uri).await.is_ok());
        let opened = open(
            &store,
            &CTX,
            &new.uri,
            &new.commitment,
            &new.content_commitment,
            &new.data_key,
        )
        .await
        .unwrap();
        assert_eq!(opened, BUNDLE.as_bytes());
        // The old key opens nothing any more.
        assert!(matches!(
            open(
                &store,
                &CTX,
                &new.uri,
                &new.commitment,
                &new.content_commitment,
                &old.data_key
            )
            .await,
            Err(OffchainError::Decrypt)
        ));
    }

    #[tokio::test]
    async fn substituted_content_is_refused_even_when_it_decrypts() {
        // Whoever holds a data key can encrypt other content under a fresh
        // key and commit to its ciphertext (what a re-key does); the reader
        // still refuses it, because it is not what the issuer attested.
        let store = BlobStore::in_memory();
        let issued = seal(OBSERVATION.as_bytes(), &CTX, &store).await.unwrap();
        let forged = seal(BUNDLE.as_bytes(), &CTX, &store).await.unwrap();
        match open(
            &store,
            &CTX,
            &forged.uri,
            &forged.commitment,
            &issued.content_commitment,
            &forged.data_key,
        )
        .await
        {
            Err(OffchainError::ContentMismatch { expected }) => {
                assert_eq!(expected, to_hex(&issued.content_commitment));
            }
            other => panic!("expected ContentMismatch, got {other:?}"),
        }
        // The same plaintext under another salt is refused too: the
        // commitment binds the issuer's salt.
        let same_text = seal(OBSERVATION.as_bytes(), &CTX, &store).await.unwrap();
        assert_ne!(same_text.content_commitment, issued.content_commitment);
    }

    #[tokio::test]
    async fn reseal_with_the_wrong_key_keeps_the_record() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        let sealed = seal(OBSERVATION.as_bytes(), &CTX, &store).await.unwrap();
        assert!(matches!(
            reseal(
                &store,
                &CTX,
                &sealed.uri,
                &sealed.commitment,
                &sealed.content_commitment,
                &DataKey::generate()
            )
            .await,
            Err(OffchainError::Decrypt)
        ));
        assert!(store.get(&sealed.uri).await.is_ok());
        assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 1);
    }

    #[tokio::test]
    async fn grant_flow_wraps_the_data_key_for_a_grantee() {
        let store = BlobStore::in_memory();
        let sealed = seal(OBSERVATION.as_bytes(), &CTX, &store).await.unwrap();
        let specialist = EncryptionKeypair::generate();
        let stranger = EncryptionKeypair::generate();

        let wrapped = wrap_key(
            &sealed.data_key,
            &CTX.record,
            &specialist.public_key_bytes(),
        )
        .unwrap();
        assert_eq!(wrapped.len(), WRAPPED_KEY_LEN);
        let key = unwrap_key(&wrapped, &CTX.record, &specialist).unwrap();
        let opened = open(
            &store,
            &CTX,
            &sealed.uri,
            &sealed.commitment,
            &sealed.content_commitment,
            &key,
        )
        .await
        .unwrap();
        assert_eq!(opened, OBSERVATION.as_bytes());
        assert!(matches!(
            unwrap_key(&wrapped, &CTX.record, &stranger),
            Err(OffchainError::Unwrap)
        ));
    }

    #[tokio::test]
    async fn envelopes_are_found_by_their_recipient_and_named_opaquely() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        let sealed = seal(OBSERVATION.as_bytes(), &CTX, &store).await.unwrap();
        let patient = EncryptionKeypair::generate();
        let stranger = EncryptionKeypair::generate();
        let name = put_envelope(
            &store,
            &sealed.data_key,
            &CTX.record,
            &patient.public_key_bytes(),
        )
        .await
        .unwrap();
        let key = envelope_data_key(&store, &CTX.record, &sealed.uri, &patient)
            .await
            .unwrap();
        assert_eq!(key.as_bytes(), sealed.data_key.as_bytes());
        // Someone else finds no envelope under their name.
        assert!(matches!(
            envelope_data_key(&store, &CTX.record, &sealed.uri, &stranger).await,
            Err(OffchainError::BlobNotFound(_))
        ));
        // Listing the bucket shows neither the commitment nor the recipient
        // key nor the record's address in the envelope's name.
        let listed: Vec<String> = std::fs::read_dir(dir.0.join("envelopes"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(listed, vec![to_hex(&name.0)]);
        for secret in [
            to_hex(&sealed.commitment),
            to_hex(&patient.public_key_bytes()),
            to_hex(&CTX.record),
        ] {
            assert!(!listed[0].contains(&secret[..16]));
        }
        // The envelope is bound to the record: read as another record's, it
        // opens nothing.
        let other = [0x53; 32];
        assert!(envelope_data_key(&store, &other, &sealed.uri, &patient)
            .await
            .is_err());
        store.delete_envelope(&name).await.unwrap();
        store.delete_envelope(&name).await.unwrap();
        assert!(matches!(
            envelope_data_key(&store, &CTX.record, &sealed.uri, &patient).await,
            Err(OffchainError::BlobNotFound(_))
        ));
    }

    #[tokio::test]
    async fn a_ciphertext_moved_to_another_record_does_not_open() {
        let store = BlobStore::in_memory();
        let sealed = seal(OBSERVATION.as_bytes(), &CTX, &store).await.unwrap();
        for context in [
            RecordContext::new([0x53; 32], 1),
            RecordContext::new(CTX.record, 2),
        ] {
            assert!(matches!(
                open(
                    &store,
                    &context,
                    &sealed.uri,
                    &sealed.commitment,
                    &sealed.content_commitment,
                    &sealed.data_key
                )
                .await,
                Err(OffchainError::Decrypt)
            ));
        }
    }

    #[test]
    fn hex_is_lowercase() {
        assert_eq!(to_hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn errors_do_not_carry_content() {
        let err =
            validate_fhir(br#"{"resourceType": "Patient", "active": "Zebedee"}"#).unwrap_err();
        assert!(!err.to_string().contains("Zebedee"));
        assert!(!format!("{err:?}").contains("Zebedee"));
    }
}
