import { UnknownTaskError, ValidationError } from '../errors.js'
import { isDurable, type DurableEvent, type SchedulerEvent } from './events.js'
import { ReadyQueue, ConstraintGroup, MAX_STRATEGIES } from './ready-queue.js'
import { WorkerRegistry, type WorkerInfo, type WorkerState } from './registry.js'
import { createStrategy, DEFAULT_STRATEGY, isBuiltInStrategy, type Strategy } from './strategies/index.js'
import { TaskRecord, type AttemptRecord } from './task-record.js'
import { Deadlines } from './timers.js'
import { isFinal, type JsonValue, type TaskSpec, type TaskState } from './task.js'

export type TaskCounts = Record<TaskState, number>

/** Things the scheduler must do at a given time; each checks, when due, that it still applies. */
export type Deadline =
  | { kind: 'timeout', task: TaskRecord, attempt: number }
  | { kind: 'retry', task: TaskRecord, at: number }
  | { kind: 'lease', worker: WorkerState }
  | { kind: 'no-worker', group: ConstraintGroup }

const NO_COUNTS = (): TaskCounts => ({ waiting: 0, ready: 0, delayed: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 })

export interface LedgerOptions {
  strategy?: string | Strategy
  strategies?: Record<string, Strategy>
  leaseTtlMs: number
  random: () => number
}

/**
 * The scheduler's state and the one reducer that changes it. Every change is an event applied here, live or
 * when a journal is replayed, so the state after a run and the state after replaying its events are the
 * same. Decisions (what to assign, when time is up) are made by the `Scheduler` built on top.
 */
export abstract class TaskLedger {
  readonly registry = new WorkerRegistry()
  protected readonly tasks = new Map<string, TaskRecord>()
  /** The same records by submission number: how ready-queue keys find their task. */
  protected readonly bySeq: TaskRecord[] = []
  protected readonly ready = new ReadyQueue()
  protected readonly deadlines = new Deadlines<Deadline>()
  protected readonly cache = new Map<string, TaskRecord>()
  protected readonly counts = NO_COUNTS()
  protected readonly random: () => number
  protected readonly leaseTtlMs: number
  protected readonly defaultStrategy: Strategy
  /** Groups whose "is any worker able to run these" answer may have changed. */
  protected noWorkerDirty = false
  protected restoring = false
  private readonly listeners: Array<(event: SchedulerEvent) => void> = []
  private readonly strategies = new Map<string, Strategy>()
  private readonly strategySlots = new Map<Strategy, number>()
  /** Events waiting to be applied: derived events queue up behind the one being applied, so cascades never recurse. */
  private readonly queue: SchedulerEvent[] = []
  private readonly queuedTasks: Array<TaskRecord | undefined> = []
  private applying = false

  constructor (options: LedgerOptions) {
    this.random = options.random
    this.leaseTtlMs = options.leaseTtlMs
    for (const [name, strategy] of Object.entries(options.strategies ?? {})) this.strategies.set(name, strategy)
    const chosen = options.strategy ?? DEFAULT_STRATEGY
    this.defaultStrategy = typeof chosen === 'string' ? this.strategyNamed(chosen) : chosen
    this.strategies.set(this.defaultStrategy.name, this.defaultStrategy)
  }

  /** Calls `listener` with every event, after it has been applied. Returns a function that unsubscribes. */
  onEvent (listener: (event: SchedulerEvent) => void): () => void {
    this.listeners.push(listener)
    return () => {
      const i = this.listeners.indexOf(listener)
      if (i !== -1) this.listeners.splice(i, 1)
    }
  }

  /**
   * Applies an event (and the events it leads to), then emits it. `task` is the record the event is about
   * when the caller has it at hand, which spares a lookup by id on the hot path; replay looks records up.
   */
  protected commit (event: SchedulerEvent, task?: TaskRecord): void {
    this.queue.push(event)
    this.queuedTasks.push(task)
    if (this.applying) return
    this.applying = true
    try {
      for (let i = 0; i < this.queue.length; i++) {
        const e = this.queue[i]!
        // an event that no longer applies (a second skip reaching the same task) is dropped, not emitted
        const changed = isDurable(e) ? this.apply(e, this.queuedTasks[i]) : true
        if (changed && !this.restoring) this.emit(e)
      }
    } finally {
      this.queue.length = 0
      this.queuedTasks.length = 0
      this.applying = false
    }
  }

  protected emit (event: SchedulerEvent): void {
    for (const listener of this.listeners) listener(event)
  }

  /**
   * The only place task state changes. Deterministic; returns false, changing nothing, for an event that
   * no longer applies, which is what makes replaying a journal over derived events safe.
   */
  private apply (e: DurableEvent, known?: TaskRecord): boolean {
    switch (e.type) {
      case 'submitted': {
        if (this.tasks.has(e.task.id)) return false
        const task = new TaskRecord(e.task, e.seq, e.at)
        this.tasks.set(task.id, task)
        this.bySeq[e.seq] = task
        this.counts.waiting++
        let blockedBy: TaskRecord | undefined
        for (const depId of e.task.dependsOn) {
          const dep = this.tasks.get(depId)!
          ;(dep.dependents ??= []).push(task)
          if (dep.state !== 'succeeded') {
            task.pending++
            if (isFinal(dep.state)) blockedBy ??= dep
          }
        }
        if (blockedBy != null) this.commit({ type: 'skipped', at: e.at, taskId: task.id, reason: `dependency "${blockedBy.id}" ${blockedBy.state}` }, task)
        else if (task.pending === 0) this.makeReady(task, e.at)
        return true
      }
      case 'released': {
        const task = known ?? this.tasks.get(e.taskId)
        if (task == null || task.state !== 'delayed') return false
        this.makeReady(task, e.at)
        return true
      }
      case 'assigned': {
        const task = known ?? this.tasks.get(e.taskId)
        if (task == null || task.state !== 'ready') return false
        const attempt: AttemptRecord = { attempt: e.attempt, workerId: e.workerId, workerName: e.workerName, token: e.token, assignedAt: e.at, order: task.nextOrder() }
        if (e.deadline != null) attempt.deadline = e.deadline
        task.addAttempt(attempt)
        task.current = attempt
        this.setState(task, 'running')
        const worker = this.registry.get(e.workerId) ??
          (this.restoring ? this.registry.register({ id: e.workerId, name: e.workerName, skill: 0 }, e.at) : undefined)
        if (worker != null) {
          worker.hold(task)
          this.registry.acquire(worker)
        }
        if (e.deadline != null && !this.restoring) this.deadlines.add(e.deadline, { kind: 'timeout', task, attempt: e.attempt })
        return true
      }
      case 'attempt-ended': {
        const task = known ?? this.tasks.get(e.taskId)
        const current = task?.current
        if (task == null || current == null || current.attempt !== e.attempt) return false
        this.closeAttempt(task, e.outcome, e.at, e.error, e.durationMs)
        if (e.outcome === 'failed' || e.outcome === 'timed-out') task.failures++
        if (e.outcome === 'lost') task.losses++
        if (e.outcome === 'succeeded') {
          this.succeed(task, e.output, e.at)
        } else if (e.retryAt != null) {
          task.mark({ at: e.at, event: 'retry-scheduled', attempt: e.attempt, detail: `next attempt at ${e.retryAt}` })
          if (e.retryAt <= e.at) {
            this.makeReady(task, e.at)
          } else {
            task.retryAt = e.retryAt
            this.setState(task, 'delayed')
            if (!this.restoring) this.deadlines.add(e.retryAt, { kind: 'retry', task, at: e.retryAt })
          }
        } else {
          this.finish(task, 'failed', e.at, e.error ?? e.outcome)
        }
        return true
      }
      case 'cached': {
        const task = known ?? this.tasks.get(e.taskId)
        if (task == null || isFinal(task.state)) return false
        task.mark({ at: e.at, event: 'cached', detail: `result of "${e.from}"` })
        this.succeed(task, e.output, e.at)
        return true
      }
      case 'skipped': {
        const task = known ?? this.tasks.get(e.taskId)
        if (task == null || isFinal(task.state) || task.state === 'running') return false
        task.mark({ at: e.at, event: 'skipped', detail: e.reason })
        this.finish(task, 'skipped', e.at, e.reason)
        return true
      }
      case 'cancelled': {
        const task = known ?? this.tasks.get(e.taskId)
        if (task == null || isFinal(task.state)) return false
        if (task.current != null) this.closeAttempt(task, 'cancelled', e.at, e.reason)
        this.finish(task, 'cancelled', e.at, e.reason)
        return true
      }
      case 'failed': {
        const task = known ?? this.tasks.get(e.taskId)
        if (task == null || isFinal(task.state) || task.state === 'running') return false
        task.mark({ at: e.at, event: 'failed', error: e.error, ...(e.errorName != null ? { detail: e.errorName } : {}) })
        this.finish(task, 'failed', e.at, e.error)
        return true
      }
      case 'retried': {
        const task = known ?? this.tasks.get(e.taskId)
        if (task == null || (task.state !== 'failed' && task.state !== 'cancelled' && task.state !== 'skipped')) return false
        task.mark({ at: e.at, event: 'retried', ...(e.cause != null ? { detail: `dependency "${e.cause}" was retried` } : {}) })
        this.reopen(task, e.at)
        return true
      }
      case 'late-result': {
        const task = known ?? this.tasks.get(e.taskId)
        if (task == null) return false
        task.mark({ at: e.at, event: 'late-result', attempt: e.attempt, workerId: e.workerId, detail: e.success ? 'succeeded, not accepted' : 'failed, not accepted' })
        return true
      }
      case 'lease-renewed': {
        const worker = this.registry.get(e.workerId)
        if (worker == null) return false
        if (!this.restoring) this.renew(worker, e.at)
        return true
      }
    }
  }

  private closeAttempt (task: TaskRecord, outcome: 'succeeded' | 'failed' | 'timed-out' | 'lost' | 'cancelled', at: number, error?: string, durationMs?: number): void {
    const current = task.current!
    current.endedAt = at
    current.endOrder = task.nextOrder()
    current.outcome = outcome
    if (error != null && outcome !== 'succeeded') current.error = error
    if (durationMs != null) current.durationMs = durationMs
    task.current = undefined
    const worker = this.registry.get(current.workerId)
    if (worker != null) {
      worker.unhold(task)
      this.registry.release(worker)
      if (outcome === 'succeeded') worker.completed++
      else if (outcome === 'failed' || outcome === 'timed-out') worker.failed++
    }
    const strategy = this.strategyFor(task.spec)
    strategy.observe?.({ task: task.spec, worker: worker ?? { id: current.workerId, name: current.workerName } as WorkerInfo, outcome, durationMs: durationMs ?? at - current.assignedAt })
  }

  private succeed (task: TaskRecord, output: JsonValue | undefined, at: number): void {
    task.output = output
    this.finish(task, 'succeeded', at)
    const key = task.spec.cacheKey
    if (key != null && !this.cache.has(key)) this.cache.set(key, task)
    for (const dep of task.dependents ?? []) {
      if (dep.state === 'waiting' && --dep.pending === 0) this.makeReady(dep, at)
    }
  }

  private finish (task: TaskRecord, state: 'succeeded' | 'failed' | 'skipped' | 'cancelled', at: number, error?: string): void {
    this.setState(task, state)
    task.finishedAt = at
    task.retryAt = undefined
    if (error != null) task.error = error
    if (state === 'succeeded') return
    for (const dep of task.dependents ?? []) {
      if (!isFinal(dep.state)) this.commit({ type: 'skipped', at, taskId: dep.id, reason: `dependency "${task.id}" ${state}` }, dep)
    }
  }

  /** A final task starts over: waiting for dependencies or ready; dependents it had skipped come back too. */
  private reopen (task: TaskRecord, at: number): void {
    task.failures = 0
    task.losses = 0
    task.error = undefined
    task.finishedAt = undefined
    task.output = undefined
    this.setState(task, 'waiting')
    task.pending = 0
    let blocked = false
    for (const depId of task.spec.dependsOn) {
      const dep = this.tasks.get(depId)!
      if (dep.state !== 'succeeded') task.pending++
      if (dep.state !== 'succeeded' && isFinal(dep.state)) blocked = true
    }
    if (blocked) {
      this.finish(task, 'skipped', at, 'a dependency is still not succeeded')
      return
    }
    if (task.pending === 0) this.makeReady(task, at)
    for (const dep of task.dependents ?? []) {
      if (dep.state === 'skipped') this.commit({ type: 'retried', at, taskId: dep.id, cause: task.id }, dep)
    }
  }

  protected makeReady (task: TaskRecord, at: number): void {
    const key = task.spec.cacheKey
    const hit = key != null ? this.cache.get(key) : undefined
    if (hit != null && hit !== task && hit.state === 'succeeded') {
      const cached: SchedulerEvent = { type: 'cached', at, taskId: task.id, from: hit.id }
      if (hit.output !== undefined) cached.output = hit.output
      this.commit(cached, task)
      return
    }
    task.retryAt = undefined
    task.readyAt = at
    this.setState(task, 'ready')
    this.ready.push(this.groupFor(task.spec), task)
  }

  private groupFor (spec: TaskSpec): ConstraintGroup {
    const strategy = this.strategyFor(spec)
    const requirement = this.registry.requirementId(spec.requires)
    const difficulty = strategy.skillAware ? spec.difficulty : 0
    const key = `${requirement}\u0000${spec.worker ?? ''}\u0000${difficulty}\u0000${strategy.name}`
    const existing = this.ready.groups.get(key)
    if (existing != null) return existing
    this.noWorkerDirty = true
    return new ConstraintGroup(key, requirement, spec.worker, difficulty, strategy, this.strategySlot(strategy), this.bySeq)
  }

  /** A small number per strategy in use, for the integer keys of the scheduling pass. */
  private strategySlot (strategy: Strategy): number {
    let slot = this.strategySlots.get(strategy)
    if (slot == null) {
      slot = this.strategySlots.size % MAX_STRATEGIES
      this.strategySlots.set(strategy, slot)
    }
    return slot
  }

  /** A strategy name a task may use: built in, or registered with the scheduler. */
  protected knowsStrategy (name: string): boolean {
    return this.strategies.has(name) || isBuiltInStrategy(name)
  }

  protected strategyFor (spec: TaskSpec): Strategy {
    return spec.strategy == null ? this.defaultStrategy : this.strategyNamed(spec.strategy)
  }

  protected strategyNamed (name: string): Strategy {
    let strategy = this.strategies.get(name)
    if (strategy == null) {
      if (!isBuiltInStrategy(name)) {
        throw new ValidationError([{ path: 'strategy', message: `unknown strategy "${name}"` }], { subject: 'scheduler options' })
      }
      strategy = createStrategy(name, { random: this.random })
      this.strategies.set(name, strategy)
    }
    return strategy
  }

  private setState (task: TaskRecord, state: TaskState): void {
    this.counts[task.state]--
    this.counts[state]++
    task.state = state
  }

  protected require (taskId: string): TaskRecord {
    const task = this.tasks.get(taskId)
    if (task == null) throw new UnknownTaskError(`unknown task "${taskId}"`)
    return task
  }

  protected renew (worker: WorkerState, now: number): void {
    const first = worker.leaseExpiresAt === Infinity
    worker.leaseExpiresAt = now + this.leaseTtlMs
    // one pending deadline per worker: when it comes due it re-arms itself if the lease was renewed
    if (first) this.deadlines.add(worker.leaseExpiresAt, { kind: 'lease', worker })
  }
}
