import { MemoryArchive, type PurgedTask } from './archive.js'
import { AssignmentPass, type PassActions } from './assignment-pass.js'
import { Attempts } from './attempts.js'
import { DEFAULT_LEASE_TTL_MS, DEFAULT_MAX_LOST_ATTEMPTS, DEFAULT_MAX_WINDOW, DEFAULT_NO_WORKER_GRACE_MS, DEFAULT_STRATEGY, MAX_SEQ } from './constants.js'
import { TypeDurations } from './durations.js'
import { InvalidStateError, LimitExceededError } from './errors.js'
import { checkSubmission, topologicalOrder, type GraphCheckOptions } from './graph.js'
import { TaskLedger } from './ledger.js'
import { NoWorkerWatch } from './no-worker.js'
import { checkOptions, type Lease, type ReportedResult, type ReportOutcome, type SchedulerOptions, type SubmitResult } from './options.js'
import { WorkerRegistry, type WorkerInfo, type WorkerLoad, type WorkerRegistration, type WorkerStatusUpdate } from './registry.js'
import { replay } from './replay.js'
import { Reputation, type WorkerSteering, type WorkerTally } from './reputation.js'
import { RateLimits, type RateStarts } from './rate-limits.js'
import { Tenants } from './tenants.js'
import { pauseScope } from './pauses.js'
import { deduplicate } from './dedup.js'
import { Retention, type PurgeFilter } from './retention.js'
import { firedOutcome, Schedules, slotTaskId, type ScheduleRecord, type ScheduleSpec } from './schedules.js'
import { StrategyRegistry } from './strategy-registry.js'
import { isFinal, type TaskSpec } from './task.js'
import { SchedulerView } from './view.js'
import { WorkerLifecycle, type Gate } from './worker-lifecycle.js'
import type { DurableEvent, SchedulerEvent, WorkerLeftReason } from './events.js'
import type { ArchivedTask } from './snapshots.js'

export type { TaskCounts } from './counts.js'
export type { NoWorkerPolicy } from './no-worker.js'
export * from './options.js'

/**
 * The scheduling brain: task graph, ready queue, strategies, retries, leases and the worker registry.
 * Pure: no network, files or clock. Every method that depends on time takes `now`. Every decision is an
 * event applied through one reducer (the ledger), which is also how a journal is replayed after a restart;
 * `takeEvents()` hands the decisions over, in order, to whoever acts on them. Queries are on `view`.
 *
 * This class is the front: tasks (submit, cancel, retry), time (`tick`) and assignment (`schedule`) are
 * here; what becomes of an attempt is in `Attempts`, a worker's life in `WorkerLifecycle`, a journal's
 * replay in `replay`, the state itself in `TaskLedger`.
 */
export class Scheduler {
  /** Read-only queries: tasks, histories, workers, counts. */
  readonly view: SchedulerView
  /** The recurring tasks: listed, paused and removed here; added with `putSchedule`, fired in `tick`. */
  readonly schedules = new Schedules()
  readonly leaseTtlMs: number
  private readonly ledger: TaskLedger
  private readonly registry: WorkerRegistry
  private readonly attempts: Attempts
  private readonly workers: WorkerLifecycle
  private readonly pass: AssignmentPass
  private readonly noWorker: NoWorkerWatch
  private readonly strategies: StrategyRegistry
  private readonly retention: Retention
  private readonly maxTasks: number
  private readonly gate: Gate
  /** What a scheduling pass does with its decisions; made once, with the pass's time in `now`. */
  private readonly actions: PassActions
  private now = 0
  /** When the schedules' next slot was put on the due heap. */
  private scheduleWake: number | undefined
  private nextSeq = 0
  private tokenCounter = 0

  constructor (options: SchedulerOptions = {}) {
    checkOptions(options)
    const random = options.random ?? Math.random
    this.leaseTtlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS
    const maxWindow = options.maxWorkerConcurrency ?? DEFAULT_MAX_WINDOW
    const reputation = new Reputation({ maxWindow, initialWindow: options.initialWindow ?? maxWindow })
    this.registry = new WorkerRegistry(reputation, {
      ...(options.avoidBusyCpu != null ? { busyAbove: options.avoidBusyCpu } : {}),
      ...(options.unprovenBudget != null ? { unprovenBudget: options.unprovenBudget } : {})
    })
    this.strategies = new StrategyRegistry(options.strategy ?? DEFAULT_STRATEGY, options.strategies ?? {}, random)
    this.ledger = new TaskLedger(this.registry, this.strategies, this.leaseTtlMs, options.archive ?? new MemoryArchive(), new RateLimits(options.rateLimits), new Tenants({ ...(options.groupConcurrency != null ? { cap: options.groupConcurrency } : {}), ...(options.groupWeights != null ? { weights: options.groupWeights } : {}) }))
    const expected = options.expectedWorkers ?? 0
    this.gate = { open: expected <= 0, expected }
    this.retention = new Retention(this.ledger, options.retention, () => this.schedules.dependencies())
    this.view = new SchedulerView(this.ledger, this.gate, this.retention)
    this.pass = new AssignmentPass(this.registry, this.ledger.ready, this.ledger.pauses, this.ledger.tenants)
    this.noWorker = new NoWorkerWatch(this.ledger, options.onNoWorker ?? 'wait', options.noWorkerGraceMs ?? DEFAULT_NO_WORKER_GRACE_MS)
    this.attempts = new Attempts({
      ledger: this.ledger,
      registry: this.registry,
      reputation,
      durations: new TypeDurations(),
      random,
      newToken: options.newToken ?? (() => `lease-${++this.tokenCounter}`),
      maxLostAttempts: options.maxLostAttempts ?? DEFAULT_MAX_LOST_ATTEMPTS
    })
    this.workers = new WorkerLifecycle({ ledger: this.ledger, registry: this.registry, reputation, attempts: this.attempts, noWorker: this.noWorker, gate: this.gate })
    this.maxTasks = options.maxTasks ?? Infinity
    this.actions = {
      assign: (task, worker, group) => { this.attempts.assign(task, worker, group.strategy, this.now) },
      blocked: (group) => { this.noWorker.watch(group, this.now) },
      // one wake-up per window and time: a later pass that finds the same limit adds none
      limited: (group, until) => {
        if (group.rate == null || group.rate.wakeAt === until) return
        group.rate.wakeAt = until
        this.ledger.due.add(until, { kind: 'rate' })
      }
    }
  }

  /** True once assignment may begin (expected workers reached). */
  get assigning (): boolean {
    return this.gate.open
  }

  /** What the scheduler decided since the last call, in order: journal the durable ones, then act on them. */
  takeEvents (): SchedulerEvent[] {
    return this.ledger.takeEvents()
  }

  /** Events decided since the last `takeEvents()`: the state seen by `view` is ahead of the journal by them. */
  get untaken (): number {
    return this.ledger.undelivered
  }

  /**
   * Finished tasks that may leave memory (succeeded, nothing unfinished depends on them): write them to the
   * archive with the batch, then call `archived` with them.
   */
  takeArchived (): ArchivedTask[] {
    return this.ledger.archiving.take()
  }

  /** The archive has these tasks: their records leave memory. So do the tasks the journal dropped (`purged`). */
  archived (tasks: readonly ArchivedTask[], purged: readonly PurgedTask[] = []): void {
    this.ledger.archiving.archived(tasks)
    if (purged.length > 0) this.retention.release(purged)
  }

  // ---------------------------------------------------------------- tasks

  /**
   * Adds tasks. The batch is checked as a whole (duplicate ids, unknown dependencies, cycles, unknown
   * strategies) and either added entirely or not at all. Tasks whose id the scheduler already holds are
   * left as they are and reported in `existing`. `paths` names the tasks as the caller's input did, for messages.
   * `closedGraph`: the caller checked the batch as a graph of its own (every dependency in it): not built again.
   */
  submit (specs: readonly TaskSpec[], now: number, paths: Pick<GraphCheckOptions, 'pathOf' | 'dependsOnField'> = {}, closedGraph = false): SubmitResult {
    const tasks = this.ledger.tasks
    const known = (id: string): boolean => this.ledger.has(id)
    checkSubmission(specs, this.strategies, closedGraph ? 'closed' : known, paths)

    const known0 = this.ledger.size === 0 ? specs : specs.filter(s => !known(s.id))
    const { fresh, deduplicated, debounced } = deduplicate(known0, this.ledger, now)
    if (this.nextSeq + fresh.length > MAX_SEQ) {
      throw new LimitExceededError(`this admin has numbered ${this.nextSeq} submissions, and can number ${MAX_SEQ} in its lifetime; start a new one on a fresh data directory`)
    }
    if (tasks.size + fresh.length > this.maxTasks) {
      throw new LimitExceededError(`cannot hold ${fresh.length} more tasks: ${tasks.size} of at most ${this.maxTasks} are held; raise maxTasks or wait for work to finish`)
    }
    const existing = known0.length === specs.length ? [] : specs.filter(s => known(s.id)).map(s => s.id)
    const seqBase = this.nextSeq
    this.nextSeq += fresh.length
    const ordered = topologicalOrder(fresh)
    // submission order (not dependency order) decides ties between equal priorities
    const seqOf = ordered === fresh ? undefined : new Map(fresh.map((s, i) => [s.id, seqBase + i]))
    ordered.forEach((spec, i) => {
      this.ledger.commit({ type: 'submitted', at: now, seq: seqOf?.get(spec.id) ?? seqBase + i, task: spec })
    })
    for (const d of debounced) this.ledger.commit(d)
    return { added: fresh.map(s => s.id), existing, ...(deduplicated.length > 0 ? { deduplicated, debounced: debounced.map(d => d.from) } : {}) }
  }

  /** Stops a task: a running attempt is aborted, dependents are skipped. Returns false if it was already final. */
  cancel (taskId: string, now: number, reason = 'cancelled by request'): boolean {
    if (!this.ledger.tasks.has(taskId) && this.ledger.archive.has(taskId)) return false
    const task = this.ledger.require(taskId)
    if (isFinal(task.state)) return false
    const event: SchedulerEvent = { type: 'cancelled', at: now, taskId, reason }
    if (task.current != null) {
      event.attempt = task.current.attempt
      event.workerId = task.current.workerId
    }
    this.ledger.commit(event, task)
    return true
  }

  /** Puts a failed, cancelled or skipped task back, with a fresh retry budget; its skipped dependents follow. */
  retry (taskId: string, now: number): void {
    if (!this.ledger.tasks.has(taskId) && this.ledger.archive.has(taskId)) {
      throw new InvalidStateError(`task "${taskId}" succeeded: only failed, cancelled or skipped tasks can be retried`)
    }
    const task = this.ledger.require(taskId)
    if (task.state !== 'failed' && task.state !== 'cancelled' && task.state !== 'skipped') {
      throw new InvalidStateError(`task "${taskId}" is ${task.state}: only failed, cancelled or skipped tasks can be retried`)
    }
    // a dependency not in memory is archived: it succeeded
    const blocker = task.spec.dependsOn.map(id => this.ledger.tasks.get(id)).find(d => d != null && d.state !== 'succeeded' && isFinal(d.state))
    if (blocker != null) {
      throw new InvalidStateError(`task "${taskId}" depends on "${blocker.id}", which ${blocker.state}: retry "${blocker.id}" instead, and its skipped dependents come back with it`)
    }
    this.ledger.commit({ type: 'retried', at: now, taskId }, task)
  }

  // ---------------------------------------------------------------- workers (see WorkerLifecycle)

  /**
   * Adds a worker, or takes back one that registers again. `leases` are the attempts it says it holds: the
   * current ones are adopted, the others returned in `revoked`; those it no longer mentions are lost.
   */
  registerWorker (reg: WorkerRegistration, now: number, leases: readonly Lease[] = []): { worker: WorkerInfo, revoked: Lease[] } {
    return this.workers.register(reg, now, leases)
  }

  /** Removes a worker; its running attempts go back to the queue (blamed on it when it left by itself). */
  unregisterWorker (workerId: string, now: number, reason: WorkerLeftReason = 'unregistered'): boolean {
    return this.workers.unregister(workerId, now, reason)
  }

  /** What the worker says of itself: the task types it handles now, that it is draining before it leaves. */
  updateWorker (workerId: string, update: WorkerStatusUpdate): WorkerInfo {
    return this.workers.update(workerId, update)
  }

  /** An operator steers a worker (online, draining, priority, capacity): journaled, it lasts until changed. */
  steer (workerId: string, steering: WorkerSteering, now: number): WorkerInfo {
    return this.workers.steer(workerId, steering, now)
  }

  /** An agent that pulls asks for `wants` new attempts (0: none until it asks again). */
  setWants (workerId: string, wants: number): void {
    this.workers.setWants(workerId, wants)
  }

  /** What a worker says about its machine (advisory: shown, and checked by alerts). */
  recordLoad (workerId: string, load: WorkerLoad): boolean {
    return this.workers.recordLoad(workerId, load)
  }

  /** The worker is alive: its leases live a lease TTL from now (not journaled; no new deadline, no decision). */
  renewLeases (workerId: string, now: number): void {
    this.workers.renew(workerId, now)
  }

  /** Until when a worker's registrations are refused, when it is quarantined now. */
  quarantinedUntil (workerId: string, now: number): number | undefined {
    return this.workers.quarantinedUntil(workerId, now)
  }

  // ---------------------------------------------------------------- results and time

  /** A worker reports the result of an attempt. Only the current lease holder's result is accepted. */
  report (workerId: string, result: ReportedResult, now: number): ReportOutcome {
    return this.attempts.report(workerId, result, now)
  }

  /** Time passes: timeouts, probations, retry delays, lease expiries and no-worker grace periods that are due. */
  tick (now: number): void {
    for (const d of this.ledger.due.due(now)) {
      switch (d.kind) {
        case 'timeout':
          this.attempts.timedOut(d, now)
          break
        case 'probation': {
          const quarantined = this.attempts.probationDue(d, now)
          if (quarantined != null) this.workers.takeOff(quarantined, now)
          break
        }
        case 'retry':
          if (d.task.state === 'delayed' && d.task.retryAt === d.at) this.ledger.commit({ type: 'released', at: now, taskId: d.task.id }, d.task)
          break
        case 'lease':
          this.workers.leaseDue(d, now)
          break
        case 'no-worker':
          this.noWorker.due(d.group, now)
          break
        default: // 'rate', 'retention', 'schedule': only wake the pass that follows, retention and the schedules below
      }
    }
    this.retention.tick(now)
    // a slot came: its task is submitted under the slot's id, or the schedule says why it was not
    for (const { name, slot, task } of this.schedules.due(now)) {
      const id = slotTaskId(name, slot)
      try {
        this.schedules.fired(name, firedOutcome(id, this.submit([{ ...task, id }], now)))
      } catch (err) {
        this.schedules.fired(name, { error: (err as Error).message })
      }
    }
    const next = this.schedules.nextAt()
    if (next != null && next !== this.scheduleWake) this.ledger.due.add(this.scheduleWake = next, { kind: 'schedule' })
  }

  /** Adds recurring tasks, or replaces those of their names, all or none (see `Schedules.put`); `alsoKnown`: tasks added with them. */
  putSchedules (specs: readonly ScheduleSpec[], now: number, alsoKnown?: (id: string) => boolean, checkOnly?: boolean): ScheduleRecord[] {
    return this.schedules.put(specs, now, { strategies: this.strategies, isKnown: id => this.ledger.has(id) || alsoKnown?.(id) === true, checkOnly })
  }

  /** Drops the finished tasks `filter` names (`taskmesh purge`), a pass's worth at most: returns how many. */
  purge (filter: PurgeFilter, now: number): number {
    return this.retention.purge(filter, now)
  }


  /**
   * Assigns ready tasks to free workers: highest priority first, hard constraints first, then the strategy.
   * Returns the number of assignments; each is also an `assigned` event.
   */
  schedule (now: number): number {
    if (!this.gate.open) return 0
    this.noWorker.check(now)
    if (this.registry.free.length === 0 || this.ledger.counts.ready === 0) return 0
    this.now = now
    return this.pass.run(this.actions, now)
  }

  // ---------------------------------------------------------------- journal

  /**
   * Rebuilds state from journal events (in the order they were recorded; see `replay`), then lets time catch
   * up with what passed while nobody was running (elapsed delays, timeouts): those decisions are recorded.
   */
  restore (events: Iterable<DurableEvent>, now: number, saved: { tallies?: Iterable<WorkerTally>, rateStarts?: Iterable<{ key: string, at: number }>, schedules?: Iterable<ScheduleRecord> } = {}): void {
    this.registry.restoreTallies(saved.tallies ?? [])
    this.ledger.rates.restore(saved.rateStarts ?? [])
    this.schedules.restore(saved.schedules ?? [])
    this.nextSeq = Math.max(this.nextSeq, replay(this.ledger, this.registry, this.workers, this.gate, events, now))
    this.tick(now)
  }

  /**
   * Starts nothing new of `type` (every type without one) until resumed; running tasks go on. Journaled.
   * Pausing what is paused changes its reason only.
   */
  pause (type: string | undefined, reason: string | undefined, now: number, group?: string): void {
    const change = this.ledger.pauses.change(pauseScope(type, group), true, reason, now)
    if (change != null) this.ledger.commit(change)
  }

  /** Undoes `pause(type)`; false when that was not paused. */
  resume (type: string | undefined, now: number, group?: string): boolean {
    const change = this.ledger.pauses.change(pauseScope(type, group), false, undefined, now)
    if (change != null) this.ledger.commit(change)
    return change != null
  }

  /**
   * What the journal keeps besides events, changed since the last call, for the batch: the rate limits'
   * starts, the workers' tallies, the finished tasks retention dropped, and the schedules changed or removed.
   */
  takeRecords (): { rateStarts: RateStarts[], tallies: WorkerTally[], purged: PurgedTask[], schedules: { put: ScheduleRecord[], removed: string[] } } {
    return { rateStarts: this.ledger.rates.take(), tallies: this.registry.takeTallies(), purged: this.retention.take(), schedules: this.schedules.take() }
  }
}
