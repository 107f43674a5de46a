import { archivedHistory, archivedOutcome, archivedSnapshot } from './archive.js'
import { UnknownTaskError, UnknownWorkerError } from './errors.js'
import { whyNoWorker } from './no-worker.js'
import type { Retention, RetentionPolicy } from './retention.js'
import type { TaskLedger } from './ledger.js'
import type { Lease, Summary } from './options.js'
import type { WorkerInfo } from './registry.js'
import { isFinal, type FinalState, type JsonValue, type TaskSpec, type TaskState } from './task.js'
import { TaskRecord } from './task-record.js'
import { isoTime } from './time.js'
import { Pauses, type Pause } from './pauses.js'
import type { ArchivedTask, Attempt, HistoryEntry, TaskOutcome, TaskSnapshot } from './snapshots.js'
import type { Gate } from './worker-lifecycle.js'

/**
 * What the scheduler knows, read-only: tasks, their histories and results, workers, counts. Everything
 * returned is a copy or a read-only view; nothing here changes state.
 */
export class SchedulerView {
  private readonly ledger: TaskLedger
  /** Whether assignment has begun, and how many workers it waits for. */
  private readonly gate: Readonly<Gate>

  private readonly retained: Pick<Retention, 'policy' | 'dropped'>

  constructor (ledger: TaskLedger, gate: Readonly<Gate>, retention: Pick<Retention, 'policy' | 'dropped'> = { policy: undefined, dropped: 0 }) {
    this.ledger = ledger
    this.gate = gate
    this.retained = retention
  }

  /** How long and how many finished tasks are kept, and how many were dropped since the start. */
  retention (): { policy?: RetentionPolicy, dropped: number } {
    const { policy, dropped } = this.retained
    return policy != null ? { policy, dropped } : { dropped }
  }

  has (taskId: string): boolean {
    return this.ledger.has(taskId)
  }

  spec (taskId: string): TaskSpec {
    return this.find(taskId).spec
  }

  getTask (taskId: string): TaskSnapshot {
    const task = this.find(taskId)
    return task instanceof TaskRecord ? task.snapshot() : archivedSnapshot(task)
  }

  history (taskId: string): HistoryEntry[] {
    const task = this.find(taskId)
    return task instanceof TaskRecord ? task.history() : archivedHistory(task)
  }

  /** One attempt of a task, as recorded (with `readyAt`, while in memory: when its task had become ready). */
  attempt (taskId: string, attempt: number): (Readonly<Attempt> & { readonly readyAt?: number }) | undefined {
    return (this.ledger.tasks.get(taskId) ?? this.ledger.archive.get(taskId))?.attempts[attempt - 1]
  }

  /**
   * Why a ready task has no worker, when it is more than waiting its turn: assignment has not begun, or
   * no connected worker can run it ("no connected worker handles type "download""). Undefined otherwise.
   */
  waitingFor (taskId: string): string | undefined {
    const task = this.find(taskId)
    if (task.state === 'delayed' && task instanceof TaskRecord && task.retryAt != null) {
      // its own time (run_at, delay) before a first attempt; a retry's backoff after one
      const when = isoTime(task.retryAt)
      return task.attempts.length === 0 ? `not before ${when}` : `retry at ${when}`
    }
    return task.state === 'ready' ? this.whyWaiting(task.spec) : undefined
  }

  /**
   * Ready tasks that no connected worker can run, by reason: what `taskmesh status` and the summary say
   * ("3 tasks: no connected worker handles type "download"").
   */
  blocked (): Array<{ reason: string, tasks: number }> {
    const byReason = new Map<string, number>()
    for (const group of this.ledger.ready.groups.values()) {
      const task = group.readyCount > 0 ? group.head() : undefined
      const reason = task != null ? this.whyWaiting(task.spec) : undefined
      if (reason != null) byReason.set(reason, (byReason.get(reason) ?? 0) + group.readyCount)
    }
    return [...byReason].map(([reason, tasks]) => ({ reason, tasks }))
  }

  private whyWaiting (spec: TaskSpec): string | undefined {
    const registry = this.ledger.registry
    const { open, expected } = this.gate
    if (!open) return `assignment begins once ${expected} workers have registered (${registry.onlineCount()} so far)`
    const pause = this.ledger.pauses.holding(spec)
    if (pause != null) return Pauses.describe(pause)
    const capped = this.ledger.tenants.capped(spec.group)
    if (capped != null) return capped
    // held back by its rate limit at the last pass, and nothing of its kind started since
    const rate = this.ledger.rates.for(spec)
    if (rate?.limited === true) return rate.describe()
    return whyNoWorker(spec, this.ledger.strategies.for(spec), registry.all())
  }

  /** The results of a task's dependencies, keyed by dependency id: what its worker receives as `inputs`. */
  inputsOf (taskId: string): Record<string, JsonValue> {
    const inputs: Record<string, JsonValue> = {}
    for (const dep of this.find(taskId).spec.dependsOn) {
      const output = (this.ledger.tasks.get(dep) ?? this.ledger.archive.get(dep))?.output
      if (output !== undefined) inputs[dep] = output
    }
    return inputs
  }

  /** Tasks in submission order, optionally only those in `state`: those in memory, and the archived ones. */
  * listTasks (state?: TaskState): Generator<TaskSnapshot> {
    for (const task of this.all(state)) yield task instanceof TaskRecord ? task.snapshot() : archivedSnapshot(task)
  }

  /**
   * A task as a row of the run summary. `state` is the final state it reached, when known from a
   * `completed` event (a task retried since is no longer final, and its result is gone).
   */
  outcome (taskId: string, state?: FinalState): TaskOutcome {
    const task = this.find(taskId)
    const outcome = task instanceof TaskRecord ? task.outcome() : archivedOutcome(task)
    if (state != null) outcome.status = state
    return outcome
  }

  /** Final tasks as rows of a run summary, in submission order. */
  * outcomes (): Generator<TaskOutcome> {
    for (const task of this.all()) {
      if (!isFinal(task.state)) continue
      yield task instanceof TaskRecord ? task.outcome() : archivedOutcome(task)
    }
  }

  summary (): Summary {
    const counts = this.ledger.counts
    const total = this.ledger.size
    const final = counts.succeeded + counts.failed + counts.skipped + counts.cancelled
    return { total, counts: { ...counts }, progress: total === 0 ? 1 : final / total, workers: this.ledger.registry.onlineCount() }
  }

  /** The ids of the tasks that depend on this one, from its record; undefined once it is archived (its record is gone). */
  dependentsOf (taskId: string): string[] | undefined {
    return this.ledger.tasks.get(taskId)?.dependents?.map(t => t.id) ?? (this.ledger.tasks.has(taskId) ? [] : undefined)
  }

  /** What an operator paused, oldest first. */
  pauses (): Pause[] {
    return this.ledger.pauses.list()
  }

  /** Every task is in a final state (and there is at least one). */
  isDone (): boolean {
    const c = this.ledger.counts
    return this.ledger.size > 0 && c.succeeded + c.failed + c.skipped + c.cancelled === this.ledger.size
  }

  /** How long a worker's leases last without a renewal. */
  get leaseTtlMs (): number {
    return this.ledger.leaseTtlMs
  }

  /** The name of the strategy tasks get when they name none. */
  get strategy (): string {
    return this.ledger.strategies.default.name
  }

  workers (): WorkerInfo[] {
    return [...this.ledger.registry.all()]
  }

  worker (workerId: string): WorkerInfo | undefined {
    return this.ledger.registry.get(workerId)
  }

  /**
   * The peer id of a registered worker given by peer id or by name; an UnknownWorkerError when there is no
   * such worker or several share the name.
   */
  resolveWorker (worker: string): string {
    const registry = this.ledger.registry
    if (registry.get(worker) != null) return worker
    const named = [...(registry.withName(worker) ?? [])]
    if (named.length === 1) return named[0]!.id
    throw new UnknownWorkerError(named.length === 0
      ? `no worker "${worker}": give a registered worker's peer id or name`
      : `${named.length} workers are named "${worker}": give a peer id (${named.map(w => w.id).join(', ')})`)
  }

  /** Attempts currently leased to a worker. */
  leasesOf (workerId: string): Lease[] {
    return [...(this.ledger.registry.get(workerId)?.held ?? [])].map(t => ({ taskId: t.id, attempt: t.current!.attempt, token: t.current!.token }))
  }

  /** When the scheduler next has something to do as time passes, if ever. */
  nextDeadline (): number | undefined {
    return this.ledger.due.next()
  }

  /** A task in memory, or archived; an UnknownTaskError when it is neither. */
  private find (taskId: string): TaskRecord | ArchivedTask {
    const task = this.ledger.tasks.get(taskId) ?? this.ledger.archive.get(taskId)
    if (task == null) throw new UnknownTaskError(`unknown task "${taskId}"`)
    return task
  }

  /**
   * Every task in submission order, optionally in one state: those in memory merged with the archived
   * ones (a task being archived, in both for a moment, counts once).
   */
  private * all (state?: TaskState): Generator<TaskRecord | ArchivedTask> {
    // tasks retention dropped are known to nobody, while the journal drops them too
    const purging = this.ledger.purging
    for (const task of this.merged(state)) if (purging.size === 0 || !purging.has(task.id)) yield task
  }

  private * merged (state?: TaskState): Generator<TaskRecord | ArchivedTask> {
    const archived = state == null || isFinal(state)
      ? this.ledger.archive.list(state != null ? { state: state as FinalState } : {})[Symbol.iterator]()
      : undefined
    let next = archived?.next()
    try {
      for (const task of this.ledger.bySeq) {
        if (task == null || (state != null && task.state !== state)) continue
        while (next != null && next.done !== true && next.value.seq < task.seq) {
          yield next.value
          next = archived!.next()
        }
        if (next?.done !== true && next?.value.id === task.id) next = archived!.next()
        yield task
      }
      while (next != null && next.done !== true) {
        if (!this.ledger.tasks.has(next.value.id)) yield next.value
        next = archived!.next()
      }
    } finally {
      // a listing left early (a page) closes the archive's too: a journal's open read would block its writes
      archived?.return?.()
    }
  }
}

