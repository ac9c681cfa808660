//! Record encryption: a fresh data key per record, XChaCha20-Poly1305, and
//! the SHA-256 commitment put on chain.

use std::fmt;

use chacha20poly1305::{
    aead::{rand_core::RngCore, Aead, AeadCore, KeyInit, OsRng, Payload},
    XChaCha20Poly1305, XNonce,
};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use super::OffchainError;

/// Length of a data key, in bytes.
pub const DATA_KEY_LEN: usize = 32;
/// Length of the random nonce that starts every record ciphertext.
pub const NONCE_LEN: usize = 24;
/// Length of the Poly1305 tag that ends every record ciphertext.
pub const TAG_LEN: usize = 16;

/// Domain tag that starts the associated data of every record ciphertext:
/// a record ciphertext cannot be passed off as another kind of Panacea
/// ciphertext (a wrapped key) or the reverse, even under the same key.
/// `v2` binds the record's address and version and the blob's naming key;
/// `v1` (a constant associated data, no naming key) is no longer read.
const RECORD_AAD_TAG: &[u8] = b"panacea/record/v2";

/// Length of the envelope-naming public key that starts every record
/// ciphertext (see [`super::keywrap`]'s "Envelope names").
pub const NAMING_KEY_LEN: usize = 32;

/// The record a ciphertext belongs to: its on-chain address and its version
/// (`Record::record_version`: 1 for an original, one more for each
/// amendment). Both are known before the record is issued (the issuer picks
/// the record id, so the address), and bound into the ciphertext's
/// associated data: a ciphertext moved to another record, or an amendment's
/// ciphertext shown as the original's, does not decrypt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordContext {
    /// The `Record` account's address.
    pub record: [u8; 32],
    /// The record's version.
    pub record_version: u16,
}

impl RecordContext {
    /// The context of the record at `record`, version `record_version`.
    pub fn new(record: [u8; 32], record_version: u16) -> Self {
        Self {
            record,
            record_version,
        }
    }

    /// Associated data of a record ciphertext: the domain tag, the record's
    /// address, its version (little endian) and the blob's naming key.
    fn aad(&self, naming_key: &[u8; NAMING_KEY_LEN]) -> Vec<u8> {
        let mut aad = Vec::with_capacity(RECORD_AAD_TAG.len() + 32 + 2 + NAMING_KEY_LEN);
        aad.extend_from_slice(RECORD_AAD_TAG);
        aad.extend_from_slice(&self.record);
        aad.extend_from_slice(&self.record_version.to_le_bytes());
        aad.extend_from_slice(naming_key);
        aad
    }
}

/// The symmetric key of one record. Wiped from memory when dropped; its
/// `Debug` output never shows it.
pub struct DataKey([u8; DATA_KEY_LEN]);

impl DataKey {
    /// A fresh key from the operating system's random number generator.
    pub fn generate() -> Self {
        let mut key = [0u8; DATA_KEY_LEN];
        OsRng.fill_bytes(&mut key);
        Self(key)
    }

    /// A key from its bytes, e.g. one kept by the patient's wallet.
    pub fn from_bytes(bytes: [u8; DATA_KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// The key's bytes, to be stored or wrapped by the caller.
    pub fn as_bytes(&self) -> &[u8; DATA_KEY_LEN] {
        &self.0
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

/// Encrypts `plaintext` under `key` for the record `context`, with a fresh
/// random nonce.
///
/// Returns `naming key (32 bytes) || nonce (24 bytes) || ciphertext || tag
/// (16 bytes)`. The naming key is the X25519 public key from which the
/// record's envelope names are derived ([`super::envelope_name`]); it is
/// derived one way from the data key and the record, and bound into the
/// associated data with the record's address and version.
pub fn encrypt(
    key: &DataKey,
    context: &RecordContext,
    plaintext: &[u8],
) -> Result<Vec<u8>, OffchainError> {
    let naming_key = super::keywrap::naming_public_key(key, &context.record);
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let sealed = key
        .cipher()
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: &context.aad(&naming_key),
            },
        )
        .map_err(|_| OffchainError::Encrypt)?;
    let mut out = Vec::with_capacity(NAMING_KEY_LEN + NONCE_LEN + sealed.len());
    out.extend_from_slice(&naming_key);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The envelope-naming public key at the head of a record ciphertext.
///
/// Fails with [`OffchainError::Decrypt`] when the ciphertext is too short to
/// be one.
pub fn naming_key_of(ciphertext: &[u8]) -> Result<[u8; NAMING_KEY_LEN], OffchainError> {
    if ciphertext.len() < NAMING_KEY_LEN + NONCE_LEN + TAG_LEN {
        return Err(OffchainError::Decrypt);
    }
    ciphertext[..NAMING_KEY_LEN]
        .try_into()
        .map_err(|_| OffchainError::Decrypt)
}

/// Decrypts what [`encrypt`] produced for the same record `context`.
///
/// Fails with [`OffchainError::Decrypt`] when the key is wrong, the
/// ciphertext belongs to another record or version, or was altered or
/// truncated.
pub fn decrypt(
    key: &DataKey,
    context: &RecordContext,
    ciphertext: &[u8],
) -> Result<Vec<u8>, OffchainError> {
    let naming_key = naming_key_of(ciphertext)?;
    let (nonce, sealed) = ciphertext[NAMING_KEY_LEN..].split_at(NONCE_LEN);
    key.cipher()
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: &context.aad(&naming_key),
            },
        )
        .map_err(|_| OffchainError::Decrypt)
}

/// The on-chain commitment to a ciphertext: SHA-256 of the ciphertext.
pub fn commitment(ciphertext: &[u8]) -> [u8; 32] {
    Sha256::digest(ciphertext).into()
}

/// A keyed commitment to a low-entropy document (a licence, a coded
/// service): HMAC-SHA256 under a key derived one way from `signer`'s secret
/// seed, over a domain tag and the document. Unlike a plain SHA-256, the
/// public commitment cannot be used to test guesses about the document;
/// the signer (or whoever it gives the document and the commitment key,
/// [`commitment_key`]) can recompute it to prove what was committed.
pub fn keyed_commitment(
    signer: &solana_keypair::Keypair,
    domain: &str,
    document: &[u8],
) -> [u8; 32] {
    commitment_with_key(&commitment_key(signer), domain, document)
}

/// The keyed commitment of [`keyed_commitment`] under a given 32-byte key
/// (for example a random key the entity keeps with a member's licence):
/// HMAC-SHA256 over `panacea/commitment/v1/`, the domain tag, a zero byte
/// and the document.
pub fn commitment_with_key(key: &[u8; 32], domain: &str, document: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(COMMITMENT_TAG);
    mac.update(domain.as_bytes());
    mac.update(&[0]);
    mac.update(document);
    mac.finalize().into_bytes().into()
}

/// The tag every keyed commitment starts with (before its domain).
pub const COMMITMENT_TAG: &[u8] = b"panacea/commitment/v1/";

/// The HMAC key of `signer`'s keyed commitments (derived one way from its
/// secret seed; reveals nothing about the seed). Give it to a verifier
/// together with the document to prove a commitment.
pub fn commitment_key(signer: &solana_keypair::Keypair) -> zeroize::Zeroizing<[u8; 32]> {
    let mut hasher = Sha256::new();
    hasher.update(b"panacea/commitment-key/v1");
    hasher.update(signer.secret_bytes());
    zeroize::Zeroizing::new(hasher.finalize().into())
}

/// Length of the random salt that starts every sealed payload.
pub const SALT_LEN: usize = 32;

/// A fresh random salt for a sealed payload.
pub(crate) fn generate_salt() -> [u8; SALT_LEN] {
    let mut salt = [0u8; SALT_LEN];
    OsRng.fill_bytes(&mut salt);
    salt
}

/// Domain tag of a content commitment.
const CONTENT_TAG: &[u8] = b"panacea/content/v1";

/// The issuer's commitment to a record's content, put on chain once and never
/// changed by a re-key: SHA-256 of a domain tag, the payload's random salt
/// and the plaintext. The salt (inside the ciphertext) makes the hash of a
/// short, guessable FHIR resource useless to anyone without the data key.
pub fn content_commitment(salt: &[u8; SALT_LEN], plaintext: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(CONTENT_TAG);
    hasher.update(salt);
    hasher.update(plaintext);
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: RecordContext = RecordContext {
        record: [0x52; 32],
        record_version: 1,
    };

    #[test]
    fn encrypt_decrypt_round_trip() {
        let key = DataKey::generate();
        let ciphertext = encrypt(&key, &CTX, b"hello record").unwrap();
        assert_eq!(ciphertext.len(), NAMING_KEY_LEN + NONCE_LEN + 12 + TAG_LEN);
        assert_eq!(decrypt(&key, &CTX, &ciphertext).unwrap(), b"hello record");
    }

    #[test]
    fn a_ciphertext_opens_only_for_its_record_and_version() {
        let key = DataKey::generate();
        let ciphertext = encrypt(&key, &CTX, b"hello record").unwrap();
        let other_record = RecordContext::new([0x53; 32], 1);
        let other_version = RecordContext::new(CTX.record, 2);
        for context in [other_record, other_version] {
            assert!(matches!(
                decrypt(&key, &context, &ciphertext),
                Err(OffchainError::Decrypt)
            ));
        }
        // The naming key is bound too: swapping it in fails.
        let mut swapped = ciphertext.clone();
        swapped[..NAMING_KEY_LEN].copy_from_slice(&[7; NAMING_KEY_LEN]);
        assert!(matches!(
            decrypt(&key, &CTX, &swapped),
            Err(OffchainError::Decrypt)
        ));
    }

    #[test]
    fn encryption_is_randomised() {
        let key = DataKey::from_bytes([7; DATA_KEY_LEN]);
        let a = encrypt(&key, &CTX, b"same").unwrap();
        let b = encrypt(&key, &CTX, b"same").unwrap();
        assert_ne!(a, b);
        assert_ne!(commitment(&a), commitment(&b));
    }

    #[test]
    fn fresh_keys_differ() {
        assert_ne!(
            DataKey::generate().as_bytes(),
            DataKey::generate().as_bytes()
        );
    }

    #[test]
    fn wrong_key_tampering_and_truncation_fail_to_decrypt() {
        let key = DataKey::generate();
        let ciphertext = encrypt(&key, &CTX, b"hello record").unwrap();

        let other = DataKey::generate();
        assert!(matches!(
            decrypt(&other, &CTX, &ciphertext),
            Err(OffchainError::Decrypt)
        ));

        for i in [
            0,
            NAMING_KEY_LEN,
            NAMING_KEY_LEN + NONCE_LEN,
            ciphertext.len() - 1,
        ] {
            let mut tampered = ciphertext.clone();
            tampered[i] ^= 1;
            assert!(matches!(
                decrypt(&key, &CTX, &tampered),
                Err(OffchainError::Decrypt)
            ));
        }
        assert!(matches!(
            decrypt(
                &key,
                &CTX,
                &ciphertext[..NAMING_KEY_LEN + NONCE_LEN + TAG_LEN - 1]
            ),
            Err(OffchainError::Decrypt)
        ));
    }

    #[test]
    fn commitment_is_sha256() {
        // SHA-256("abc"), FIPS 180-2 test vector.
        assert_eq!(
            super::super::to_hex(&commitment(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn keyed_commitments_cannot_be_recomputed_without_the_signers_key() {
        // Issue 11, finding 16: a licence or a coded service is low-entropy;
        // its plain SHA-256 would let anyone test guesses against the chain.
        let document = b"licence 12345";
        let (a, b) = (
            solana_keypair::Keypair::new(),
            solana_keypair::Keypair::new(),
        );
        let keyed = keyed_commitment(&a, "credential", document);
        assert_ne!(keyed, commitment(document), "not a plain hash");
        assert_ne!(keyed, keyed_commitment(&b, "credential", document));
        assert_ne!(keyed, keyed_commitment(&a, "service", document));
        // The signer (or whoever holds its commitment key) recomputes it.
        assert_eq!(keyed, keyed_commitment(&a, "credential", document));
        assert_ne!(commitment_key(&a).as_ref(), commitment_key(&b).as_ref());
        // The same HMAC, with its key given.
        assert_eq!(
            keyed,
            commitment_with_key(&commitment_key(&a), "credential", document)
        );
        assert_ne!(keyed, commitment_with_key(&[7; 32], "credential", document));
    }

    #[test]
    fn debug_does_not_show_the_key() {
        let key = DataKey::from_bytes([0xab; DATA_KEY_LEN]);
        assert_eq!(format!("{key:?}"), "DataKey(<redacted>)");
    }
}
