import { serviceCapabilities, TypedEventEmitter, type Connection, type Logger, type Startable, type Stream } from '@libp2p/interface'
import { ProtocolError, StoreError, UnknownWorkerError, ValidationError } from '../errors.js'
import { DEFAULT_SCHEDULING_INTERVAL_MS, DEFAULT_BAN_MS, DEFAULT_MAX_INVALID_FRAMES, DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_TASKS, DEFAULT_MAX_WORKERS, type AdminComponents, type AdminInit } from './init.js'
import { Scheduler, type Summary } from '../core/scheduler.js'
import { CLIENT_PROTOCOL, DEFAULT_LEASE_TTL_MS, DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_FRAME_BYTES, DEFAULT_NETWORK, DEFAULT_REGISTER_TIMEOUT_MS, TASK_PROTOCOL } from '../protocol/constants.js'
import { MemoryJournal, type Journal } from '../store/journal.js'
import { StatusChannel, type WorkerStatus } from '../status/status-channel.js'
import { isDurable, type DurableEvent, type SchedulerEvent } from '../core/events.js'
import { isFinal, type TaskSpec } from '../core/task.js'
import { WorkerSessions } from './worker-sessions.js'
import { runSummary, taskOutcome } from './summary.js'
import { leaseTokens } from './lease-tokens.js'
import { AdminApi } from './api.js'
import { PeerGuard } from './peer-guard.js'
import { ClientServer } from './client-server.js'
import type { AdminEvents, WorkerDetails, RunSummary } from './events.js'
import type { WorkerInfo, WorkerStatusUpdate } from '../core/registry.js'
import type { GossipSub } from '@libp2p/gossipsub'

export type { AdminInit, AdminComponents } from './init.js'

/**
 * The admin as a libp2p service: accepts worker task streams, turns their frames into scheduler calls,
 * records every state change in the journal before anything that depends on it leaves the process, and
 * sends assignments, cancellations and acknowledgements back.
 */
export class AdminService extends TypedEventEmitter<AdminEvents> implements Startable {
  readonly scheduler: Scheduler
  readonly network: string
  /** The configured id and name, shown in summaries, on the dashboard and in metrics. */
  readonly labels: { id?: string, name?: string }
  /** The operations offered to clients (client protocol, HTTP, MCP). */
  readonly api: AdminApi
  private readonly components: AdminComponents & { pubsub?: GossipSub }
  private readonly init: AdminInit
  private readonly log: Logger
  private readonly journal: Journal
  private readonly clock: () => number
  private readonly sessions: WorkerSessions
  private durable: DurableEvent[] = []
  private announcements: Array<() => void> = []
  private flushQueued = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt = Infinity
  private started = false
  private status: StatusChannel | undefined
  private wasDone = false
  private doneWaiters: Array<(summary: RunSummary) => void> = []
  private lastProgress = ''
  private statusTimer: ReturnType<typeof setInterval> | undefined
  private draining = false
  private readonly guard: PeerGuard
  /** The latest status broadcast of each registered worker (advisory: CPU, memory). */
  private readonly statuses = new Map<string, WorkerStatus>()

  readonly [Symbol.toStringTag] = 'taskmesh:admin'
  readonly [serviceCapabilities] = ['@taskmesh/admin']

  constructor (components: AdminComponents, init: AdminInit = {}) {
    super()
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('taskmesh:admin')
    this.network = init.network ?? DEFAULT_NETWORK
    this.labels = { ...(init.id != null ? { id: init.id } : {}), ...(init.name != null ? { name: init.name } : {}) }
    this.journal = init.journal ?? new MemoryJournal()
    this.clock = init.clock ?? Date.now
    this.scheduler = new Scheduler({
      ...(init.strategy != null ? { strategy: init.strategy } : {}),
      ...(init.strategies != null ? { strategies: init.strategies } : {}),
      expectedWorkers: init.expectedWorkers ?? 0,
      onNoWorker: init.onNoWorker ?? 'wait',
      ...(init.noWorkerGraceMs != null ? { noWorkerGraceMs: init.noWorkerGraceMs } : {}),
      leaseTtlMs: init.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
      ...(init.maxLostAttempts != null ? { maxLostAttempts: init.maxLostAttempts } : {}),
      maxTasks: init.maxTasks ?? DEFAULT_MAX_TASKS,
      ...(init.random != null ? { random: init.random } : {}),
      newToken: leaseTokens()
    })
    this.scheduler.onEvent(e => { this.onSchedulerEvent(e) })
    this.api = new AdminApi(this)
    this.guard = new PeerGuard({ maxStrikes: init.maxInvalidFrames ?? DEFAULT_MAX_INVALID_FRAMES, banMs: init.banMs ?? DEFAULT_BAN_MS, clock: Date.now })
    this.sessions = new WorkerSessions({
      scheduler: this.scheduler,
      network: this.network,
      now: () => this.clock(),
      requestFlush: () => { this.requestFlush() },
      rejected: (peerId, reason, strikes, connection) => { this.rejected(peerId, reason, strikes, connection) },
      refused: (peerId, reason) => {
        this.log.error('refused %s: %s', peerId, reason)
        this.safeDispatchEvent('frame:rejected', { detail: { peerId, reason } })
      }
    }, this.log, {
      maxFrameBytes: init.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      maxBufferedBytes: init.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
      registerTimeoutMs: init.registerTimeoutMs ?? DEFAULT_REGISTER_TIMEOUT_MS,
      maxWorkers: init.maxWorkers ?? DEFAULT_MAX_WORKERS,
      ...(init.heartbeatMs != null ? { heartbeatMs: init.heartbeatMs } : {}),
      ...(init.authorizeWorker != null ? { authorizeWorker: init.authorizeWorker } : {})
    })
  }

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    if (this.started) return
    const now = this.clock()
    this.scheduler.restore(this.journal.load(), now)
    if (this.init.tasks != null && this.init.tasks.length > 0) {
      checkPayloads(this.init.tasks, this.init.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES)
      this.scheduler.submit(this.init.tasks, now)
    }
    await this.components.registrar.handle(TASK_PROTOCOL, (stream, connection) => { this.onStream(stream, connection) }, {
      maxInboundStreams: 4,
      maxOutboundStreams: 1
    })
    const clients = new ClientServer(this, this.api, this.log, {
      ...(this.init.maxClientFrameBytes != null ? { maxFrameBytes: this.init.maxClientFrameBytes } : {}),
      ...(this.init.authorizeClient != null ? { authorize: this.init.authorizeClient } : {})
    })
    await this.components.registrar.handle(CLIENT_PROTOCOL, (stream, connection) => { clients.handle(stream, connection) }, {
      maxInboundStreams: 8,
      maxOutboundStreams: 1
    })
    this.started = true
  }

  /** Services start together; pubsub can be used only once all have. */
  afterStart (): void {
    const pubsub = optionalPubsub(this.components)
    if (pubsub != null && this.status == null) {
      this.status = new StatusChannel(pubsub, {
        network: this.network,
        log: this.log,
        onWorkerStatus: status => {
          // only registered workers are remembered, so strangers cannot grow this map
          if (this.scheduler.registry.get(status.peerId) != null) this.statuses.set(status.peerId, status)
          this.safeDispatchEvent('worker:status', { detail: status })
        },
        onRejected: (from, reason) => { this.rejected(from, `status message: ${reason}`, 1) }
      })
      this.status.start()
    }
    this.statusTimer ??= setInterval(() => {
      this.requestFlush()
      this.publishProgress()
    }, this.init.schedulingIntervalMs ?? DEFAULT_SCHEDULING_INTERVAL_MS)
    this.statusTimer.unref()
    this.flush()
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.components.registrar.unhandle(TASK_PROTOCOL)
    await this.components.registrar.unhandle(CLIENT_PROTOCOL)
    clearTimeout(this.timer)
    clearInterval(this.statusTimer)
    this.statusTimer = undefined
    this.status?.stop()
    this.status = undefined
    this.flush()
    this.sessions.abortAll(new ProtocolError('admin stopping'))
    this.journal.close()
  }

  /**
   * Graceful shutdown, first half: assign nothing more, let running attempts finish (up to `graceMs`),
   * and flush the journal. Attempts still running afterwards are recorded as running, so an admin started
   * again on the same journal takes them back or re-runs them.
   */
  async drain (graceMs: number): Promise<void> {
    this.draining = true
    const deadline = Date.now() + graceMs
    while (this.scheduler.summary().counts.running > 0 && Date.now() < deadline) {
      await new Promise<void>(resolve => {
        const timer = setTimeout(done, deadline - Date.now())
        function done (): void { clearTimeout(timer); resolve() }
        this.addEventListener('progress', done, { once: true })
      })
    }
    this.flush()
  }

  // ---------------------------------------------------------------- operations (library API, CLI, client protocol)

  submit (tasks: TaskSpec[]): { added: string[], existing: string[] } {
    checkPayloads(tasks, this.init.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES)
    const result = this.scheduler.submit(tasks, this.clock())
    this.requestFlush()
    return result
  }

  cancel (taskId: string, reason?: string): boolean {
    const cancelled = this.scheduler.cancel(taskId, this.clock(), reason)
    this.requestFlush()
    return cancelled
  }

  retry (taskId: string): void {
    this.scheduler.retry(taskId, this.clock())
    this.requestFlush()
  }

  /**
   * The seed's `update_agent_status`: take a worker offline or back (an offline worker keeps what it runs
   * but gets nothing new), drain it, or change its priority or capacity. `worker` is a peer id or a name.
   */
  updateWorker (worker: string, update: WorkerStatusUpdate): WorkerDetails {
    const info = this.scheduler.updateWorker(this.resolveWorker(worker), update)
    this.requestFlush()
    return detailsOf(info)
  }

  /** The seed's `unregister_agent`: disconnect a worker; its running tasks go back to the queue. */
  async disconnectWorker (worker: string): Promise<void> {
    const id = this.resolveWorker(worker)
    if (!await this.sessions.disconnect(id)) this.scheduler.unregisterWorker(id, this.clock(), 'unregistered')
    this.requestFlush()
  }

  private resolveWorker (worker: string): string {
    if (this.scheduler.registry.get(worker) != null) return worker
    const named = [...(this.scheduler.registry.withName(worker) ?? [])]
    if (named.length === 1) return named[0]!.id
    throw new UnknownWorkerError(named.length === 0
      ? `no worker "${worker}": give a registered worker's peer id or name`
      : `${named.length} workers are named "${worker}": give a peer id (${named.map(w => w.id).join(', ')})`)
  }

  summary (): Summary {
    return this.scheduler.summary()
  }

  get peerId (): string {
    return this.components.peerId.toString()
  }

  /** The latest status broadcast of a registered worker, if any arrived. */
  workerStatus (peerId: string): WorkerStatus | undefined {
    return this.statuses.get(peerId)
  }

  runSummary (): RunSummary {
    return runSummary(this.scheduler)
  }

  workers (): WorkerDetails[] {
    return this.sessions.details()
  }

  /** Resolves with the run summary the next time every task is final (at once if that is now). */
  whenDone (): Promise<RunSummary> {
    if (this.scheduler.isDone()) return Promise.resolve(this.runSummary())
    return new Promise(resolve => this.doneWaiters.push(resolve))
  }

  // ---------------------------------------------------------------- peers

  private onStream (stream: Stream, connection: Connection): void {
    if (!this.started) {
      stream.abort(new ProtocolError('admin not started'))
      return
    }
    if (this.isBanned(connection.remotePeer.toString())) {
      connection.abort(new ProtocolError('banned for a while: too much invalid data'))
      return
    }
    this.sessions.accept(stream, connection)
  }

  /** A peer sent something invalid: log it, count it, and past the limit disconnect and ban the peer. */
  rejected (peerId: string, reason: string, strikes: number, connection?: Connection): void {
    this.log.error('rejected frame from %s: %s', peerId, reason)
    this.safeDispatchEvent('frame:rejected', { detail: { peerId, reason } })
    if (!this.guard.strike(peerId, strikes)) return
    const banMs = this.init.banMs ?? DEFAULT_BAN_MS
    this.log.error('banned %s for %d ms: too much invalid data', peerId, banMs)
    this.safeDispatchEvent('peer:banned', { detail: { peerId, until: Date.now() + banMs, reason } })
    connection?.abort(new ProtocolError(`banned for ${banMs} ms: too much invalid data`))
  }

  /** Connections from this peer are refused for now (a connection gater asks this). */
  isBanned (peerId: string): boolean {
    return this.guard.isBanned(peerId)
  }

  /** After an allow-list changed: workers no longer allowed are told and disconnected. */
  reauthorize (): number {
    return this.sessions.reauthorize()
  }

  // ---------------------------------------------------------------- scheduler events -> journal, frames, events

  private onSchedulerEvent (e: SchedulerEvent): void {
    if (isDurable(e)) this.durable.push(e)
    this.sessions.onSchedulerEvent(e)
    switch (e.type) {
      case 'submitted':
        this.announce('task:submitted', { taskId: e.task.id })
        break
      case 'assigned': {
        const readyAt = this.scheduler.readyAt(e.taskId)
        this.announce('task:assigned', { taskId: e.taskId, type: this.scheduler.spec(e.taskId).type, attempt: e.attempt, worker: e.workerName, peerId: e.workerId, queuedMs: readyAt != null ? Math.max(0, e.at - readyAt) : 0 })
        break
      }
      case 'attempt-ended': {
        const worker = this.scheduler.getTask(e.taskId).attempts[e.attempt - 1]?.workerName ?? ''
        this.announce('task:attempt-ended', {
          taskId: e.taskId,
          type: this.scheduler.spec(e.taskId).type,
          attempt: e.attempt,
          worker,
          peerId: e.workerId,
          outcome: e.outcome,
          ...(e.error != null ? { error: e.error } : {}),
          ...(e.durationMs != null ? { durationMs: e.durationMs } : {}),
          ...(e.retryAt != null ? { retryAt: e.retryAt } : {})
        })
        this.announceIfFinal(e.taskId)
        break
      }
      case 'cancelled': case 'cached': case 'skipped': case 'failed':
        this.announceIfFinal(e.taskId)
        break
      case 'late-result':
        this.announce('task:late-result', { taskId: e.taskId, attempt: e.attempt, peerId: e.workerId, success: e.success })
        break
      case 'worker-joined':
        this.announce('worker:connected', detailsOf(e.worker))
        break
      case 'worker-left':
        this.statuses.delete(e.worker.id)
        this.announce('worker:disconnected', { ...detailsOf(e.worker), reason: e.reason })
        break
      case 'assigning-started':
        this.announce('assigning:started', { workers: e.workers })
        break
    }
    this.requestFlush()
  }

  private announceIfFinal (taskId: string): void {
    const task = this.scheduler.getTask(taskId)
    if (isFinal(task.state)) this.announce('task:completed', taskOutcome(task))
  }

  /** Public events wait for the journal too: a listener never hears of a change that a crash could undo. */
  private announce<K extends keyof AdminEvents> (name: K, detail: AdminEvents[K]['detail']): void {
    this.announcements.push(() => this.safeDispatchEvent(name, { detail } as never))
  }

  // ---------------------------------------------------------------- the flush cycle

  private requestFlush (): void {
    if (this.flushQueued) return
    this.flushQueued = true
    setImmediate(() => { this.flush() })
  }

  /**
   * Once per event-loop turn with activity: let time pass in the scheduler, assign, record everything in the
   * journal in one transaction, and only then send frames and tell listeners.
   */
  private flush (): void {
    this.flushQueued = false
    const now = this.clock()
    if (this.started) {
      this.scheduler.tick(now)
      if (!this.draining) this.scheduler.schedule(now)
    }
    if (this.durable.length > 0) {
      const batch = this.durable
      this.durable = []
      const started = performance.now()
      try {
        this.journal.append(batch)
      } catch (err) {
        this.fail(new StoreError(`journal write failed, stopping: ${(err as Error).message}`))
        return
      }
      this.safeDispatchEvent('journal:written', { detail: { events: batch.length, ms: performance.now() - started } })
    }
    this.sessions.flush()
    const announcements = this.announcements
    this.announcements = []
    for (const announce of announcements) announce()
    this.afterFlush(now)
  }

  private afterFlush (now: number): void {
    const summary = this.scheduler.summary()
    const progress = JSON.stringify(summary.counts)
    if (progress !== this.lastProgress) {
      this.lastProgress = progress
      this.safeDispatchEvent('progress', { detail: summary })
    }
    const done = this.scheduler.isDone()
    if (done && !this.wasDone) {
      const run = this.runSummary()
      this.publishProgress()
      this.safeDispatchEvent('done', { detail: run })
      const waiters = this.doneWaiters
      this.doneWaiters = []
      for (const resolve of waiters) resolve(run)
    }
    this.wasDone = done
    const next = this.scheduler.nextDeadline()
    if (this.started && next != null && next < this.timerAt) {
      clearTimeout(this.timer)
      this.timerAt = next
      this.timer = setTimeout(() => {
        this.timerAt = Infinity
        this.flush()
      }, Math.max(0, next - now))
      this.timer.unref()
    }
  }

  private publishProgress (): void {
    if (this.status == null) return
    const { total, counts, workers } = this.scheduler.summary()
    this.status.publish({
      admin: {
        peerId: this.components.peerId.toString(),
        total,
        waiting: counts.waiting + counts.ready + counts.delayed,
        running: counts.running,
        succeeded: counts.succeeded,
        failed: counts.failed,
        skipped: counts.skipped,
        cancelled: counts.cancelled,
        workers,
        timestamp: Date.now()
      }
    })
  }

  private fail (err: Error): void {
    this.log.error('%s', err.message)
    this.started = false
    clearTimeout(this.timer)
    this.sessions.abortAll(err)
    this.safeDispatchEvent('error', { detail: err })
  }
}

/** Payloads travel inside one frame: refuse, by path, those larger than the limit. */
function checkPayloads (tasks: readonly TaskSpec[], max: number): void {
  const problems = tasks.flatMap((t, i) => {
    if (t.payload === undefined) return []
    const bytes = Buffer.byteLength(JSON.stringify(t.payload))
    return bytes > max ? [{ path: `tasks[${i}].payload`, message: `is ${bytes} bytes, more than the ${max}-byte limit; pass a reference (a URL, a path) instead of the data` }] : []
  })
  if (problems.length > 0) throw new ValidationError(problems, { subject: 'tasks' })
}

function detailsOf (worker: WorkerInfo): WorkerDetails {
  return { peerId: worker.id, name: worker.name, skill: worker.skill, capabilities: [...worker.capabilities], maxConcurrent: worker.capacity }
}

/** The pubsub service when the node has one (it is optional for a user's own node). */
function optionalPubsub (components: AdminComponents): GossipSub | undefined {
  try {
    return (components as AdminComponents & { pubsub?: GossipSub }).pubsub
  } catch {
    return undefined
  }
}
