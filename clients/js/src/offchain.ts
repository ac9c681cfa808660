/**
 * Off-chain records, byte-compatible with the Rust SDK's `offchain` module
 * (sdk/src/offchain/{aead,keywrap,mod,store}.rs), format v2: XChaCha20-Poly1305
 * record encryption bound to its record (address and version), the SHA-256
 * commitment put on chain, the salted content commitment, HMAC-SHA256 keyed
 * commitments, X25519 key wrapping bound to the record and both public keys,
 * keyed envelope names and the blob store layout. All primitives come from
 * the audited @noble libraries.
 *
 * Format v1 (a constant associated data, a wrap bound only to the two public
 * keys, envelopes at `envelopes/<commitment>/<recipient key>`) is not read:
 * records sealed with it must be issued again.
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
const RECORD_AAD_TAG = utf8.encode('panacea/record/v2');
const CONTENT_TAG = utf8.encode('panacea/content/v1');
const COMMITMENT_TAG = utf8.encode('panacea/commitment/v1/');
const COMMITMENT_KEY_TAG = utf8.encode('panacea/commitment-key/v1');
const WALLET_X25519_TAG = utf8.encode('panacea/x25519-from-wallet/v1');
const WRAP_KEY_LABEL = utf8.encode('panacea/key-wrap/v2/key');
const WRAP_NONCE_LABEL = utf8.encode('panacea/key-wrap/v2/nonce');
const NAMING_SECRET_LABEL = utf8.encode('panacea/envelope-naming/v2/secret');
const NAME_KEY_LABEL = utf8.encode('panacea/envelope-naming/v2/name-key');

/** Length of the envelope-naming public key that starts every record ciphertext. */
export const NAMING_KEY_LEN = 32;

/**
 * The record a ciphertext belongs to, as the Rust `RecordContext`: the
 * `Record` account's address (32 bytes) and its version (`recordVersion`:
 * 1 for an original, one more per amendment). Both are bound into the
 * ciphertext's associated data, the record's address into every wrapped key.
 */
export interface RecordContext {
  readonly record: Uint8Array;
  readonly recordVersion: number;
}

function checkContext(context: RecordContext): void {
  requireLength('record address', context.record, 32);
  if (!Number.isInteger(context.recordVersion) || context.recordVersion < 0 || context.recordVersion > 0xffff) {
    throw new OffchainError('InvalidInput', `record version must be a u16, got ${context.recordVersion}`);
  }
}

/** Associated data of a record ciphertext: tag, record address, version (u16 LE), naming key. */
function recordAad(context: RecordContext, namingKey: Uint8Array): Uint8Array {
  const version = new Uint8Array([context.recordVersion & 0xff, context.recordVersion >> 8]);
  return concat(RECORD_AAD_TAG, context.record, version, namingKey);
}

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
 * Encrypts `plaintext` under `dataKey` for the record `context`
 * (XChaCha20-Poly1305; associated data `panacea/record/v2` || record address
 * || version (u16 LE) || naming key). Returns `naming key (32) || nonce (24)
 * || ciphertext || tag (16)`, as the Rust `offchain::encrypt`; the naming key
 * is {@link namingPublicKey} of the data key and the record. The nonce is
 * random unless given (tests).
 */
export function encrypt(dataKey: Uint8Array, context: RecordContext, plaintext: Uint8Array, nonce: Uint8Array = randomBytes(NONCE_LEN)): Uint8Array {
  requireLength('data key', dataKey, DATA_KEY_LEN);
  checkContext(context);
  requireLength('nonce', nonce, NONCE_LEN);
  const namingKey = namingPublicKey(dataKey, context.record);
  return concat(namingKey, nonce, xchacha20poly1305(dataKey, nonce, recordAad(context, namingKey)).encrypt(plaintext));
}

/** The envelope-naming public key at the head of a record ciphertext. */
export function namingKeyOf(ciphertext: Uint8Array): Uint8Array {
  if (ciphertext.length < NAMING_KEY_LEN + NONCE_LEN + TAG_LEN) {
    throw new OffchainError('Decrypt', 'record decryption failed: ciphertext shorter than naming key, nonce and tag');
  }
  return ciphertext.slice(0, NAMING_KEY_LEN);
}

/**
 * Decrypts what {@link encrypt} (or the Rust SDK) produced for the same
 * record `context`: another record's or another version's ciphertext does
 * not decrypt.
 */
export function decrypt(dataKey: Uint8Array, context: RecordContext, ciphertext: Uint8Array): Uint8Array {
  requireLength('data key', dataKey, DATA_KEY_LEN);
  checkContext(context);
  const namingKey = namingKeyOf(ciphertext);
  const nonce = ciphertext.subarray(NAMING_KEY_LEN, NAMING_KEY_LEN + NONCE_LEN);
  try {
    return xchacha20poly1305(dataKey, nonce, recordAad(context, namingKey)).decrypt(ciphertext.subarray(NAMING_KEY_LEN + NONCE_LEN));
  } catch {
    throw new OffchainError('Decrypt', 'record decryption failed: wrong data key, another record or version, or altered ciphertext');
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

function wrappingCipher(shared: Uint8Array, ephemeralPublic: Uint8Array, recipientPublic: Uint8Array, record: Uint8Array) {
  const key = sha256(concat(WRAP_KEY_LABEL, shared, ephemeralPublic, recipientPublic, record));
  const nonce = sha256(concat(WRAP_NONCE_LABEL, key)).subarray(0, NONCE_LEN);
  return xchacha20poly1305(key, nonce, concat(ephemeralPublic, recipientPublic, record));
}

/**
 * Wraps `dataKey`, the key of the record at address `record`, to a
 * recipient's X25519 public key (ECIES-style, as the Rust `wrap_key`):
 * `ephemeral public key (32) || sealed key (32) || tag (16)`, bound to the
 * record and both public keys. The ephemeral secret is random unless given
 * (tests).
 */
export function wrapKey(
  dataKey: Uint8Array,
  record: Uint8Array,
  recipientPublic: Uint8Array,
  ephemeralSecret: Uint8Array = x25519.utils.randomSecretKey(),
): Uint8Array {
  requireLength('data key', dataKey, DATA_KEY_LEN);
  requireLength('record address', record, 32);
  requireLength('recipient public key', recipientPublic, X25519_KEY_LEN);
  requireLength('ephemeral secret', ephemeralSecret, X25519_KEY_LEN);
  const ephemeralPublic = x25519.getPublicKey(ephemeralSecret);
  const shared = sharedSecret(ephemeralSecret, recipientPublic);
  if (!shared) throw new OffchainError('InvalidPublicKey', 'invalid X25519 public key (low-order point)');
  return concat(ephemeralPublic, wrappingCipher(shared, ephemeralPublic, recipientPublic, record).encrypt(dataKey));
}

/**
 * Recovers the data key of the record at `record` that {@link wrapKey} (or
 * the Rust SDK) wrapped to `recipient`: one wrapped for another record or
 * another key does not unwrap.
 */
export function unwrapKey(wrapped: Uint8Array, record: Uint8Array, recipient: EncryptionKeypair): Uint8Array {
  requireLength('record address', record, 32);
  const refused = () =>
    new OffchainError('Unwrap', 'wrapped key could not be unwrapped: wrong recipient key, another record, or altered wrapped key');
  if (wrapped.length !== WRAPPED_KEY_LEN) throw refused();
  const ephemeralPublic = wrapped.subarray(0, X25519_KEY_LEN);
  const shared = sharedSecret(recipient.secret, ephemeralPublic);
  if (!shared) throw refused();
  try {
    return wrappingCipher(shared, ephemeralPublic, recipient.publicKey, record).decrypt(wrapped.subarray(X25519_KEY_LEN));
  } catch {
    throw refused();
  }
}

/** The naming secret of the record at `record` sealed under `dataKey`. */
function namingSecret(dataKey: Uint8Array, record: Uint8Array): Uint8Array {
  return sha256(concat(NAMING_SECRET_LABEL, dataKey, record));
}

/**
 * The naming public key of the record at `record` sealed under `dataKey`
 * (what heads the record's ciphertext), as the Rust `naming_public_key`.
 */
export function namingPublicKey(dataKey: Uint8Array, record: Uint8Array): Uint8Array {
  requireLength('data key', dataKey, DATA_KEY_LEN);
  requireLength('record address', record, 32);
  return x25519.getPublicKey(namingSecret(dataKey, record));
}

function nameFromShared(shared: Uint8Array, record: Uint8Array, namingPublic: Uint8Array, recipientPublic: Uint8Array): Uint8Array {
  const key = sha256(concat(NAME_KEY_LABEL, shared));
  return hmac(sha256, key, concat(record, namingPublic, recipientPublic));
}

/**
 * The keyed name (32 bytes) of the envelope of the record at `record` for
 * `recipientPublic`, as whoever holds the data key computes it (the issuer
 * writing the patient's envelope), as the Rust `envelope_name`. Someone who
 * lists the store cannot tie it to a record or a recipient.
 */
export function envelopeName(dataKey: Uint8Array, record: Uint8Array, recipientPublic: Uint8Array): Uint8Array {
  requireLength('recipient public key', recipientPublic, X25519_KEY_LEN);
  const secret = namingSecret(dataKey, record);
  const namingPublic = namingPublicKey(dataKey, record);
  const shared = sharedSecret(secret, recipientPublic);
  if (!shared) throw new OffchainError('InvalidPublicKey', 'invalid X25519 public key (low-order point)');
  return nameFromShared(shared, record, namingPublic, recipientPublic);
}

/**
 * The name of `recipient`'s envelope of the record at `record`, as the
 * recipient computes it from the naming key at the head of the record's
 * ciphertext ({@link namingKeyOf}), as the Rust `envelope_name_for_recipient`.
 */
export function envelopeNameForRecipient(recipient: EncryptionKeypair, record: Uint8Array, namingPublic: Uint8Array): Uint8Array {
  requireLength('record address', record, 32);
  requireLength('naming key', namingPublic, X25519_KEY_LEN);
  const shared = sharedSecret(recipient.secret, namingPublic);
  if (!shared) throw new OffchainError('Unwrap', 'wrapped key could not be unwrapped: a low-order naming key');
  return nameFromShared(shared, record, namingPublic, recipient.publicKey);
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
 * Seals a FHIR JSON payload for the record `context` as the Rust
 * `offchain::seal` does: a random salt in front, encrypted under a fresh data
 * key. Checks only that the payload
 * is a JSON object with a `resourceType` (the Rust SDK validates it fully
 * against FHIR R4 when it reads it).
 */
export function seal(
  fhirJson: Uint8Array,
  context: RecordContext,
  options: { dataKey?: Uint8Array; salt?: Uint8Array; nonce?: Uint8Array } = {},
): SealedRecord {
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
  const ciphertext = encrypt(dataKey, context, concat(salt, fhirJson), options.nonce);
  const c = commitment(ciphertext);
  return { commitment: c, contentCommitment: contentCommitment(salt, fhirJson), uri: blobUri(c), ciphertext, dataKey };
}

/**
 * Opens a record's ciphertext as the Rust `offchain::open` does: checks it
 * against the on-chain commitment first, decrypts it for the record
 * `context`, then checks the salted
 * plaintext against the issuer's content commitment. Returns the payload.
 */
export function open(
  ciphertext: Uint8Array,
  context: RecordContext,
  expectedCommitment: Uint8Array,
  expectedContent: Uint8Array,
  dataKey: Uint8Array,
): Uint8Array {
  const actual = commitment(ciphertext);
  if (!equalBytes(actual, expectedCommitment)) {
    throw new OffchainError(
      'CommitmentMismatch',
      `commitment mismatch: expected ${toHex(expectedCommitment)}, blob hashes to ${toHex(actual)}`,
    );
  }
  const payload = decrypt(dataKey, context, ciphertext);
  if (payload.length < SALT_LEN || !equalBytes(contentCommitment(payload.subarray(0, SALT_LEN), payload.subarray(SALT_LEN)), expectedContent)) {
    throw new OffchainError('ContentMismatch', `content does not match the issuer's attestation (content commitment ${toHex(expectedContent)})`);
  }
  return payload.slice(SALT_LEN);
}

/**
 * Where the Rust SDK's local-directory `BlobStore` keeps things, relative to
 * the store's root: a record's ciphertext under its commitment's hex, a key
 * envelope (a data key wrapped to a recipient) under
 * `envelopes/<hex of its keyed name>` ({@link envelopeName},
 * {@link envelopeNameForRecipient}).
 */
export const blobStorePaths = {
  blob: (commitment: Uint8Array): string => toHex(commitment),
  envelope: (name: Uint8Array): string => {
    requireLength('envelope name', name, 32);
    return `envelopes/${toHex(name)}`;
  },
};
