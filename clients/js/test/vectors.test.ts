// Cross-language vectors with the Rust SDK (sdk/tests/vectors.rs):
// - rust.json (written by the Rust SDK): every deterministic output is
//   reproduced here, every random one (nonces, ephemeral keys) is opened, and
//   re-encrypting with the nonce found in the Rust ciphertext gives the same bytes;
// - ts.json (written here with PANACEA_WRITE_VECTORS=1, `npm run vectors`):
//   opened and checked by the Rust test. Without the variable this test
//   checks the committed ts.json still opens with this code.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { type Address, getAddressDecoder } from '@solana/kit';
import { bounties, bountiesPdas, consent as generated, consentMessageText, encodeConsentMessage, offchain } from '../src/index.js';

const { fromHex, toHex } = offchain;
const dir = new URL('../../test/vectors/', import.meta.url);
const utf8 = new TextEncoder();

type Vectors = Record<string, Record<string, string>>;

/** The record every v2 vector is bound to (as sdk/tests/vectors.rs): address 0x52 x 32, version 1. */
const RECORD = new Uint8Array(32).fill(0x52);
const RECORD_VERSION = 1;
const CONTEXT = { record: RECORD, recordVersion: RECORD_VERSION };

/** The context a vector names (`record`, `record_version`), checked to be the shared one. */
function contextOf(entry: Record<string, string>) {
  assert.equal(entry.record, toHex(RECORD));
  assert.equal(Number(entry.record_version), RECORD_VERSION);
  return CONTEXT;
}

function load(name: string): Vectors {
  return JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as Vectors;
}

function addressOfSeed(seed: Uint8Array): Address {
  return getAddressDecoder().decode(ed25519.getPublicKey(seed));
}

const OBSERVATION =
  '{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},"valueQuantity":{"value":5.4,"unit":"%"}}';

/** The consent v3 example of notes/consent-v3.md, with fixed keys (as sdk/tests/vectors.rs). */
function sampleConsent(patientSeed: Uint8Array, granteeSeed: Uint8Array) {
  return {
    deployment: 'devnet',
    programId: 'DUVKpvWuFrEmysjVdh3i2QoGnJqn3GHnB7HMGZePygJk' as Address,
    patient: addressOfSeed(patientSeed),
    grantee: addressOfSeed(granteeSeed),
    purpose: generated.ConsentPurpose.Payment,
    terms: {
      decision: generated.Decision.Permit,
      kinds: 0x03ff,
      actions: 0x01,
      periodStart: 1795219200n,
      periodEnd: 1826755200n,
      policyCommitment: new Uint8Array(32).fill(0xab),
    },
    consentEpoch: 3n,
    consentVersion: 0,
    issuedAt: 1795219300n,
    expiresAt: 1795222800n,
  };
}

test('the Rust SDK vectors reproduce and open in TS', () => {
  const v = load('rust.json');
  assert.equal(toHex(offchain.commitment(fromHex(v.commitment.input))), v.commitment.output);
  const c = v.content_commitment;
  assert.equal(toHex(offchain.contentCommitment(fromHex(c.salt), utf8.encode(c.plaintext))), c.output);
  const k = v.keyed_commitment;
  assert.equal(toHex(offchain.commitmentKey(fromHex(k.wallet_seed))), k.commitment_key);
  assert.equal(toHex(offchain.keyedCommitment(fromHex(k.wallet_seed), k.domain, fromHex(k.document))), k.output);
  assert.equal(toHex(offchain.keyedCommitment({ key: fromHex(k.commitment_key) }, k.domain, fromHex(k.document))), k.output);

  const x = v.x25519_from_wallet;
  const wallet = offchain.encryptionKeypairFromWalletSeed(fromHex(x.wallet_seed));
  assert.equal(toHex(wallet.secret), x.secret);
  assert.equal(toHex(wallet.publicKey), x.public);
  assert.equal(toHex(offchain.encryptionKeypairFromSecret(fromHex(v.x25519_from_secret.secret)).publicKey), v.x25519_from_secret.public);

  // A Rust ciphertext decrypts for its record; the same key and nonce give
  // the same bytes (naming key included).
  const e = v.encrypt;
  const context = contextOf(e);
  const ciphertext = fromHex(e.ciphertext);
  assert.equal(toHex(offchain.namingPublicKey(fromHex(e.data_key), RECORD)), e.naming_key);
  assert.equal(toHex(offchain.namingKeyOf(ciphertext)), e.naming_key);
  assert.equal(toHex(offchain.decrypt(fromHex(e.data_key), context, ciphertext)), e.plaintext);
  const nonce = ciphertext.subarray(offchain.NAMING_KEY_LEN, offchain.NAMING_KEY_LEN + offchain.NONCE_LEN);
  assert.equal(toHex(offchain.encrypt(fromHex(e.data_key), context, fromHex(e.plaintext), nonce)), e.ciphertext);
  assert.equal(toHex(offchain.commitment(ciphertext)), e.commitment);
  const altered = Uint8Array.from(ciphertext);
  altered[60] ^= 1;
  assert.throws(() => offchain.decrypt(fromHex(e.data_key), context, altered), /record decryption failed/);
  // Bound to its record and version.
  assert.throws(() => offchain.decrypt(fromHex(e.data_key), { record: new Uint8Array(32).fill(0x53), recordVersion: 1 }, ciphertext), /record decryption failed/);
  assert.throws(() => offchain.decrypt(fromHex(e.data_key), { record: RECORD, recordVersion: 2 }, ciphertext), /record decryption failed/);

  // A key the Rust SDK wrapped unwraps for its record; a stranger's key or
  // another record does not.
  const w = v.wrap;
  assert.equal(w.record, toHex(RECORD));
  const recipient = offchain.encryptionKeypairFromSecret(fromHex(w.recipient_secret));
  assert.equal(toHex(offchain.unwrapKey(fromHex(w.wrapped), RECORD, recipient)), w.data_key);
  assert.throws(() => offchain.unwrapKey(fromHex(w.wrapped), RECORD, offchain.generateEncryptionKeypair()), /could not be unwrapped/);
  assert.throws(() => offchain.unwrapKey(fromHex(w.wrapped), new Uint8Array(32).fill(0x53), recipient), /could not be unwrapped/);

  // A record the Rust SDK sealed opens (commitment, AEAD, content
  // commitment), and both sides agree on its envelope's keyed name.
  const s = v.sealed_record;
  const sealedContext = contextOf(s);
  const patientKeys = offchain.encryptionKeypairFromWalletSeed(fromHex(s.recipient_wallet_seed));
  const key = offchain.unwrapKey(fromHex(s.wrapped_key), RECORD, patientKeys);
  assert.equal(toHex(offchain.envelopeName(key, RECORD, patientKeys.publicKey)), s.envelope_name);
  assert.equal(toHex(offchain.envelopeNameForRecipient(patientKeys, RECORD, offchain.namingKeyOf(fromHex(s.ciphertext)))), s.envelope_name);
  assert.equal(offchain.blobStorePaths.envelope(fromHex(s.envelope_name)), `envelopes/${s.envelope_name}`);
  const opened = offchain.open(fromHex(s.ciphertext), sealedContext, fromHex(s.commitment), fromHex(s.content_commitment), key);
  assert.equal(new TextDecoder().decode(opened), s.plaintext);
  assert.equal(offchain.blobUri(fromHex(s.commitment)), s.uri);
  assert.throws(
    () => offchain.open(fromHex(s.ciphertext), sealedContext, new Uint8Array(32), fromHex(s.content_commitment), key),
    /commitment mismatch/,
  );
  assert.throws(
    () => offchain.open(fromHex(s.ciphertext), sealedContext, fromHex(s.commitment), new Uint8Array(32), key),
    /content does not match/,
  );

  // Ed25519 is deterministic: the same key signs the same envelope identically.
  const sig = v.ed25519;
  assert.equal(addressOfSeed(fromHex(sig.wallet_seed)), sig.public);
  assert.equal(toHex(ed25519.sign(fromHex(sig.message), fromHex(sig.wallet_seed))), sig.signature);

  // Consent v3: the same text and envelope as the Rust side writes.
  const m = v.consent_v3;
  const message = sampleConsent(fromHex(m.patient_seed), fromHex(m.grantee_seed));
  assert.equal(consentMessageText(message), m.text);
  assert.equal(toHex(encodeConsentMessage(message)), m.envelope);
});

test('TS vectors: written with PANACEA_WRITE_VECTORS=1, opened by the Rust SDK (sdk/tests/vectors.rs)', () => {
  const path = new URL('ts.json', dir);
  if (process.env.PANACEA_WRITE_VECTORS === '1' || !existsSync(path)) {
    const salt = new Uint8Array(32).fill(0x6b);
    const walletSeed = new Uint8Array(32).fill(0x24);
    const dataKey = offchain.generateDataKey();
    const payload = new Uint8Array([...salt, ...utf8.encode(OBSERVATION)]);
    const ciphertext = offchain.encrypt(dataKey, CONTEXT, payload);
    const recipient = offchain.encryptionKeypairFromSecret(new Uint8Array(32).fill(0x3c));
    const patientKeys = offchain.encryptionKeypairFromWalletSeed(walletSeed);
    const sealed = offchain.seal(utf8.encode(OBSERVATION), CONTEXT);
    const patientSeed = new Uint8Array(32).fill(0x11);
    const message = sampleConsent(patientSeed, new Uint8Array(32).fill(0x22));
    const envelope = encodeConsentMessage(message);
    const vectors = {
      about:
        'written by clients/js/test/vectors.test.ts (PANACEA_WRITE_VECTORS=1 npm test, or npm run vectors); checked by sdk/tests/vectors.rs',
      commitment: { input: toHex(utf8.encode('panacea')), output: toHex(offchain.commitment(utf8.encode('panacea'))) },
      content_commitment: { salt: toHex(salt), plaintext: OBSERVATION, output: toHex(offchain.contentCommitment(salt, utf8.encode(OBSERVATION))) },
      keyed_commitment: {
        wallet_seed: toHex(walletSeed),
        domain: 'service',
        document: toHex(utf8.encode('CPT 99213')),
        commitment_key: toHex(offchain.commitmentKey(walletSeed)),
        output: toHex(offchain.keyedCommitment(walletSeed, 'service', utf8.encode('CPT 99213'))),
      },
      x25519_from_wallet: { wallet_seed: toHex(walletSeed), secret: toHex(patientKeys.secret), public: toHex(patientKeys.publicKey) },
      encrypt: {
        record: toHex(RECORD),
        record_version: RECORD_VERSION,
        naming_key: toHex(offchain.namingKeyOf(ciphertext)),
        data_key: toHex(dataKey),
        plaintext: toHex(payload),
        ciphertext: toHex(ciphertext),
        commitment: toHex(offchain.commitment(ciphertext)),
      },
      wrap: {
        record: toHex(RECORD),
        recipient_secret: toHex(recipient.secret),
        data_key: toHex(dataKey),
        wrapped: toHex(offchain.wrapKey(dataKey, RECORD, recipient.publicKey)),
      },
      sealed_record: {
        plaintext: OBSERVATION,
        uri: sealed.uri,
        ciphertext: toHex(sealed.ciphertext),
        commitment: toHex(sealed.commitment),
        content_commitment: toHex(sealed.contentCommitment),
        record: toHex(RECORD),
        record_version: RECORD_VERSION,
        recipient_wallet_seed: toHex(walletSeed),
        wrapped_key: toHex(offchain.wrapKey(sealed.dataKey, RECORD, patientKeys.publicKey)),
        envelope_name: toHex(offchain.envelopeName(sealed.dataKey, RECORD, patientKeys.publicKey)),
      },
      consent_v3: {
        patient_seed: toHex(patientSeed),
        grantee_seed: toHex(new Uint8Array(32).fill(0x22)),
        patient: message.patient,
        text: consentMessageText(message),
        envelope: toHex(envelope),
        signature: toHex(ed25519.sign(envelope, patientSeed)),
      },
    };
    writeFileSync(path, JSON.stringify(vectors, null, 2) + '\n');
  }
  // Whatever is committed still opens and checks out here.
  const v = load('ts.json');
  const e = v.encrypt;
  assert.equal(toHex(offchain.decrypt(fromHex(e.data_key), contextOf(e), fromHex(e.ciphertext))), e.plaintext);
  const w = v.wrap;
  assert.equal(toHex(offchain.unwrapKey(fromHex(w.wrapped), RECORD, offchain.encryptionKeypairFromSecret(fromHex(w.recipient_secret)))), w.data_key);
  const s = v.sealed_record;
  const patientKeys = offchain.encryptionKeypairFromWalletSeed(fromHex(s.recipient_wallet_seed));
  const key = offchain.unwrapKey(fromHex(s.wrapped_key), RECORD, patientKeys);
  assert.equal(toHex(offchain.envelopeNameForRecipient(patientKeys, RECORD, offchain.namingKeyOf(fromHex(s.ciphertext)))), s.envelope_name);
  assert.equal(new TextDecoder().decode(offchain.open(fromHex(s.ciphertext), contextOf(s), fromHex(s.commitment), fromHex(s.content_commitment), key)), s.plaintext);
  const m = v.consent_v3;
  assert.equal(m.text, consentMessageText(sampleConsent(fromHex(m.patient_seed), fromHex(m.grantee_seed))));
  assert.ok(ed25519.verify(fromHex(m.signature), fromHex(m.envelope), ed25519.getPublicKey(fromHex(m.patient_seed))));
});

test('consent messages refuse what the program would not accept', () => {
  const message = sampleConsent(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2));
  assert.throws(() => consentMessageText({ ...message, deployment: 'dev;net' }), /without ";"/);
  assert.throws(() => consentMessageText({ ...message, deployment: 'dévnet' }), /printable ASCII/);
  assert.throws(() => consentMessageText({ ...message, terms: { ...message.terms, kinds: 0x10000 } }), /u16/);
  assert.throws(() => consentMessageText({ ...message, consentVersion: -1 }), /out of range/);
  const revoke = consentMessageText({ ...message, terms: null, consentVersion: 2 });
  assert.match(revoke, /; action: revoke; /);
  assert.doesNotMatch(revoke, /decision|record kinds|actions|period|policy/);
  assert.throws(() => offchain.keyedCommitment(new Uint8Array(31), 'x', new Uint8Array()), /wallet seed must be 32 bytes/);
  assert.throws(() => offchain.wrapKey(new Uint8Array(32), RECORD, new Uint8Array(32)), /low-order/);
  assert.throws(() => offchain.envelopeName(new Uint8Array(32), RECORD, new Uint8Array(32)), /low-order/);
  assert.throws(() => offchain.encrypt(new Uint8Array(32), { record: RECORD, recordVersion: 0x10000 }, new Uint8Array()), /u16/);
  assert.throws(() => offchain.encrypt(new Uint8Array(32), { record: new Uint8Array(31), recordVersion: 1 }, new Uint8Array()), /record address must be 32 bytes/);
});

// PDA vectors of the bounties program, as tests/tests/bounties/layouts.rs
// (`pda_vectors`) prints them from the program's own derivations.
test('bounties PDAs match the Rust vectors (tests/tests/bounties/layouts.rs pda_vectors)', async () => {
  const decode = getAddressDecoder();
  const researcher = decode.decode(new Uint8Array(32).fill(1));
  const patient = decode.decode(new Uint8Array(32).fill(2));
  const bounty = await bountiesPdas.bounty(researcher, new Uint8Array(16).fill(3));
  assert.deepEqual(bounty, ['C3RZnrFEBRsfEvEih25q1n3yXP1b6FC8NS76UyxwcUxa', 251]);
  const vault = await bountiesPdas.vault(bounty[0]);
  assert.deepEqual(vault, ['3NRAH8vTuxFQ83nJb9eqCo3AmAjwhHUE4pDYv7Jj3AwJ', 255]);
  const contribution = await bountiesPdas.contribution(bounty[0], patient, 0x0102030405060708n);
  assert.deepEqual(contribution, ['57aL4Uj92bWKztR3hm5KvBmUtzi3Q5Wcw6LxHtWkQjap', 255]);
  const tally = await bountiesPdas.tally(bounty[0], patient);
  assert.deepEqual(tally, ['3RbTB3qrPBjfAywNoQnawozuDnSc3UuLBSffk5bS5hvr', 255]);
  // The generated helpers (seeds from the IDL, or expressionPdas) agree.
  assert.deepEqual(await bounties.findVaultPda({ bounty: bounty[0] }), vault);
  assert.deepEqual(await bounties.findContributionPda({ bounty: bounty[0], patient, origin: 0x0102030405060708n }), contribution);
});
