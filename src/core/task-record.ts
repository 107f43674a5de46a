import { MAX_SEQ } from './constants.js'
import type { ArchivedTask, Attempt, HistoryEntry, TaskOutcome, TaskSnapshot } from './snapshots.js'
import type { FinalState, JsonValue, TaskSpec, TaskState } from './task.js'

/**
 * An attempt as the scheduler keeps it: with its lease token, where it falls in the task's history, and
 * when its task had become ready (how long it then waited for this worker).
 */
export type AttemptRecord = Attempt & { token: string, order: number, endOrder?: number, readyAt?: number }

const NO_ATTEMPTS: readonly AttemptRecord[] = Object.freeze([])

/** The scheduler's mutable record of a task. */
export class TaskRecord {
  /** Replaced only by a debounce (a newer submit's payload, before the task started). */
  spec: TaskSpec
  readonly seq: number
  /** Ready-queue order as one number, lowest first: priority (1..10, higher first), then submission order. */
  readonly orderKey: number
  state: TaskState = 'waiting'
  /** Dependencies that have not succeeded yet. */
  pending = 0
  dependents: TaskRecord[] | undefined
  /** Shared and empty until the first attempt, so a million queued tasks do not hold a million lists. */
  attempts: readonly AttemptRecord[] = NO_ATTEMPTS
  /** Failed and timed-out attempts: what the retry policy counts. */
  failures = 0
  /**
   * Workers (proven ones) that lost an attempt of this task: counted apart from failures, so a flaky network
   * does not use the retry budget, and by distinct worker, so one bad worker cannot use up the task.
   */
  lostOn: Set<string> | undefined
  /**
   * Attempts lost on workers with no accepted result yet (blamed on them). Such a task goes to a proven
   * worker next when one can take it: a made-up identity that takes work and vanishes, under a new name
   * each time, would otherwise be given the same task again and again.
   */
  unprovenLosses = 0
  current: AttemptRecord | undefined
  output: JsonValue | undefined
  error: string | undefined
  readonly submittedAt: number
  finishedAt: number | undefined
  retryAt: number | undefined
  /** Not to start before this (its `runAt`, or its `delayMs` after submission); undefined: no such bound. */
  readonly notBefore: number | undefined
  /** When the task last became ready: how long it then waits for a worker is its assignment latency. */
  readyAt: number | undefined
  /** Physically present in its ready queue's heap (entries are removed lazily). */
  queued = false
  /** The constraint group it was last made ready in, which counts its ready tasks. */
  group: { readyCount: number } | undefined
  /** Tasks depending on it that are not final: once it has succeeded and this is 0, it can be archived. */
  openDependents = 0
  /** Handed to the journal's archive; its record leaves memory once the journal has it. */
  archiving = false
  /** Position in its worker's list of held leases while running, -1 otherwise. */
  heldIndex = -1
  /** History entries that are not attempts (skips, retries, late results), allocated on first use. */
  marks: Array<HistoryEntry & { order: number }> | undefined
  /** Numbers the task's history entries in the order they happened (several can share a millisecond). */
  private order = 0

  constructor (spec: TaskSpec, seq: number, at: number) {
    this.spec = spec
    this.seq = seq
    this.orderKey = orderKey(spec.priority, seq)
    this.submittedAt = at
    this.notBefore = spec.runAt ?? (spec.delayMs != null ? at + spec.delayMs : undefined)
  }

  get id (): string {
    return this.spec.id
  }

  /** Distinct workers it was lost on (losses blamed on their worker aside). */
  get losses (): number {
    return this.lostOn?.size ?? 0
  }

  /** The next position in this task's history. */
  nextOrder (): number {
    return ++this.order
  }

  addAttempt (attempt: AttemptRecord): void {
    if (this.attempts === NO_ATTEMPTS) this.attempts = [attempt]
    else (this.attempts as AttemptRecord[]).push(attempt)
  }

  mark (entry: HistoryEntry): void {
    (this.marks ??= []).push({ ...entry, order: this.nextOrder() })
  }

  snapshot (): TaskSnapshot {
    const last = this.attempts[this.attempts.length - 1]
    const snap: TaskSnapshot = {
      id: this.spec.id,
      spec: this.spec,
      state: this.state,
      attempts: this.attempts.map(({ token: _token, order: _order, endOrder: _endOrder, ...a }) => ({ ...a })),
      submittedAt: this.submittedAt
    }
    if (last != null) snap.worker = last.workerName
    if (this.output !== undefined) snap.output = this.output
    if (this.error != null) snap.error = this.error
    if (this.finishedAt != null) snap.finishedAt = this.finishedAt
    if (this.retryAt != null && this.state === 'delayed') snap.retryAt = this.retryAt
    if (this.readyAt != null) snap.readyAt = this.readyAt
    return snap
  }

  /** The task as a summary row; meaningful once it is final. */
  outcome (): TaskOutcome {
    const last = this.attempts[this.attempts.length - 1]
    const outcome: TaskOutcome = {
      id: this.spec.id,
      description: this.spec.description,
      type: this.spec.type,
      difficulty: this.spec.difficulty,
      status: this.state as FinalState,
      attempts: this.attempts.length
    }
    if (last != null) outcome.worker = last.workerName
    if (this.output !== undefined) outcome.output = this.output
    if (this.error != null) outcome.error = this.error
    if (last?.durationMs != null) outcome.durationMs = last.durationMs
    return outcome
  }

  /** The record for the journal's archive (once it is final). */
  archived (): ArchivedTask {
    const archived: ArchivedTask = {
      id: this.spec.id,
      seq: this.seq,
      state: this.state as FinalState,
      spec: this.spec,
      attempts: this.attempts.map(({ token: _token, order: _order, endOrder: _endOrder, readyAt: _readyAt, ...a }) => a),
      submittedAt: this.submittedAt,
      finishedAt: this.finishedAt ?? this.submittedAt
    }
    if (this.output !== undefined) archived.output = this.output
    if (this.error != null) archived.error = this.error
    // a history with nothing but the attempts in it is told again from them when asked for
    if (this.marks != null) archived.history = this.history()
    return archived
  }

  history (): HistoryEntry[] {
    const entries: Array<HistoryEntry & { order: number }> = [{ at: this.submittedAt, event: 'submitted', order: 0 }]
    for (const a of this.attempts) {
      entries.push({ at: a.assignedAt, event: 'assigned', attempt: a.attempt, worker: a.workerName, workerId: a.workerId, order: a.order })
      if (a.outcome != null) {
        const end: HistoryEntry & { order: number } = { at: a.endedAt ?? a.assignedAt, event: a.outcome, attempt: a.attempt, worker: a.workerName, workerId: a.workerId, order: a.endOrder ?? a.order }
        if (a.error != null) end.error = a.error
        if (a.durationMs != null) end.durationMs = a.durationMs
        entries.push(end)
      }
    }
    if (this.marks != null) entries.push(...this.marks)
    return entries.sort((x, y) => x.order - y.order).map(({ order: _order, ...e }) => e)
  }
}

/**
 * Highest priority first, then submission order, packed into one float64 so heaps compare flat numbers
 * rather than chasing records through memory. Exact for integer priorities 1..10 and 2^32 submissions.
 */
export function orderKey (priority: number, seq: number): number {
  return (10 - priority) * MAX_SEQ + seq
}

/** The submission number inside an order key: its low 32 bits. */
export function seqOf (key: number): number {
  return key >>> 0
}
