/**
 * Decoding Anchor `emit_cpi!` events. A program emits an event by invoking
 * itself (signed by its `["__event_authority"]` PDA) with instruction data
 * EVENT_IX_TAG (8 bytes, little-endian 0x1d9acb512ea545e4) || the event's
 * 8-byte discriminator || the event's borsh encoding. They arrive as inner
 * instructions of the transaction; Codama does not decode them, this does,
 * for every program in idl/ (the tables are generated: src/generated/index.ts).
 */
import { type Address, getBase58Encoder, getBase64Encoder } from '@solana/kit';
import { PROGRAMS, type ProgramEvent, type ProgramName } from './generated/index.js';

/** anchor_lang::event::EVENT_IX_TAG, little-endian. */
export const EVENT_IX_TAG = new Uint8Array([0xe4, 0x45, 0xa5, 0x2e, 0x51, 0xcb, 0x9a, 0x1d]);

/** A decoded event, with the program that emitted it. */
export type PanaceaEvent = ProgramEvent;

function startsWith(data: Uint8Array, prefix: Uint8Array, at = 0): boolean {
  if (data.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[at + i] !== prefix[i]) return false;
  return true;
}

/**
 * Decodes one instruction as an event: `null` when it is not an event
 * instruction of a Panacea program; an error when it carries the event tag
 * but an unknown discriminator (a client generated from an older IDL).
 * `programAddresses` maps program names to their addresses when a
 * deployment uses other ids than the generated clients'.
 */
export function decodeEventInstruction(
  programAddress: Address,
  data: Uint8Array,
  programAddresses: Partial<Record<ProgramName, Address>> = {},
): PanaceaEvent | null {
  const entry = PROGRAMS.find((p) => (programAddresses[p.program] ?? p.address) === programAddress);
  if (!entry || !startsWith(data, EVENT_IX_TAG)) return null;
  const event = entry.events.find((e) => startsWith(data, e.discriminator, EVENT_IX_TAG.length));
  if (!event) {
    throw new Error(`${entry.program} event with unknown discriminator ${Array.from(data.subarray(8, 16)).join(',')}: regenerate the client`);
  }
  const decoded = event.decoder.decode(data.subarray(EVENT_IX_TAG.length + 8));
  return { program: entry.program, programAddress, name: event.name, data: decoded } as PanaceaEvent;
}

/** The shape of `getTransaction` (encoding "json") this reads. */
export interface TransactionWithMeta {
  transaction: { message: { accountKeys: readonly Address[] } };
  meta: {
    innerInstructions?: ReadonlyArray<{
      index: number;
      instructions: ReadonlyArray<{ programIdIndex: number; data: string }>;
    }> | null;
    loadedAddresses?: { writable: readonly Address[]; readonly: readonly Address[] } | null;
  } | null;
}

/**
 * Every Panacea event of a confirmed transaction, in execution order, with
 * the index of the top-level instruction that emitted it. Pass what
 * `rpc.getTransaction(signature, { encoding: 'json', maxSupportedTransactionVersion: 0 })`
 * returned (inner instruction data in base58; say `dataEncoding: 'base64'`
 * for a source that gives base64).
 */
export function eventsFromTransaction(
  tx: TransactionWithMeta,
  options: { dataEncoding?: 'base58' | 'base64'; programAddresses?: Partial<Record<ProgramName, Address>> } = {},
): Array<PanaceaEvent & { instructionIndex: number }> {
  const keys = [
    ...tx.transaction.message.accountKeys,
    ...(tx.meta?.loadedAddresses?.writable ?? []),
    ...(tx.meta?.loadedAddresses?.readonly ?? []),
  ];
  const toBytes = options.dataEncoding === 'base64' ? getBase64Encoder() : getBase58Encoder();
  const out: Array<PanaceaEvent & { instructionIndex: number }> = [];
  for (const inner of tx.meta?.innerInstructions ?? []) {
    for (const ix of inner.instructions) {
      const program = keys[ix.programIdIndex];
      if (!program) throw new Error(`inner instruction names account index ${ix.programIdIndex}, beyond the transaction's keys`);
      const event = decodeEventInstruction(program, toBytes.encode(ix.data) as Uint8Array, options.programAddresses);
      if (event) out.push({ ...event, instructionIndex: inner.index });
    }
  }
  return out;
}
