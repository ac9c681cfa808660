// The relayer's instructions, checked the way programs/consent/src/signature.rs
// reads them: one signature, key, signature and message all inside the
// Ed25519 instruction's own data, the instruction right before the program's.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { createKeyPairSignerFromPrivateKeyBytes, getAddressEncoder } from '@solana/kit';
import {
  consent,
  consentPdas,
  ED25519_PROGRAM_ADDRESS,
  ed25519VerifyInstruction,
  encodeConsentMessage,
  recordsPdas,
  relayConsentInstructions,
  signConsent,
  signMessageWith,
} from '../src/index.js';

function parseEd25519(data: Uint8Array) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  assert.equal(data[0], 1, 'one signature');
  const [sigAt, sigIx, keyAt, keyIx, msgAt, msgLen, msgIx] = [2, 4, 6, 8, 10, 12, 14].map(u16);
  assert.deepEqual([sigIx, keyIx, msgIx], [0xffff, 0xffff, 0xffff], 'all data in this instruction');
  return {
    signature: data.subarray(sigAt!, sigAt! + 64),
    key: data.subarray(keyAt!, keyAt! + 32),
    message: data.subarray(msgAt!, msgAt! + msgLen!),
  };
}

test('a signed consent becomes [Ed25519 verify, grant_consent_signed] as the program reads them', async () => {
  const seed = new Uint8Array(32).fill(7);
  const patient = await createKeyPairSignerFromPrivateKeyBytes(seed);
  const relayer = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(32).fill(8));
  const grantee = (await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(32).fill(9))).address;
  const message = {
    deployment: 'localnet',
    patient: patient.address,
    grantee,
    purpose: consent.ConsentPurpose.Research,
    terms: {
      decision: consent.Decision.Permit,
      kinds: 0x0003,
      actions: 0x03,
      periodStart: 1_800_000_000n,
      periodEnd: 1_900_000_000n,
      policyCommitment: new Uint8Array(32).fill(1),
    },
    consentEpoch: 0n,
    consentVersion: 0,
    issuedAt: 1_800_000_000n,
    expiresAt: 1_800_000_900n,
  };
  const signed = await signConsent(signMessageWith(patient), message);
  assert.deepEqual(signed.signedBytes, encodeConsentMessage(message));
  assert.deepEqual(signed.signature, ed25519.sign(signed.signedBytes, seed), 'the wallet signed the envelope bytes');

  const [verify, relay] = await relayConsentInstructions(relayer, signed);
  assert.equal(verify.programAddress, ED25519_PROGRAM_ADDRESS);
  assert.equal(verify.accounts, undefined);
  const parsed = parseEd25519(Uint8Array.from(verify.data!));
  assert.deepEqual(parsed.key, Uint8Array.from(getAddressEncoder().encode(patient.address)));
  assert.deepEqual(parsed.message, signed.signedBytes);
  assert.ok(ed25519.verify(parsed.signature, parsed.message, parsed.key));

  assert.equal(relay.programAddress, consent.CONSENT_PROGRAM_ADDRESS);
  const accounts = relay.accounts!.map((a) => a.address);
  assert.equal(accounts[0], relayer.address);
  assert.equal(accounts[1], (await recordsPdas.patient(patient.address))[0]);
  assert.equal(accounts[2], (await recordsPdas.entity(grantee))[0]);
  assert.equal(accounts[3], (await consentPdas.consent(patient.address, grantee, consent.ConsentPurpose.Research))[0]);
  assert.equal(accounts[4], (await consentPdas.consentEpoch(patient.address))[0]);
  assert.equal(accounts[5], (await recordsPdas.config())[0]);
  assert.equal(accounts[8], (await consentPdas.eventAuthority())[0]);
  assert.equal(accounts[9], consent.CONSENT_PROGRAM_ADDRESS);
  const args = consent.getGrantConsentSignedInstructionDataDecoder().decode(relay.data!);
  assert.equal(args.purpose, consent.ConsentPurpose.Research);
  assert.equal(args.issuedAt, 1_800_000_000n);
  assert.equal(args.expiresAt, 1_800_000_900n);

  // A revoke: no terms, revoke_consent_signed.
  const revoke = await signConsent(signMessageWith(patient), { ...message, terms: null, consentVersion: 1 });
  const [, revokeIx] = await relayConsentInstructions(relayer, revoke);
  assert.deepEqual(
    Uint8Array.from(revokeIx.data!.subarray(0, 8)),
    Uint8Array.from(consent.REVOKE_CONSENT_SIGNED_DISCRIMINATOR),
  );
});

test('only the patient can sign, for at most a day', async () => {
  const patient = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(32).fill(7));
  const other = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(32).fill(6));
  const message = {
    deployment: 'localnet',
    patient: patient.address,
    grantee: other.address,
    purpose: consent.ConsentPurpose.Payment,
    terms: null,
    consentEpoch: 0n,
    consentVersion: 1,
    issuedAt: 1_800_000_000n,
    expiresAt: 1_800_000_900n,
  };
  await assert.rejects(signConsent(signMessageWith(other), message), /must be signed by the patient/);
  await assert.rejects(signConsent(signMessageWith(patient), { ...message, expiresAt: 1_800_000_000n + 86_401n }), /expires - issued/);
  await assert.rejects(signConsent(signMessageWith(patient), { ...message, expiresAt: 1_800_000_000n }), /expires - issued/);
  assert.throws(() => ed25519VerifyInstruction(patient.address, new Uint8Array(63), new Uint8Array(1)), /64 bytes/);
});
