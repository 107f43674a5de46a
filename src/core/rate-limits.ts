import type { TaskSpec } from './task.js'

/** At most `limit` task starts per `periodMs`, across all workers, for tasks of a type or a `rateLimitKey`. */
export interface RateLimit {
  /** A task type, or the `rateLimitKey` tasks name. */
  key: string
  limit: number
  periodMs: number
}

/**
 * One limit's recent starts: the last `limit` of them, oldest first, in a ring. A start is allowed when
 * fewer than `limit` happened within the period before it, so no window of `periodMs` ever holds more
 * than `limit` starts (a sliding window, not a bucket refilled at fixed instants).
 */
export class RateWindow {
  readonly key: string
  readonly limit: number
  readonly periodMs: number
  /** A pass found its tasks held back by the limit and nothing has started since: what `waitingFor` says. */
  limited = false
  /** The time a scheduling pass is woken for this window, so each wake-up is asked for once. */
  wakeAt = -Infinity
  private readonly starts: number[]
  private next = 0
  private count = 0
  /** Starts since the last `take`: what the next journal batch records. */
  private fresh: number[] = []

  constructor (limit: RateLimit) {
    this.key = limit.key
    this.limit = limit.limit
    this.periodMs = limit.periodMs
    this.starts = new Array<number>(limit.limit).fill(0)
  }

  /** Whether a task may start at `now`. */
  allows (now: number): boolean {
    return this.count < this.limit || this.starts[this.next]! <= now - this.periodMs
  }

  /** When the next start is allowed (the oldest kept start leaves the window). */
  nextAllowed (): number {
    return this.count < this.limit ? -Infinity : this.starts[this.next]! + this.periodMs
  }

  /** A task started at `at`; `record`: a live start, for the journal (not one read back from it). */
  started (at: number, record = true): void {
    this.starts[this.next] = at
    this.next = (this.next + 1) % this.limit
    this.count = Math.min(this.count + 1, this.limit)
    this.limited = false
    if (record) this.fresh.push(at)
  }

  /** The starts since the last call, and the oldest start the window still needs (older ones may go). */
  take (): { starts: number[], keepFrom: number } | undefined {
    if (this.fresh.length === 0) return undefined
    const starts = this.fresh
    this.fresh = []
    return { starts, keepFrom: this.count < this.limit ? -Infinity : this.starts[this.next]! }
  }

  /** "rate limit "summarize": 100 per 1 s". */
  describe (): string {
    const period = this.periodMs % 1000 === 0 ? `${this.periodMs / 1000} s` : `${this.periodMs} ms`
    return `rate limit "${this.key}": ${this.limit} per ${period}`
  }
}

/** Starts of a rate limit's tasks as the journal keeps them, so a restarted admin keeps to its limits. */
export interface RateStarts {
  key: string
  /** New starts, ms since the epoch. */
  starts: number[]
  /** Starts before this are no longer needed by the window. */
  keepFrom: number
}

/**
 * The admin's rate limits, by key; a task is under the one its `rateLimitKey` names when that key has a
 * limit, else its type's (a key without a limit cannot take a task out from under its type's).
 */
export class RateLimits {
  private readonly windows = new Map<string, RateWindow>()

  constructor (limits: readonly RateLimit[] = []) {
    for (const l of limits) this.windows.set(l.key, new RateWindow(l))
  }

  /** The starts of every window since the last call: what the next journal batch records. */
  take (): RateStarts[] {
    if (this.windows.size === 0) return []
    const out: RateStarts[] = []
    for (const w of this.windows.values()) {
      const t = w.take()
      if (t != null) out.push({ key: w.key, ...t })
    }
    return out
  }

  /** The starts a journal kept, oldest first: the windows as they were (keys no longer limited are left out). */
  restore (starts: Iterable<{ key: string, at: number }>): void {
    for (const s of starts) this.windows.get(s.key)?.started(s.at, false)
  }

  /** The window a task's starts count in, if any limit applies to it. */
  for (spec: TaskSpec): RateWindow | undefined {
    if (this.windows.size === 0) return undefined
    return (spec.rateLimitKey != null ? this.windows.get(spec.rateLimitKey) : undefined) ?? this.windows.get(spec.type)
  }
}
