//! Sharing a data key: wrapping it to a grantee's X25519 public key.
//!
//! `wrap_key` is an ECIES-style construction. A fresh ephemeral X25519 key
//! agrees a shared secret with the recipient's public key; the AEAD key is
//! SHA-256 over a domain-separation label, the shared secret, the ephemeral
//! public key and the recipient's public key; the data key is sealed with
//! XChaCha20-Poly1305 under it. The result is
//! `ephemeral public key (32) || sealed data key (32) || tag (16)`: 80 bytes,
//! the on-chain limit of a grant's wrapped key.

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

/// Domain separation of the key-wrapping AEAD key.
const WRAP_KEY_LABEL: &[u8] = b"panacea/key-wrap/v1/key";
/// Domain separation of the key-wrapping nonce.
const WRAP_NONCE_LABEL: &[u8] = b"panacea/key-wrap/v1/nonce";

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
) -> (XChaCha20Poly1305, XNonce) {
    let key = Zeroizing::new(<[u8; 32]>::from(
        Sha256::new()
            .chain_update(WRAP_KEY_LABEL)
            .chain_update(shared_secret)
            .chain_update(ephemeral_public)
            .chain_update(recipient_public)
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
/// the wrapped key's layout.
fn wrapping_aad(
    ephemeral_public: &[u8; X25519_KEY_LEN],
    recipient_public: &[u8; X25519_KEY_LEN],
) -> [u8; 2 * X25519_KEY_LEN] {
    let mut aad = [0u8; 2 * X25519_KEY_LEN];
    aad[..X25519_KEY_LEN].copy_from_slice(ephemeral_public);
    aad[X25519_KEY_LEN..].copy_from_slice(recipient_public);
    aad
}

/// Wraps `data_key` to the X25519 public key `recipient_public`, for a grant.
///
/// Fails with [`OffchainError::InvalidPublicKey`] when the public key is a
/// low-order point (the shared secret would not depend on the ephemeral
/// key, so anyone could unwrap).
pub fn wrap_key(
    data_key: &DataKey,
    recipient_public: &[u8; X25519_KEY_LEN],
) -> Result<[u8; WRAPPED_KEY_LEN], OffchainError> {
    let ephemeral = EphemeralSecret::random_from_rng(OsRng);
    let ephemeral_public = PublicKey::from(&ephemeral).to_bytes();
    let shared = ephemeral.diffie_hellman(&PublicKey::from(*recipient_public));
    if !shared.was_contributory() {
        return Err(OffchainError::InvalidPublicKey);
    }

    let (cipher, nonce) = wrapping_cipher(shared.as_bytes(), &ephemeral_public, recipient_public);
    let sealed = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: data_key.as_bytes(),
                aad: &wrapping_aad(&ephemeral_public, recipient_public),
            },
        )
        .map_err(|_| OffchainError::Encrypt)?;

    let mut wrapped = [0u8; WRAPPED_KEY_LEN];
    wrapped[..X25519_KEY_LEN].copy_from_slice(&ephemeral_public);
    wrapped[X25519_KEY_LEN..].copy_from_slice(&sealed);
    Ok(wrapped)
}

/// Recovers a data key that [`wrap_key`] wrapped to `recipient`'s public
/// key.
///
/// Fails with [`OffchainError::Unwrap`] when `wrapped` is not 80 bytes, was
/// wrapped to another key, or was altered.
pub fn unwrap_key(wrapped: &[u8], recipient: &EncryptionKeypair) -> Result<DataKey, OffchainError> {
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
    let (cipher, nonce) = wrapping_cipher(shared.as_bytes(), &ephemeral_public, &recipient_public);
    let key = Zeroizing::new(
        cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: sealed,
                    aad: &wrapping_aad(&ephemeral_public, &recipient_public),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wallet_derived_keys_are_stable_and_distinct() {
        let a = EncryptionKeypair::from_wallet_seed(&[1; 32]);
        let again = EncryptionKeypair::from_wallet_seed(&[1; 32]);
        let b = EncryptionKeypair::from_wallet_seed(&[2; 32]);
        assert_eq!(a.public_key_bytes(), again.public_key_bytes());
        assert_ne!(a.public_key_bytes(), b.public_key_bytes());
        let wrapped = wrap_key(&DataKey::from_bytes([9; 32]), &a.public_key_bytes()).unwrap();
        assert_eq!(unwrap_key(&wrapped, &again).unwrap().as_bytes(), &[9; 32]);
        assert!(unwrap_key(&wrapped, &b).is_err());
    }

    #[test]
    fn wrapped_key_is_exactly_80_bytes() {
        let grantee = EncryptionKeypair::generate();
        let wrapped = wrap_key(&DataKey::generate(), &grantee.public_key_bytes()).unwrap();
        assert_eq!(wrapped.len(), 80);
        assert_eq!(WRAPPED_KEY_LEN, ::records::constants::MAX_WRAPPED_KEY_LEN);
    }

    #[test]
    fn the_right_secret_unwraps() {
        let grantee = EncryptionKeypair::generate();
        let key = DataKey::generate();
        let wrapped = wrap_key(&key, &grantee.public_key_bytes()).unwrap();
        assert_eq!(
            unwrap_key(&wrapped, &grantee).unwrap().as_bytes(),
            key.as_bytes()
        );

        // The same key pair, restored from its stored secret.
        let restored = EncryptionKeypair::from_secret_bytes(*grantee.secret_bytes());
        assert_eq!(restored.public_key_bytes(), grantee.public_key_bytes());
        assert_eq!(
            unwrap_key(&wrapped, &restored).unwrap().as_bytes(),
            key.as_bytes()
        );
    }

    #[test]
    fn the_wrong_secret_does_not_unwrap() {
        let grantee = EncryptionKeypair::generate();
        let stranger = EncryptionKeypair::generate();
        let wrapped = wrap_key(&DataKey::generate(), &grantee.public_key_bytes()).unwrap();
        assert!(matches!(
            unwrap_key(&wrapped, &stranger),
            Err(OffchainError::Unwrap)
        ));
    }

    #[test]
    fn wrapping_is_randomised() {
        let grantee = EncryptionKeypair::generate();
        let key = DataKey::generate();
        let a = wrap_key(&key, &grantee.public_key_bytes()).unwrap();
        let b = wrap_key(&key, &grantee.public_key_bytes()).unwrap();
        assert_ne!(a, b);
        assert!(!a.windows(DATA_KEY_LEN).any(|w| w == key.as_bytes()));
    }

    #[test]
    fn altered_or_truncated_wrapped_keys_do_not_unwrap() {
        let grantee = EncryptionKeypair::generate();
        let wrapped = wrap_key(&DataKey::generate(), &grantee.public_key_bytes()).unwrap();
        for i in [0, 31, 32, 63, 64, 79] {
            let mut altered = wrapped;
            altered[i] ^= 0x40;
            assert!(matches!(
                unwrap_key(&altered, &grantee),
                Err(OffchainError::Unwrap)
            ));
        }
        assert!(matches!(
            unwrap_key(&wrapped[..79], &grantee),
            Err(OffchainError::Unwrap)
        ));
        // A low-order ephemeral key (here the identity, all zeros).
        let mut low_order = wrapped;
        low_order[..32].fill(0);
        assert!(matches!(
            unwrap_key(&low_order, &grantee),
            Err(OffchainError::Unwrap)
        ));
    }

    #[test]
    fn low_order_recipient_keys_are_refused() {
        assert!(matches!(
            wrap_key(&DataKey::generate(), &[0; 32]),
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
