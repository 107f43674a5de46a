import { flushOutputs } from './output.js'

/** Calls `onSignal` once for the first SIGINT or SIGTERM; a second one exits at once. */
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
  return () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}
