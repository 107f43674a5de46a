import { flushOutputs } from './open-outputs.js'

/** How often a process started by npm looks whether npm is still there. */
const PARENT_CHECK_MS = 1000

/**
 * Calls `onSignal` once for the first SIGINT or SIGTERM; a second one exits at once. Run through npm
 * (`npx taskmesh`, `npm run`), the process also stops as on SIGTERM when npm goes away: npm and the shell it
 * starts do not pass a SIGTERM on, and the worker or admin would be left running alone.
 */
export function onShutdownSignal (onSignal: (signal: NodeJS.Signals) => void): () => void {
  let received = false
  const handler = (signal: NodeJS.Signals): void => {
    if (received) {
      flushOutputs()
      process.exit(signal === 'SIGINT' ? 130 : 143)
    }
    received = true
    onSignal(signal)
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  const parent = process.ppid
  const orphaned = process.env.npm_command != null
    ? setInterval(() => { if (process.ppid !== parent) { clearInterval(orphaned); handler('SIGTERM') } }, PARENT_CHECK_MS).unref()
    : undefined
  return () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
    clearInterval(orphaned)
  }
}
