import { MAX_SEQ } from './constants.js'
import type { ArchivedTask, Attempt, HistoryEntry, TaskOutcome, TaskSnapshot } from './snapshots.js'
import type { FinalState, JsonValue, TaskSpec, TaskState } from './task.js'

/**
 * An attempt as the scheduler keeps it: with its lease token, where it falls in the task's history, and
 * when its task had become ready (how long it then waited for this worker).
 */
export type AttemptRecord = Attempt & { token: string, order: number, endOrder?: number, readyAt?: number }

const NO_ATTEMPTS: readonly AttemptRecord[] = Object.freeze([])

/**
 * What a task record holds only once something rare has happened to it (a failure, a loss, an output, a
 * dependent, a start time): allocated on first use, so a million queued tasks do not carry ten empty
 * fields each (80 bytes a task), and a task that succeeds without output never allocates it.
 */
class TaskExtras {
  dependents: TaskRecord[] | undefined
  failures = 0
  lostOn: Set<string> | undefined
  unprovenLosses = 0
  output: JsonValue | undefined
  error: string | undefined
  retryAt: number | undefined
  notBefore: number | undefined
  openDependents = 0
  marks: Array<HistoryEntry & { order: number }> | undefined
}

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
  /** Shared and empty until the first attempt, so a million queued tasks do not hold a million lists. */
  attempts: readonly AttemptRecord[] = NO_ATTEMPTS
  current: AttemptRecord | undefined
  readonly submittedAt: number
  /** When the task last became ready: how long it then waits for a worker is its assignment latency. */
  readyAt: number | undefined
  /** Physically present in its ready queue's heap (entries are removed lazily). */
  queued = false
  /** The constraint group it was last made ready in, which counts its ready tasks. */
  group: { readyCount: number } | undefined
  /** Position in its worker's list of held leases while running, -1 otherwise. */
  heldIndex = -1
  finishedAt: number | undefined
  /** Handed to the journal's archive; its record leaves memory once the journal has it. */
  archiving = false
  /** Numbers the task's history entries in the order they happened (several can share a millisecond). */
  private order = 0
  /** The rarely set fields below, once one is. */
  private extras: TaskExtras | undefined

  constructor (spec: TaskSpec, seq: number, at: number) {
    this.spec = spec
    this.seq = seq
    this.orderKey = orderKey(spec.priority, seq)
    this.submittedAt = at
    const notBefore = spec.runAt ?? (spec.delayMs != null ? at + spec.delayMs : undefined)
    if (notBefore != null) this.more().notBefore = notBefore
  }

  private more (): TaskExtras {
    return (this.extras ??= new TaskExtras())
  }

  /** Tasks depending on it. */
  get dependents (): TaskRecord[] | undefined { return this.extras?.dependents }
  set dependents (v: TaskRecord[] | undefined) { if (v !== undefined || this.extras != null) this.more().dependents = v }
  /** Failed and timed-out attempts: what the retry policy counts. */
  get failures (): number { return this.extras?.failures ?? 0 }
  set failures (v: number) { if (v !== 0 || this.extras != null) this.more().failures = v }
  /**
   * Workers (proven ones) that lost an attempt of this task: counted apart from failures, so a flaky network
   * does not use the retry budget, and by distinct worker, so one bad worker cannot use up the task.
   */
  get lostOn (): Set<string> | undefined { return this.extras?.lostOn }
  set lostOn (v: Set<string> | undefined) { if (v !== undefined || this.extras != null) this.more().lostOn = v }
  /**
   * Attempts lost on workers with no accepted result yet (blamed on them). Such a task goes to a proven
   * worker next when one can take it: a made-up identity that takes work and vanishes, under a new name
   * each time, would otherwise be given the same task again and again.
   */
  get unprovenLosses (): number { return this.extras?.unprovenLosses ?? 0 }
  set unprovenLosses (v: number) { if (v !== 0 || this.extras != null) this.more().unprovenLosses = v }
  get output (): JsonValue | undefined { return this.extras?.output }
  set output (v: JsonValue | undefined) { if (v !== undefined || this.extras != null) this.more().output = v }
  get error (): string | undefined { return this.extras?.error }
  set error (v: string | undefined) { if (v !== undefined || this.extras != null) this.more().error = v }
  get retryAt (): number | undefined { return this.extras?.retryAt }
  set retryAt (v: number | undefined) { if (v !== undefined || this.extras != null) this.more().retryAt = v }
  /** Not to start before this (its `runAt`, or its `delayMs` after submission); undefined: no such bound. */
  get notBefore (): number | undefined { return this.extras?.notBefore }
  /** Tasks depending on it that are not final: once it has succeeded and this is 0, it can be archived. */
  get openDependents (): number { return this.extras?.openDependents ?? 0 }
  set openDependents (v: number) { if (v !== 0 || this.extras != null) this.more().openDependents = v }
  /** History entries that are not attempts (skips, retries, late results), allocated on first use. */
  get marks (): Array<HistoryEntry & { order: number }> | undefined { return this.extras?.marks }

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
    (this.more().marks ??= []).push({ ...entry, order: this.nextOrder() })
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
