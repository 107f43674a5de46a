import { InvalidStateError, LimitExceededError, UnknownWorkerError, ValidationError } from '../errors.js'
import { AssignmentPass } from './assignment-pass.js'
import { checkGraph, topologicalOrder } from './graph.js'
import { TaskLedger } from './ledger.js'
import { backoffDelay } from './retry.js'
import { MAX_SEQ, type TaskRecord, type HistoryEntry, type TaskSnapshot } from './task-record.js'
import { isFinal, type JsonValue, type TaskSpec, type TaskState } from './task.js'
import type { DurableEvent, SchedulerEvent } from './events.js'
import type { ConstraintGroup } from './ready-queue.js'
import type { Strategy } from './strategies/index.js'
import type { WorkerInfo, WorkerRegistration, WorkerState, WorkerStatusUpdate } from './registry.js'
import { checkOptions, DEFAULT_LEASE_TTL_MS, DEFAULT_MAX_LOST_ATTEMPTS, DEFAULT_NO_WORKER_GRACE_MS, type Lease, type NoWorkerPolicy, type ReportedResult, type ReportOutcome, type SchedulerOptions, type SubmitResult, type Summary } from './options.js'

export type { TaskCounts } from './ledger.js'
export * from './options.js'

/**
 * The scheduling brain: task graph, ready queue, strategies, retries, leases and the worker registry.
 * Pure: no network, files or clock. Every method that depends on time takes `now`; every decision is an
 * event applied through one reducer (`apply`), which is also how a journal is replayed after a restart.
 */
export class Scheduler extends TaskLedger {
  private readonly pass: AssignmentPass
  private readonly newToken: () => string
  private readonly expectedWorkers: number
  private readonly onNoWorker: NoWorkerPolicy
  private readonly noWorkerGraceMs: number
  private readonly maxLostAttempts: number
  private readonly maxTasks: number
  private gateOpen: boolean
  private nextSeq = 0
  private tokenCounter = 0

  constructor (options: SchedulerOptions = {}) {
    checkOptions(options)
    super({
      ...(options.strategy != null ? { strategy: options.strategy } : {}),
      ...(options.strategies != null ? { strategies: options.strategies } : {}),
      leaseTtlMs: options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
      random: options.random ?? Math.random
    })
    this.pass = new AssignmentPass(this.registry, this.ready)
    this.newToken = options.newToken ?? (() => `lease-${++this.tokenCounter}`)
    this.expectedWorkers = options.expectedWorkers ?? 0
    this.gateOpen = this.expectedWorkers <= 0
    this.onNoWorker = options.onNoWorker ?? 'wait'
    this.noWorkerGraceMs = options.noWorkerGraceMs ?? DEFAULT_NO_WORKER_GRACE_MS
    this.maxLostAttempts = options.maxLostAttempts ?? DEFAULT_MAX_LOST_ATTEMPTS
    this.maxTasks = options.maxTasks ?? Infinity
  }

  get strategy (): Strategy {
    return this.defaultStrategy
  }

  get leaseTtl (): number {
    return this.leaseTtlMs
  }

  /** True once assignment may begin (expected workers reached). */
  get assigning (): boolean {
    return this.gateOpen
  }

  // ---------------------------------------------------------------- tasks

  /**
   * Adds tasks. The batch is checked as a whole (duplicate ids, unknown dependencies, cycles, unknown
   * strategies) and either added entirely or not at all. Tasks whose id the scheduler already holds are
   * left as they are and reported in `existing`.
   */
  submit (specs: readonly TaskSpec[], now: number): SubmitResult {
    const problems = checkGraph(specs, { isKnown: id => this.tasks.has(id) })
    specs.forEach((spec, i) => {
      if (!Number.isInteger(spec.priority) || spec.priority < 1 || spec.priority > 10) {
        problems.push({ path: `tasks[${i}].priority`, message: 'must be 1..10' })
      }
      const name = spec.strategy
      if (name != null && !this.knowsStrategy(name)) {
        problems.push({ path: `tasks[${i}].strategy`, message: `unknown strategy "${name}"` })
      }
    })
    if (problems.length > 0) throw new ValidationError(problems, { subject: 'tasks' })

    const fresh = this.tasks.size === 0 ? specs : specs.filter(s => !this.tasks.has(s.id))
    if (this.nextSeq + fresh.length > MAX_SEQ) {
      throw new LimitExceededError(`this admin has numbered ${this.nextSeq} submissions, and can number ${MAX_SEQ} in its lifetime; start a new one on a fresh data directory`)
    }
    if (this.tasks.size + fresh.length > this.maxTasks) {
      throw new LimitExceededError(`cannot hold ${fresh.length} more tasks: ${this.tasks.size} of at most ${this.maxTasks} are held; raise maxTasks or wait for work to finish`)
    }
    const existing = fresh.length === specs.length ? [] : specs.filter(s => this.tasks.has(s.id)).map(s => s.id)
    const seqBase = this.nextSeq
    this.nextSeq += fresh.length
    const ordered = topologicalOrder(fresh)
    // submission order (not dependency order) decides ties between equal priorities
    const seqOf = ordered === fresh ? undefined : new Map(fresh.map((s, i) => [s.id, seqBase + i]))
    ordered.forEach((spec, i) => {
      this.commit({ type: 'submitted', at: now, seq: seqOf?.get(spec.id) ?? seqBase + i, task: spec })
    })
    return { added: fresh.map(s => s.id), existing }
  }

  /** Stops a task: a running attempt is aborted, dependents are skipped. Returns false if it was already final. */
  cancel (taskId: string, now: number, reason = 'cancelled by request'): boolean {
    const task = this.require(taskId)
    if (isFinal(task.state)) return false
    const event: SchedulerEvent = { type: 'cancelled', at: now, taskId, reason }
    if (task.current != null) {
      event.attempt = task.current.attempt
      event.workerId = task.current.workerId
    }
    this.commit(event, task)
    return true
  }

  /** Puts a failed, cancelled or skipped task back, with a fresh retry budget; its skipped dependents follow. */
  retry (taskId: string, now: number): void {
    const task = this.require(taskId)
    if (task.state !== 'failed' && task.state !== 'cancelled' && task.state !== 'skipped') {
      throw new InvalidStateError(`task "${taskId}" is ${task.state}: only failed, cancelled or skipped tasks can be retried`)
    }
    const blocker = task.spec.dependsOn.map(id => this.tasks.get(id)!).find(d => d.state !== 'succeeded' && isFinal(d.state))
    if (blocker != null) {
      throw new InvalidStateError(`task "${taskId}" depends on "${blocker.id}", which ${blocker.state}: retry "${blocker.id}" instead, and its skipped dependents come back with it`)
    }
    this.commit({ type: 'retried', at: now, taskId }, task)
  }

  /** The results of a task's dependencies, keyed by dependency id: what its worker receives as `inputs`. */
  inputsOf (taskId: string): Record<string, JsonValue> {
    const task = this.require(taskId)
    const inputs: Record<string, JsonValue> = {}
    for (const dep of task.spec.dependsOn) {
      const d = this.tasks.get(dep)
      if (d?.output !== undefined) inputs[dep] = d.output
    }
    return inputs
  }

  has (taskId: string): boolean {
    return this.tasks.has(taskId)
  }

  /** When a task last became ready to run (its wait for a worker starts there). */
  readyAt (taskId: string): number | undefined {
    return this.require(taskId).readyAt
  }

  spec (taskId: string): TaskSpec {
    return this.require(taskId).spec
  }

  getTask (taskId: string): TaskSnapshot {
    return this.require(taskId).snapshot()
  }

  history (taskId: string): HistoryEntry[] {
    return this.require(taskId).history()
  }

  /** Tasks in submission order, optionally only those in `state`. */
  * listTasks (state?: TaskState): Generator<TaskSnapshot> {
    for (const task of this.tasks.values()) {
      if (state == null || task.state === state) yield task.snapshot()
    }
  }

  summary (): Summary {
    const total = this.tasks.size
    const final = this.counts.succeeded + this.counts.failed + this.counts.skipped + this.counts.cancelled
    return { total, counts: { ...this.counts }, progress: total === 0 ? 1 : final / total, workers: this.registry.onlineCount() }
  }

  /** Every task is in a final state (and there is at least one). */
  isDone (): boolean {
    const c = this.counts
    return this.tasks.size > 0 && c.succeeded + c.failed + c.skipped + c.cancelled === this.tasks.size
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
    const mine = worker.held
    const claimed = new Set<TaskRecord>()
    for (const lease of leases) {
      const task = this.tasks.get(lease.taskId)
      const current = task?.current
      if (task != null && current != null && current.attempt === lease.attempt && current.token === lease.token && current.workerId === worker.id) {
        claimed.add(task)
      } else {
        revoked.push(lease)
      }
    }
    for (const task of [...mine]) {
      if (!claimed.has(task)) this.loseAttempt(task, now, 'the worker re-registered without it')
    }
    // adopted attempts may have been held by a placeholder of this worker: count them again
    worker.running = worker.held.length
    this.registry.update(worker, {})
    this.renew(worker, now)
    this.noWorkerDirty = true
    this.emit({ type: 'worker-joined', at: now, worker })
    if (!this.gateOpen && this.registry.onlineCount() >= this.expectedWorkers) {
      this.gateOpen = true
      this.emit({ type: 'assigning-started', at: now, workers: this.registry.onlineCount() })
    }
    return { worker, revoked }
  }

  /** Removes a worker; its running attempts are lost and go back to the queue per their policy. */
  unregisterWorker (workerId: string, now: number, reason: 'disconnected' | 'lease-expired' | 'unregistered' = 'unregistered'): boolean {
    const worker = this.registry.get(workerId)
    if (worker == null) return false
    const why = reason === 'lease-expired' ? 'its lease expired' : reason === 'disconnected' ? 'the worker disconnected' : 'the worker was unregistered'
    for (const task of [...worker.held]) this.loseAttempt(task, now, why)
    this.registry.unregister(workerId)
    this.noWorkerDirty = true
    this.emit({ type: 'worker-left', at: now, worker, reason })
    return true
  }

  /** Status from the worker or an operator: online/offline, draining, priority, capacity. */
  updateWorker (workerId: string, update: WorkerStatusUpdate): WorkerInfo {
    const worker = this.registry.get(workerId)
    if (worker == null) throw new UnknownWorkerError(`unknown worker "${workerId}"`)
    this.registry.update(worker, update)
    this.noWorkerDirty = true
    return worker
  }

  /** The worker is alive: all its leases are extended by the lease TTL. */
  renewLeases (workerId: string, now: number): void {
    const worker = this.registry.get(workerId)
    if (worker == null) return
    this.commit({ type: 'lease-renewed', at: now, workerId })
  }

  /** Attempts currently leased to a worker. */
  leasesOf (workerId: string): Lease[] {
    return [...(this.registry.get(workerId)?.held ?? [])].map(t => ({ taskId: t.id, attempt: t.current!.attempt, token: t.current!.token }))
  }

  workers (): WorkerInfo[] {
    return [...this.registry.all()]
  }

  // ---------------------------------------------------------------- results and time

  /** A worker reports the result of an attempt. Only the current lease holder's result is accepted. */
  report (workerId: string, result: ReportedResult, now: number): ReportOutcome {
    const task = this.tasks.get(result.taskId)
    if (task == null) return 'rejected'
    const current = task.current
    if (current != null && current.attempt === result.attempt) {
      if (current.workerId !== workerId || current.token !== result.token) return 'rejected'
      const durationMs = result.durationMs ?? now - current.assignedAt
      if (result.success) {
        const ended: SchedulerEvent = { type: 'attempt-ended', at: now, taskId: task.id, attempt: current.attempt, workerId, outcome: 'succeeded', durationMs }
        if (result.output !== undefined) ended.output = result.output
        this.commit(ended, task)
      } else {
        this.endAttempt(task, 'failed', now, { error: result.error ?? 'failed', durationMs, unrecoverable: result.unrecoverable === true })
      }
      return 'accepted'
    }
    const past = task.attempts[result.attempt - 1]
    if (past == null || past.workerId !== workerId || past.token !== result.token) return 'rejected'
    if (past.outcome === 'succeeded' || past.outcome === 'failed') return 'duplicate'
    this.commit({ type: 'late-result', at: now, taskId: task.id, attempt: result.attempt, workerId, success: result.success }, task)
    return 'late'
  }

  /** Time passes: timeouts, retry delays, lease expiries and no-worker grace periods that are due. */
  tick (now: number): void {
    for (const d of this.deadlines.due(now)) {
      switch (d.kind) {
        case 'timeout': {
          const current = d.task.current
          if (current?.attempt === d.attempt) {
            this.endAttempt(d.task, 'timed-out', now, { error: `timed out after ${d.task.spec.timeoutMs} ms`, durationMs: now - current.assignedAt })
          }
          break
        }
        case 'retry':
          if (d.task.state === 'delayed' && d.task.retryAt === d.at) this.commit({ type: 'released', at: now, taskId: d.task.id }, d.task)
          break
        case 'lease': {
          const w = d.worker
          if (this.registry.get(w.id) !== w) break
          if (w.leaseExpiresAt > now) this.deadlines.add(w.leaseExpiresAt, d)
          else this.unregisterWorker(w.id, now, 'lease-expired')
          break
        }
        case 'no-worker':
          this.failIfStillNoWorker(d.group, now)
          break
      }
    }
  }

  /** When `tick` next has something to do, if ever. */
  nextDeadline (): number | undefined {
    return this.deadlines.next()
  }

  /**
   * Assigns ready tasks to free workers: highest priority first, hard constraints first, then the strategy.
   * Returns the number of assignments; each is also a `assigned` event.
   */
  schedule (now: number): number {
    if (!this.gateOpen) return 0
    if (this.noWorkerDirty && this.onNoWorker === 'fail') this.checkNoWorker(now)
    if (this.registry.free.length === 0 || this.counts.ready === 0) return 0
    return this.pass.run({
      assign: (task, worker, group) => { this.assign(task, worker, group.strategy, now) },
      blocked: (group) => { if (this.onNoWorker === 'fail') this.watchNoWorker(group, now) }
    })
  }

  // ---------------------------------------------------------------- journal

  /**
   * Rebuilds state from journal events (in the order they were recorded). Attempts that were running are
   * kept for their worker for one lease TTL from `now`: a worker that comes back and still holds them keeps
   * them, otherwise they expire and run again. Ends with `tick(now)`, whose decisions are emitted as usual.
   */
  restore (events: Iterable<DurableEvent>, now: number): void {
    this.restoring = true
    try {
      for (const event of events) {
        if (event.type === 'submitted') this.nextSeq = Math.max(this.nextSeq, event.seq + 1)
        if (event.type === 'assigned') this.gateOpen = true
        this.commit(event)
      }
    } finally {
      this.restoring = false
    }
    // workers met in the journal are placeholders until they register again: offline, holding their
    // leases for one TTL; those whose attempts all ended are forgotten
    for (const worker of [...this.registry.all()]) {
      if (worker.held.length === 0) {
        this.registry.unregister(worker.id)
        continue
      }
      this.registry.update(worker, { online: false })
      worker.running = worker.held.length
      this.renew(worker, now)
    }
    for (const task of this.tasks.values()) {
      if (task.state === 'delayed' && task.retryAt != null) this.deadlines.add(task.retryAt, { kind: 'retry', task, at: task.retryAt })
      if (task.current?.deadline != null) this.deadlines.add(task.current.deadline, { kind: 'timeout', task, attempt: task.current.attempt })
    }
    // catch up with the time that passed while nobody was running: elapsed delays, timeouts
    this.tick(now)
  }

  // ---------------------------------------------------------------- internals: decisions

  /** Could the worker run tasks of this group, capacity aside? */
  private eligible (worker: WorkerState, group: ConstraintGroup): boolean {
    return this.registry.satisfies(group.requirement, worker) &&
      (!group.strategy.skillAware || worker.skill >= group.difficulty) &&
      (group.pin == null || worker.name === group.pin)
  }

  private assign (task: TaskRecord, worker: WorkerState, strategy: Strategy, now: number): void {
    const event: SchedulerEvent = {
      type: 'assigned',
      at: now,
      taskId: task.id,
      attempt: task.attempts.length + 1,
      workerId: worker.id,
      workerName: worker.name,
      token: this.newToken()
    }
    if (task.spec.timeoutMs != null) event.deadline = now + task.spec.timeoutMs
    this.commit(event, task)
    strategy.assigned?.(task.spec, worker)
  }

  /** Ends the current attempt without success and decides whether the task runs again. */
  private endAttempt (task: TaskRecord, outcome: 'failed' | 'timed-out' | 'lost', now: number, details: { error: string, durationMs?: number, unrecoverable?: boolean }): void {
    const current = task.current!
    let retryAt: number | undefined
    if (outcome === 'lost') {
      if (task.losses < this.maxLostAttempts) retryAt = now
    } else {
      const failures = task.failures + 1
      if (details.unrecoverable !== true && failures < task.spec.retry.maxAttempts) {
        retryAt = now + backoffDelay(task.spec.retry, failures + 1, this.random)
      }
    }
    const event: SchedulerEvent = { type: 'attempt-ended', at: now, taskId: task.id, attempt: current.attempt, workerId: current.workerId, outcome, error: details.error }
    if (details.durationMs != null) event.durationMs = details.durationMs
    if (retryAt != null) event.retryAt = retryAt
    this.commit(event, task)
  }

  private loseAttempt (task: TaskRecord, now: number, why: string): void {
    const lost = task.losses + 1
    const error = lost > this.maxLostAttempts
      ? `${why}; lost its worker ${lost} times, more than maxLostAttempts (${this.maxLostAttempts})`
      : why
    this.endAttempt(task, 'lost', now, { error })
  }

  /** Is any registered worker (busy or not) able to run tasks of this group? */
  private capableExists (group: ConstraintGroup): boolean {
    for (const w of this.registry.all()) {
      if (w.online && !w.draining && this.eligible(w, group)) return true
    }
    return false
  }

  private watchNoWorker (group: ConstraintGroup, now: number): void {
    if (this.capableExists(group)) {
      group.noWorkerSince = undefined
    } else if (group.noWorkerSince == null) {
      group.noWorkerSince = now
      this.deadlines.add(now + this.noWorkerGraceMs, { kind: 'no-worker', group })
    }
  }

  private checkNoWorker (now: number): void {
    this.noWorkerDirty = false
    for (const group of this.ready.groups.values()) {
      if (group.head() != null) this.watchNoWorker(group, now)
    }
  }

  private failIfStillNoWorker (group: ConstraintGroup, now: number): void {
    if (group.noWorkerSince == null) return
    if (now < group.noWorkerSince + this.noWorkerGraceMs) return
    if (this.capableExists(group)) {
      group.noWorkerSince = undefined
      return
    }
    const needs = describeNeeds(group)
    let task: TaskRecord | undefined
    while ((task = group.head()) != null) {
      group.take()
      this.commit({
        type: 'failed',
        at: now,
        taskId: task.id,
        error: `no registered worker can run it (${needs}) after waiting ${this.noWorkerGraceMs} ms; start a worker that can, or let tasks wait (--on-no-worker wait)`,
        errorName: 'NoSuitableWorkerError'
      }, task)
    }
    group.noWorkerSince = undefined
  }
}

function describeNeeds (group: ConstraintGroup): string {
  const parts: string[] = []
  const sample = group.peekAny()?.spec
  if (sample != null && sample.requires.length > 0) parts.push(`capabilities ${sample.requires.join(', ')}`)
  if (group.pin != null) parts.push(`worker "${group.pin}"`)
  if (group.strategy.skillAware && group.difficulty > 0) parts.push(`skill >= ${group.difficulty}`)
  return parts.length === 0 ? 'any worker' : parts.join(', ')
}
