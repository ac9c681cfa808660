/**
 * Wallet-signed consent (consent message v3), byte-identical to the Rust
 * `consent::message` encoder: the text, its Solana off-chain message
 * envelope (what the wallet signs), the Ed25519 verify instruction and the
 * relayed `grant_consent_signed` / `revoke_consent_signed` instruction.
 *
 * The text is printable ASCII, fields joined by "; ":
 *
 *   Panacea consent message v3; deployment: devnet; action: grant; program: <b58>;
 *   patient: <b58>; grantee: <b58>; purpose: Payment; decision: Permit;
 *   record kinds: 0x03ff; actions: 0x01; period: 1795219200..1826755200;
 *   policy: <64 hex>; consent epoch: 3; consent version: 0; issued: 1795219300;
 *   expires: 1795222800
 *
 * (a revoke says "action: revoke" and has no decision, record kinds, actions,
 * period or policy). The wallet signs the off-chain message envelope v0 of
 * the text: "\xffsolana offchain" || 0x00 (version) || 0x00 (format
 * RestrictedAscii) || u16 LE length || text.
 */
import {
  type Address,
  type Instruction,
  type MessagePartialSigner,
  type TransactionSigner,
  getAddressEncoder,
} from '@solana/kit';
import {
  CONSENT_PROGRAM_ADDRESS,
  ConsentPurpose,
  type ConsentTermsArgs,
  Decision,
  getGrantConsentSignedInstructionAsync,
  getRevokeConsentSignedInstructionAsync,
} from './generated/consent/index.js';
import { consentPdas, recordsPdas } from './pdas.js';

/** The header of every consent message; bumped with the format. */
export const MESSAGE_HEADER = 'Panacea consent message v3';
/** The Ed25519 signature-verification precompile. */
export const ED25519_PROGRAM_ADDRESS = 'Ed25519SigVerify111111111111111111111111111' as Address;
/** The longest message an off-chain envelope v0 carries. */
export const MAX_OFFCHAIN_MESSAGE_LEN = 1212;
/** Longest a signed message may be held: expires - issued (programs/consent/src/constants.rs). */
export const MAX_MESSAGE_LIFETIME = 24 * 60 * 60;

const SIGNING_DOMAIN = new Uint8Array([0xff, ...new TextEncoder().encode('solana offchain')]);

/** What the patient signs. */
export interface ConsentMessage {
  /** The records registry's deployment name (`RegistryConfig.deployment`). */
  deployment: string;
  /** The consent program (defaults to the generated client's address). */
  programId?: Address;
  patient: Address;
  grantee: Address;
  purpose: ConsentPurpose;
  /** Terms to grant (or update) with; `null` to revoke. */
  terms: ConsentTermsArgs | null;
  /** The patient's consent epoch now (0 before the first close). */
  consentEpoch: bigint | number;
  /** The consent's current version (0 when it does not exist yet). */
  consentVersion: number;
  /** Unix time at which the wallet signs. */
  issuedAt: bigint | number;
  /** Unix time from which the message may no longer be submitted. */
  expiresAt: bigint | number;
}

function isPrintableAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

function integer(name: string, value: bigint | number, min: bigint, max: bigint): string {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${value}`);
  const v = BigInt(value);
  if (v < min || v > max) throw new Error(`${name} ${v} is out of range ${min}..=${max}`);
  return v.toString();
}

const I64 = [-(2n ** 63n), 2n ** 63n - 1n] as const;

/** The consent message text (printable ASCII), as the program rebuilds it. */
export function consentMessageText(m: ConsentMessage): string {
  if (m.deployment.length === 0 || !isPrintableAscii(m.deployment) || m.deployment.includes(';')) {
    throw new Error('deployment name must be 1 or more printable ASCII characters without ";"');
  }
  const purpose = ConsentPurpose[m.purpose];
  if (purpose === undefined) throw new Error(`unknown consent purpose ${m.purpose}`);
  const fields = [
    MESSAGE_HEADER,
    `deployment: ${m.deployment}`,
    `action: ${m.terms ? 'grant' : 'revoke'}`,
    `program: ${m.programId ?? CONSENT_PROGRAM_ADDRESS}`,
    `patient: ${m.patient}`,
    `grantee: ${m.grantee}`,
    `purpose: ${purpose}`,
  ];
  if (m.terms) {
    const t = m.terms;
    const decision = Decision[t.decision];
    if (decision === undefined) throw new Error(`unknown decision ${t.decision}`);
    if (!Number.isInteger(t.kinds) || t.kinds < 0 || t.kinds > 0xffff) throw new Error(`record kinds must be a u16, got ${t.kinds}`);
    if (!Number.isInteger(t.actions) || t.actions < 0 || t.actions > 0xff) throw new Error(`actions must be a u8, got ${t.actions}`);
    const policy = Uint8Array.from(t.policyCommitment);
    if (policy.length !== 32) throw new Error(`policy commitment must be 32 bytes, got ${policy.length}`);
    fields.push(
      `decision: ${decision}`,
      `record kinds: 0x${t.kinds.toString(16).padStart(4, '0')}`,
      `actions: 0x${t.actions.toString(16).padStart(2, '0')}`,
      `period: ${integer('period start', t.periodStart, ...I64)}..${integer('period end', t.periodEnd, ...I64)}`,
      `policy: ${Array.from(policy, (b) => b.toString(16).padStart(2, '0')).join('')}`,
    );
  }
  fields.push(
    `consent epoch: ${integer('consent epoch', m.consentEpoch, 0n, 2n ** 64n - 1n)}`,
    `consent version: ${integer('consent version', m.consentVersion, 0n, 2n ** 32n - 1n)}`,
    `issued: ${integer('issued', m.issuedAt, ...I64)}`,
    `expires: ${integer('expires', m.expiresAt, ...I64)}`,
  );
  return fields.join('; ');
}

/**
 * The Solana off-chain message envelope (version 0, format 0 =
 * RestrictedAscii) of a printable-ASCII text: the bytes a wallet signs.
 */
export function offchainMessageEnvelope(text: string): Uint8Array {
  if (!isPrintableAscii(text)) throw new Error('an off-chain message in format RestrictedAscii must be printable ASCII');
  if (text.length === 0 || text.length > MAX_OFFCHAIN_MESSAGE_LEN) {
    throw new Error(`off-chain message must be 1 to ${MAX_OFFCHAIN_MESSAGE_LEN} bytes, got ${text.length}`);
  }
  const out = new Uint8Array(SIGNING_DOMAIN.length + 4 + text.length);
  out.set(SIGNING_DOMAIN, 0);
  let at = SIGNING_DOMAIN.length;
  out[at++] = 0; // envelope version
  out[at++] = 0; // format: RestrictedAscii
  out[at++] = text.length & 0xff;
  out[at++] = text.length >> 8;
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  return out;
}

/** The exact bytes the patient's wallet signs for `m`. */
export function encodeConsentMessage(m: ConsentMessage): Uint8Array {
  return offchainMessageEnvelope(consentMessageText(m));
}

/**
 * A wallet-style signer: signs arbitrary bytes with the wallet's Ed25519 key
 * (Wallet Standard `solana:signMessage`, a Ledger's off-chain message
 * signing, or {@link signMessageWith} over a kit signer).
 */
export interface WalletMessageSigner {
  readonly address: Address;
  signMessage(message: Uint8Array): Promise<Uint8Array>;
}

/** A {@link WalletMessageSigner} over a @solana/kit message signer (e.g. a KeyPairSigner). */
export function signMessageWith(signer: MessagePartialSigner): WalletMessageSigner {
  return {
    address: signer.address,
    async signMessage(message) {
      const [signatures] = await signer.signMessages([{ content: message, signatures: {} }]);
      const signature = signatures?.[signer.address];
      if (!signature) throw new Error(`signer ${signer.address} returned no signature`);
      return signature as Uint8Array;
    },
  };
}

/**
 * The Ed25519 program instruction verifying one signature over a message,
 * with key, signature and message all inside its own data (the layout the
 * consent program insists on, programs/consent/src/signature.rs).
 */
export function ed25519VerifyInstruction(publicKey: Address, signature: Uint8Array, message: Uint8Array): Instruction {
  if (signature.length !== 64) throw new Error(`an Ed25519 signature is 64 bytes, got ${signature.length}`);
  const PUBKEY_AT = 16;
  const SIGNATURE_AT = PUBKEY_AT + 32;
  const MESSAGE_AT = SIGNATURE_AT + 64;
  if (MESSAGE_AT + message.length > 0xffff) throw new Error('message too long for an Ed25519 instruction');
  const data = new Uint8Array(MESSAGE_AT + message.length);
  const view = new DataView(data.buffer);
  data[0] = 1; // one signature
  data[1] = 0; // padding
  const THIS_INSTRUCTION = 0xffff;
  [SIGNATURE_AT, THIS_INSTRUCTION, PUBKEY_AT, THIS_INSTRUCTION, MESSAGE_AT, message.length, THIS_INSTRUCTION].forEach((v, i) =>
    view.setUint16(2 + 2 * i, v, true),
  );
  data.set(getAddressEncoder().encode(publicKey) as Uint8Array, PUBKEY_AT);
  data.set(signature, SIGNATURE_AT);
  data.set(message, MESSAGE_AT);
  return { programAddress: ED25519_PROGRAM_ADDRESS, data };
}

/** A consent the patient signed off-chain, ready for a relayer. */
export interface SignedConsent {
  message: ConsentMessage;
  /** The signed bytes (the off-chain message envelope). */
  signedBytes: Uint8Array;
  signature: Uint8Array;
}

/**
 * The patient's side: encodes `message`, has the wallet sign the envelope
 * and returns what a relayer needs. The wallet must be the patient.
 */
export async function signConsent(wallet: WalletMessageSigner, message: ConsentMessage): Promise<SignedConsent> {
  if (wallet.address !== message.patient) {
    throw new Error(`the consent must be signed by the patient ${message.patient}, not ${wallet.address}`);
  }
  const lifetime = BigInt(message.expiresAt) - BigInt(message.issuedAt);
  if (lifetime <= 0n || lifetime > BigInt(MAX_MESSAGE_LIFETIME)) {
    throw new Error(`expires - issued must be 1 to ${MAX_MESSAGE_LIFETIME} seconds, got ${lifetime}`);
  }
  const signedBytes = encodeConsentMessage(message);
  const signature = await wallet.signMessage(signedBytes);
  if (!(signature instanceof Uint8Array) || signature.length !== 64) throw new Error('the wallet returned no 64-byte Ed25519 signature');
  return { message, signedBytes, signature };
}

/**
 * The relayer's side: the Ed25519 verify instruction followed by the
 * program's `grant_consent_signed` (or `revoke_consent_signed` when the
 * message has no terms). Put both, in this order, in one transaction paid by
 * `payer`.
 */
export async function relayConsentInstructions(payer: TransactionSigner, signed: SignedConsent): Promise<[Instruction, Instruction]> {
  const m = signed.message;
  const verify = ed25519VerifyInstruction(m.patient, signed.signature, signed.signedBytes);
  const [patient] = await recordsPdas.patient(m.patient);
  const [consent] = await consentPdas.consent(m.patient, m.grantee, m.purpose);
  const [consentEpoch] = await consentPdas.consentEpoch(m.patient);
  const config = m.programId ? { programAddress: m.programId } : undefined;
  if (m.terms) {
    const [grantee] = await recordsPdas.entity(m.grantee);
    const ix = await getGrantConsentSignedInstructionAsync(
      { payer, patient, grantee, consent, consentEpoch, purpose: m.purpose, terms: m.terms, issuedAt: m.issuedAt, expiresAt: m.expiresAt },
      config,
    );
    return [verify, ix];
  }
  const ix = await getRevokeConsentSignedInstructionAsync(
    { payer, patient, consent, consentEpoch, issuedAt: m.issuedAt, expiresAt: m.expiresAt },
    config,
  );
  return [verify, ix];
}
