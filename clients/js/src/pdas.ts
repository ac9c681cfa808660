/**
 * Program addresses the IDL cannot carry (or carries only per instruction,
 * keyed by nested account fields such as `patient.authority`), written from
 * programs/{records,consent,claims,bounties}/src/pda.rs. Each returns the address and
 * its bump.
 */
import {
  type Address,
  getAddressEncoder,
  getProgramDerivedAddress,
  getU64Encoder,
  type ProgramDerivedAddress,
} from '@solana/kit';
import { BOUNTIES_PROGRAM_ADDRESS } from './generated/bounties/index.js';
import { CLAIMS_PROGRAM_ADDRESS } from './generated/claims/index.js';
import { CONSENT_PROGRAM_ADDRESS } from './generated/consent/index.js';
import { RECORDS_PROGRAM_ADDRESS } from './generated/records/index.js';

/** SPL Token-2022, the record book mint's token program. */
export const TOKEN_2022_PROGRAM_ADDRESS = 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb' as Address;
/** The associated token account program. */
export const ASSOCIATED_TOKEN_PROGRAM_ADDRESS = 'ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL' as Address;
/** The upgradeable BPF loader (program data accounts). */
export const BPF_LOADER_UPGRADEABLE_ADDRESS = 'BPFLoaderUpgradeab1e11111111111111111111111' as Address;

const utf8 = new TextEncoder();
const address = getAddressEncoder();

function find(programAddress: Address, seeds: Uint8Array[]): Promise<ProgramDerivedAddress> {
  return getProgramDerivedAddress({ programAddress, seeds });
}

function id16(name: string, id: Uint8Array): Uint8Array {
  if (!(id instanceof Uint8Array) || id.length !== 16) {
    throw new Error(`${name} must be 16 bytes, got ${id?.length ?? typeof id}`);
  }
  return id;
}

/** The `records` program's addresses. */
export const recordsPdas = {
  config: () => find(RECORDS_PROGRAM_ADDRESS, [utf8.encode('config')]),
  entity: (authority: Address) => find(RECORDS_PROGRAM_ADDRESS, [utf8.encode('entity'), address.encode(authority) as Uint8Array]),
  patient: (authority: Address) => find(RECORDS_PROGRAM_ADDRESS, [utf8.encode('patient'), address.encode(authority) as Uint8Array]),
  record: (patientAuthority: Address, recordId: Uint8Array) =>
    find(RECORDS_PROGRAM_ADDRESS, [utf8.encode('record'), address.encode(patientAuthority) as Uint8Array, id16('record id', recordId)]),
  recordBook: () => find(RECORDS_PROGRAM_ADDRESS, [utf8.encode('record_book')]),
  recordAuthority: () => find(RECORDS_PROGRAM_ADDRESS, [utf8.encode('record_authority')]),
  grant: (patientAuthority: Address, grantee: Address, target: Address) =>
    find(RECORDS_PROGRAM_ADDRESS, [
      utf8.encode('grant'),
      address.encode(patientAuthority) as Uint8Array,
      address.encode(grantee) as Uint8Array,
      address.encode(target) as Uint8Array,
    ]),
  emergencyTarget: (patientAuthority: Address) =>
    find(RECORDS_PROGRAM_ADDRESS, [utf8.encode('emergency'), address.encode(patientAuthority) as Uint8Array]),
  accessRequest: (patientAuthority: Address, requester: Address, target: Address) =>
    find(RECORDS_PROGRAM_ADDRESS, [
      utf8.encode('access_request'),
      address.encode(patientAuthority) as Uint8Array,
      address.encode(requester) as Uint8Array,
      address.encode(target) as Uint8Array,
    ]),
  /** The patient's token account of the record book (Token-2022 associated account). */
  recordBookAccount: async (patientAuthority: Address) => {
    const [mint] = await recordsPdas.recordBook();
    return find(ASSOCIATED_TOKEN_PROGRAM_ADDRESS, [
      address.encode(patientAuthority) as Uint8Array,
      address.encode(TOKEN_2022_PROGRAM_ADDRESS) as Uint8Array,
      address.encode(mint) as Uint8Array,
    ]);
  },
  programData: () => find(BPF_LOADER_UPGRADEABLE_ADDRESS, [address.encode(RECORDS_PROGRAM_ADDRESS) as Uint8Array]),
  eventAuthority: () => find(RECORDS_PROGRAM_ADDRESS, [utf8.encode('__event_authority')]),
};

/** The `consent` program's addresses. */
export const consentPdas = {
  /** `purpose` is the ConsentPurpose enum value (its discriminant). */
  consent: (patientAuthority: Address, grantee: Address, purpose: number) => {
    if (!Number.isInteger(purpose) || purpose < 0 || purpose > 255) throw new Error(`purpose must be a u8, got ${purpose}`);
    return find(CONSENT_PROGRAM_ADDRESS, [
      utf8.encode('consent'),
      address.encode(patientAuthority) as Uint8Array,
      address.encode(grantee) as Uint8Array,
      new Uint8Array([purpose]),
    ]);
  },
  consentEpoch: (patientAuthority: Address) =>
    find(CONSENT_PROGRAM_ADDRESS, [utf8.encode('consent_epoch'), address.encode(patientAuthority) as Uint8Array]),
  eventAuthority: () => find(CONSENT_PROGRAM_ADDRESS, [utf8.encode('__event_authority')]),
};

/** The `claims` program's addresses. */
export const claimsPdas = {
  policy: (insurer: Address, policyId: Uint8Array) =>
    find(CLAIMS_PROGRAM_ADDRESS, [utf8.encode('policy'), address.encode(insurer) as Uint8Array, id16('policy id', policyId)]),
  vault: (policy: Address) => find(CLAIMS_PROGRAM_ADDRESS, [utf8.encode('vault'), address.encode(policy) as Uint8Array]),
  claim: (policy: Address, claimId: Uint8Array) =>
    find(CLAIMS_PROGRAM_ADDRESS, [utf8.encode('claim'), address.encode(policy) as Uint8Array, id16('claim id', claimId)]),
  claimedRecord: (policy: Address, origin: bigint | number) =>
    find(CLAIMS_PROGRAM_ADDRESS, [utf8.encode('claimed_record'), address.encode(policy) as Uint8Array, getU64Encoder().encode(origin) as Uint8Array]),
  providerUsage: (policy: Address, provider: Address) =>
    find(CLAIMS_PROGRAM_ADDRESS, [utf8.encode('provider_usage'), address.encode(policy) as Uint8Array, address.encode(provider) as Uint8Array]),
  eventAuthority: () => find(CLAIMS_PROGRAM_ADDRESS, [utf8.encode('__event_authority')]),
};

/** The `bounties` program's addresses. */
export const bountiesPdas = {
  /** `["bounty", researcher authority, bounty_id (16 bytes)]`. */
  bounty: (researcher: Address, bountyId: Uint8Array) =>
    find(BOUNTIES_PROGRAM_ADDRESS, [utf8.encode('bounty'), address.encode(researcher) as Uint8Array, id16('bounty id', bountyId)]),
  /** The bounty's escrow token account, owned by the bounty PDA. */
  vault: (bounty: Address) => find(BOUNTIES_PROGRAM_ADDRESS, [utf8.encode('vault'), address.encode(bounty) as Uint8Array]),
  /** `origin` is the serial of the record's amendment chain's first version (`Record.origin`). */
  contribution: (bounty: Address, patient: Address, origin: bigint | number) =>
    find(BOUNTIES_PROGRAM_ADDRESS, [
      utf8.encode('contribution'),
      address.encode(bounty) as Uint8Array,
      address.encode(patient) as Uint8Array,
      getU64Encoder().encode(origin) as Uint8Array,
    ]),
  /** A patient's tally on a bounty (the per-patient cap). */
  tally: (bounty: Address, patient: Address) =>
    find(BOUNTIES_PROGRAM_ADDRESS, [utf8.encode('tally'), address.encode(bounty) as Uint8Array, address.encode(patient) as Uint8Array]),
  eventAuthority: () => find(BOUNTIES_PROGRAM_ADDRESS, [utf8.encode('__event_authority')]),
};
