import { isFinal } from '../core/task.js'
import type { AdminClient } from '../client/admin-client.js'
import type { TaskView } from '../admin/api.js'

/**
 * The MCP server's line to the admin: connects on first use and again after the admin went away (a
 * restart), and lets callers wait for a task to become final through one event subscription.
 */
export class AdminLink {
  private readonly connect: () => Promise<AdminClient>
  private client: Promise<AdminClient> | undefined
  private readonly waiters = new Map<string, Set<() => void>>()

  constructor (connect: () => Promise<AdminClient>) {
    this.connect = connect
  }

  /** Runs `fn` on a connected client; a connection found closed is replaced once. */
  async use<T> (fn: (client: AdminClient) => Promise<T>): Promise<T> {
    const client = await this.current()
    try {
      return await fn(client)
    } catch (err) {
      if (!client.isClosed) throw err
      this.client = undefined
      return await fn(await this.current())
    }
  }

  /**
   * The task once it is final, or as it stands when `signal` aborts (a wait that runs out is not an
   * error: the caller reports the task as still running).
   */
  async waitForFinal (id: string, signal: AbortSignal): Promise<TaskView> {
    // a completion heard while nobody waits yet (during a look) is kept, so the next wait does not miss it
    let woke = false
    let wake = (): void => {}
    const woken = (): void => { woke = true; wake() }
    const set = this.waiters.get(id) ?? new Set()
    set.add(woken)
    this.waiters.set(id, set)
    try {
      // registered before looking, so a completion between the look and the wait still wakes us
      let view = await this.use(c => c.task(id))
      while (!isFinal(view.state) && !signal.aborted) {
        if (!woke) {
          await new Promise<void>(resolve => {
            wake = resolve
            signal.addEventListener('abort', () => { resolve() }, { once: true })
          })
        }
        woke = false
        view = await this.use(c => c.task(id))
      }
      return view
    } finally {
      set.delete(woken)
      if (set.size === 0) this.waiters.delete(id)
    }
  }

  async close (): Promise<void> {
    const client = this.client
    this.client = undefined
    if (client != null) await (await client.catch(() => undefined))?.close()
    for (const set of this.waiters.values()) for (const wake of set) wake()
  }

  private async current (): Promise<AdminClient> {
    this.client ??= this.connect().then(client => {
      client.watch(event => {
        if (event.event !== 'task:completed') return
        for (const wake of this.waiters.get(event.detail.id) ?? []) wake()
      })
      // waiters look again (and so reconnect) when the admin goes away
      client.signal.addEventListener('abort', () => {
        for (const set of this.waiters.values()) for (const wake of set) wake()
      }, { once: true })
      return client
    })
    try {
      return await this.client
    } catch (err) {
      // the next call tries again
      this.client = undefined
      throw err
    }
  }
}
