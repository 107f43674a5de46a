import { WATCH_PROGRESS_INTERVAL_MS } from './constants.js'
import { NETWORK_EVENT_NAMES, type NetworkEvents } from './events.js'
import type { TypedEventTarget } from '@libp2p/interface'

/** Events for metrics only, not for people or remote watchers. */
const UNSTREAMED = new Set<keyof NetworkEvents>(['journal:written'])

export type WatchedEvent = { [K in keyof NetworkEvents]: { event: K, detail: NetworkEvents[K]['detail'] } }[keyof NetworkEvents]

/**
 * Everything a remote watcher (client protocol, Server-Sent Events) should see of a network: the admin's
 * events and its alerts, with `progress` at most every `progressMs` (it comes with every flush, thousands
 * a second under load) and the latest one always delivered. Returns a function that stops watching.
 */
export function watchEvents (source: TypedEventTarget<NetworkEvents>, listener: (event: WatchedEvent) => void, options: { progressMs?: number } = {}): () => void {
  const progressMs = options.progressMs ?? WATCH_PROGRESS_INTERVAL_MS
  let lastProgress = 0
  let pending: ReturnType<typeof setTimeout> | undefined
  let latest: NetworkEvents['progress']['detail'] | undefined
  const sendProgress = (): void => {
    lastProgress = Date.now()
    listener({ event: 'progress', detail: latest! })
  }
  const removers: Array<() => void> = []
  for (const name of NETWORK_EVENT_NAMES) {
    if (UNSTREAMED.has(name)) continue
    const handler = (evt: CustomEvent): void => {
      if (name !== 'progress') {
        listener({ event: name, detail: evt.detail })
        return
      }
      latest = evt.detail
      const wait = lastProgress + progressMs - Date.now()
      if (wait <= 0) {
        sendProgress()
      } else {
        pending ??= setTimeout(() => {
          pending = undefined
          sendProgress()
        }, wait)
      }
    }
    source.addEventListener(name, handler)
    removers.push(() => { source.removeEventListener(name, handler) })
  }
  return () => {
    clearTimeout(pending)
    for (const remove of removers) remove()
  }
}
