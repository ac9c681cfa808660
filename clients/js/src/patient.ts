/**
 * What a patient app needs beyond the generated builders: list the
 * patient's records, open one with the key the issuer wrapped to the
 * patient, and prepare a consent message from the chain's current state.
 */
import {
  type Address,
  type Base58EncodedBytes,
  type GetAccountInfoApi,
  type GetMultipleAccountsApi,
  type GetProgramAccountsApi,
  type Rpc,
  getAddressEncoder,
  getBase58Decoder,
  getBase64Encoder,
  getI64Decoder,
} from '@solana/kit';
import { fetchMaybeConsent, fetchMaybeConsentEpoch } from './generated/consent/index.js';
import {
  fetchMaybePatient,
  fetchRegistryConfig,
  getRecordDecoder,
  getRecordDiscriminatorBytes,
  type Record as RecordAccount,
  RECORDS_PROGRAM_ADDRESS,
} from './generated/records/index.js';
import type { ConsentMessage } from './consent.js';
import { envelopeNameForRecipient, namingKeyOf, open, unwrapKey, type EncryptionKeypair, type RecordContext } from './offchain.js';
import { consentPdas, recordsPdas } from './pdas.js';

/**
 * Offset of `Record.patient`: discriminator (8), version, bump, kind,
 * status (1 each), record_version (u16).
 */
export const RECORD_PATIENT_OFFSET = 14n;

/** The records of a patient (every status), with their addresses. */
export async function listPatientRecords(
  rpc: Rpc<GetProgramAccountsApi>,
  patientAuthority: Address,
  programAddress: Address = RECORDS_PROGRAM_ADDRESS,
): Promise<Array<{ address: Address; record: RecordAccount }>> {
  const base58 = getBase58Decoder();
  const found = await rpc
    .getProgramAccounts(programAddress, {
      encoding: 'base64',
      filters: [
        { memcmp: { offset: 0n, bytes: base58.decode(getRecordDiscriminatorBytes()) as Base58EncodedBytes, encoding: 'base58' } },
        { memcmp: { offset: RECORD_PATIENT_OFFSET, bytes: patientAuthority as unknown as Base58EncodedBytes, encoding: 'base58' } },
      ],
    })
    .send();
  const decoder = getRecordDecoder();
  const base64 = getBase64Encoder();
  return found
    .map(({ pubkey, account }) => ({ address: pubkey, record: decoder.decode(base64.encode(account.data[0])) }))
    .sort((a, b) => (a.record.serial < b.record.serial ? -1 : a.record.serial > b.record.serial ? 1 : 0));
}

/** The off-chain context of the record at `address`: its address bytes and current version. */
export function recordContext(address: Address, record: Pick<RecordAccount, 'recordVersion'>): RecordContext {
  return { record: Uint8Array.from(getAddressEncoder().encode(address)), recordVersion: record.recordVersion };
}

/**
 * The keyed name of `keys`' envelope of the record at `address`, computed
 * from the naming key at the head of its ciphertext: where the envelope is
 * in the store (`offchain.blobStorePaths.envelope(name)`).
 */
export function recordEnvelopeName(address: Address, ciphertext: Uint8Array, keys: EncryptionKeypair): Uint8Array {
  return envelopeNameForRecipient(keys, Uint8Array.from(getAddressEncoder().encode(address)), namingKeyOf(ciphertext));
}

/**
 * Opens the record at `address` for its patient: unwraps the data key from
 * the key envelope the issuer wrapped to the patient's X25519 key (bound to
 * this record), checks the ciphertext against the on-chain commitment,
 * decrypts it for this record and version, checks the content commitment.
 * `ciphertext` and `envelope` come from the blob store
 * (`offchain.blobStorePaths.blob(commitment)`, and
 * `offchain.blobStorePaths.envelope(recordEnvelopeName(address, ciphertext, keys))`).
 */
export function openRecord(
  address: Address,
  record: RecordAccount,
  ciphertext: Uint8Array,
  envelope: Uint8Array,
  keys: EncryptionKeypair,
): Uint8Array {
  const context = recordContext(address, record);
  const dataKey = unwrapKey(envelope, context.record, keys);
  return open(ciphertext, context, Uint8Array.from(record.commitment), Uint8Array.from(record.contentCommitment), dataKey);
}

/**
 * The message a patient signs to grant (`terms`) or revoke (`terms: null`)
 * a consent, filled from the chain: the registry's deployment name, the
 * patient's consent epoch and the consent's current version. Issued at
 * `now` (default: the cluster's clock, which the program compares with,
 * not this machine's), valid `lifetime` seconds (default 15 minutes, at
 * most a day).
 */
export async function prepareConsentMessage(
  rpc: Rpc<GetAccountInfoApi & GetMultipleAccountsApi>,
  fields: Pick<ConsentMessage, 'patient' | 'grantee' | 'purpose' | 'terms'> & { now?: number; lifetime?: number },
): Promise<ConsentMessage> {
  const [config] = await recordsPdas.config();
  const registry = await fetchRegistryConfig(rpc, config);
  const [patientAccount] = await recordsPdas.patient(fields.patient);
  if (!(await fetchMaybePatient(rpc, patientAccount)).exists) {
    throw new Error(`${fields.patient} is not a registered patient`);
  }
  const [epochAddress] = await consentPdas.consentEpoch(fields.patient);
  const epoch = await fetchMaybeConsentEpoch(rpc, epochAddress);
  const [consentAddress] = await consentPdas.consent(fields.patient, fields.grantee, fields.purpose);
  const consent = await fetchMaybeConsent(rpc, consentAddress);
  if (!fields.terms && !consent.exists) throw new Error(`no consent to revoke at ${consentAddress}`);
  const now = fields.now ?? (await clusterTime(rpc));
  return {
    deployment: registry.data.deployment,
    patient: fields.patient,
    grantee: fields.grantee,
    purpose: fields.purpose,
    terms: fields.terms,
    consentEpoch: epoch.exists ? epoch.data.epoch : 0n,
    consentVersion: consent.exists ? consent.data.consentVersion : 0,
    issuedAt: now,
    expiresAt: now + (fields.lifetime ?? 15 * 60),
  };
}

const SYSVAR_CLOCK = 'SysvarC1ock11111111111111111111111111111111' as Address;

/**
 * The cluster's unix time (the Clock sysvar's `unix_timestamp`, after slot,
 * epoch_start_timestamp, epoch and leader_schedule_epoch: offset 32), which
 * is what the programs compare expiries with.
 */
export async function clusterTime(rpc: Rpc<GetAccountInfoApi>): Promise<number> {
  const { value } = await rpc.getAccountInfo(SYSVAR_CLOCK, { encoding: 'base64', commitment: 'confirmed' }).send();
  if (!value) throw new Error('the Clock sysvar is not available from this RPC node');
  const data = getBase64Encoder().encode(value.data[0]);
  if (data.length < 40) throw new Error(`the Clock sysvar is ${data.length} bytes, expected 40`);
  return Number(getI64Decoder().decode(data, 32));
}
