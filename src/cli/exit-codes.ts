import { CommanderError } from 'commander'

export const EXIT_OK = 0
/** Some task failed, or the command failed at run time. */
export const EXIT_FAILED = 1
/** Bad input: a task file, an option, an address. Nothing was done. */
export const EXIT_BAD_INPUT = 2

const BAD_INPUT = new Set(['ValidationError', 'InvalidAddressError', 'UsageError', 'LimitExceededError'])

export function exitCodeFor (err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT
  return BAD_INPUT.has((err as Error)?.name) ? EXIT_BAD_INPUT : EXIT_FAILED
}

/** A command line that does not make sense (conflicting options, a missing value commander cannot see). */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
