import { UnknownWorkerError } from './errors.js'
import { whyNoWorker } from './no-worker.js'
import type { TaskLedger } from './ledger.js'
import type { Lease, Summary } from './options.js'
import type { WorkerInfo } from './registry.js'
import { isFinal, type FinalState, type JsonValue, type TaskSpec, type TaskState } from './task.js'
import type { Attempt, HistoryEntry, TaskOutcome, TaskSnapshot } from './task-record.js'

/**
 * What the scheduler knows, read-only: tasks, their histories and results, workers, counts. Everything
 * returned is a copy or a read-only view; nothing here changes state.
 */
/** Whether assignment has begun, and how many workers it waits for. */
export interface Gate {
  open: boolean
  expected: number
}

export class SchedulerView {
  private readonly ledger: TaskLedger
  private readonly gate: () => Gate

  constructor (ledger: TaskLedger, gate: () => Gate) {
    this.ledger = ledger
    this.gate = gate
  }

  has (taskId: string): boolean {
    return this.ledger.tasks.has(taskId)
  }

  spec (taskId: string): TaskSpec {
    return this.ledger.require(taskId).spec
  }

  getTask (taskId: string): TaskSnapshot {
    return this.ledger.require(taskId).snapshot()
  }

  history (taskId: string): HistoryEntry[] {
    return this.ledger.require(taskId).history()
  }

  /** One attempt of a task, as recorded (with `readyAt`: when its task had become ready). */
  attempt (taskId: string, attempt: number): (Readonly<Attempt> & { readonly readyAt?: number }) | undefined {
    return this.ledger.tasks.get(taskId)?.attempts[attempt - 1]
  }

  /**
   * Why a ready task has no worker, when it is more than waiting its turn: assignment has not begun, or
   * no connected worker can run it ("no connected worker handles type "download""). Undefined otherwise.
   */
  waitingFor (taskId: string): string | undefined {
    const task = this.ledger.require(taskId)
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
    const { open, expected } = this.gate()
    if (!open) return `assignment begins once ${expected} workers have registered (${registry.onlineCount()} so far)`
    return whyNoWorker(spec, this.ledger.strategies.for(spec), registry.all())
  }

  /** The results of a task's dependencies, keyed by dependency id: what its worker receives as `inputs`. */
  inputsOf (taskId: string): Record<string, JsonValue> {
    const task = this.ledger.require(taskId)
    const inputs: Record<string, JsonValue> = {}
    for (const dep of task.spec.dependsOn) {
      const d = this.ledger.tasks.get(dep)
      if (d?.output !== undefined) inputs[dep] = d.output
    }
    return inputs
  }

  /** Tasks in submission order, optionally only those in `state`. */
  * listTasks (state?: TaskState): Generator<TaskSnapshot> {
    for (const task of this.ledger.tasks.values()) {
      if (state == null || task.state === state) yield task.snapshot()
    }
  }

  /**
   * A task as a row of the run summary. `state` is the final state it reached, when known from a
   * `completed` event (a task retried since is no longer final, and its result is gone).
   */
  outcome (taskId: string, state?: FinalState): TaskOutcome {
    const outcome = this.ledger.require(taskId).outcome()
    if (state != null) outcome.status = state
    return outcome
  }

  /** Final tasks as rows of a run summary, in submission order. */
  * outcomes (): Generator<TaskOutcome> {
    for (const task of this.ledger.tasks.values()) {
      if (isFinal(task.state)) yield task.outcome()
    }
  }

  summary (): Summary {
    const counts = this.ledger.counts
    const total = this.ledger.tasks.size
    const final = counts.succeeded + counts.failed + counts.skipped + counts.cancelled
    return { total, counts: { ...counts }, progress: total === 0 ? 1 : final / total, workers: this.ledger.registry.onlineCount() }
  }

  /** Every task is in a final state (and there is at least one). */
  isDone (): boolean {
    const c = this.ledger.counts
    return this.ledger.tasks.size > 0 && c.succeeded + c.failed + c.skipped + c.cancelled === this.ledger.tasks.size
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
    return this.ledger.deadlines.next()
  }
}
