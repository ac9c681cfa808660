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
//! `grant_access`. When a grant is revoked, [`reseal`] re-keys the record so
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
    aead::{commitment, decrypt, encrypt, DataKey, DATA_KEY_LEN, NONCE_LEN, TAG_LEN},
    fhir::{validate_fhir, FhirSummary},
    keywrap::{unwrap_key, wrap_key, EncryptionKeypair, WRAPPED_KEY_LEN, X25519_KEY_LEN},
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

/// A record sealed off chain: what goes on chain (`commitment`, `uri`), the
/// key that opens it, and what the payload is.
#[derive(Debug)]
pub struct SealedRecord {
    /// SHA-256 of the stored ciphertext: the record's on-chain commitment.
    pub commitment: [u8; 32],
    /// The opaque content URI: the record's on-chain `uri`.
    pub uri: String,
    /// The record's data key: keep it (patient side) and wrap it for grantees.
    pub data_key: DataKey,
    /// Resource type and Bundle size of the payload.
    pub summary: FhirSummary,
}

/// Validates `fhir_json` as a FHIR R4 resource or Bundle, encrypts it with a
/// fresh data key, stores the ciphertext and returns its commitment, URI and
/// key.
pub async fn seal(fhir_json: &[u8], store: &BlobStore) -> Result<SealedRecord, OffchainError> {
    let summary = validate_fhir(fhir_json)?;
    let data_key = DataKey::generate();
    let ciphertext = encrypt(&data_key, fhir_json)?;
    let commitment = commitment(&ciphertext);
    let uri = store.put(ciphertext).await?;
    Ok(SealedRecord {
        commitment,
        uri,
        data_key,
        summary,
    })
}

/// Fetches the record at `uri`, checks that its ciphertext hashes to
/// `expected_commitment` (the on-chain commitment) before anything else, and
/// decrypts it with `data_key`.
pub async fn open(
    store: &BlobStore,
    uri: &str,
    expected_commitment: &[u8; 32],
    data_key: &DataKey,
) -> Result<Vec<u8>, OffchainError> {
    let ciphertext = store.get(uri).await?;
    let actual = commitment(&ciphertext);
    if actual != *expected_commitment {
        return Err(OffchainError::CommitmentMismatch {
            expected: to_hex(expected_commitment),
            actual: to_hex(&actual),
        });
    }
    decrypt(data_key, &ciphertext)
}

/// Re-keys a record, when a grant is revoked: opens it with `old_key` (the
/// commitment checked first), seals the same payload under a fresh key,
/// stores the new blob, and deletes the old one.
///
/// The caller wraps the new key for the grants that remain and puts the new
/// commitment and URI on chain. The new blob is stored before the old one is
/// deleted, so a failure leaves the record readable with the old key.
pub async fn reseal(
    store: &BlobStore,
    uri: &str,
    commitment: &[u8; 32],
    old_key: &DataKey,
) -> Result<SealedRecord, OffchainError> {
    let plaintext = Zeroizing::new(open(store, uri, commitment, old_key).await?);
    let sealed = seal(&plaintext, store).await?;
    // Cannot be equal (fresh key and nonce); checked so the new blob is never
    // the one deleted.
    if sealed.uri != uri {
        store.delete(uri).await?;
    }
    Ok(sealed)
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

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[tokio::test]
    async fn observation_round_trip() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        let sealed = seal(OBSERVATION.as_bytes(), &store).await.unwrap();
        assert_eq!(sealed.summary.resource_type, "Observation");
        assert_eq!(sealed.summary.bundle_entries, None);
        assert_eq!(sealed.uri, blob_uri(&sealed.commitment));
        assert!(sealed.uri.len() <= 96);

        let opened = open(&store, &sealed.uri, &sealed.commitment, &sealed.data_key)
            .await
            .unwrap();
        assert_eq!(opened, OBSERVATION.as_bytes());
    }

    #[tokio::test]
    async fn bundle_round_trip() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        let sealed = seal(BUNDLE.as_bytes(), &store).await.unwrap();
        assert_eq!(sealed.summary.resource_type, "Bundle");
        assert_eq!(sealed.summary.bundle_entries, Some(2));
        let opened = open(&store, &sealed.uri, &sealed.commitment, &sealed.data_key)
            .await
            .unwrap();
        assert_eq!(opened, BUNDLE.as_bytes());
    }

    #[tokio::test]
    async fn stored_ciphertext_hides_the_plaintext() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        for payload in [OBSERVATION, BUNDLE] {
            let sealed = seal(payload.as_bytes(), &store).await.unwrap();
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
                seal(payload.as_bytes(), &store).await,
                Err(OffchainError::InvalidFhir(_))
            ));
        }
        assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn tampered_blob_fails_the_commitment_check() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        let sealed = seal(OBSERVATION.as_bytes(), &store).await.unwrap();

        // Alter the stored blob in place.
        let file = dir.0.join(&sealed.uri[URI_SCHEME.len()..]);
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&file, &bytes).unwrap();

        match open(&store, &sealed.uri, &sealed.commitment, &sealed.data_key).await {
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
            open(&store, &tampered_uri, &commitment(&bytes), &sealed.data_key).await,
            Err(OffchainError::Decrypt)
        ));
    }

    #[tokio::test]
    async fn wrong_data_key_fails_to_decrypt() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        let sealed = seal(OBSERVATION.as_bytes(), &store).await.unwrap();
        assert!(matches!(
            open(
                &store,
                &sealed.uri,
                &sealed.commitment,
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
        let sealed = seal(OBSERVATION.as_bytes(), &store).await.unwrap();
        shred(&store, &sealed.uri).await.unwrap();
        assert!(matches!(
            open(&store, &sealed.uri, &sealed.commitment, &sealed.data_key).await,
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
                "https://example.org/x",
                &[0; 32],
                &DataKey::generate()
            )
            .await,
            Err(OffchainError::InvalidUri(_))
        ));
    }

    #[tokio::test]
    async fn reseal_rekeys_and_removes_the_old_blob() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        let old = seal(BUNDLE.as_bytes(), &store).await.unwrap();
        let new = reseal(&store, &old.uri, &old.commitment, &old.data_key)
            .await
            .unwrap();

        assert_ne!(new.data_key.as_bytes(), old.data_key.as_bytes());
        assert_ne!(new.commitment, old.commitment);
        assert_ne!(new.uri, old.uri);
        assert_eq!(new.summary, old.summary);
        assert!(matches!(
            store.get(&old.uri).await,
            Err(OffchainError::BlobNotFound(_))
        ));
        let opened = open(&store, &new.uri, &new.commitment, &new.data_key)
            .await
            .unwrap();
        assert_eq!(opened, BUNDLE.as_bytes());
        // The old key opens nothing any more.
        assert!(matches!(
            open(&store, &new.uri, &new.commitment, &old.data_key).await,
            Err(OffchainError::Decrypt)
        ));
    }

    #[tokio::test]
    async fn reseal_with_the_wrong_key_keeps_the_record() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        let sealed = seal(OBSERVATION.as_bytes(), &store).await.unwrap();
        assert!(matches!(
            reseal(
                &store,
                &sealed.uri,
                &sealed.commitment,
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
        let sealed = seal(OBSERVATION.as_bytes(), &store).await.unwrap();
        let specialist = EncryptionKeypair::generate();
        let stranger = EncryptionKeypair::generate();

        let wrapped = wrap_key(&sealed.data_key, &specialist.public_key_bytes()).unwrap();
        assert_eq!(wrapped.len(), WRAPPED_KEY_LEN);
        let key = unwrap_key(&wrapped, &specialist).unwrap();
        let opened = open(&store, &sealed.uri, &sealed.commitment, &key)
            .await
            .unwrap();
        assert_eq!(opened, OBSERVATION.as_bytes());
        assert!(matches!(
            unwrap_key(&wrapped, &stranger),
            Err(OffchainError::Unwrap)
        ));
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
