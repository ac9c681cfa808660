/**
 * Mapping a failed transaction's error to the program that raised it and
 * the error's generated code and message.
 */
import { type Address, isSolanaError, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM } from '@solana/kit';
import { CLAIMS_PROGRAM_ADDRESS, getClaimsErrorMessage, type ClaimsError } from './generated/claims/index.js';
import { CONSENT_PROGRAM_ADDRESS, getConsentErrorMessage, type ConsentError } from './generated/consent/index.js';
import { getRecordsErrorMessage, RECORDS_PROGRAM_ADDRESS, type RecordsError } from './generated/records/index.js';

/** A custom error raised by a Panacea program. */
export type PanaceaProgramError =
  | { program: 'records'; code: RecordsError; message: string; instructionIndex: number }
  | { program: 'consent'; code: ConsentError; message: string; instructionIndex: number }
  | { program: 'claims'; code: ClaimsError; message: string; instructionIndex: number };

function messageOf(get: (code: never) => string, code: number): string {
  try {
    return (get as (code: number) => string)(code) ?? `error ${code}`;
  } catch {
    return `error ${code}`;
  }
}

/**
 * The Panacea program error behind `error` (a kit SolanaError thrown by
 * sending or simulating `transactionMessage`, searched along its `cause`
 * chain), or `null` when it is something else (an Anchor framework error
 * below 6000 is reported with its program too, with a generic message).
 */
export function panaceaProgramError(
  error: unknown,
  transactionMessage: { instructions: Record<number, { programAddress: Address }> },
): PanaceaProgramError | null {
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; depth++) {
    if (isSolanaError(current, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM)) {
      const { code, index } = current.context as { code: number; index: number };
      const program = transactionMessage.instructions[index]?.programAddress;
      if (program === RECORDS_PROGRAM_ADDRESS) {
        return { program: 'records', code: code as RecordsError, message: messageOf(getRecordsErrorMessage, code), instructionIndex: index };
      }
      if (program === CONSENT_PROGRAM_ADDRESS) {
        return { program: 'consent', code: code as ConsentError, message: messageOf(getConsentErrorMessage, code), instructionIndex: index };
      }
      if (program === CLAIMS_PROGRAM_ADDRESS) {
        return { program: 'claims', code: code as ClaimsError, message: messageOf(getClaimsErrorMessage, code), instructionIndex: index };
      }
      return null;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
