/**
 * Outputs that may hold lines not yet written: the CLI writes them all out before it exits. Apart from
 * output.ts, so exiting does not load what printing tables and progress bars needs.
 */
export const OPEN = new Set<{ flush(): void }>()

/** Writes every output's waiting lines now (before the process exits). */
export function flushOutputs (): void {
  for (const output of OPEN) output.flush()
}
