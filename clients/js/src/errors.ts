/**
 * Mapping a failed transaction's error to the program that raised it and
 * the error's generated code and message (every program in idl/: the table
 * is generated, src/generated/index.ts).
 */
import { type Address, isSolanaError, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM } from '@solana/kit';
import { PROGRAMS, type ProgramError } from './generated/index.js';

/** A custom error raised by a Panacea program. */
export type PanaceaProgramError = ProgramError;

/**
 * The Panacea program error behind `error` (a kit SolanaError thrown by
 * sending or simulating `transactionMessage`, searched along its `cause`
 * chain), or `null` when it is something else. Anchor's own errors (codes
 * below 6000, e.g. 3012 AccountNotInitialized) have no generated message:
 * the message then says so.
 */
export function panaceaProgramError(
  error: unknown,
  transactionMessage: { instructions: Record<number, { programAddress: Address }> },
): PanaceaProgramError | null {
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; depth++) {
    if (isSolanaError(current, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM)) {
      const { code, index } = current.context as { code: number; index: number };
      const address = transactionMessage.instructions[index]?.programAddress;
      const entry = PROGRAMS.find((p) => p.address === address);
      if (!entry) return null;
      let message: string | undefined;
      try {
        message = entry.errorMessage(code);
      } catch {
        message = undefined;
      }
      return {
        program: entry.program,
        code,
        message: message ?? `error ${code} (an Anchor framework error, not one of ${entry.program}'s)`,
        instructionIndex: index,
      } as PanaceaProgramError;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
