//! Sharing a data key: wrapping it to a grantee's X25519 public key, and
//! naming the envelopes that keep wrapped keys in the store.
//!
//! # Key wrap
//!
//! `wrap_key` is an ECIES-style construction. A fresh ephemeral X25519 key
//! agrees a shared secret with the recipient's public key; the AEAD key is
//! SHA-256 over a domain-separation label, the shared secret, the ephemeral
//! public key, the recipient's public key and the address of the record
//! whose key is wrapped; the data key is sealed with XChaCha20-Poly1305
//! under it, with the ephemeral key, the recipient's key and the record's
//! address as associated data. A wrapped key therefore names its record and
//! its recipient: one copied to another record's grant, or presented as
//! another record's key, does not unwrap. The result is
//! `ephemeral public key (32) || sealed data key (32) || tag (16)`: 80 bytes,
//! the on-chain limit of a grant's wrapped key.
//!
//! # Envelope names
//!
//! A wrapped key kept in the store (an *envelope*: the patient's own copy
//! of each record's key, and later the copies for patient-wide grantees)
//! must be found by its recipient from the chain, and must not tell someone
//! who lists the bucket (and reads the chain) which record or which
//! recipient it is for. Its name is therefore a MAC under a key that the
//! writer and the recipient can compute and nobody else can:
//!
//! - a key derived from the recipient's secret alone does not work: the
//!   writer (the issuer, writing the patient's envelope) does not have it;
//! - a key derived from the record's data key alone does not work: the
//!   recipient looks the envelope up precisely to learn the data key;
//! - so the name key is a Diffie-Hellman secret between the two. The
//!   record's *naming key pair* is derived one way from the data key and
//!   the record's address ([`naming_public_key`]); its public half is
//!   written at the head of the record's ciphertext (and bound into its
//!   associated data). The writer, who holds the data key, computes
//!   `DH(naming secret, recipient public key)`; the recipient, who holds its
//!   X25519 secret and can fetch the ciphertext from the on-chain
//!   commitment, computes `DH(recipient secret, naming public key)`. The
//!   name is HMAC-SHA256, keyed with a hash of that secret, over the
//!   record's address, the naming public key and the recipient's public
//!   key ([`envelope_name`], [`envelope_name_for_recipient`]).
//!
//! Someone who lists the bucket sees the ciphertexts (named by their
//! commitments, as the chain does) and envelopes named by 32 random-looking
//! bytes: without a recipient's secret or the record's data key, no
//! envelope can be tied to a ciphertext, a record or a recipient key. Who
//! holds a record's data key (a grantee) can compute the envelope name of
//! any known public key for that record, so learns whether a given key has
//! an envelope for a record it can already read; nothing more. Every
//! re-key draws a fresh data key, so a new naming key and new names.
use std::fmt;

use chacha20poly1305::{
    aead::{Aead, KeyInit, OsRng, Payload},
    XChaCha20Poly1305, XNonce,
};
use sha2::{Digest, Sha256};
use x25519_dalek::{EphemeralSecret, PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::{
    aead::{DataKey, DATA_KEY_LEN, NONCE_LEN, TAG_LEN},
    OffchainError,
};

/// Length of an X25519 public or secret key, in bytes.
pub const X25519_KEY_LEN: usize = 32;
/// Length of a wrapped data key, in bytes.
pub const WRAPPED_KEY_LEN: usize = X25519_KEY_LEN + DATA_KEY_LEN + TAG_LEN;

// A wrapped key must fit in a `Grant` account.
const _: () = assert!(WRAPPED_KEY_LEN <= ::records::constants::MAX_WRAPPED_KEY_LEN);

/// Domain separation of the key-wrapping AEAD key (`v2`: the record's
/// address is bound; `v1` wrapped keys no longer unwrap).
const WRAP_KEY_LABEL: &[u8] = b"panacea/key-wrap/v2/key";
/// Domain separation of the key-wrapping nonce.
const WRAP_NONCE_LABEL: &[u8] = b"panacea/key-wrap/v2/nonce";
/// Domain separation of a record's naming secret.
const NAMING_SECRET_LABEL: &[u8] = b"panacea/envelope-naming/v2/secret";
/// Domain separation of an envelope name's MAC key.
const NAME_KEY_LABEL: &[u8] = b"panacea/envelope-naming/v2/name-key";

/// An X25519 key pair that receives wrapped data keys: a patient's or an
/// entity's encryption key, whose public half is registered on chain. The
/// secret is wiped from memory when dropped; `Debug` shows only the public
/// key.
pub struct EncryptionKeypair {
    secret: StaticSecret,
    public: PublicKey,
}

impl EncryptionKeypair {
    /// A fresh key pair from the operating system's random number generator.
    pub fn generate() -> Self {
        Self::from_secret(StaticSecret::random_from_rng(OsRng))
    }

    /// The key pair of a stored 32-byte secret.
    pub fn from_secret_bytes(secret: [u8; X25519_KEY_LEN]) -> Self {
        Self::from_secret(StaticSecret::from(secret))
    }

    /// The key pair derived from a wallet's 32-byte Ed25519 seed (a
    /// keypair file's first half): SHA-256 of a domain tag and the seed.
    /// Whoever holds the wallet holds the encryption key, so a command-line
    /// user needs no second secret; the derivation is one-way, so the
    /// published X25519 key reveals nothing about the wallet.
    pub fn from_wallet_seed(seed: &[u8; 32]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"panacea/x25519-from-wallet/v1");
        hasher.update(seed);
        let secret: [u8; X25519_KEY_LEN] = hasher.finalize().into();
        Self::from_secret_bytes(secret)
    }

    fn from_secret(secret: StaticSecret) -> Self {
        let public = PublicKey::from(&secret);
        Self { secret, public }
    }

    /// The public key, as registered on chain (`Patient` / `Entity`).
    pub fn public_key_bytes(&self) -> [u8; X25519_KEY_LEN] {
        self.public.to_bytes()
    }

    /// The secret key's bytes, for the caller to store; wiped when dropped.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; X25519_KEY_LEN]> {
        Zeroizing::new(self.secret.to_bytes())
    }

    /// The X25519 shared secret with `other_public` (for keys two parties
    /// derive without talking: the emergency summary's envelope names).
    /// Fails with [`OffchainError::InvalidPublicKey`] on a low-order point.
    pub fn diffie_hellman(
        &self,
        other_public: &[u8; X25519_KEY_LEN],
    ) -> Result<Zeroizing<[u8; 32]>, OffchainError> {
        let shared = self.secret.diffie_hellman(&PublicKey::from(*other_public));
        if !shared.was_contributory() {
            return Err(OffchainError::InvalidPublicKey);
        }
        Ok(Zeroizing::new(shared.to_bytes()))
    }
}

impl fmt::Debug for EncryptionKeypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptionKeypair")
            .field("public", &super::to_hex(self.public.as_bytes()))
            .finish_non_exhaustive()
    }
}

/// The single-use AEAD of one wrapping, and its nonce.
///
/// The AEAD key depends on the ephemeral key, which is fresh for every
/// wrapping, so each key encrypts exactly one message. A nonce derived
/// deterministically from the same hash therefore never repeats under a key;
/// it is derived rather than random only so that it need not be stored.
fn wrapping_cipher(
    shared_secret: &[u8; 32],
    ephemeral_public: &[u8; X25519_KEY_LEN],
    recipient_public: &[u8; X25519_KEY_LEN],
    record: &[u8; 32],
) -> (XChaCha20Poly1305, XNonce) {
    let key = Zeroizing::new(<[u8; 32]>::from(
        Sha256::new()
            .chain_update(WRAP_KEY_LABEL)
            .chain_update(shared_secret)
            .chain_update(ephemeral_public)
            .chain_update(recipient_public)
            .chain_update(record)
            .finalize(),
    ));
    let nonce_hash = Sha256::new()
        .chain_update(WRAP_NONCE_LABEL)
        .chain_update(*key)
        .finalize();
    let nonce = XNonce::clone_from_slice(&nonce_hash[..NONCE_LEN]);
    (XChaCha20Poly1305::new((&*key).into()), nonce)
}

/// Associated data of a wrapped key: the two public keys, in the order of
/// the wrapped key's layout, then the record's address.
fn wrapping_aad(
    ephemeral_public: &[u8; X25519_KEY_LEN],
    recipient_public: &[u8; X25519_KEY_LEN],
    record: &[u8; 32],
) -> [u8; 3 * 32] {
    let mut aad = [0u8; 3 * 32];
    aad[..32].copy_from_slice(ephemeral_public);
    aad[32..64].copy_from_slice(recipient_public);
    aad[64..].copy_from_slice(record);
    aad
}

/// Wraps `data_key`, the key of the record at address `record`, to the
/// X25519 public key `recipient_public` (for a grant or an envelope).
///
/// Fails with [`OffchainError::InvalidPublicKey`] when the public key is a
/// low-order point (the shared secret would not depend on the ephemeral
/// key, so anyone could unwrap).
pub fn wrap_key(
    data_key: &DataKey,
    record: &[u8; 32],
    recipient_public: &[u8; X25519_KEY_LEN],
) -> Result<[u8; WRAPPED_KEY_LEN], OffchainError> {
    let ephemeral = EphemeralSecret::random_from_rng(OsRng);
    let ephemeral_public = PublicKey::from(&ephemeral).to_bytes();
    let shared = ephemeral.diffie_hellman(&PublicKey::from(*recipient_public));
    if !shared.was_contributory() {
        return Err(OffchainError::InvalidPublicKey);
    }

    let (cipher, nonce) = wrapping_cipher(
        shared.as_bytes(),
        &ephemeral_public,
        recipient_public,
        record,
    );
    let sealed = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: data_key.as_bytes(),
                aad: &wrapping_aad(&ephemeral_public, recipient_public, record),
            },
        )
        .map_err(|_| OffchainError::Encrypt)?;

    let mut wrapped = [0u8; WRAPPED_KEY_LEN];
    wrapped[..X25519_KEY_LEN].copy_from_slice(&ephemeral_public);
    wrapped[X25519_KEY_LEN..].copy_from_slice(&sealed);
    Ok(wrapped)
}

/// Recovers the data key of the record at `record` that [`wrap_key`]
/// wrapped to `recipient`'s public key.
///
/// Fails with [`OffchainError::Unwrap`] when `wrapped` is not 80 bytes, was
/// wrapped to another key or for another record, or was altered.
pub fn unwrap_key(
    wrapped: &[u8],
    record: &[u8; 32],
    recipient: &EncryptionKeypair,
) -> Result<DataKey, OffchainError> {
    if wrapped.len() != WRAPPED_KEY_LEN {
        return Err(OffchainError::Unwrap);
    }
    let (ephemeral_public, sealed) = wrapped.split_at(X25519_KEY_LEN);
    let ephemeral_public: [u8; X25519_KEY_LEN] = ephemeral_public
        .try_into()
        .map_err(|_| OffchainError::Unwrap)?;
    let shared = recipient
        .secret
        .diffie_hellman(&PublicKey::from(ephemeral_public));
    if !shared.was_contributory() {
        return Err(OffchainError::Unwrap);
    }

    let recipient_public = recipient.public.to_bytes();
    let (cipher, nonce) = wrapping_cipher(
        shared.as_bytes(),
        &ephemeral_public,
        &recipient_public,
        record,
    );
    let key = Zeroizing::new(
        cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: sealed,
                    aad: &wrapping_aad(&ephemeral_public, &recipient_public, record),
                },
            )
            .map_err(|_| OffchainError::Unwrap)?,
    );
    let key: [u8; DATA_KEY_LEN] = key
        .as_slice()
        .try_into()
        .map_err(|_| OffchainError::Unwrap)?;
    Ok(DataKey::from_bytes(key))
}

/// The opaque name of a key envelope in the store (see "Envelope names").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EnvelopeName(pub [u8; 32]);

/// The naming secret of the record at `record` sealed under `data_key`.
fn naming_secret(data_key: &DataKey, record: &[u8; 32]) -> StaticSecret {
    let secret: [u8; 32] = Sha256::new()
        .chain_update(NAMING_SECRET_LABEL)
        .chain_update(data_key.as_bytes())
        .chain_update(record)
        .finalize()
        .into();
    StaticSecret::from(secret)
}

/// The naming public key of the record at `record` sealed under
/// `data_key`: what heads the record's ciphertext.
pub fn naming_public_key(data_key: &DataKey, record: &[u8; 32]) -> [u8; X25519_KEY_LEN] {
    PublicKey::from(&naming_secret(data_key, record)).to_bytes()
}

/// The name, from the shared secret, of the envelope of `record` for
/// `recipient_public`.
fn name_from_shared(
    shared: &[u8; 32],
    record: &[u8; 32],
    naming_public: &[u8; X25519_KEY_LEN],
    recipient_public: &[u8; X25519_KEY_LEN],
) -> EnvelopeName {
    use hmac::{Hmac, Mac};
    let key = Zeroizing::new(<[u8; 32]>::from(
        Sha256::new()
            .chain_update(NAME_KEY_LABEL)
            .chain_update(shared)
            .finalize(),
    ));
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_ref())
        .expect("HMAC takes a key of any length");
    mac.update(record);
    mac.update(naming_public);
    mac.update(recipient_public);
    EnvelopeName(mac.finalize().into_bytes().into())
}

/// The name of the envelope of the record at `record` for
/// `recipient_public`, as whoever holds the record's data key computes it
/// (the issuer writing the patient's envelope, the patient re-keying).
///
/// Fails with [`OffchainError::InvalidPublicKey`] for a low-order recipient
/// key.
pub fn envelope_name(
    data_key: &DataKey,
    record: &[u8; 32],
    recipient_public: &[u8; X25519_KEY_LEN],
) -> Result<EnvelopeName, OffchainError> {
    let secret = naming_secret(data_key, record);
    let naming_public = PublicKey::from(&secret).to_bytes();
    let shared = secret.diffie_hellman(&PublicKey::from(*recipient_public));
    if !shared.was_contributory() {
        return Err(OffchainError::InvalidPublicKey);
    }
    Ok(name_from_shared(
        shared.as_bytes(),
        record,
        &naming_public,
        recipient_public,
    ))
}

/// The name of `recipient`'s envelope of the record at `record`, as the
/// recipient computes it from the naming public key at the head of the
/// record's ciphertext ([`super::naming_key_of`]).
///
/// Fails with [`OffchainError::Unwrap`] for a low-order naming key (not one
/// a sealing wrote).
pub fn envelope_name_for_recipient(
    recipient: &EncryptionKeypair,
    record: &[u8; 32],
    naming_public: &[u8; X25519_KEY_LEN],
) -> Result<EnvelopeName, OffchainError> {
    let shared = recipient
        .secret
        .diffie_hellman(&PublicKey::from(*naming_public));
    if !shared.was_contributory() {
        return Err(OffchainError::Unwrap);
    }
    Ok(name_from_shared(
        shared.as_bytes(),
        record,
        naming_public,
        &recipient.public.to_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record address.
    const R: [u8; 32] = [0x52; 32];

    #[test]
    fn a_wrapped_key_opens_only_for_its_record() {
        let grantee = EncryptionKeypair::generate();
        let key = DataKey::generate();
        let wrapped = wrap_key(&key, &R, &grantee.public_key_bytes()).unwrap();
        assert!(matches!(
            unwrap_key(&wrapped, &[0x53; 32], &grantee),
            Err(OffchainError::Unwrap)
        ));
        assert_eq!(
            unwrap_key(&wrapped, &R, &grantee).unwrap().as_bytes(),
            key.as_bytes()
        );
    }

    #[test]
    fn envelope_names_agree_between_writer_and_recipient_only() {
        let patient = EncryptionKeypair::generate();
        let stranger = EncryptionKeypair::generate();
        let key = DataKey::generate();
        let naming = naming_public_key(&key, &R);
        let written = envelope_name(&key, &R, &patient.public_key_bytes()).unwrap();
        assert_eq!(
            envelope_name_for_recipient(&patient, &R, &naming).unwrap(),
            written
        );
        // Another recipient, another record, another data key: other names.
        assert_ne!(
            envelope_name_for_recipient(&stranger, &R, &naming).unwrap(),
            written
        );
        assert_ne!(
            envelope_name(&key, &[0x53; 32], &patient.public_key_bytes()).unwrap(),
            written
        );
        assert_ne!(
            envelope_name(&DataKey::generate(), &R, &patient.public_key_bytes()).unwrap(),
            written
        );
        // The name shows neither the recipient key nor the naming key.
        assert_ne!(written.0, patient.public_key_bytes());
        assert_ne!(written.0, naming);
        assert!(matches!(
            envelope_name(&key, &R, &[0; 32]),
            Err(OffchainError::InvalidPublicKey)
        ));
        assert!(matches!(
            envelope_name_for_recipient(&patient, &R, &[0; 32]),
            Err(OffchainError::Unwrap)
        ));
    }

    #[test]
    fn wallet_derived_keys_are_stable_and_distinct() {
        let a = EncryptionKeypair::from_wallet_seed(&[1; 32]);
        let again = EncryptionKeypair::from_wallet_seed(&[1; 32]);
        let b = EncryptionKeypair::from_wallet_seed(&[2; 32]);
        assert_eq!(a.public_key_bytes(), again.public_key_bytes());
        assert_ne!(a.public_key_bytes(), b.public_key_bytes());
        let wrapped = wrap_key(&DataKey::from_bytes([9; 32]), &R, &a.public_key_bytes()).unwrap();
        assert_eq!(
            unwrap_key(&wrapped, &R, &again).unwrap().as_bytes(),
            &[9; 32]
        );
        assert!(unwrap_key(&wrapped, &R, &b).is_err());
    }

    #[test]
    fn wrapped_key_is_exactly_80_bytes() {
        let grantee = EncryptionKeypair::generate();
        let wrapped = wrap_key(&DataKey::generate(), &R, &grantee.public_key_bytes()).unwrap();
        assert_eq!(wrapped.len(), 80);
        assert_eq!(WRAPPED_KEY_LEN, ::records::constants::MAX_WRAPPED_KEY_LEN);
    }

    #[test]
    fn the_right_secret_unwraps() {
        let grantee = EncryptionKeypair::generate();
        let key = DataKey::generate();
        let wrapped = wrap_key(&key, &R, &grantee.public_key_bytes()).unwrap();
        assert_eq!(
            unwrap_key(&wrapped, &R, &grantee).unwrap().as_bytes(),
            key.as_bytes()
        );

        // The same key pair, restored from its stored secret.
        let restored = EncryptionKeypair::from_secret_bytes(*grantee.secret_bytes());
        assert_eq!(restored.public_key_bytes(), grantee.public_key_bytes());
        assert_eq!(
            unwrap_key(&wrapped, &R, &restored).unwrap().as_bytes(),
            key.as_bytes()
        );
    }

    #[test]
    fn the_wrong_secret_does_not_unwrap() {
        let grantee = EncryptionKeypair::generate();
        let stranger = EncryptionKeypair::generate();
        let wrapped = wrap_key(&DataKey::generate(), &R, &grantee.public_key_bytes()).unwrap();
        assert!(matches!(
            unwrap_key(&wrapped, &R, &stranger),
            Err(OffchainError::Unwrap)
        ));
    }

    #[test]
    fn wrapping_is_randomised() {
        let grantee = EncryptionKeypair::generate();
        let key = DataKey::generate();
        let a = wrap_key(&key, &R, &grantee.public_key_bytes()).unwrap();
        let b = wrap_key(&key, &R, &grantee.public_key_bytes()).unwrap();
        assert_ne!(a, b);
        assert!(!a.windows(DATA_KEY_LEN).any(|w| w == key.as_bytes()));
    }

    #[test]
    fn altered_or_truncated_wrapped_keys_do_not_unwrap() {
        let grantee = EncryptionKeypair::generate();
        let wrapped = wrap_key(&DataKey::generate(), &R, &grantee.public_key_bytes()).unwrap();
        for i in [0, 31, 32, 63, 64, 79] {
            let mut altered = wrapped;
            altered[i] ^= 0x40;
            assert!(matches!(
                unwrap_key(&altered, &R, &grantee),
                Err(OffchainError::Unwrap)
            ));
        }
        assert!(matches!(
            unwrap_key(&wrapped[..79], &R, &grantee),
            Err(OffchainError::Unwrap)
        ));
        // A low-order ephemeral key (here the identity, all zeros).
        let mut low_order = wrapped;
        low_order[..32].fill(0);
        assert!(matches!(
            unwrap_key(&low_order, &R, &grantee),
            Err(OffchainError::Unwrap)
        ));
    }

    #[test]
    fn low_order_recipient_keys_are_refused() {
        assert!(matches!(
            wrap_key(&DataKey::generate(), &R, &[0; 32]),
            Err(OffchainError::InvalidPublicKey)
        ));
    }

    #[test]
    fn debug_shows_only_the_public_key() {
        let pair = EncryptionKeypair::from_secret_bytes([0x5a; 32]);
        let shown = format!("{pair:?}");
        assert!(shown.contains(&super::super::to_hex(&pair.public_key_bytes())));
        assert!(!shown.contains(&super::super::to_hex(&*pair.secret_bytes())));
    }
}
