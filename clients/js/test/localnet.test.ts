// The TS client against a real validator: starts panacea-localnet on free
// ports (PANACEA_LOCALNET, the binary) and drives the Rust side with the
// panacea CLI (PANACEA_CLI, the binary). clients/js/ci.sh sets both. Without
// them the suite is skipped with a message (never in CI: ci.sh fails first).
import { strict as assert } from 'node:assert';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from '@noble/ciphers/utils.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  type Address,
  type Instruction,
  type KeyPairSigner,
  type Signature,
  type TransactionSigner,
  appendTransactionMessageInstructions,
  createKeyPairSignerFromPrivateKeyBytes,
  createSolanaRpc,
  createTransactionMessage,
  getAddressDecoder,
  getAddressEncoder,
  getSignatureFromTransaction,
  pipe,
  getBase64EncodedWireTransaction,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from '@solana/kit';
import {
  consent,
  eventsFromTransaction,
  listPatientRecords,
  offchain,
  openRecord,
  panaceaProgramError,
  prepareConsentMessage,
  recordEnvelopeName,
  records,
  recordsPdas,
  consentPdas,
  relayConsentInstructions,
  signConsent,
  signMessageWith,
  type TransactionWithMeta,
} from '../src/index.js';

const LOCALNET = process.env.PANACEA_LOCALNET;
const CLI = process.env.PANACEA_CLI;

const OBSERVATION = JSON.stringify({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }] },
  valueQuantity: { value: 5.1, unit: 'mmol/L' },
});

interface Wallet {
  seed: Uint8Array;
  address: Address;
  file: string;
  signer: KeyPairSigner;
}

async function freePortPair(): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    if ((await tryPort(port)) && (await tryPort(port + 1))) return port;
  }
  throw new Error('no two consecutive free local ports');
}

describe('against panacea-localnet', { skip: !LOCALNET || !CLI ? 'PANACEA_LOCALNET and PANACEA_CLI are not set (clients/js/ci.sh sets them)' : false }, () => {
  let dir: string;
  let store: string;
  let validator: ChildProcess | undefined;
  let url: string;
  let rpc: ReturnType<typeof createSolanaRpc>;
  const wallets: Record<'admin' | 'lab' | 'insurer' | 'patient' | 'other', Wallet> = {} as never;
  /**
   * The patient's encryption key: random, not derived from the wallet (a
   * browser wallet never shows its seed), and kept where the CLI looks for
   * it (its key file, 0600), so both sides decrypt with the same key.
   */
  const patientKeys = offchain.generateEncryptionKeypair();

  function writeKeyFile(owner: Address, keys: offchain.EncryptionKeypair) {
    const keyDir = join(dir, '.config', 'panacea', 'encryption');
    mkdirSync(keyDir, { recursive: true, mode: 0o700 });
    const file = join(keyDir, `${owner}.json`);
    writeFileSync(file, JSON.stringify({ version: 1, public_key: offchain.toHex(keys.publicKey), secret_key: offchain.toHex(keys.secret) }), {
      mode: 0o600,
    });
    chmodSync(file, 0o600);
  }

  async function wallet(name: string): Promise<Wallet> {
    const seed = randomBytes(32);
    const pub = ed25519.getPublicKey(seed);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify([...seed, ...pub]));
    return { seed, address: getAddressDecoder().decode(pub), file, signer: await createKeyPairSignerFromPrivateKeyBytes(seed) };
  }

  /** The panacea CLI (the Rust SDK) as `who`, JSON output. */
  function cli(who: Wallet, ...args: string[]): unknown {
    const out = execFileSync(CLI!, ['-u', url, '-k', who.file, '--store', store, '--output', 'json', '--commitment', 'confirmed', ...args], {
      env: { ...process.env, HOME: dir },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const trimmed = out.trim();
    try {
      return JSON.parse(trimmed);
    } catch {
      // Some commands print one JSON object per line.
      return trimmed.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    }
  }

  async function message(payer: TransactionSigner, instructions: Instruction[]) {
    const { value: blockhash } = await rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
    return pipe(
      // Legacy: panacea-localnet holds v0 transactions back until its first
      // epoch boundary (slot 32, about 15-30 s after start); legacy ones land at once.
      createTransactionMessage({ version: 'legacy' }),
      (m) => setTransactionMessageFeePayerSigner(payer, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
      (m) => appendTransactionMessageInstructions(instructions, m),
    );
  }

  /** Sends (with preflight) and polls until confirmed; throws the preflight or execution error. */
  async function sendMessage(msg: Awaited<ReturnType<typeof message>>): Promise<Signature> {
    const tx = await signTransactionMessageWithSigners(msg);
    const signature = getSignatureFromTransaction(tx);
    await rpc.sendTransaction(getBase64EncodedWireTransaction(tx), { encoding: 'base64', preflightCommitment: 'confirmed' }).send();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const { value } = await rpc.getSignatureStatuses([signature]).send();
      const status = value[0];
      if (status?.err) throw new Error(`transaction ${signature} failed: ${JSON.stringify(status.err, (_, v) => (typeof v === 'bigint' ? Number(v) : v))}`);
      if (status && (status.confirmationStatus === 'confirmed' || status.confirmationStatus === 'finalized')) return signature;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`transaction ${signature} not confirmed within 60 s`);
  }

  async function send(payer: TransactionSigner, instructions: Instruction[]): Promise<Signature> {
    return sendMessage(await message(payer, instructions));
  }

  /** The transaction's Panacea events (the node may need a moment to serve it). */
  async function eventsOf(signature: Signature) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const tx = await rpc.getTransaction(signature, { commitment: 'confirmed', encoding: 'json', maxSupportedTransactionVersion: 0 }).send();
      if (tx) return eventsFromTransaction(tx as unknown as TransactionWithMeta);
      if (Date.now() > deadline) throw new Error(`transaction ${signature} not served by getTransaction within 30 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'panacea-js-'));
    store = join(dir, 'store');
    mkdirSync(store);
    for (const name of ['admin', 'lab', 'insurer', 'patient', 'other'] as const) wallets[name] = await wallet(name);
    writeKeyFile(wallets.patient.address, patientKeys);
    const port = await freePortPair();
    url = `http://127.0.0.1:${port}`;
    const args = ['--rpc-port', String(port), '--ledger', join(dir, 'ledger'), '--keypair', wallets.admin.file];
    for (const w of [wallets.lab, wallets.insurer, wallets.patient, wallets.other]) args.push('--airdrop', w.address);
    const started = Date.now();
    validator = spawn(LOCALNET!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`panacea-localnet not ready after 180 s:\n${output}`)), 180_000);
      const watch = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('localnet ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      validator!.stdout!.on('data', watch);
      validator!.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      validator!.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`panacea-localnet exited (${code}):\n${output}`));
      });
    });
    console.log(`# panacea-localnet ready on ${url} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    rpc = createSolanaRpc(url);
    // The Rust side sets up the deployment: registry, record book, entities.
    const setUp = Date.now();
    cli(wallets.admin, 'migrate', '--deployment', 'localnet');
    cli(wallets.admin, 'registry', 'register', '--entity', wallets.lab.file, '--kind', 'laboratory');
    cli(wallets.admin, 'registry', 'register', '--entity', wallets.insurer.file, '--kind', 'insurer');
    console.log(`# registry, record book and two entities set up by the CLI in ${((Date.now() - setUp) / 1000).toFixed(1)} s`);
  });

  after(() => {
    if (validator && validator.exitCode === null) validator.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a patient registers from TS and the PatientRegistered event decodes', async () => {
    const patient = wallets.patient;
    const keys = patientKeys;
    const [patientBook] = await recordsPdas.recordBookAccount(patient.address);
    const ix = await records.getRegisterPatientInstructionAsync({
      payer: patient.signer,
      authority: patient.signer,
      patientBook,
      encryptionKey: keys.publicKey,
      guardianEncryptionKey: new Uint8Array(32), // no guardian, no guardian key
    });
    const signature = await send(patient.signer, [ix]);
    const [address] = await recordsPdas.patient(patient.address);
    const profile = await records.fetchPatient(rpc, address);
    assert.equal(profile.data.authority, patient.address);
    assert.deepEqual(Uint8Array.from(profile.data.encryptionKey), keys.publicKey);
    // The record book token account was created by the CPI to the ATA program.
    const book = await rpc.getAccountInfo(patientBook, { encoding: 'base64' }).send();
    assert.equal(book.value?.owner, 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb');
    const events = await eventsOf(signature);
    const registered = events.find((e) => e.program === 'records' && e.name === 'patientRegistered');
    assert.ok(registered && registered.name === 'patientRegistered', `no patientRegistered event in ${JSON.stringify(events.map((e) => e.name))}`);
    assert.equal(registered.data.patient, patient.address);
    assert.equal(registered.data.guardian.__option, 'None');
  });

  test('a program error maps to its generated code, and nothing changes', async () => {
    const other = wallets.other;
    const [patientBook] = await recordsPdas.recordBookAccount(other.address);
    const [address] = await recordsPdas.patient(other.address);
    const before = await rpc.getBalance(other.address, { commitment: 'confirmed' }).send();
    const ix = await records.getRegisterPatientInstructionAsync({
      payer: other.signer,
      authority: other.signer,
      guardian: other.signer, // a patient cannot be their own guardian
      patientBook,
      encryptionKey: offchain.encryptionKeypairFromWalletSeed(other.seed).publicKey,
      guardianEncryptionKey: offchain.encryptionKeypairFromWalletSeed(other.seed).publicKey,
    });
    const msg = await message(other.signer, [ix]);
    await assert.rejects(
      () => sendMessage(msg),
      (error: unknown) => {
        const mapped = panaceaProgramError(error, msg);
        assert.ok(mapped, `not a Panacea program error: ${String(error)}`);
        assert.equal(mapped.program, 'records');
        assert.equal(mapped.code, records.RECORDS_ERROR__GUARDIAN_IS_PATIENT);
        assert.match(mapped.message, /guardian/i);
        return true;
      },
    );
    assert.equal((await records.fetchMaybePatient(rpc, address)).exists, false);
    assert.equal(await rpc.getBalance(other.address, { commitment: 'confirmed' }).send().then((b) => b.value), before.value);
  });

  test('a record issued by the Rust SDK (CLI) opens in TS', async () => {
    const patient = wallets.patient;
    cli(patient, 'access', 'authorize', '--issuer', wallets.lab.address, '--kinds', 'all');
    const file = join(dir, 'observation.json');
    writeFileSync(file, OBSERVATION);
    cli(wallets.lab, 'record', 'issue', '--patient', patient.address, '--kind', 'lab-result', file);
    const listed = await listPatientRecords(rpc, patient.address);
    assert.equal(listed.length, 1);
    const { address, record } = listed[0]!;
    assert.equal(record.issuer, wallets.lab.address);
    const keys = patientKeys;
    const commitment = Uint8Array.from(record.commitment);
    const ciphertext = readFileSync(join(store, offchain.blobStorePaths.blob(commitment)));
    // The envelope's keyed name, from the naming key at the head of the ciphertext.
    const envelope = readFileSync(join(store, offchain.blobStorePaths.envelope(recordEnvelopeName(address, ciphertext, keys))));
    assert.equal(new TextDecoder().decode(openRecord(address, record, ciphertext, envelope, keys)), OBSERVATION);
    // Another wallet's key does not open it; neither does the envelope
    // presented as another record's.
    assert.throws(() => openRecord(address, record, ciphertext, envelope, offchain.encryptionKeypairFromWalletSeed(wallets.other.seed)), /could not be unwrapped/);
    const [elsewhere] = await recordsPdas.record(patient.address, randomBytes(16));
    assert.throws(() => openRecord(elsewhere, record, ciphertext, envelope, keys), /could not be unwrapped/);
  });

  test('a record issued from TS opens with the Rust SDK (CLI)', async () => {
    const patient = wallets.patient;
    const lab = wallets.lab;
    const [profileAddress] = await recordsPdas.patient(patient.address);
    const profile = await records.fetchPatient(rpc, profileAddress);
    // The record's address is known before it is issued (the issuer picks
    // its id): the ciphertext and the envelope are bound to it (format v2).
    const recordId = randomBytes(16);
    const [record] = await recordsPdas.record(patient.address, recordId);
    const recordBytes = Uint8Array.from(getAddressEncoder().encode(record));
    const sealed = offchain.seal(new TextEncoder().encode(OBSERVATION.replace('5.1', '6.3')), { record: recordBytes, recordVersion: 1 });
    const patientKey = Uint8Array.from(profile.data.encryptionKey);
    mkdirSync(join(store, 'envelopes'), { recursive: true });
    writeFileSync(join(store, offchain.blobStorePaths.blob(sealed.commitment)), sealed.ciphertext);
    writeFileSync(
      join(store, offchain.blobStorePaths.envelope(offchain.envelopeName(sealed.dataKey, recordBytes, patientKey))),
      offchain.wrapKey(sealed.dataKey, recordBytes, patientKey),
    );
    const [patientBook] = await recordsPdas.recordBookAccount(patient.address);
    const ix = await records.getIssueRecordInstructionAsync({
      issuer: lab.signer,
      // The lab issues as its entity's authority, under the patient's care link.
      issuerEntity: (await recordsPdas.entity(lab.address))[0],
      patientAuthority: patient.address,
      careLink: (await recordsPdas.grant(patient.address, lab.address, profileAddress))[0],
      record,
      patientBook,
      recordId,
      commitment: sealed.commitment,
      contentCommitment: sealed.contentCommitment,
      kind: records.RecordKind.LabResult,
    });
    const signature = await send(lab.signer, [ix]);
    const issued = (await eventsOf(signature)).find((e) => e.program === 'records' && e.name === 'recordIssued');
    assert.ok(issued && issued.name === 'recordIssued', 'a recordIssued event');
    assert.equal(issued.data.record, record);
    assert.equal(issued.data.issuer, lab.address);
    assert.deepEqual(Uint8Array.from(issued.data.commitment), sealed.commitment);
    const out = join(dir, 'fetched.json');
    cli(patient, 'record', 'fetch', record, '--out', out);
    assert.equal(readFileSync(out, 'utf8'), OBSERVATION.replace('5.1', '6.3'));
    assert.equal((await listPatientRecords(rpc, patient.address)).length, 2);
  });

  test('a consent signed in TS with signMessage is relayed (consent message v3)', async () => {
    const patient = wallets.patient;
    const relayer = wallets.admin.signer;
    const terms = {
      decision: consent.Decision.Permit,
      kinds: 0x0001,
      actions: 0x01,
      periodStart: BigInt(Math.floor(Date.now() / 1000) - 60),
      periodEnd: BigInt(Math.floor(Date.now() / 1000) + 365 * 86400),
      policyCommitment: offchain.commitment(new TextEncoder().encode('consent text v1 the patient saw')),
    };
    const prepared = await prepareConsentMessage(rpc, {
      patient: patient.address,
      grantee: wallets.insurer.address,
      purpose: consent.ConsentPurpose.Payment,
      terms,
    });
    assert.equal(prepared.deployment, 'localnet');
    const signed = await signConsent(signMessageWith(patient.signer), prepared);
    const msg = await message(relayer, await relayConsentInstructions(relayer, signed));
    let signature: Signature;
    try {
      signature = await sendMessage(msg);
    } catch (error) {
      const mapped = panaceaProgramError(error, msg);
      // Until the consent v3 program is deployed (the v2 program rebuilds a
      // v2 text), the program refuses the v3 envelope with MessageMismatch.
      throw new Error(`relayed consent refused: ${mapped ? `${mapped.program} error ${mapped.code}: ${mapped.message}` : String(error)}`);
    }
    const [address] = await consentPdas.consent(patient.address, wallets.insurer.address, consent.ConsentPurpose.Payment);
    const state = await consent.fetchConsent(rpc, address);
    assert.equal(state.data.signedVia, consent.SignedVia.OffchainSignature);
    assert.equal(state.data.status, consent.ConsentStatus.Active);
    const events = await eventsOf(signature);
    const changed = events.find((e) => e.program === 'consent' && e.name === 'consentChanged');
    assert.ok(changed && changed.name === 'consentChanged', `no consentChanged event in ${JSON.stringify(events.map((e) => e.name))}`);
    assert.equal(changed.data.patient, patient.address);
    assert.equal(changed.data.grantee, wallets.insurer.address);
    assert.deepEqual(changed.data.relayer, { __option: 'Some', value: wallets.admin.address });
  });
});
