import { NoSuitableWorkerError } from './errors.js'
import { beyondEveryWorker, fits, formatAmount, formatResources } from './resources.js'
import type { TaskLedger } from './ledger.js'
import type { ConstraintGroup } from './ready-queue.js'
import type { WorkerState } from './registry.js'
import type { Strategy } from './strategies/index.js'
import type { TaskRecord } from './task-record.js'
import type { TaskSpec } from './task.js'

export type NoWorkerPolicy = 'wait' | 'fail'

/**
 * What happens to ready tasks that no registered worker can run (capabilities, pin, skill). By default they
 * wait; under the `fail` policy a group of such tasks that still has no capable worker after the grace
 * period fails with a NoSuitableWorkerError message.
 */
export class NoWorkerWatch {
  readonly policy: NoWorkerPolicy
  private readonly ledger: TaskLedger
  private readonly graceMs: number
  /** Workers came, went or changed: whether each group has a capable worker must be looked at again. */
  private stale = false

  constructor (ledger: TaskLedger, policy: NoWorkerPolicy, graceMs: number) {
    this.ledger = ledger
    this.policy = policy
    this.graceMs = graceMs
  }

  /** Workers changed (joined, left, went offline or draining). */
  workersChanged (): void {
    this.stale = true
  }

  /** Before a scheduling pass: start the grace period of groups that lost their last capable worker. */
  check (now: number): void {
    if (this.policy !== 'fail' || (!this.stale && !this.ledger.groupsChanged)) return
    this.stale = false
    this.ledger.groupsChanged = false
    for (const group of this.ledger.ready.groups.values()) {
      if (group.head() != null) this.watch(group, now)
    }
  }

  private paused (group: ConstraintGroup): boolean {
    const task = group.peekAny()
    return task != null && this.ledger.pauses.holding(task.spec) != null
  }

  /** No free worker could take this group's tasks in a pass: is any worker able to, once free? */
  watch (group: ConstraintGroup, now: number): void {
    if (this.policy !== 'fail') return
    if (this.capableExists(group) || this.paused(group)) {
      group.noWorkerSince = undefined
    } else if (group.noWorkerSince == null) {
      group.noWorkerSince = now
      this.ledger.due.add(now + this.graceMs, { kind: 'no-worker', group })
    }
  }

  /** The grace period of a group ended: fail its tasks if still nobody can run them. */
  due (group: ConstraintGroup, now: number): void {
    if (group.noWorkerSince == null || now < group.noWorkerSince + this.graceMs) return
    // paused by an operator (for maintenance, say): nothing fails while it waits to be resumed
    if (this.capableExists(group) || this.paused(group)) {
      group.noWorkerSince = undefined
      return
    }
    const needs = whyNoWorker(group.peekAny()!.spec, group.strategy, this.ledger.registry.all())
    let task: TaskRecord | undefined
    while ((task = group.head()) != null) {
      group.take()
      this.ledger.commit({
        type: 'failed',
        at: now,
        taskId: task.id,
        error: `${needs ?? 'no connected worker can run it'} after waiting ${this.graceMs} ms; start a worker that can, or let tasks wait (--on-no-worker wait)`,
        errorName: NoSuitableWorkerError.name
      }, task)
    }
    group.noWorkerSince = undefined
  }

  /** Is any registered worker (busy or not) able to run tasks of this group? */
  private capableExists (group: ConstraintGroup): boolean {
    for (const w of this.ledger.registry.all()) {
      if (w.online && !w.draining && this.eligible(w, group)) return true
    }
    return false
  }

  /** Could the worker run tasks of this group, capacity aside? */
  private eligible (worker: WorkerState, group: ConstraintGroup): boolean {
    return this.ledger.registry.satisfies(group.requirement, worker) &&
      (!group.strategy.skillAware || worker.skill >= group.difficulty) &&
      (group.pin == null || worker.name === group.pin) &&
      (group.resources == null || fits(group.resources, worker.resources, NOTHING_HELD))
  }
}

const NOTHING_HELD: Readonly<Record<string, number>> = Object.freeze({})

/** ` (the most one offers: memory 32 GiB)`, for the resources no online worker has enough of. */
function mostOffered (need: NonNullable<TaskSpec['resources']>, online: readonly WorkerState[]): string {
  const short = beyondEveryWorker(need, online.map(w => w.resources))
  if (short.length === 0) return ''
  return ` (the most one offers: ${short.map(s => `${s.name} ${formatAmount(s.name, s.largest)}`).join(', ')})`
}

/**
 * Why no connected worker can run a task, in words a person can act on ("no connected worker handles type
 * "download""); undefined when some connected worker could (it only waits its turn).
 */
export function whyNoWorker (spec: TaskSpec, strategy: Strategy, workers: Iterable<WorkerState>): string | undefined {
  const online = [...workers].filter(w => w.online && !w.draining)
  const checks: Array<[string, (w: WorkerState) => boolean]> = [
    [`handles type "${spec.type}"`, w => w.types == null || w.types.includes(spec.type)],
    [`has capabilities ${spec.requires.join(', ')}`, w => spec.requires.every(c => w.capabilities.includes(c))],
    [`is named "${spec.worker ?? ''}"`, w => spec.worker == null || w.name === spec.worker],
    [`has skill >= ${spec.difficulty}`, w => !strategy.skillAware || w.skill >= spec.difficulty]
  ]
  const need = spec.resources
  if (need != null) checks.push([`offers ${formatResources(need)}${mostOffered(need, online)}`, w => fits(need, w.resources, NOTHING_HELD)])
  const able = online.filter(w => checks.every(([, ok]) => ok(w)))
  if (able.some(w => !w.busy)) return undefined
  if (able.length > 0) return `${able.length === 1 ? `the one worker that could run it (${able[0]!.name}) is` : `all ${able.length} workers that could run it are`} busy: their CPU is above the admin's --avoid-busy`
  if (online.length === 0) return 'no worker is connected'
  const missing = checks.filter(([, ok]) => !online.some(ok)).map(([phrase]) => phrase)
  if (missing.length > 0) return `no connected worker ${missing.join('; none ')}`
  const needed = checks.filter(([, ok]) => !online.every(ok)).map(([phrase]) => phrase.replace(/^(handles|has|is|offers) /, ''))
  return `no connected worker has all it needs at once: ${needed.join(', ')}`
}
