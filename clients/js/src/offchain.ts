/**
 * Off-chain records, byte-compatible with the Rust SDK's `offchain` module
 * (sdk/src/offchain/{aead,keywrap,mod,store}.rs): XChaCha20-Poly1305 record
 * encryption, the SHA-256 commitment put on chain, the salted content
 * commitment, HMAC-SHA256 keyed commitments, X25519 key wrapping and the
 * blob store layout. All primitives come from the audited @noble libraries.
 *
 * Cross-language vectors (test/vectors/{rust,ts}.json) prove both directions.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** Length of a data key, in bytes. */
export const DATA_KEY_LEN = 32;
/** Length of the random nonce that starts every record ciphertext. */
export const NONCE_LEN = 24;
/** Length of the Poly1305 tag that ends every record ciphertext. */
export const TAG_LEN = 16;
/** Length of the random salt that starts every sealed payload. */
export const SALT_LEN = 32;
/** Length of an X25519 key. */
export const X25519_KEY_LEN = 32;
/** Length of a wrapped data key: ephemeral public key, sealed key, tag. */
export const WRAPPED_KEY_LEN = X25519_KEY_LEN + DATA_KEY_LEN + TAG_LEN;
/** Scheme of an opaque content URI: `panacea://<hex of the commitment>`. */
export const URI_SCHEME = 'panacea://';

const utf8 = new TextEncoder();
const RECORD_AAD = utf8.encode('panacea/record/v1');
const CONTENT_TAG = utf8.encode('panacea/content/v1');
const COMMITMENT_TAG = utf8.encode('panacea/commitment/v1/');
const COMMITMENT_KEY_TAG = utf8.encode('panacea/commitment-key/v1');
const WALLET_X25519_TAG = utf8.encode('panacea/x25519-from-wallet/v1');
const WRAP_KEY_LABEL = utf8.encode('panacea/key-wrap/v1/key');
const WRAP_NONCE_LABEL = utf8.encode('panacea/key-wrap/v1/nonce');

/** An off-chain operation refused: the message says what is wrong. */
export class OffchainError extends Error {
  constructor(
    readonly kind:
      | 'Decrypt'
      | 'Unwrap'
      | 'InvalidPublicKey'
      | 'CommitmentMismatch'
      | 'ContentMismatch'
      | 'InvalidInput'
      | 'InvalidUri',
    message: string,
  ) {
    super(message);
    this.name = 'OffchainError';
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function requireLength(name: string, bytes: Uint8Array, length: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new OffchainError('InvalidInput', `${name} must be ${length} bytes, got ${bytes?.length ?? typeof bytes}`);
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Bytes of a hex string (even length, 0-9a-fA-F only). */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new OffchainError('InvalidInput', 'not a hex string of even length');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A fresh random 32-byte data key. */
export function generateDataKey(): Uint8Array {
  return randomBytes(DATA_KEY_LEN);
}

/**
 * Encrypts `plaintext` under `dataKey` (XChaCha20-Poly1305, associated data
 * `panacea/record/v1`). Returns `nonce (24) || ciphertext || tag (16)`, as
 * the Rust `offchain::encrypt`. The nonce is random unless given (tests).
 */
export function encrypt(dataKey: Uint8Array, plaintext: Uint8Array, nonce: Uint8Array = randomBytes(NONCE_LEN)): Uint8Array {
  requireLength('data key', dataKey, DATA_KEY_LEN);
  requireLength('nonce', nonce, NONCE_LEN);
  return concat(nonce, xchacha20poly1305(dataKey, nonce, RECORD_AAD).encrypt(plaintext));
}

/** Decrypts what {@link encrypt} (or the Rust SDK) produced. */
export function decrypt(dataKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  requireLength('data key', dataKey, DATA_KEY_LEN);
  if (ciphertext.length < NONCE_LEN + TAG_LEN) {
    throw new OffchainError('Decrypt', 'record decryption failed: ciphertext shorter than nonce and tag');
  }
  try {
    return xchacha20poly1305(dataKey, ciphertext.subarray(0, NONCE_LEN), RECORD_AAD).decrypt(ciphertext.subarray(NONCE_LEN));
  } catch {
    throw new OffchainError('Decrypt', 'record decryption failed: wrong data key or altered ciphertext');
  }
}

/** The on-chain commitment to a ciphertext: SHA-256 of the ciphertext. */
export function commitment(ciphertext: Uint8Array): Uint8Array {
  return sha256(ciphertext);
}

/** The issuer's content commitment: SHA-256(`panacea/content/v1` || salt || plaintext). */
export function contentCommitment(salt: Uint8Array, plaintext: Uint8Array): Uint8Array {
  requireLength('salt', salt, SALT_LEN);
  return sha256(concat(CONTENT_TAG, salt, plaintext));
}

/**
 * The HMAC key of a wallet's keyed commitments: SHA-256(`panacea/commitment-key/v1`
 * || the wallet's 32-byte Ed25519 seed), as the Rust `commitment_key`.
 */
export function commitmentKey(walletSeed: Uint8Array): Uint8Array {
  requireLength('wallet seed', walletSeed, 32);
  return sha256(concat(COMMITMENT_KEY_TAG, walletSeed));
}

/**
 * A keyed commitment to a low-entropy document (a licence, coded services):
 * HMAC-SHA256 under {@link commitmentKey} over `panacea/commitment/v1/` ||
 * domain || 0x00 || document, as the Rust `keyed_commitment`. Pass the
 * wallet's seed, or the commitment key itself with `{ key }`.
 */
export function keyedCommitment(signer: Uint8Array | { key: Uint8Array }, domain: string, document: Uint8Array): Uint8Array {
  const key = signer instanceof Uint8Array ? commitmentKey(signer) : signer.key;
  requireLength('commitment key', key, 32);
  return hmac(sha256, key, concat(COMMITMENT_TAG, utf8.encode(domain), new Uint8Array([0]), document));
}

/** An X25519 key pair that receives wrapped data keys. */
export interface EncryptionKeypair {
  readonly secret: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** The key pair of a stored 32-byte X25519 secret. */
export function encryptionKeypairFromSecret(secret: Uint8Array): EncryptionKeypair {
  requireLength('X25519 secret', secret, X25519_KEY_LEN);
  return { secret: Uint8Array.from(secret), publicKey: x25519.getPublicKey(secret) };
}

/**
 * The key pair derived from a wallet's 32-byte Ed25519 seed, as the Rust
 * `EncryptionKeypair::from_wallet_seed` (and so the CLI) derives it.
 */
export function encryptionKeypairFromWalletSeed(walletSeed: Uint8Array): EncryptionKeypair {
  requireLength('wallet seed', walletSeed, 32);
  return encryptionKeypairFromSecret(sha256(concat(WALLET_X25519_TAG, walletSeed)));
}

/** A fresh random X25519 key pair. */
export function generateEncryptionKeypair(): EncryptionKeypair {
  return encryptionKeypairFromSecret(x25519.utils.randomSecretKey());
}

function sharedSecret(secret: Uint8Array, publicKey: Uint8Array): Uint8Array | null {
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secret, publicKey);
  } catch {
    return null; // noble refuses a low-order point (an all-zero result)
  }
  return shared.every((b) => b === 0) ? null : shared;
}

function wrappingCipher(shared: Uint8Array, ephemeralPublic: Uint8Array, recipientPublic: Uint8Array) {
  const key = sha256(concat(WRAP_KEY_LABEL, shared, ephemeralPublic, recipientPublic));
  const nonce = sha256(concat(WRAP_NONCE_LABEL, key)).subarray(0, NONCE_LEN);
  return xchacha20poly1305(key, nonce, concat(ephemeralPublic, recipientPublic));
}

/**
 * Wraps a data key to a recipient's X25519 public key (ECIES-style, as the
 * Rust `wrap_key`): `ephemeral public key (32) || sealed key (32) || tag (16)`.
 * The ephemeral secret is random unless given (tests).
 */
export function wrapKey(dataKey: Uint8Array, recipientPublic: Uint8Array, ephemeralSecret: Uint8Array = x25519.utils.randomSecretKey()): Uint8Array {
  requireLength('data key', dataKey, DATA_KEY_LEN);
  requireLength('recipient public key', recipientPublic, X25519_KEY_LEN);
  requireLength('ephemeral secret', ephemeralSecret, X25519_KEY_LEN);
  const ephemeralPublic = x25519.getPublicKey(ephemeralSecret);
  const shared = sharedSecret(ephemeralSecret, recipientPublic);
  if (!shared) throw new OffchainError('InvalidPublicKey', 'invalid X25519 public key (low-order point)');
  return concat(ephemeralPublic, wrappingCipher(shared, ephemeralPublic, recipientPublic).encrypt(dataKey));
}

/** Recovers a data key that {@link wrapKey} (or the Rust SDK) wrapped to `recipient`. */
export function unwrapKey(wrapped: Uint8Array, recipient: EncryptionKeypair): Uint8Array {
  const refused = () =>
    new OffchainError('Unwrap', 'wrapped key could not be unwrapped: wrong recipient key or altered wrapped key');
  if (wrapped.length !== WRAPPED_KEY_LEN) throw refused();
  const ephemeralPublic = wrapped.subarray(0, X25519_KEY_LEN);
  const shared = sharedSecret(recipient.secret, ephemeralPublic);
  if (!shared) throw refused();
  try {
    return wrappingCipher(shared, ephemeralPublic, recipient.publicKey).decrypt(wrapped.subarray(X25519_KEY_LEN));
  } catch {
    throw refused();
  }
}

/** The opaque content URI of a ciphertext's commitment. */
export function blobUri(commitment: Uint8Array): string {
  requireLength('commitment', commitment, 32);
  return URI_SCHEME + toHex(commitment);
}

/** The 32-byte commitment a content URI names. */
export function commitmentOfUri(uri: string): Uint8Array {
  const name = uri.startsWith(URI_SCHEME) ? uri.slice(URI_SCHEME.length) : '';
  if (!/^[0-9a-f]{64}$/.test(name)) throw new OffchainError('InvalidUri', `invalid or unsupported URI: ${uri}`);
  return fromHex(name);
}

/** A record sealed off chain: what goes on chain, the ciphertext to store, the key. */
export interface SealedRecord {
  commitment: Uint8Array;
  contentCommitment: Uint8Array;
  uri: string;
  ciphertext: Uint8Array;
  dataKey: Uint8Array;
}

/**
 * Seals a FHIR JSON payload as the Rust `offchain::seal` does: a random salt
 * in front, encrypted under a fresh data key. Checks only that the payload
 * is a JSON object with a `resourceType` (the Rust SDK validates it fully
 * against FHIR R4 when it reads it).
 */
export function seal(fhirJson: Uint8Array, options: { dataKey?: Uint8Array; salt?: Uint8Array; nonce?: Uint8Array } = {}): SealedRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fhirJson));
  } catch {
    throw new OffchainError('InvalidInput', 'invalid FHIR payload: not UTF-8 JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { resourceType?: unknown }).resourceType !== 'string') {
    throw new OffchainError('InvalidInput', 'invalid FHIR payload: not a JSON resource with a resourceType');
  }
  const salt = options.salt ?? randomBytes(SALT_LEN);
  requireLength('salt', salt, SALT_LEN);
  const dataKey = options.dataKey ?? generateDataKey();
  const ciphertext = encrypt(dataKey, concat(salt, fhirJson), options.nonce);
  const c = commitment(ciphertext);
  return { commitment: c, contentCommitment: contentCommitment(salt, fhirJson), uri: blobUri(c), ciphertext, dataKey };
}

/**
 * Opens a record's ciphertext as the Rust `offchain::open` does: checks it
 * against the on-chain commitment first, decrypts, then checks the salted
 * plaintext against the issuer's content commitment. Returns the payload.
 */
export function open(ciphertext: Uint8Array, expectedCommitment: Uint8Array, expectedContent: Uint8Array, dataKey: Uint8Array): Uint8Array {
  const actual = commitment(ciphertext);
  if (!equalBytes(actual, expectedCommitment)) {
    throw new OffchainError(
      'CommitmentMismatch',
      `commitment mismatch: expected ${toHex(expectedCommitment)}, blob hashes to ${toHex(actual)}`,
    );
  }
  const payload = decrypt(dataKey, ciphertext);
  if (payload.length < SALT_LEN || !equalBytes(contentCommitment(payload.subarray(0, SALT_LEN), payload.subarray(SALT_LEN)), expectedContent)) {
    throw new OffchainError('ContentMismatch', `content does not match the issuer's attestation (content commitment ${toHex(expectedContent)})`);
  }
  return payload.slice(SALT_LEN);
}

/**
 * Where the Rust SDK's local-directory `BlobStore` keeps things, relative to
 * the store's root: a record's ciphertext under its commitment's hex, a key
 * envelope (a data key wrapped to a recipient) under
 * `envelopes/<commitment hex>/<recipient X25519 public key hex>`.
 */
export const blobStorePaths = {
  blob: (commitment: Uint8Array): string => toHex(commitment),
  envelope: (commitment: Uint8Array, recipientPublic: Uint8Array): string =>
    `envelopes/${toHex(commitment)}/${toHex(recipientPublic)}`,
};
