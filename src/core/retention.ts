import { MAX_PURGE_PER_PASS, RETENTION_INTERVAL_MS } from './constants.js'
import { isFinal, type FinalState } from './task.js'
import type { FinishedTask, PurgedTask } from './archive.js'
import type { TaskLedger } from './ledger.js'
import type { TaskRecord } from './task-record.js'

/** How long, and how many, finished tasks are kept (`--retain-finished`, `--retain-finished-count`). */
export interface RetentionPolicy {
  /** Finished tasks are dropped this long after they finished. */
  finishedMs?: number
  /** At most this many finished tasks are kept: the oldest go first. */
  finishedCount?: number
}

/** Which finished tasks one purge drops (`taskmesh purge`). */
export interface PurgeFilter {
  /** Only tasks in this final state. */
  state?: FinalState
  /** Only tasks that finished before this time. */
  before?: number
  /** Keep this many of the newest finished tasks (in `state`). */
  keep?: number
}

type Candidate = FinishedTask & { record?: TaskRecord }

/**
 * Drops finished tasks from memory and, through the journal, from its archive and events: by the admin's
 * policy in time (`tick`), or once on request (`purge`). The oldest go first. A task something in memory
 * still depends on stays, whatever its age: a live task's dependency, and a failed one whose skipped
 * dependents are still kept (they would run without it if retried). The dedup keys and cached results of a
 * dropped task go with it. One pass drops at most `MAX_PURGE_PER_PASS`, so a turn stays short; the next
 * follows at once while more are due.
 *
 * As with the archive, a dropped task leaves memory only once the journal has dropped it and what happened
 * to it in that turn was announced (`dropped`); meanwhile it is known to nobody (`TaskLedger.purging`): not
 * as a dependency, not for a retry, not to a purge again.
 */
export class Retention {
  readonly policy: RetentionPolicy | undefined
  /** Finished tasks dropped since the scheduler started. */
  dropped = 0
  private readonly ledger: TaskLedger
  private nextAt = -Infinity
  /** Chosen and not yet handed to the journal. */
  private chosen: Candidate[] = []
  /** Handed to the journal, until it has them: what `dropped` takes out of memory. */
  private readonly pending = new Map<string, Candidate>()

  /** Ids other parts still name as dependencies (the schedules' templates): never dropped. */
  private readonly named: () => Iterable<string>

  constructor (ledger: TaskLedger, policy?: RetentionPolicy, named: () => Iterable<string> = () => []) {
    this.ledger = ledger
    this.named = named
    this.policy = policy?.finishedMs != null || policy?.finishedCount != null ? policy : undefined
  }

  /** Time passes: the policy's pass, when one is due; the next is put on the due heap. */
  tick (now: number): void {
    const policy = this.policy
    if (policy == null || now < this.nextAt) return
    const n = this.purge({ ...(policy.finishedMs != null ? { before: now - policy.finishedMs } : {}), ...(policy.finishedCount != null ? { keep: policy.finishedCount } : {}) }, now)
    const interval = Math.min(RETENTION_INTERVAL_MS, Math.max(100, policy.finishedMs ?? Infinity))
    this.nextAt = n === MAX_PURGE_PER_PASS ? now : now + interval
    this.ledger.due.add(this.nextAt, { kind: 'retention' })
  }

  /** Drops the finished tasks `filter` names, `MAX_PURGE_PER_PASS` at most; returns how many went. */
  purge (filter: PurgeFilter, now: number): number {
    const chosen = this.choose(filter)
    if (chosen.length === 0) return 0
    const { ledger } = this
    for (const task of chosen) {
      ledger.purging.add(task.id)
      ledger.counts[task.state]--
      const cacheKey = task.record?.spec.cacheKey ?? task.cacheKey
      if (cacheKey != null) ledger.cache.forget(cacheKey, task.id)
      this.chosen.push(task)
    }
    this.dropped += chosen.length
    ledger.commit({ type: 'purged', at: now, count: chosen.length, oldest: chosen[0]!.finishedAt })
    return chosen.length
  }

  /** The tasks dropped since the last call: the journal drops their records with the batch. */
  take (): PurgedTask[] {
    const chosen = this.chosen
    this.chosen = []
    for (const task of chosen) this.pending.set(task.id, task)
    return chosen.map(task => ({ id: task.id, seq: task.seq }))
  }

  /** The journal has dropped these, and what happened to them was announced: they leave memory. */
  release (tasks: readonly PurgedTask[]): void {
    const { ledger } = this
    for (const { id } of tasks) {
      const task = this.pending.get(id)
      if (task == null) continue
      this.pending.delete(id)
      ledger.purging.delete(id)
      if (task.record == null) {
        ledger.archiving.count--
      } else if (ledger.tasks.get(id) === task.record) {
        ledger.tasks.delete(id)
        ledger.bySeq.delete(task.record.seq)
      }
    }
  }

  private choose (filter: PurgeFilter): Candidate[] {
    const { ledger } = this
    const c = ledger.counts
    const finished = filter.state != null ? c[filter.state] : c.succeeded + c.failed + c.skipped + c.cancelled
    const want = Math.min(MAX_PURGE_PER_PASS, filter.keep != null ? finished - filter.keep : Infinity)
    if (want <= 0) return []
    const before = filter.before ?? Infinity
    const candidates: Candidate[] = []
    for (const record of ledger.tasks.values()) {
      // a succeeded task leaves for the archive first (`archiving`), or is depended on (`openDependents`)
      if (!isFinal(record.state) || record.archiving || record.openDependents > 0 || !(record.finishedAt! < before) || ledger.purging.has(record.id)) continue
      if (filter.state != null && record.state !== filter.state) continue
      candidates.push({ id: record.id, seq: record.seq, state: record.state as FinalState, finishedAt: record.finishedAt!, record })
    }
    for (const task of ledger.archive.oldest({ limit: want, ...(filter.before != null ? { before: filter.before } : {}), ...(filter.state != null ? { state: filter.state } : {}) })) {
      if (!ledger.tasks.has(task.id) && !ledger.purging.has(task.id)) candidates.push(task)
    }
    // oldest first; at one time, dependents (submitted later) before their dependencies, so both can go
    candidates.sort((a, b) => a.finishedAt - b.finishedAt || b.seq - a.seq)
    const chosen: Candidate[] = []
    const ids = new Set<string>()
    for (const task of candidates) {
      if (chosen.length >= want) break
      if (task.record?.dependents?.some(d => !ids.has(d.id) && ledger.tasks.get(d.id) === d) === true) continue
      ids.add(task.id)
      chosen.push(task)
    }
    // tasks a schedule's template names stay, wherever they are; so do archived tasks a task kept in memory names
    const needed = new Set<string>(this.named())
    if (chosen.some(t => t.record == null)) {
      for (const record of ledger.tasks.values()) {
        if (!ids.has(record.id)) for (const dep of record.spec.dependsOn) needed.add(dep)
      }
    }
    return needed.size === 0 ? chosen : chosen.filter(t => !needed.has(t.id))
  }
}
