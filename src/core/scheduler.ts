import { MemoryArchive } from './archive.js'
import type { ArchivedTask } from './snapshots.js'
import { AssignmentPass, type PassActions } from './assignment-pass.js'
import { backoffDelay } from './backoff.js'
import { DEFAULT_LEASE_TTL_MS, DEFAULT_MAX_LOST_ATTEMPTS, DEFAULT_MAX_WINDOW, DEFAULT_NO_WORKER_GRACE_MS, DEFAULT_STRATEGY, LOSS_MEMORY_MS, MAX_SEQ, PROBATION_FACTOR, PROBATION_FLOOR_MS, PROBATION_MAX_DOUBLINGS, PROBATION_UNKNOWN_TYPE_MS, QUARANTINE_AFTER_LOSSES } from './constants.js'
import { TypeDurations } from './durations.js'
import { InvalidStateError, LimitExceededError, UnknownWorkerError, ValidationError } from './errors.js'
import { checkGraph, topologicalOrder, type GraphCheckOptions } from './graph.js'
import { TaskLedger } from './ledger.js'
import { NoWorkerWatch } from './no-worker.js'
import { checkOptions, type Lease, type ReportedResult, type ReportOutcome, type SchedulerOptions, type SubmitResult } from './options.js'
import { WorkerRegistry, type WorkerInfo, type WorkerLoad, type WorkerRegistration, type WorkerState, type WorkerStatusUpdate } from './registry.js'
import { Reputation, type WorkerSteering } from './reputation.js'
import { StrategyRegistry } from './strategy-registry.js'
import { isFinal, type TaskSpec } from './task.js'
import { SchedulerView } from './view.js'
import type { DurableEvent, SchedulerEvent, WorkerLeftReason } from './events.js'
import type { Strategy } from './strategies/index.js'
import type { TaskRecord } from './task-record.js'

export type { TaskCounts } from './ledger.js'
export type { NoWorkerPolicy } from './no-worker.js'
export * from './options.js'

/**
 * The scheduling brain: task graph, ready queue, strategies, retries, leases and the worker registry.
 * Pure: no network, files or clock. Every method that depends on time takes `now`. Every decision is an
 * event applied through one reducer (the ledger), which is also how a journal is replayed after a restart;
 * `takeEvents()` hands the decisions over, in order, to whoever acts on them. Queries are on `view`.
 */
export class Scheduler {
  /** Read-only queries: tasks, histories, workers, counts. */
  readonly view: SchedulerView
  private readonly ledger: TaskLedger
  private readonly reputation: Reputation
  private readonly registry: WorkerRegistry
  private readonly durations = new TypeDurations()
  private readonly pass: AssignmentPass
  private readonly noWorker: NoWorkerWatch
  private readonly strategies: StrategyRegistry
  private readonly random: () => number
  private readonly newToken: () => string
  private readonly expectedWorkers: number
  private readonly maxLostAttempts: number
  private readonly maxTasks: number
  readonly leaseTtlMs: number
  private gateOpen: boolean
  /** The worker being unregistered: a quarantine it earns on the way out need not remove it again. */
  private leaving: WorkerState | undefined
  /** What a scheduling pass does with its decisions; made once, with the pass's time in `now`. */
  private readonly actions: PassActions
  private now = 0
  private nextSeq = 0
  private tokenCounter = 0

  constructor (options: SchedulerOptions = {}) {
    checkOptions(options)
    this.random = options.random ?? Math.random
    this.leaseTtlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS
    const maxWindow = options.maxWorkerConcurrency ?? DEFAULT_MAX_WINDOW
    this.reputation = new Reputation({ maxWindow, initialWindow: options.initialWindow ?? maxWindow })
    this.registry = new WorkerRegistry(this.reputation, {
      ...(options.avoidBusyCpu != null ? { busyAbove: options.avoidBusyCpu } : {}),
      ...(options.unprovenBudget != null ? { unprovenBudget: options.unprovenBudget } : {})
    })
    this.strategies = new StrategyRegistry(options.strategy ?? DEFAULT_STRATEGY, options.strategies ?? {}, this.random)
    this.ledger = new TaskLedger(this.registry, this.strategies, this.leaseTtlMs, options.archive ?? new MemoryArchive())
    this.view = new SchedulerView(this.ledger, () => ({ open: this.gateOpen, expected: this.expectedWorkers }))
    this.pass = new AssignmentPass(this.registry, this.ledger.ready)
    this.noWorker = new NoWorkerWatch(this.ledger, options.onNoWorker ?? 'wait', options.noWorkerGraceMs ?? DEFAULT_NO_WORKER_GRACE_MS)
    this.newToken = options.newToken ?? (() => `lease-${++this.tokenCounter}`)
    this.expectedWorkers = options.expectedWorkers ?? 0
    this.gateOpen = this.expectedWorkers <= 0
    this.maxLostAttempts = options.maxLostAttempts ?? DEFAULT_MAX_LOST_ATTEMPTS
    this.maxTasks = options.maxTasks ?? Infinity
    this.actions = {
      assign: (task, worker, group) => { this.assign(task, worker, group.strategy, this.now) },
      blocked: (group) => { this.noWorker.watch(group, this.now) }
    }
  }

  /** True once assignment may begin (expected workers reached). */
  get assigning (): boolean {
    return this.gateOpen
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
    return this.ledger.takeArchived()
  }

  /** The archive has these tasks: their records leave memory. */
  archived (tasks: readonly ArchivedTask[]): void {
    this.ledger.archived(tasks)
  }

  // ---------------------------------------------------------------- tasks

  /**
   * Adds tasks. The batch is checked as a whole (duplicate ids, unknown dependencies, cycles, unknown
   * strategies) and either added entirely or not at all. Tasks whose id the scheduler already holds are
   * left as they are and reported in `existing`. `paths` names the tasks as the caller's input did, for messages.
   */
  submit (specs: readonly TaskSpec[], now: number, paths: Pick<GraphCheckOptions, 'pathOf' | 'dependsOnField'> = {}): SubmitResult {
    const tasks = this.ledger.tasks
    const known = (id: string): boolean => this.ledger.has(id)
    const problems = checkGraph(specs, { isKnown: known, ...paths })
    specs.forEach((spec, i) => {
      if (!Number.isInteger(spec.priority) || spec.priority < 1 || spec.priority > 10) {
        problems.push({ path: `tasks[${i}].priority`, message: 'must be 1..10' })
      }
      if (spec.strategy != null && !this.strategies.knows(spec.strategy)) {
        problems.push({ path: `tasks[${i}].strategy`, message: `unknown strategy "${spec.strategy}"; strategies are ${this.strategies.names().join(', ')}` })
      }
    })
    if (problems.length > 0) throw new ValidationError(problems, { subject: 'tasks' })

    const fresh = this.ledger.size === 0 ? specs : specs.filter(s => !known(s.id))
    if (this.nextSeq + fresh.length > MAX_SEQ) {
      throw new LimitExceededError(`this admin has numbered ${this.nextSeq} submissions, and can number ${MAX_SEQ} in its lifetime; start a new one on a fresh data directory`)
    }
    if (tasks.size + fresh.length > this.maxTasks) {
      throw new LimitExceededError(`cannot hold ${fresh.length} more tasks: ${tasks.size} of at most ${this.maxTasks} are held; raise maxTasks or wait for work to finish`)
    }
    const existing = fresh.length === specs.length ? [] : specs.filter(s => known(s.id)).map(s => s.id)
    const seqBase = this.nextSeq
    this.nextSeq += fresh.length
    const ordered = topologicalOrder(fresh)
    // submission order (not dependency order) decides ties between equal priorities
    const seqOf = ordered === fresh ? undefined : new Map(fresh.map((s, i) => [s.id, seqBase + i]))
    ordered.forEach((spec, i) => {
      this.ledger.commit({ type: 'submitted', at: now, seq: seqOf?.get(spec.id) ?? seqBase + i, task: spec })
    })
    return { added: fresh.map(s => s.id), existing }
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

  // ---------------------------------------------------------------- workers

  /**
   * Adds a worker, or takes back one that registers again (after a reconnect or an admin restart).
   * `leases` are the attempts the worker says it holds: those the scheduler also considers current are
   * adopted, the others are returned in `revoked` so the worker can drop them. Attempts the scheduler had
   * leased to this worker that it no longer mentions are lost and go back to the queue.
   */
  registerWorker (reg: WorkerRegistration, now: number, leases: readonly Lease[] = []): { worker: WorkerInfo, revoked: Lease[] } {
    const worker = this.registry.register(reg, now)
    const revoked: Lease[] = []
    const claimed = new Set<TaskRecord>()
    for (const lease of leases) {
      const task = this.ledger.tasks.get(lease.taskId)
      const current = task?.current
      if (task != null && current != null && current.attempt === lease.attempt && current.token === lease.token && current.workerId === worker.id) {
        claimed.add(task)
      } else {
        revoked.push(lease)
      }
    }
    for (const task of [...worker.held]) {
      if (!claimed.has(task)) this.loseAttempt(task, now, 'the worker re-registered without it', false)
    }
    // adopted attempts may have been held by a placeholder of this worker: count them again
    this.registry.recount(worker)
    this.ledger.renew(worker, now)
    this.noWorker.workersChanged()
    this.ledger.commit({ type: 'worker-joined', at: now, worker })
    if (!this.gateOpen && this.registry.onlineCount() >= this.expectedWorkers) {
      this.gateOpen = true
      this.ledger.commit({ type: 'assigning-started', at: now, workers: this.registry.onlineCount() })
    }
    return { worker, revoked }
  }

  /**
   * Removes a worker; its running attempts are lost and go back to the queue. They count against the worker
   * when it left by itself (disconnected, went silent), not when it was taken off.
   */
  unregisterWorker (workerId: string, now: number, reason: WorkerLeftReason = 'unregistered'): boolean {
    const worker = this.registry.get(workerId)
    if (worker == null) return false
    const why = reason === 'lease-expired' ? 'its lease expired' : reason === 'disconnected' ? 'the worker disconnected' : reason === 'quarantined' ? 'the worker was quarantined' : 'the worker was unregistered'
    const held = [...worker.held]
    for (const task of held) this.loseAttempt(task, now, why, false)
    // one incident, however many attempts it held: one loss against it
    this.leaving = worker
    try {
      if (held.length > 0 && (reason === 'disconnected' || reason === 'lease-expired')) this.blame(worker, now)
    } finally {
      this.leaving = undefined
    }
    this.registry.unregister(workerId)
    this.noWorker.workersChanged()
    this.ledger.commit({ type: 'worker-left', at: now, worker, reason })
    return true
  }

  /** What the worker says of itself: the task types it handles now, that it is draining before it leaves. */
  updateWorker (workerId: string, update: WorkerStatusUpdate): WorkerInfo {
    const worker = this.requireWorker(workerId)
    this.registry.update(worker, update)
    this.noWorker.workersChanged()
    return worker
  }

  /**
   * An operator steers a worker: online or not, draining, priority, capacity. Unlike what a worker says of
   * itself, this lasts until the operator changes it, also when the worker registers again.
   */
  steer (workerId: string, steering: WorkerSteering, now: number): WorkerInfo {
    const worker = this.requireWorker(workerId)
    this.ledger.commit({ type: 'worker-steered', at: now, workerId, steering: { ...steering } })
    this.noWorker.workersChanged()
    return worker
  }

  /** An agent that pulls asks for `wants` new attempts (0: none until it asks again). */
  setWants (workerId: string, wants: number): void {
    this.registry.setWants(this.requireWorker(workerId), wants)
  }

  /** What a worker's status broadcast says about its machine (advisory: shown, and checked by alerts). */
  recordLoad (workerId: string, load: WorkerLoad): void {
    const worker = this.registry.get(workerId)
    if (worker != null) this.registry.recordLoad(worker, load)
  }

  /**
   * The worker is alive: all its leases are extended by the lease TTL. Not journaled: after a restart,
   * leases are counted from the restart anyway.
   */
  renewLeases (workerId: string, now: number): void {
    const worker = this.registry.get(workerId)
    if (worker != null) this.ledger.renew(worker, now)
  }

  /** Until when a worker's registrations are refused, when it is quarantined now. */
  quarantinedUntil (workerId: string, now: number): number | undefined {
    return this.reputation.quarantinedUntil(workerId, now)
  }

  // ---------------------------------------------------------------- results and time

  /** A worker reports the result of an attempt. Only the current lease holder's result is accepted. */
  report (workerId: string, result: ReportedResult, now: number): ReportOutcome {
    const task = this.ledger.tasks.get(result.taskId)
    if (task == null) {
      // archived: its every attempt is over (the archive keeps no lease tokens; the worker is checked)
      const past = this.ledger.archive.get(result.taskId)?.attempts[result.attempt - 1]
      if (past == null || past.workerId !== workerId) return 'rejected'
      if (past.outcome === 'succeeded' || past.outcome === 'failed') return 'duplicate'
      this.ledger.commit({ type: 'late-result-unrecorded', at: now, taskId: result.taskId, attempt: result.attempt, workerId, success: result.success })
      return 'late'
    }
    const current = task.current
    if (current != null && current.attempt === result.attempt) {
      if (current.workerId !== workerId || current.token !== result.token) return 'rejected'
      const durationMs = result.durationMs ?? now - current.assignedAt
      if (result.success) {
        const ended: SchedulerEvent = { type: 'attempt-ended', at: now, taskId: task.id, attempt: current.attempt, workerId, outcome: 'succeeded', durationMs }
        if (result.output !== undefined) ended.output = result.output
        this.ledger.commit(ended, task)
        this.durations.add(task.spec.type, durationMs)
        const worker = this.registry.get(workerId)
        if (worker != null) {
          this.reputation.accepted(worker.standing)
          this.registry.refit(worker)
        }
      } else {
        this.endAttempt(task, 'failed', now, { error: result.error ?? 'failed', durationMs, unrecoverable: result.unrecoverable === true })
      }
      return 'accepted'
    }
    const past = task.attempts[result.attempt - 1]
    if (past == null || past.workerId !== workerId || past.token !== result.token) return 'rejected'
    if (past.outcome === 'succeeded' || past.outcome === 'failed') return 'duplicate'
    this.ledger.commit({ type: 'late-result', at: now, taskId: task.id, attempt: result.attempt, workerId, success: result.success }, task)
    return 'late'
  }

  /** Time passes: timeouts, retry delays, lease expiries and no-worker grace periods that are due. */
  tick (now: number): void {
    for (const d of this.ledger.deadlines.due(now)) {
      switch (d.kind) {
        case 'timeout': {
          const current = d.task.current
          if (current?.attempt === d.attempt) {
            this.endAttempt(d.task, 'timed-out', now, { error: `timed out after ${d.task.spec.timeoutMs} ms`, durationMs: now - current.assignedAt })
          }
          break
        }
        case 'probation': {
          const current = d.task.current
          const worker = current?.attempt === d.attempt ? this.registry.get(current.workerId) : undefined
          if (worker == null || worker.standing.proven) break
          // what the type's history says now may differ from when the attempt began
          const probation = this.probationOf(d.task)
          if (probation == null) break
          const end = current!.assignedAt + probation.ms
          if (now >= end) this.loseAttempt(d.task, now, `taken back: the worker, with no accepted result yet, held it ${now - current!.assignedAt} ms, ${probation.why}`, true)
          else this.ledger.deadlines.add(probation.learned ? end : Math.min(end, now + PROBATION_FLOOR_MS), d)
          break
        }
        case 'retry':
          if (d.task.state === 'delayed' && d.task.retryAt === d.at) this.ledger.commit({ type: 'released', at: now, taskId: d.task.id }, d.task)
          break
        case 'lease': {
          const w = d.worker
          if (this.registry.get(w.id) !== w) break
          if (w.leaseExpiresAt > now) this.ledger.deadlines.add(w.leaseExpiresAt, d)
          else this.unregisterWorker(w.id, now, 'lease-expired')
          break
        }
        case 'no-worker':
          this.noWorker.due(d.group, now)
          break
      }
    }
  }

  /**
   * Assigns ready tasks to free workers: highest priority first, hard constraints first, then the strategy.
   * Returns the number of assignments; each is also an `assigned` event.
   */
  schedule (now: number): number {
    if (!this.gateOpen) return 0
    this.noWorker.check(now)
    if (this.registry.free.length === 0 || this.ledger.counts.ready === 0) return 0
    this.now = now
    return this.pass.run(this.actions)
  }

  // ---------------------------------------------------------------- journal

  /**
   * Rebuilds state from journal events (in the order they were recorded). Attempts that were running are
   * kept for their worker for one lease TTL from `now`: a worker that comes back and still holds them keeps
   * them, otherwise they expire and run again. Ends with `tick(now)`, whose decisions are recorded as usual.
   */
  restore (events: Iterable<DurableEvent>, now: number): void {
    this.ledger.openArchive()
    this.nextSeq = Math.max(this.nextSeq, this.ledger.archive.lastSeq + 1)
    if (this.ledger.archivedCount > 0) this.gateOpen = true
    this.ledger.restoring = true
    try {
      for (const event of events) {
        if (event.type === 'submitted') this.nextSeq = Math.max(this.nextSeq, event.seq + 1)
        if (event.type === 'assigned') this.gateOpen = true
        this.ledger.commit(event)
      }
    } finally {
      this.ledger.restoring = false
    }
    this.ledger.reuseArchivedResults()
    // workers met in the journal are placeholders until they register again: offline, holding their
    // leases for one TTL; those whose attempts all ended are forgotten
    for (const worker of [...this.registry.all()]) {
      if (worker.held.length === 0) {
        this.registry.unregister(worker.id)
        continue
      }
      this.registry.update(worker, { online: false })
      this.registry.recount(worker)
      this.ledger.renew(worker, now)
    }
    for (const task of this.ledger.tasks.values()) {
      if (task.state === 'delayed' && task.retryAt != null) this.ledger.deadlines.add(task.retryAt, { kind: 'retry', task, at: task.retryAt })
      if (task.current?.deadline != null) this.ledger.deadlines.add(task.current.deadline, { kind: 'timeout', task, attempt: task.current.attempt })
    }
    // catch up with the time that passed while nobody was running: elapsed delays, timeouts
    this.tick(now)
  }

  // ---------------------------------------------------------------- internals

  private assign (task: TaskRecord, worker: WorkerState, strategy: Strategy, now: number): void {
    const event: SchedulerEvent = { type: 'assigned', at: now, taskId: task.id, attempt: task.attempts.length + 1, workerId: worker.id, workerName: worker.name, token: this.newToken() }
    if (task.spec.timeoutMs != null) event.deadline = now + task.spec.timeoutMs
    this.ledger.commit(event, task)
    strategy.assigned?.(task.spec, worker)
    // a worker that has delivered nothing yet may hold an attempt only so long, from its first attempt on
    // (a type nobody has finished yet is looked at again every second: once others finish it, its history applies)
    const probation = worker.standing.proven ? undefined : this.probationOf(task)
    if (probation != null) this.ledger.deadlines.add(now + (probation.learned ? probation.ms : Math.min(probation.ms, PROBATION_FLOOR_MS)), { kind: 'probation', task, attempt: event.attempt })
  }

  /**
   * How long an unproven worker may hold an attempt of this task: some times what the type took on the
   * workers that finished it; for a type nobody has finished yet, a first bound that doubles with each
   * attempt of the task taken back, so a long task still finds time on a new network. None when the task's
   * own timeout is the tighter bound (it ends the attempt anyway).
   */
  private probationOf (task: TaskRecord): { ms: number, learned: boolean, why: string } | undefined {
    const learned = this.durations.probationMs(task.spec.type)
    if (learned != null) return { ms: learned, learned: true, why: `${PROBATION_FACTOR} times what this type usually takes` }
    const lost = task.attempts.reduce((n, a) => a.outcome === 'lost' ? n + 1 : n, 0)
    const ms = PROBATION_UNKNOWN_TYPE_MS * 2 ** Math.min(lost, PROBATION_MAX_DOUBLINGS)
    if (task.spec.timeoutMs != null && task.spec.timeoutMs <= ms) return undefined
    return { ms, learned: false, why: 'longer than an unproven worker may hold a type nobody has finished yet' }
  }

  private requireWorker (workerId: string): WorkerState {
    const worker = this.registry.get(workerId)
    if (worker == null) throw new UnknownWorkerError(`unknown worker "${workerId}"`)
    return worker
  }

  /** Ends the current attempt without success and decides whether the task runs again. */
  private endAttempt (task: TaskRecord, outcome: 'failed' | 'timed-out' | 'lost', now: number, details: { error: string, durationMs?: number, unrecoverable?: boolean, blame?: 'worker' }): void {
    const current = task.current!
    let retryAt: number | undefined
    if (outcome === 'lost') {
      const losses = details.blame === 'worker' || task.lostOn?.has(current.workerId) === true ? task.losses : task.losses + 1
      if (losses <= this.maxLostAttempts) retryAt = now
    } else {
      const failures = task.failures + 1
      if (details.unrecoverable !== true && failures < task.spec.retry.maxAttempts) {
        retryAt = now + backoffDelay(task.spec.retry, failures + 1, this.random)
      }
    }
    const event: SchedulerEvent = { type: 'attempt-ended', at: now, taskId: task.id, attempt: current.attempt, workerId: current.workerId, outcome, error: details.error }
    if (details.durationMs != null) event.durationMs = details.durationMs
    if (retryAt != null) event.retryAt = retryAt
    if (details.blame != null) event.blame = details.blame
    this.ledger.commit(event, task)
  }

  /**
   * The attempt's worker lost it. A worker that had delivered nothing yet takes the blame (the task's
   * count of losses is spared); any loss it is to blame for halves the window it earned, and a few in a
   * row quarantine it.
   */
  private loseAttempt (task: TaskRecord, now: number, why: string, blameWorker: boolean): void {
    const worker = this.registry.get(task.current!.workerId)
    const excused = worker != null && !worker.standing.proven
    const counted = excused || task.lostOn?.has(task.current!.workerId) === true ? task.losses : task.losses + 1
    const error = counted > this.maxLostAttempts
      ? `${why}; lost on ${counted} different workers, more than maxLostAttempts (${this.maxLostAttempts})`
      : why
    this.endAttempt(task, 'lost', now, { error, ...(excused ? { blame: 'worker' as const } : {}) })
    if (worker != null && blameWorker) this.blame(worker, now)
  }

  private blame (worker: WorkerState, now: number): void {
    if (this.reputation.quarantinedUntil(worker.id, now) != null) return
    const quarantined = this.reputation.lost(worker.standing, now)
    this.registry.refit(worker)
    if (!quarantined) return
    this.ledger.commit({ type: 'worker-quarantined', at: now, worker, until: worker.standing.quarantinedUntil, reason: `it lost ${QUARANTINE_AFTER_LOSSES} attempts within ${LOSS_MEMORY_MS / 60_000} minutes (${worker.standing.losses} in all)` })
    if (worker.registered && this.leaving !== worker) this.unregisterWorker(worker.id, now, 'quarantined')
  }
}
