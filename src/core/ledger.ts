import { Archiving } from './archiving.js'
import { countDependencies } from './dependencies.js'
import { noCounts } from './counts.js'
import { DueHeap } from './due.js'
import { UnknownTaskError } from './errors.js'
import { isDurable, type DurableEvent, type SchedulerEvent } from './events.js'
import { formatDelay, ResultCache } from './result-cache.js'
import { ReadyQueue } from './ready-queue.js'
import { TaskRecord, type AttemptRecord } from './task-record.js'
import { isFinal, type FinalState, type JsonValue, type TaskSpec, type TaskState } from './task.js'
import type { TaskArchive } from './archive.js'
import { RateLimits } from './rate-limits.js'
import { Pauses } from './pauses.js'
import { Tenants } from './tenants.js'
import { SeqIndex } from './seq-index.js'
import { isoTime } from './time.js'
import { DedupKeys, debounce } from './dedup.js'
import type { WorkerInfo, WorkerRegistry } from './registry.js'
import type { StrategyRegistry } from './strategy-registry.js'

/**
 * The scheduler's task state and the one reducer that changes it. Every change is an event applied here,
 * live or when a journal is replayed, so the state after a run and the state after replaying its events
 * are the same. Applied events are kept, in order, until `takeEvents()`: nobody is called back while a
 * change is being applied. Decisions (what to assign, when time is up) are the `Scheduler`'s; which tasks
 * leave memory is `Archiving`'s and `Retention`'s. The scheduler's parts read the fields; only the reducer changes task state.
 */
export class TaskLedger {
  /** The tasks in memory (all but the archived ones), by id and by submission number (how ready-queue keys find them). */
  readonly tasks = new Map<string, TaskRecord>()
  readonly bySeq = new SeqIndex<TaskRecord>()
  readonly archive: TaskArchive
  readonly archiving: Archiving
  readonly ready = new ReadyQueue()
  /** The rate limits; each start (an assignment, live or replayed) counts in its task's window. */
  readonly rates: RateLimits
  /** The task groups and what each runs: workers are shared between them. */
  readonly tenants: Tenants
  /** What an operator paused: no task under a pause starts. */
  readonly pauses = new Pauses()
  /** Which task holds each dedup key, until when. */
  readonly dedup = new DedupKeys()
  /** Finished tasks retention dropped, until the journal has dropped them too: no longer known to anyone. */
  readonly purging = new Set<string>()
  /** What comes due when: timeouts, retry delays, lease expiries, probations, no-worker grace periods. */
  readonly due = new DueHeap()
  readonly counts = noCounts()
  readonly registry: WorkerRegistry
  readonly strategies: StrategyRegistry
  /** Replaying a journal: state changes, but nothing is recorded as a new decision. */
  restoring = false
  /** A constraint group appeared: whether some worker can serve each group must be looked at again. */
  groupsChanged = false
  readonly leaseTtlMs: number
  /** Results by cache key (replay adds the archive's). */
  readonly cache = new ResultCache()
  private decided: SchedulerEvent[] = []
  /** Events waiting to be applied: derived events queue up behind the one being applied, so cascades never recurse. */
  private readonly queue: SchedulerEvent[] = []
  private readonly queuedTasks: Array<TaskRecord | undefined> = []
  private applying = false

  constructor (registry: WorkerRegistry, strategies: StrategyRegistry, leaseTtlMs: number, archive: TaskArchive, rates: RateLimits = new RateLimits(), tenants: Tenants = new Tenants()) {
    this.rates = rates
    this.tenants = tenants
    this.registry = registry
    this.strategies = strategies
    this.leaseTtlMs = leaseTtlMs
    this.archive = archive
    this.archiving = new Archiving(archive, this.tasks, this.bySeq)
  }

  /** Is the task known, in memory or archived? */
  has (taskId: string): boolean {
    return !this.purging.has(taskId) && (this.tasks.has(taskId) || this.archive.has(taskId))
  }

  /** Tasks held in all: in memory and archived. */
  get size (): number {
    return this.tasks.size + this.archiving.count - this.purging.size
  }

  /** Events decided and not taken yet: state the journal does not have. */
  get undelivered (): number {
    return this.decided.length
  }

  /** The events applied (and the notices recorded) since the last call, in order. */
  takeEvents (): SchedulerEvent[] {
    const events = this.decided
    this.decided = []
    return events
  }

  /**
   * Applies an event (and the events it leads to) and records it; a notice is only recorded. `task` is the
   * record the event is about when the caller has it at hand, which spares a lookup by id on the hot path;
   * replay looks records up.
   */
  commit (event: SchedulerEvent, task?: TaskRecord): void {
    this.queue.push(event)
    this.queuedTasks.push(task)
    if (this.applying) return
    this.applying = true
    try {
      for (let i = 0; i < this.queue.length; i++) {
        const e = this.queue[i]!
        // an event that no longer applies (a second skip reaching the same task) is dropped, not recorded
        const changed = isDurable(e) ? this.apply(e, this.queuedTasks[i]) : true
        if (changed && !this.restoring) this.decided.push(e)
      }
    } finally {
      this.queue.length = 0
      this.queuedTasks.length = 0
      this.applying = false
    }
  }

  require (taskId: string): TaskRecord {
    const task = this.tasks.get(taskId)
    if (task == null || this.purging.has(taskId)) throw new UnknownTaskError(`unknown task "${taskId}"`)
    return task
  }

  /**
   * The only place task state changes. Deterministic; returns false, changing nothing, for an event that
   * no longer applies, which is what makes replaying a journal over derived events safe.
   */
  private apply (e: DurableEvent, known?: TaskRecord): boolean {
    const task = e.type === 'submitted' || e.type === 'lease-renewed' || e.type === 'worker-steered' || e.type === 'pause-changed' ? undefined : known ?? this.tasks.get(e.taskId)
    switch (e.type) {
      case 'submitted': return this.submitted(e.task, e.seq, e.at)
      case 'released':
        if (task?.state !== 'delayed') return false
        this.makeReady(task, e.at)
        return true
      case 'assigned':
        if (task?.state !== 'ready') return false
        this.assigned(task, e)
        return true
      case 'attempt-ended':
        if (task?.current == null || task.current.attempt !== e.attempt) return false
        this.attemptEnded(task, e)
        return true
      case 'cached':
        if (task == null || isFinal(task.state)) return false
        task.mark({ at: e.at, event: 'cached', detail: `result of "${e.from}"` })
        this.succeed(task, e.output, e.at)
        return true
      case 'skipped':
        if (task == null || isFinal(task.state) || task.state === 'running') return false
        task.mark({ at: e.at, event: 'skipped', detail: e.reason })
        this.finish(task, 'skipped', e.at, e.reason)
        return true
      case 'cancelled':
        if (task == null || isFinal(task.state)) return false
        if (task.current != null) this.closeAttempt(task, 'cancelled', e.at, e.reason)
        this.finish(task, 'cancelled', e.at, e.reason)
        return true
      case 'failed':
        if (task == null || isFinal(task.state) || task.state === 'running') return false
        task.mark({ at: e.at, event: 'failed', error: e.error, ...(e.errorName != null ? { detail: e.errorName } : {}) })
        this.finish(task, 'failed', e.at, e.error)
        return true
      case 'retried':
        if (task == null || (task.state !== 'failed' && task.state !== 'cancelled' && task.state !== 'skipped')) return false
        task.mark({ at: e.at, event: 'retried', ...(e.cause != null ? { detail: `dependency "${e.cause}" was retried` } : {}) })
        this.reopen(task, e.at)
        return true
      case 'late-result':
        if (task == null) return false
        task.mark({ at: e.at, event: 'late-result', attempt: e.attempt, worker: task.attempts.find(a => a.attempt === e.attempt)?.workerName ?? this.registry.get(e.workerId)?.name ?? e.workerId, workerId: e.workerId, detail: e.success ? 'succeeded, not accepted' : 'failed, not accepted' })
        return true
      case 'worker-steered':
        this.registry.steer(e.workerId, e.steering)
        return true
      case 'debounced': return task != null && debounce(task, e)
      case 'pause-changed':
        // resumed: whether workers can serve each group is looked at again (--on-no-worker fail)
        if (!e.paused) return this.pauses.delete(e.scope) && (this.groupsChanged = true)
        this.pauses.set({ scope: e.scope, since: this.pauses.get(e.scope)?.since ?? e.at, ...(e.reason != null ? { reason: e.reason } : {}) })
        return true
      case 'lease-renewed':
        // journals written before renewals stopped being journaled hold these: leases restart on restore anyway
        return false
    }
  }

  private submitted (spec: TaskSpec, seq: number, at: number): boolean {
    if (this.tasks.has(spec.id)) return false
    const task = new TaskRecord(spec, seq, at)
    this.tasks.set(task.id, task)
    this.bySeq.set(seq, task)
    this.counts.waiting++
    if (spec.dedupKey != null) this.dedup.claim(spec.dedupKey, spec.id, at, spec.dedupTtlMs)
    const blockedBy = countDependencies(task, this.tasks, true, this.restoring ? depId => { this.archiving.replayedDependent(task, depId, at) } : undefined)
    if (blockedBy != null) this.commit({ type: 'skipped', at, taskId: task.id, reason: `dependency "${blockedBy.id}" ${blockedBy.state}` }, task)
    else if (task.pending === 0) this.makeReady(task, at)
    return true
  }

  private assigned (task: TaskRecord, e: Extract<DurableEvent, { type: 'assigned' }>): void {
    const attempt: AttemptRecord = { attempt: e.attempt, workerId: e.workerId, workerName: e.workerName, token: e.token, assignedAt: e.at, order: task.nextOrder() }
    if (task.readyAt != null) attempt.readyAt = task.readyAt
    if (e.deadline != null) attempt.deadline = e.deadline
    task.addAttempt(attempt)
    // a start, in its rate limit's window; a replay's starts come from the journal's own record of them
    if (!this.restoring) this.rates.for(task.spec)?.started(e.at)
    task.current = attempt
    this.tenants.for(task.spec.group).running++
    this.setState(task, 'running')
    // replayed, a worker met in the journal is a placeholder until it registers again
    const worker = this.registry.get(e.workerId) ??
      (this.restoring ? this.registry.register({ id: e.workerId, name: e.workerName, skill: 0 }, e.at) : undefined)
    if (worker != null) {
      worker.hold(task)
      this.registry.acquire(worker)
    }
    if (e.deadline != null && !this.restoring) this.due.add(e.deadline, { kind: 'timeout', task, attempt: e.attempt })
  }

  private attemptEnded (task: TaskRecord, e: Extract<DurableEvent, { type: 'attempt-ended' }>): void {
    this.closeAttempt(task, e.outcome, e.at, e.error, e.durationMs)
    if (e.blame != null) task.attempts[e.attempt - 1]!.blame = e.blame
    if (e.outcome === 'failed' || e.outcome === 'timed-out') task.failures++
    if (e.outcome === 'lost' && e.blame !== 'worker') (task.lostOn ??= new Set()).add(e.workerId)
    if (e.outcome === 'lost' && e.blame === 'worker') task.unprovenLosses++
    if (e.outcome === 'succeeded') {
      this.succeed(task, e.output, e.at)
    } else if (e.retryAt == null) {
      this.finish(task, 'failed', e.at, e.error ?? e.outcome)
    } else {
      task.mark({ at: e.at, event: 'retry-scheduled', attempt: e.attempt, retryAt: e.retryAt, detail: `next attempt in ${formatDelay(e.retryAt - e.at)}` })
      if (e.retryAt <= e.at) {
        this.makeReady(task, e.at)
      } else {
        task.retryAt = e.retryAt
        this.setState(task, 'delayed')
        if (!this.restoring) this.due.add(e.retryAt, { kind: 'retry', task, at: e.retryAt })
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
    this.tenants.for(task.spec.group).running--
    const worker = this.registry.get(current.workerId)
    if (worker != null) {
      worker.unhold(task)
      this.registry.release(worker)
    }
    // counted by peer id, whether it is still registered or not; a replay counts nothing (the journal
    // keeps the tallies themselves, see restoreTallies)
    if (!this.restoring && outcome !== 'lost' && outcome !== 'cancelled') this.registry.tally(current.workerId, current.workerName, outcome === 'succeeded')
    const strategy = this.strategies.for(task.spec)
    strategy.observe?.({ task: task.spec, worker: worker ?? { id: current.workerId, name: current.workerName } as WorkerInfo, outcome, durationMs: durationMs ?? at - current.assignedAt })
  }

  private succeed (task: TaskRecord, output: JsonValue | undefined, at: number): void {
    task.output = output
    this.finish(task, 'succeeded', at)
    if (task.spec.cacheKey != null) this.cache.add(task.spec.cacheKey, task.id, output)
    for (const dep of task.dependents ?? []) {
      if (dep.state === 'waiting' && --dep.pending === 0) this.makeReady(dep, at)
    }
  }

  private finish (task: TaskRecord, state: FinalState, at: number, error?: string): void {
    this.setState(task, state)
    task.finishedAt = at
    task.retryAt = undefined
    if (task.spec.dedupKey != null) this.dedup.release(task.spec.dedupKey, task.id)
    if (error != null) task.error = error
    // one unfinished dependent fewer for each dependency: some may now leave memory, and so may this one
    for (const depId of task.spec.dependsOn) {
      const dep = this.tasks.get(depId)
      if (dep == null) continue
      dep.openDependents--
      this.archiving.consider(dep)
    }
    this.archiving.consider(task)
    // behind the event being applied, so listeners hear of the attempt before the completion
    if (!this.restoring) this.commit({ type: 'completed', at, taskId: task.id, state }, task)
    if (state === 'succeeded') return
    for (const dep of task.dependents ?? []) {
      if (!isFinal(dep.state)) this.commit({ type: 'skipped', at, taskId: dep.id, reason: `dependency "${task.id}" ${state}` }, dep)
    }
  }

  /** A final task starts over: waiting for dependencies or ready; dependents it had skipped come back too. */
  private reopen (task: TaskRecord, at: number): void {
    task.failures = 0
    task.lostOn = undefined
    task.unprovenLosses = 0
    task.error = undefined
    task.finishedAt = undefined
    task.output = undefined
    this.setState(task, 'waiting')
    if (countDependencies(task, this.tasks, false) != null) {
      this.finish(task, 'skipped', at, 'a dependency is still not succeeded')
      return
    }
    if (task.pending === 0) this.makeReady(task, at)
    for (const dep of task.dependents ?? []) {
      if (dep.state === 'skipped') this.commit({ type: 'retried', at, taskId: dep.id, cause: task.id }, dep)
    }
  }

  private makeReady (task: TaskRecord, at: number): void {
    if (this.restoring) at = this.archiving.replayedReadyAt(task, at)
    // not before its time (run_at, delay): delayed until then, as a retry's backoff is; released by the same due
    if (task.notBefore != null && task.notBefore > at) {
      if (task.state !== 'delayed') task.mark({ at, event: 'delayed', retryAt: task.notBefore, detail: `until ${isoTime(task.notBefore)}` })
      task.retryAt = task.notBefore
      this.setState(task, 'delayed')
      if (!this.restoring) this.due.add(task.notBefore, { kind: 'retry', task, at: task.notBefore })
      return
    }
    const key = task.spec.cacheKey
    // replayed, a result reused is the journal's next 'cached' event: the cache may hold another by now
    const hit = key != null && !this.restoring ? this.cache.hit(key, task.id) : undefined
    if (hit != null) {
      const cached: SchedulerEvent = { type: 'cached', at, taskId: task.id, from: hit.id }
      if (hit.output !== undefined) cached.output = hit.output
      this.commit(cached, task)
      return
    }
    task.retryAt = undefined
    task.readyAt = at
    const { group, created } = this.ready.groupFor(task.spec, this.strategies, this.registry, this.bySeq, this.tenants, this.rates)
    if (created) this.groupsChanged = true
    task.group = group
    this.setState(task, 'ready')
    this.ready.push(group, task)
  }

  private setState (task: TaskRecord, state: TaskState): void {
    this.counts[task.state]--
    this.counts[state]++
    if (task.state === 'ready') task.group!.readyCount--
    if (state === 'ready') task.group!.readyCount++
    task.state = state
  }
}
