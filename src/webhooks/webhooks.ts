import { setTimeout as sleep } from 'node:timers/promises'
import { TypedEventEmitter } from '@libp2p/interface'
import { backoffDelay, type BackoffPolicy } from '../core/backoff.js'
import { workerSnapshot } from '../core/registry.js'
import { DELIVERY_BACKOFF, DELIVERY_HEADER, DELIVERY_TIMEOUT_MS, EVENT_HEADER, MAX_DELIVERY_AGE_MS, MAX_DELIVERY_TRIES, MAX_PENDING_BYTES_PER_TARGET, MAX_WEBHOOK_OUTPUT_BYTES, SIGNATURE_HEADER } from './constants.js'
import { signWebhook } from './signature.js'
import type { WebhookEvent, WebhookTarget } from './targets.js'
import type { OutboxSource } from '../admin/flush-cycle.js'
import type { WebhookEvents } from '../admin/events.js'
import type { SchedulerEvent } from '../core/events.js'
import type { SchedulerView } from '../core/view.js'
import type { TaskOutcome } from '../core/snapshots.js'
import type { OutboxMessage } from '../store/journal.js'

export interface WebhooksInit {
  targets: readonly WebhookTarget[]
  /** Signs every body (HMAC-SHA256, in the `taskmesh-signature-256` header). @default unsigned */
  secret?: string | Uint8Array
  /** The admin's peer id, named in every body (known once its node exists). */
  admin: () => string
  /** @default DELIVERY_BACKOFF */
  backoff?: BackoffPolicy
  /** @default MAX_DELIVERY_TRIES */
  maxTries?: number
  random?: () => number
  /** The time messages are dated by (the admin's clock). @default Date.now */
  clock?: () => number
}

/** What a webhook's POST carries: the event, its id (the same on every retry), when, from which admin. */
export interface WebhookBody {
  id: string
  event: string
  at: number
  admin: string
  data: unknown
}

/** The messages waiting for one receiver, and the loop that posts them, one at a time, in order. */
interface Queue {
  url: string
  /** What events and logs call it: its origin, never its path (which may hold a secret, as chat webhooks' do). */
  name: string
  messages: OutboxMessage[]
  /** Bytes of the bodies waiting. */
  bytes: number
  running: boolean
}

/**
 * An admin's webhooks. What its events cause is decided with them and recorded in the same journal batch
 * ({@link OutboxSource}); once written, each message is posted to its receiver, in order, one at a time per
 * receiver, retried with backoff until a 2xx answer (or given up after `maxTries`, said as `webhook:failed`);
 * deliveries are recorded in the next batch. A message recorded but not delivered when the admin stops is
 * posted when it starts again on the same journal: at least once, with the same id (`taskmesh-delivery`),
 * so a receiver that remembers ids takes each event once.
 */
export class Webhooks extends TypedEventEmitter<WebhookEvents> implements OutboxSource {
  private readonly init: WebhooksInit
  private readonly queues = new Map<string, Queue>()
  private delivered: string[] = []
  private wasDone = false
  private started = false
  private readonly controller = new AbortController()

  constructor (init: WebhooksInit) {
    super()
    // one receiver named twice is one receiver, with the events of both
    const merged = new Map<string, Set<WebhookEvent>>()
    for (const t of init.targets) merged.set(t.url, new Set([...(merged.get(t.url) ?? []), ...t.events]))
    this.init = { ...init, targets: [...merged].map(([url, events]) => ({ url, events })) }
    for (const t of this.init.targets) this.queues.set(t.url, { url: t.url, name: new URL(t.url).origin, messages: [], bytes: 0, running: false })
  }

  messages (events: readonly SchedulerEvent[], view: SchedulerView): OutboxMessage[] {
    const out: OutboxMessage[] = []
    // bytes this batch adds for each receiver, on top of what waits already
    const adding = new Map<string, number>()
    const add = (event: string, id: string, at: number, data: unknown, wants: (t: WebhookTarget) => boolean): void => {
      const targets = this.init.targets.filter(wants)
      if (targets.length === 0) return
      const body = JSON.stringify({ id, event, at, admin: this.init.admin(), data } satisfies WebhookBody)
      for (const t of targets) {
        const q = this.queues.get(t.url)!
        const m: OutboxMessage = { id: `${id} ${t.url}`, target: t.url, event, body, at }
        const bytes = (adding.get(t.url) ?? 0) + body.length
        if (q.bytes + bytes > MAX_PENDING_BYTES_PER_TARGET) {
          this.failed(m, 0, `${MAX_PENDING_BYTES_PER_TARGET} bytes of messages already wait for this receiver: dropped`)
          continue
        }
        adding.set(t.url, bytes)
        out.push(m)
      }
    }
    for (const e of events) {
      switch (e.type) {
        case 'completed': {
          const outcome = view.outcome(e.taskId, e.state)
          add('task:completed', `task:completed/${encodeURIComponent(e.taskId)}/${e.at}`, e.at, withoutLargeOutput(outcome), t => t.events.has('task:completed') || t.events.has(`task:${e.state}`))
          break
        }
        case 'submitted':
          add('task:submitted', `task:submitted/${encodeURIComponent(e.task.id)}/${e.at}`, e.at, { taskId: e.task.id, type: e.task.type }, t => t.events.has('task:submitted'))
          break
        case 'worker-joined':
          add('worker:connected', `worker:connected/${encodeURIComponent(e.worker.id)}/${e.at}`, e.at, workerSnapshot(e.worker), t => t.events.has('worker:connected'))
          break
        case 'worker-left':
          add('worker:disconnected', `worker:disconnected/${encodeURIComponent(e.worker.id)}/${e.at}`, e.at, { ...workerSnapshot(e.worker), reason: e.reason }, t => t.events.has('worker:disconnected'))
          break
        case 'worker-quarantined':
          add('worker:quarantined', `worker:quarantined/${encodeURIComponent(e.worker.id)}/${e.at}`, e.at, { ...workerSnapshot(e.worker), until: e.until, reason: e.reason }, t => t.events.has('worker:quarantined'))
          break
      }
    }
    // every task final: decided with the events that made it so (all of them taken in this batch); an admin
    // restarted on a journal where all was final already says nothing again
    const done = view.isDone()
    if (done && !this.wasDone && events.some(e => e.type === 'completed')) {
      const { total, counts } = view.summary()
      const at = events.at(-1)?.at ?? 0
      add('done', `done/${total}/${at}`, at, { total, succeeded: counts.succeeded, failed: counts.failed, skipped: counts.skipped, cancelled: counts.cancelled }, t => t.events.has('done'))
    }
    this.wasDone = done
    return out
  }

  takeDelivered (): string[] {
    const ids = this.delivered
    this.delivered = []
    return ids
  }

  recorded (messages: readonly OutboxMessage[]): void {
    for (const m of messages) this.enqueue(m)
    if (this.started) for (const q of this.queues.values()) this.run(q)
  }

  /**
   * Starts posting: first what the journal kept from before (`pending`, oldest first), then what comes.
   * A kept message for a receiver no longer among the targets is given up, said as `webhook:failed`.
   */
  start (pending: readonly OutboxMessage[]): void {
    const recordedSince = [...this.queues.values()].flatMap(q => q.messages)
    for (const q of this.queues.values()) {
      q.messages = []
      q.bytes = 0
    }
    const kept = new Set<string>()
    for (const m of pending) {
      if (!this.queues.has(m.target)) {
        this.failed(m, 0, 'its webhook is no longer among --webhook: dropped')
        continue
      }
      kept.add(m.id)
      this.enqueue(m)
    }
    for (const m of recordedSince) if (!kept.has(m.id)) this.enqueue(m)
    this.started = true
    for (const q of this.queues.values()) this.run(q)
  }

  /** Stops posting; what is not delivered stays in the journal for the next start. */
  stop (): void {
    this.started = false
    this.controller.abort()
  }

  /** Messages waiting, per receiver (for status and tests). */
  get waiting (): Record<string, number> {
    return Object.fromEntries([...this.queues.values()].map(q => [q.url, q.messages.length]))
  }

  private run (q: Queue): void {
    if (q.running || q.messages.length === 0 || !this.started) return
    q.running = true
    // a message recorded while the loop was ending (after its last look at the queue) is posted by the next one
    void this.drain(q).finally(() => {
      q.running = false
      this.run(q)
    })
  }

  private enqueue (m: OutboxMessage): void {
    const q = this.queues.get(m.target)
    if (q == null) return
    q.messages.push(m)
    q.bytes += m.body.length
  }

  private async drain (q: Queue): Promise<void> {
    const signal = this.controller.signal
    while (q.messages.length > 0 && !signal.aborted) {
      const m = q.messages[0]!
      let tries = 0
      let answer: Answer = { ok: false, reason: '' }
      for (;;) {
        tries++
        answer = await this.post(m, signal)
        if (answer.ok || signal.aborted) break
        const old = (this.init.clock ?? Date.now)() - m.at > MAX_DELIVERY_AGE_MS
        if (answer.final === true || tries >= (this.init.maxTries ?? MAX_DELIVERY_TRIES) || old) {
          this.failed(m, tries, answer.reason)
          break
        }
        const waitMs = backoffDelay(this.init.backoff ?? DELIVERY_BACKOFF, tries + 1, this.init.random ?? Math.random)
        try {
          await sleep(waitMs, undefined, { signal })
        } catch {
          return
        }
      }
      if (signal.aborted) return
      q.messages.shift()
      q.bytes -= m.body.length
      if (!answer.ok) continue
      this.delivered.push(m.id)
      this.safeDispatchEvent('webhook:delivered', { detail: { receiver: q.name, event: m.event, id: idOf(m), tries } })
    }
  }

  /**
   * One POST. A 2xx answer delivers it; a network error, a timeout, 408, 429 or 5xx is tried again; any other
   * answer (a redirect, which is not followed, or a 4xx: the receiver refuses this message) gives it up at once.
   */
  private async post (m: OutboxMessage, signal: AbortSignal): Promise<Answer> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'taskmesh-webhook',
      [EVENT_HEADER]: m.event,
      // ids are printable ASCII (their task and worker ids percent-encoded)
      [DELIVERY_HEADER]: idOf(m)
    }
    if (this.init.secret != null) headers[SIGNATURE_HEADER] = signWebhook(m.body, this.init.secret)
    try {
      const res = await fetch(m.target, { method: 'POST', headers, body: m.body, redirect: 'manual', signal: AbortSignal.any([signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]) })
      // the answer's body is not read: nothing in it is needed, and it may be large
      await res.body?.cancel().catch(() => {})
      if (res.status >= 200 && res.status < 300) return { ok: true }
      const again = res.status >= 500 || res.status === 408 || res.status === 429
      return { ok: false, reason: `answered ${res.status}`, final: !again }
    } catch (err) {
      const cause = (err as { cause?: { code?: string, message?: string } }).cause
      return { ok: false, reason: cause?.code ?? cause?.message ?? (err as Error).message }
    }
  }

  /** A message given up: recorded as done with (so the journal lets it go), and said. */
  private failed (m: OutboxMessage, tries: number, reason: string): void {
    this.delivered.push(m.id)
    this.safeDispatchEvent('webhook:failed', { detail: { receiver: this.queues.get(m.target)?.name ?? originOf(m.target), event: m.event, id: idOf(m), tries, reason } })
  }
}

/** What a POST came to: delivered, or why not, and whether trying again is pointless. */
type Answer = { ok: true } | { ok: false, reason: string, final?: boolean }

/** The event's id a message carries (its own id is that and its receiver's URL). */
function idOf (m: OutboxMessage): string {
  return m.id.slice(0, m.id.lastIndexOf(' '))
}

function originOf (url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return 'a receiver no longer configured'
  }
}

/** A task's outcome as a webhook carries it: an output larger than the limit is left out, its size said. */
function withoutLargeOutput (outcome: TaskOutcome): TaskOutcome & { outputBytes?: number } {
  if (outcome.output === undefined) return outcome
  const bytes = Buffer.byteLength(JSON.stringify(outcome.output))
  if (bytes <= MAX_WEBHOOK_OUTPUT_BYTES) return outcome
  const { output: _left, ...rest } = outcome
  return { ...rest, outputBytes: bytes }
}
