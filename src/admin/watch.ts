import { ADMIN_EVENT_NAMES, type AdminEvents } from './events.js'
import type { AdminService } from './admin-service.js'

/** Events for metrics only, not for people or remote watchers. */
const UNSTREAMED = new Set<keyof AdminEvents>(['journal:written'])

export type WatchedEvent = { [K in keyof AdminEvents]: { event: K, detail: AdminEvents[K]['detail'] } }[keyof AdminEvents]

/**
 * Everything a remote watcher (client protocol, Server-Sent Events) should see of an admin: its events,
 * with `progress` at most every `progressMs` (it comes with every flush, thousands a second under load)
 * and the latest one always delivered. Returns a function that stops watching.
 */
export function watchAdmin (admin: AdminService, listener: (event: WatchedEvent) => void, options: { progressMs?: number } = {}): () => void {
  const progressMs = options.progressMs ?? 250
  let lastProgress = 0
  let pending: ReturnType<typeof setTimeout> | undefined
  let latest: AdminEvents['progress']['detail'] | undefined
  const removers: Array<() => void> = []
  for (const name of ADMIN_EVENT_NAMES) {
    if (UNSTREAMED.has(name)) continue
    const handler = (evt: CustomEvent): void => {
      if (name !== 'progress') {
        listener({ event: name, detail: evt.detail } as WatchedEvent)
        return
      }
      latest = evt.detail
      const wait = lastProgress + progressMs - Date.now()
      if (wait <= 0) {
        lastProgress = Date.now()
        listener({ event: 'progress', detail: latest! })
      } else {
        pending ??= setTimeout(() => {
          pending = undefined
          lastProgress = Date.now()
          listener({ event: 'progress', detail: latest! })
        }, wait)
      }
    }
    admin.addEventListener(name, handler)
    removers.push(() => { admin.removeEventListener(name, handler) })
  }
  return () => {
    clearTimeout(pending)
    for (const remove of removers) remove()
  }
}
