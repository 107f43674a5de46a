import { InvalidStateError, LimitExceededError, UnknownTaskError, UnknownWorkerError, ValidationError, type Problem } from '../errors.js'
import { isDurable, type DurableEvent, type SchedulerEvent } from './events.js'
import { checkGraph } from './graph.js'
import { ReadyQueue, ConstraintGroup, MAX_STRATEGIES } from './ready-queue.js'
import { WorkerRegistry, type WorkerInfo, type WorkerRegistration, type WorkerState, type WorkerStatusUpdate } from './registry.js'
import { backoffDelay } from './retry.js'
import { createStrategy, DEFAULT_STRATEGY, isBuiltInStrategy, type Strategy } from './strategies/index.js'
import { MAX_SEQ, TaskRecord, type AttemptRecord, type HistoryEntry, type TaskSnapshot } from './task-record.js'
import { Deadlines } from './timers.js'
import { isFinal, type JsonValue, type TaskSpec, type TaskState } from './task.js'

export type NoWorkerPolicy = 'wait' | 'fail'

export interface SchedulerOptions {
  /** Name of a built-in or registered strategy, or a strategy object. @default 'skill-fit' */
  strategy?: string | Strategy
  /** Extra strategies by name, selectable per task through `TaskSpec.strategy`. */
  strategies?: Record<string, Strategy>
  /** Assign nothing until this many workers have registered (the tutorial's gate). @default 0 */
  expectedWorkers?: number
  /** What happens to a task no registered worker can run. @default 'wait' */
  onNoWorker?: NoWorkerPolicy
  /** How long such a task waits before it fails when `onNoWorker` is 'fail'. @default 30000 */
  noWorkerGraceMs?: number
  /** A worker that renews nothing for this long loses its leases. @default 15000 */
  leaseTtlMs?: number
  /** Times a task may lose its worker before it fails (guards against tasks that crash workers). @default 10 */
  maxLostAttempts?: number
  /** Tasks that may be held at once. @default Infinity */
  maxTasks?: number
  /** Uniform in [0, 1): jitter, learned strategy. Inject a seeded one for reproducible runs. */
  random?: () => number
  /** Lease tokens. The network edge passes a cryptographic source; the default is only unique, not secret. */
  newToken?: () => string
}

export const DEFAULT_LEASE_TTL_MS = 15_000
export const DEFAULT_NO_WORKER_GRACE_MS = 30_000
export const DEFAULT_MAX_LOST_ATTEMPTS = 10

/** A result a worker reports for an attempt. */
export interface ReportedResult {
  taskId: string
  attempt: number
  token: string
  success: boolean
  output?: JsonValue
  error?: string
  durationMs?: number
  /** The handler said retrying is pointless. */
  unrecoverable?: boolean
}

/**
 * What became of a reported result:
 * - `accepted`: it ended the current attempt;
 * - `duplicate`: that attempt's result was already recorded;
 * - `late`: the attempt had ended without it (timed out, lost); recorded in the history only;
 * - `rejected`: not a lease this worker holds (unknown task, other worker's task, wrong token).
 */
export type ReportOutcome = 'accepted' | 'duplicate' | 'late' | 'rejected'

export interface Lease {
  taskId: string
  attempt: number
  token: string
}

export interface SubmitResult {
  added: string[]
  /** Ids already held: resubmitting a task does not duplicate it. */
  existing: string[]
}

export type TaskCounts = Record<TaskState, number>

export interface Summary {
  total: number
  counts: TaskCounts
  /** Tasks in a final state over all tasks, 0..1. */
  progress: number
  workers: number
}

type Deadline =
  | { kind: 'timeout', task: TaskRecord, attempt: number }
  | { kind: 'retry', task: TaskRecord, at: number }
  | { kind: 'lease', worker: WorkerState }
  | { kind: 'no-worker', group: ConstraintGroup }

const NO_COUNTS = (): TaskCounts => ({ waiting: 0, ready: 0, delayed: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 })

/**
 * The scheduling brain: task graph, ready queue, strategies, retries, leases and the worker registry.
 * Pure: no network, files or clock. Every method that depends on time takes `now`; every decision is an
 * event applied through one reducer (`apply`), which is also how a journal is replayed after a restart.
 */
export class Scheduler {
  readonly registry = new WorkerRegistry()
  private readonly tasks = new Map<string, TaskRecord>()
  /** The same records by submission number: how ready-queue keys find their task. */
  private readonly bySeq: TaskRecord[] = []
  private readonly ready = new ReadyQueue()
  private readonly deadlines = new Deadlines<Deadline>()
  private readonly cache = new Map<string, TaskRecord>()
  private readonly counts = NO_COUNTS()
  private readonly listeners: Array<(event: SchedulerEvent) => void> = []
  private readonly strategies = new Map<string, Strategy>()
  private readonly strategySlots = new Map<Strategy, number>()
  private readonly defaultStrategy: Strategy
  private readonly random: () => number
  private readonly newToken: () => string
  private readonly expectedWorkers: number
  private readonly onNoWorker: NoWorkerPolicy
  private readonly noWorkerGraceMs: number
  private readonly leaseTtlMs: number
  private readonly maxLostAttempts: number
  private readonly maxTasks: number
  private gateOpen: boolean
  private nextSeq = 0
  private tokenCounter = 0
  /** Groups whose "is any worker able to run these" answer may have changed. */
  private noWorkerDirty = false
  /** Events waiting to be applied: derived events queue up behind the one being applied, so cascades never recurse. */
  private readonly queue: SchedulerEvent[] = []
  private readonly queuedTasks: Array<TaskRecord | undefined> = []
  private applying = false
  /** Scheduling passes so far; `blockedPass[k] === passes` marks `skillLeft[k]` as learned in this pass. */
  private passes = 0
  private readonly blockedPass: number[] = []
  private readonly skillLeft: number[] = []
  /** Per requirement and pass: highest skill among free workers holding it (NaN when none). */
  private readonly freeSkillPass: number[] = []
  private readonly freeSkill: number[] = []
  private restoring = false

  constructor (options: SchedulerOptions = {}) {
    checkOptions(options)
    this.random = options.random ?? Math.random
    this.newToken = options.newToken ?? (() => `lease-${++this.tokenCounter}`)
    this.expectedWorkers = options.expectedWorkers ?? 0
    this.gateOpen = this.expectedWorkers <= 0
    this.onNoWorker = options.onNoWorker ?? 'wait'
    this.noWorkerGraceMs = options.noWorkerGraceMs ?? DEFAULT_NO_WORKER_GRACE_MS
    this.leaseTtlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS
    this.maxLostAttempts = options.maxLostAttempts ?? DEFAULT_MAX_LOST_ATTEMPTS
    this.maxTasks = options.maxTasks ?? Infinity
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
      if (name != null && !this.strategies.has(name) && !isBuiltInStrategy(name)) {
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
    const pass = ++this.passes
    const heads = this.ready.heads(group => this.servable(group, pass))
    // Within a pass the free workers only get fewer. So when a group finds no worker, the highest skill
    // among free workers holding its capabilities is all that group's capabilities can get for the rest of
    // the pass: groups needing more step aside unscanned. (Only for compare strategies: a select strategy
    // may decline a worker it could have taken.)
    let assigned = 0
    while (heads.length > 0 && this.registry.free.length > 0) {
      const key = heads.peekValue()!
      const group = heads.pop()!
      const shortcut = group.pin == null && group.strategy.select == null
      // NaN (nobody holds the capabilities) fails the comparison, so it blocks every such group
      if (shortcut && this.blockedPass[group.blockKey] === pass && !(group.minSkill <= this.skillLeft[group.blockKey]!)) {
        if (this.onNoWorker === 'fail') this.watchNoWorker(group, now)
        continue
      }
      const task = group.head()
      if (task == null) continue
      if (task.orderKey !== key) {
        // stale entries were dropped: the group's place in line has changed
        heads.push(group, task.orderKey)
        continue
      }
      const worker = this.pick(group, task)
      if (worker == null) {
        if (shortcut) {
          this.blockedPass[group.blockKey] = pass
          this.skillLeft[group.blockKey] = this.highestCapableSkill(group)
        }
        if (this.onNoWorker === 'fail') this.watchNoWorker(group, now)
        continue
      }
      group.take()
      this.assign(task, worker, group.strategy, now)
      assigned++
      const next = group.heap.peek()
      if (next != null) heads.push(group, next)
    }
    return assigned
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

  private pick (group: ConstraintGroup, task: TaskRecord): WorkerState | undefined {
    const strategy = group.strategy
    const capable = this.registry.satisfiedBy(group.requirement)
    const minSkill = group.minSkill
    let candidates: WorkerState[]
    let start = 0
    if (group.pin != null) {
      candidates = [...(this.registry.withName(group.pin) ?? [])].filter(w => w.available)
    } else {
      // the free list is sorted by skill: start at the first worker skilled enough
      candidates = this.registry.free
      if (minSkill !== -Infinity) start = this.registry.freeFrom(minSkill)
    }
    if (strategy.select == null) {
      // the hot loop of the scheduler: eligibility is one byte and one number per worker
      const compare = strategy.compare!
      const lowestSkillWins = strategy.prefersLowerSkill === true && group.pin == null
      const spec = task.spec
      let best: WorkerState | undefined
      for (let i = start; i < candidates.length; i++) {
        const w = candidates[i]!
        if (capable[w.capClass] !== 1 || w.skill < minSkill) continue
        // skill is the strategy's first key and skills only grow from here: the rest cannot win
        if (lowestSkillWins && best !== undefined && w.skill > best.skill) break
        if (best === undefined || compare(w, best, spec) < 0) best = w
      }
      return best
    }
    const eligible: WorkerState[] = []
    for (let i = start; i < candidates.length; i++) {
      const w = candidates[i]!
      if (capable[w.capClass] === 1 && w.skill >= minSkill) eligible.push(w)
    }
    if (eligible.length === 0) return undefined
    const chosen = strategy.select(task.spec, eligible)
    const id = typeof chosen === 'string' ? chosen : chosen?.id
    // a strategy may only choose among the candidates it was given
    return eligible.find(w => w.id === id)
  }

  /** The highest skill among free workers holding the group's capabilities (NaN when none does). */
  private highestCapableSkill (group: ConstraintGroup): number {
    const capable = this.registry.satisfiedBy(group.requirement)
    const free = this.registry.free
    // sorted by skill: the first capable worker from the top has the highest skill
    for (let i = free.length - 1; i >= 0; i--) {
      if (capable[free[i]!.capClass] === 1) return free[i]!.skill
    }
    return NaN
  }

  /**
   * Can any free worker take tasks of this group at the start of a pass? Groups that cannot stay out of
   * the pass. Answered from one scan of the free workers per capability requirement and pass.
   */
  private servable (group: ConstraintGroup, pass: number): boolean {
    if (group.pin != null) {
      for (const w of this.registry.withName(group.pin) ?? []) {
        if (w.available && this.registry.satisfies(group.requirement, w) && w.skill >= group.minSkill) return true
      }
      return false
    }
    const r = group.requirement
    if (this.freeSkillPass[r] !== pass) {
      this.freeSkillPass[r] = pass
      this.freeSkill[r] = this.highestCapableSkill(group)
    }
    // NaN (nobody capable) fails every comparison
    return group.minSkill <= this.freeSkill[r]!
  }

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

  private renew (worker: WorkerState, now: number): void {
    const first = worker.leaseExpiresAt === Infinity
    worker.leaseExpiresAt = now + this.leaseTtlMs
    // one pending deadline per worker: when it comes due it re-arms itself if the lease was renewed
    if (first) this.deadlines.add(worker.leaseExpiresAt, { kind: 'lease', worker })
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

  // ---------------------------------------------------------------- internals: the reducer

  /**
   * Applies an event (and the events it leads to), then emits it. `task` is the record the event is about
   * when the caller has it at hand, which spares a lookup by id on the hot path; replay looks records up.
   */
  private commit (event: SchedulerEvent, task?: TaskRecord): void {
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

  private emit (event: SchedulerEvent): void {
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

  private makeReady (task: TaskRecord, at: number): void {
    const key = task.spec.cacheKey
    const hit = key != null ? this.cache.get(key) : undefined
    if (hit != null && hit !== task && hit.state === 'succeeded') {
      const cached: SchedulerEvent = { type: 'cached', at, taskId: task.id, from: hit.id }
      if (hit.output !== undefined) cached.output = hit.output
      this.commit(cached, task)
      return
    }
    task.retryAt = undefined
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

  private strategyFor (spec: TaskSpec): Strategy {
    return spec.strategy == null ? this.defaultStrategy : this.strategyNamed(spec.strategy)
  }

  private strategyNamed (name: string): Strategy {
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

  private require (taskId: string): TaskRecord {
    const task = this.tasks.get(taskId)
    if (task == null) throw new UnknownTaskError(`unknown task "${taskId}"`)
    return task
  }
}

/** A number that is not one would silently disable a deadline (NaN is never due): refuse it by name. */
function checkOptions (options: SchedulerOptions): void {
  const problems: Problem[] = []
  const check = (name: keyof SchedulerOptions, min: number, integer: boolean): void => {
    const v = options[name]
    if (v == null) return
    if (typeof v !== 'number' || Number.isNaN(v) || v < min || (integer && Number.isFinite(v) && !Number.isInteger(v))) {
      problems.push({ path: name, message: `must be ${integer ? 'a whole number' : 'a number'} >= ${min}, not ${String(v)}` })
    }
  }
  check('expectedWorkers', 0, true)
  check('noWorkerGraceMs', 0, false)
  check('leaseTtlMs', 1, false)
  check('maxLostAttempts', 0, true)
  check('maxTasks', 0, true)
  if (options.onNoWorker != null && options.onNoWorker !== 'wait' && options.onNoWorker !== 'fail') problems.push({ path: 'onNoWorker', message: 'must be "wait" or "fail"' })
  if (problems.length > 0) throw new ValidationError(problems, { subject: 'scheduler options' })
}

/** Tasks ordered so every task comes after the tasks it depends on; otherwise in the given order. */
function topologicalOrder (specs: readonly TaskSpec[]): readonly TaskSpec[] {
  if (specs.every(s => s.dependsOn.length === 0)) return specs
  const inBatch = new Map(specs.map(s => [s.id, s]))
  const remaining = new Map<string, number>()
  const dependents = new Map<string, string[]>()
  for (const s of specs) {
    let n = 0
    for (const d of s.dependsOn) {
      if (!inBatch.has(d)) continue
      n++
      let list = dependents.get(d)
      if (list == null) dependents.set(d, list = [])
      list.push(s.id)
    }
    remaining.set(s.id, n)
  }
  const order: TaskSpec[] = []
  const stack = specs.filter(s => remaining.get(s.id) === 0).reverse()
  while (stack.length > 0) {
    const s = stack.pop()!
    order.push(s)
    const next = (dependents.get(s.id) ?? []).filter(id => {
      const left = remaining.get(id)! - 1
      remaining.set(id, left)
      return left === 0
    })
    for (let i = next.length - 1; i >= 0; i--) stack.push(inBatch.get(next[i]!)!)
  }
  return order
}

function describeNeeds (group: ConstraintGroup): string {
  const parts: string[] = []
  const sample = group.peekAny()?.spec
  if (sample != null && sample.requires.length > 0) parts.push(`capabilities ${sample.requires.join(', ')}`)
  if (group.pin != null) parts.push(`worker "${group.pin}"`)
  if (group.strategy.skillAware && group.difficulty > 0) parts.push(`skill >= ${group.difficulty}`)
  return parts.length === 0 ? 'any worker' : parts.join(', ')
}
