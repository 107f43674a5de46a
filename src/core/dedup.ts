import { isFinal } from './task.js'
import type { TaskDebounced } from './events.js'
import type { TaskSpec } from './task.js'
import type { TaskRecord } from './task-record.js'

/**
 * Which task holds each dedup key, and until when: a task submitted with `dedupKey` claims the key for
 * `dedupTtlMs`, or, without one, until it is final; a later submit naming the key meanwhile gets that task
 * instead of a new one. Timed claims come in time order (submissions are journaled in order), so expired
 * ones leave from the front; untimed ones leave when their task finishes.
 */
export class DedupKeys {
  /** Timed claims, in the order they were made (with one TTL, the order they end). */
  private readonly timed = new Map<string, { taskId: string, until: number }>()
  /** Claims that last until their task is final. */
  private readonly untimed = new Map<string, string>()

  /** A task claimed `key` at `at` for `ttlMs`, or until it is final (live, or replayed from the journal). */
  claim (key: string, taskId: string, at: number, ttlMs?: number): void {
    this.timed.delete(key)
    this.untimed.delete(key)
    if (ttlMs == null) this.untimed.set(key, taskId)
    else this.timed.set(key, { taskId, until: at + ttlMs })
  }

  /** The task holding `key` at `now`, if its claim has not ended. */
  holder (key: string, now: number): string | undefined {
    const untimed = this.untimed.get(key)
    if (untimed != null) return untimed
    this.expire(now)
    // one behind a longer claim may have ended without leaving yet
    const entry = this.timed.get(key)
    return entry != null && entry.until > now ? entry.taskId : undefined
  }

  /** A task that held `key` until it was final is final. */
  release (key: string, taskId: string): void {
    if (this.untimed.get(key) === taskId) this.untimed.delete(key)
  }

  /** Drops the timed claims that ended by `now`, oldest first; those behind a longer one wait for it (bounded by the TTLs). */
  private expire (now: number): void {
    for (const [key, entry] of this.timed) {
      if (entry.until > now) return
      this.timed.delete(key)
    }
  }
}

/** A newer submit's payload for a task that has not started (`debounce`); false when it has. */
export function debounce (task: TaskRecord, e: TaskDebounced): boolean {
  if (task.attempts.length > 0 || isFinal(task.state) || task.state === 'running') return false
  const spec = { ...task.spec }
  if (e.payload === undefined) delete spec.payload
  else spec.payload = e.payload
  task.spec = spec
  task.mark({ at: e.at, event: 'debounced', detail: `payload of "${e.from}"` })
  return true
}

/**
 * Tasks whose dedup key a held task claims are not added: the answer names that task, and with `debounce`
 * (it has not started) their payload replaces its payload. Tasks of this submit that depend on one depend
 * on that task instead. Two of this submit with one key: the first claims it.
 */
export function deduplicate (specs: readonly TaskSpec[], ledger: { dedup: DedupKeys, tasks: ReadonlyMap<string, TaskRecord>, has: (id: string) => boolean }, now: number): { fresh: TaskSpec[], deduplicated: Array<{ id: string, task: string }>, debounced: TaskDebounced[] } {
  if (!specs.some(s => s.dedupKey != null)) return { fresh: specs as TaskSpec[], deduplicated: [], debounced: [] }
  const deduplicated: Array<{ id: string, task: string }> = []
  const debounced: TaskDebounced[] = []
  const claimed = new Map<string, string>()
  const instead = new Map<string, string>()
  const kept = specs.filter(spec => {
    if (spec.dedupKey == null) return true
    const holder = claimed.get(spec.dedupKey) ?? ledger.dedup.holder(spec.dedupKey, now)
    // a holder retention dropped holds nothing
    if (holder == null || (!claimed.has(spec.dedupKey) && !ledger.has(holder))) {
      claimed.set(spec.dedupKey, spec.id)
      return true
    }
    deduplicated.push({ id: spec.id, task: holder })
    instead.set(spec.id, holder)
    const task = ledger.tasks.get(holder)
    if (spec.debounce === true && task != null && task.attempts.length === 0 && !isFinal(task.state) && task.state !== 'running') {
      debounced.push({ type: 'debounced', at: now, taskId: holder, from: spec.id, ...(spec.payload !== undefined ? { payload: spec.payload } : {}) })
    }
    return false
  })
  const fresh = instead.size === 0 ? kept : kept.map(spec => spec.dependsOn.some(d => instead.has(d)) ? { ...spec, dependsOn: [...new Set(spec.dependsOn.map(d => instead.get(d) ?? d))] } : spec)
  return { fresh, deduplicated, debounced }
}
