import { DEFAULT_PRIORITY, DEFAULT_RETRY, DEFAULT_TYPE, TIDY_AFTER_REMOVED } from './constants.js'
import type { ArchivedTask, Attempt, HistoryEntry, TaskOutcome, TaskSnapshot } from './snapshots.js'
import { taskSpec, type FinalState, type TaskSpec } from './task.js'

/**
 * Where archived tasks are read from: the journal's archive, read on demand. Reads are synchronous and
 * cheap (an indexed lookup), so the scheduler can consult it while it decides.
 */
export interface TaskArchive {
  get(id: string): ArchivedTask | undefined
  has(id: string): boolean
  /** Archived tasks in submission order, after `afterSeq`, optionally only those in one state. */
  list(options?: { state?: FinalState, afterSeq?: number }): Iterable<ArchivedTask>
  /** How many there are. */
  readonly size: number
  /** The highest submission number archived or dropped, -1 when none: numbering goes on after it. */
  readonly lastSeq: number
  /** Retention has dropped tasks from this archive's journal (an id it does not hold may have run). */
  readonly dropped?: boolean
  /** The archived tasks that have a cache key: results other tasks with that key may reuse. */
  cached(): Iterable<ArchivedTask>
  /** Archived tasks in the order they finished, oldest first: those finished before `before`, in `state`, `limit` at most. */
  oldest(options: OldestOptions): Iterable<FinishedTask>
}

export interface OldestOptions {
  limit: number
  before?: number
  state?: FinalState
}

/** A task retention dropped, as the journal needs to know it. */
export type PurgedTask = Pick<FinishedTask, 'id' | 'seq'>

/** What retention needs to know of an archived task. */
export interface FinishedTask {
  id: string
  seq: number
  state: FinalState
  finishedAt: number
  /** Its result's cache key, if it has one: the cache forgets the result with the task. */
  cacheKey?: string
}

/** An archive in memory: for a scheduler used on its own, and an admin without a data directory. */
export class MemoryArchive implements TaskArchive {
  private readonly tasks = new Map<string, ArchivedTask>()
  /**
   * In submission order, and in the order they finished: kept sorted as tasks come (they come nearly in
   * order, so one out of place is put in near the end), and holding tasks that left until enough did.
   */
  private sorted: ArchivedTask[] = []
  private byFinish: ArchivedTask[] = []
  /** Tasks that left since the sorted arrays were last tidied (they may hold them still). */
  private removed = 0
  lastSeq = -1
  dropped = false

  get size (): number {
    return this.tasks.size
  }

  add (tasks: Iterable<ArchivedTask>): void {
    for (const task of tasks) {
      if (this.tasks.has(task.id)) continue
      this.tasks.set(task.id, task)
      insertSorted(this.sorted, task, bySeq)
      insertSorted(this.byFinish, task, byFinishedAt)
      this.lastSeq = Math.max(this.lastSeq, task.seq)
    }
  }

  /** Retention dropped these tasks (numbering still goes on after theirs). */
  remove (tasks: Iterable<PurgedTask>): void {
    for (const { id, seq } of tasks) {
      this.dropped = true
      if (this.tasks.delete(id)) this.removed++
      this.lastSeq = Math.max(this.lastSeq, seq)
    }
    this.tidy()
  }

  /** These leave this archive for another (not dropped: numbering and `dropped` are unchanged). */
  evict (ids: Iterable<string>): void {
    for (const id of ids) if (this.tasks.delete(id)) this.removed++
    this.tidy()
  }

  /**
   * Every `TIDY_AFTER_REMOVED` tasks that left, the sorted arrays let go of those at their front by cutting
   * it off (an archive that spills moves its earliest tasks out, and their records would otherwise stay alive
   * here), and of all the others once they are a sixteenth of what stays (amortized). A task still here but
   * out of order at a front (a long task with an early number, one archived late) stops the cut there.
   */
  private tidy (): void {
    if (this.removed < TIDY_AFTER_REMOVED) return
    this.removed = 0
    this.dropFront(this.sorted)
    this.dropFront(this.byFinish)
    // each record here is in both arrays once; what else they hold left
    const left = Math.max(this.sorted.length, this.byFinish.length) - this.tasks.size
    if (left <= Math.max(TIDY_AFTER_REMOVED, this.tasks.size / 16)) return
    this.sorted = this.sorted.filter(t => this.holds(t))
    this.byFinish = this.byFinish.filter(t => this.holds(t))
  }

  private dropFront (sorted: ArchivedTask[]): void {
    let n = 0
    while (n < sorted.length && !this.holds(sorted[n]!)) n++
    if (n > 0) sorted.splice(0, n)
  }

  /** This record is here still (not removed, not replaced). */
  private holds (task: ArchivedTask): boolean {
    return this.tasks.get(task.id) === task
  }

  /** Read through before the archive changes (as every caller does): its arrays change in place. */
  * oldest (options: OldestOptions): Iterable<FinishedTask> {
    let n = 0
    for (const task of this.byFinish) {
      if (n >= options.limit || (options.before != null && task.finishedAt >= options.before)) return
      if (!this.holds(task) || (options.state != null && task.state !== options.state)) continue
      n++
      yield { id: task.id, seq: task.seq, state: task.state, finishedAt: task.finishedAt, ...(task.spec.cacheKey != null ? { cacheKey: task.spec.cacheKey } : {}) }
    }
  }

  get (id: string): ArchivedTask | undefined {
    return this.tasks.get(id)
  }

  has (id: string): boolean {
    return this.tasks.has(id)
  }

  /** Read through before the archive changes (as every caller does): its arrays change in place. */
  * list (options: { state?: FinalState, afterSeq?: number } = {}): Iterable<ArchivedTask> {
    const sorted = this.sorted
    // the first after `afterSeq`, by binary search
    let lo = 0
    let hi = sorted.length
    const after = options.afterSeq ?? -1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (sorted[mid]!.seq <= after) lo = mid + 1
      else hi = mid
    }
    for (let i = lo; i < sorted.length; i++) {
      const task = sorted[i]!
      if (this.holds(task) && (options.state == null || task.state === options.state)) yield task
    }
  }

  * cached (): Iterable<ArchivedTask> {
    for (const task of this.tasks.values()) if (task.spec.cacheKey != null) yield task
  }
}

const bySeq = (a: ArchivedTask, b: ArchivedTask): number => a.seq - b.seq
const byFinishedAt = (a: ArchivedTask, b: ArchivedTask): number => a.finishedAt - b.finishedAt || a.seq - b.seq

/** Puts `task` in its place in `sorted`: at the end, as a rule, or after the last not after it. */
function insertSorted (sorted: ArchivedTask[], task: ArchivedTask, order: (a: ArchivedTask, b: ArchivedTask) => number): void {
  if (sorted.length === 0 || order(sorted[sorted.length - 1]!, task) <= 0) {
    sorted.push(task)
    return
  }
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (order(sorted[mid]!, task) <= 0) lo = mid + 1
    else hi = mid
  }
  sorted.splice(lo, 0, task)
}

/**
 * An archived task as a journal stores it, without what follows from the rest: its id (the store's key)
 * and the fields of its spec left at their defaults.
 */
export interface PackedTask {
  seq: number
  state: FinalState
  spec: Partial<TaskSpec>
  output?: ArchivedTask['output']
  error?: string
  attempts: Attempt[]
  history?: HistoryEntry[]
  submittedAt: number
  finishedAt: number
}

export function packTask (task: ArchivedTask): PackedTask {
  const { id: _id, ...spec } = task.spec as Partial<TaskSpec>
  if (spec.description === '') delete spec.description
  if (spec.type === DEFAULT_TYPE) delete spec.type
  if (spec.difficulty === 0) delete spec.difficulty
  if (spec.priority === DEFAULT_PRIORITY) delete spec.priority
  if (spec.requires?.length === 0) delete spec.requires
  if (spec.dependsOn?.length === 0) delete spec.dependsOn
  if (spec.retry != null && sameRetry(spec.retry, DEFAULT_RETRY)) delete spec.retry
  const packed: PackedTask = { seq: task.seq, state: task.state, spec, attempts: task.attempts, submittedAt: task.submittedAt, finishedAt: task.finishedAt }
  if (task.output !== undefined) packed.output = task.output
  if (task.error != null) packed.error = task.error
  if (task.history != null) packed.history = task.history
  return packed
}

export function unpackTask (id: string, packed: PackedTask): ArchivedTask {
  const task: ArchivedTask = {
    id,
    seq: packed.seq,
    state: packed.state,
    spec: taskSpec({ ...packed.spec, id }),
    attempts: packed.attempts,
    submittedAt: packed.submittedAt,
    finishedAt: packed.finishedAt
  }
  if (packed.output !== undefined) task.output = packed.output
  if (packed.error != null) task.error = packed.error
  if (packed.history != null) task.history = packed.history
  return task
}

/** An archived task's history: as kept, or told from its attempts. */
export function archivedHistory (task: ArchivedTask): HistoryEntry[] {
  return task.history ?? historyOf(task.submittedAt, task.attempts)
}

/** The history of a task with nothing but its attempts to tell: submitted, then each attempt's start and end. */
function historyOf (submittedAt: number, attempts: readonly Attempt[]): HistoryEntry[] {
  const history: HistoryEntry[] = [{ at: submittedAt, event: 'submitted' }]
  for (const a of attempts) {
    history.push({ at: a.assignedAt, event: 'assigned', attempt: a.attempt, worker: a.workerName, workerId: a.workerId })
    if (a.outcome == null) continue
    const end: HistoryEntry = { at: a.endedAt ?? a.assignedAt, event: a.outcome, attempt: a.attempt, worker: a.workerName, workerId: a.workerId }
    if (a.error != null) end.error = a.error
    if (a.durationMs != null) end.durationMs = a.durationMs
    history.push(end)
  }
  return history
}

function sameRetry (a: TaskSpec['retry'], b: TaskSpec['retry']): boolean {
  return a.maxAttempts === b.maxAttempts && a.backoff === b.backoff && a.initialDelayMs === b.initialDelayMs && a.maxDelayMs === b.maxDelayMs && a.jitter === b.jitter
}

/** An archived task as callers see a task. */
export function archivedSnapshot (task: ArchivedTask): TaskSnapshot {
  const snapshot: TaskSnapshot = {
    id: task.id,
    spec: task.spec,
    state: task.state,
    attempts: task.attempts.map(a => ({ ...a })),
    submittedAt: task.submittedAt,
    finishedAt: task.finishedAt
  }
  const last = task.attempts.at(-1)
  if (last != null) snapshot.worker = last.workerName
  if (task.output !== undefined) snapshot.output = task.output
  if (task.error != null) snapshot.error = task.error
  return snapshot
}

/** An archived task as a row of the run summary. */
export function archivedOutcome (task: ArchivedTask): TaskOutcome {
  const last = task.attempts.at(-1)
  const outcome: TaskOutcome = { id: task.id, description: task.spec.description, type: task.spec.type, difficulty: task.spec.difficulty, status: task.state, attempts: task.attempts.length }
  if (last != null) outcome.worker = last.workerName
  if (task.output !== undefined) outcome.output = task.output
  if (task.error != null) outcome.error = task.error
  if (last?.durationMs != null) outcome.durationMs = last.durationMs
  return outcome
}
