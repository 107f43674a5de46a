import { serviceCapabilities, TypedEventEmitter, type AbortOptions, type Connection, type Logger, type Startable, type Stream, type TypedEventTarget } from '@libp2p/interface'
import { raceEvent } from 'race-event'
import { InvalidStateError, ProtocolError, ValidationError } from '../errors.js'
import { PullWorkers, type Claim, type ClaimOutcome, type ClaimRef, type ClaimRequest } from './pull-workers.js'
import { Scheduler } from '../core/scheduler.js'
import { workerSnapshot, type WorkerInfo, type WorkerStatusUpdate } from '../core/registry.js'
import { CLIENT_PROTOCOL, DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_CLIENT_FRAME_BYTES, DEFAULT_MAX_FRAME_BYTES, DEFAULT_NETWORK, TASK_PROTOCOL } from '../protocol/constants.js'
import { MemoryJournal, type Journal } from '../store/journal.js'
import { toTaskSpecs } from '../tasks/normalize.js'
import { AdminApi } from './api.js'
import { ClientServer } from './client-server.js'
import { CLOSE_GRACE_MS, DEFAULT_BAN_MS, DEFAULT_INITIAL_WINDOW, PRE_REGISTER_MAX_FRAME_BYTES, DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_HEARTBEAT_MS, DEFAULT_MAX_INVALID_FRAMES, DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_TASKS, DEFAULT_MAX_WORKERS, DEFAULT_REGISTER_TIMEOUT_MS, DEFAULT_SCHEDULING_INTERVAL_MS, MAX_INBOUND_CLIENT_STREAMS, MAX_INBOUND_TASK_STREAMS } from './constants.js'
import { FlushCycle } from './flush-cycle.js'
import { leaseTokens } from './lease-tokens.js'
import { PeerGuard } from './peer-guard.js'
import { StatusRelay } from './status-relay.js'
import { runSummary, type RunSummary } from './summary.js'
import { WorkerProtocol } from './worker-protocol.js'
import type { AdminEvents, NetworkEvents } from './events.js'
import type { AdminHandle, AdminLabels, JournalPause } from './handle.js'
import type { AdminComponents, AdminInit } from './init.js'
import type { ReportOutcome, SubmitResult } from '../core/options.js'
import type { TaskSpec } from '../core/task.js'
import type { SchedulerView } from '../core/view.js'
import type { GossipSub } from '@libp2p/gossipsub'

export type { AdminInit, AdminComponents } from './init.js'

/**
 * The admin as a libp2p service. It wires the parts and runs their lifecycle: worker streams
 * ({@link WorkerProtocol}: what happens when a frame arrives), the flush cycle ({@link FlushCycle}: decide,
 * journal, send, announce), the client protocol, status broadcasts and bans. Its commands are what every
 * interface (library, CLI, HTTP, MCP) ends up calling.
 */
export class AdminService extends TypedEventEmitter<AdminEvents> implements Startable, AdminHandle {
  readonly network: string
  readonly labels: AdminLabels
  private readonly scheduler: Scheduler
  private readonly components: AdminComponents & { pubsub?: GossipSub }
  private readonly init: AdminInit
  private readonly log: Logger
  private readonly journal: Journal
  private readonly clock: () => number
  private readonly guard: PeerGuard
  private readonly workers: WorkerProtocol
  private readonly cycle: FlushCycle
  private readonly pull: PullWorkers
  private status: StatusRelay | undefined
  private interval: ReturnType<typeof setInterval> | undefined
  private started = false
  /** The lease ran out unrenewed: every connection is refused until the journal resumes or fails. */
  private leadInDoubt = false
  /** Writes wait for the journal's store: since when, and why. */
  journalPause: JournalPause | undefined

  readonly [Symbol.toStringTag] = 'taskmesh:admin'
  readonly [serviceCapabilities] = ['@taskmesh/admin']

  constructor (components: AdminComponents, init: AdminInit = {}) {
    super()
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('taskmesh:admin')
    this.network = init.network ?? DEFAULT_NETWORK
    this.labels = { ...(init.id != null ? { id: init.id } : {}), ...(init.name != null ? { name: init.name } : {}) }
    // with nothing to restart from, an admin keeps only the archive of finished tasks, not their events
    this.journal = init.journal ?? new MemoryJournal({ replayable: false })
    this.clock = init.clock ?? Date.now
    const { strategy, strategies, expectedWorkers, onNoWorker, noWorkerGraceMs, leaseTtlMs, maxLostAttempts, maxWorkerConcurrency, avoidBusyCpu, random } = init
    this.scheduler = new Scheduler({
      strategy,
      strategies,
      expectedWorkers,
      onNoWorker,
      noWorkerGraceMs,
      leaseTtlMs,
      maxLostAttempts,
      maxWorkerConcurrency,
      avoidBusyCpu,
      random,
      // on a network workers earn their capacity: one that never answers holds only this much
      initialWindow: init.initialWindow ?? Math.min(DEFAULT_INITIAL_WINDOW, maxWorkerConcurrency ?? DEFAULT_INITIAL_WINDOW),
      maxTasks: init.maxTasks ?? DEFAULT_MAX_TASKS,
      newToken: leaseTokens(),
      archive: this.journal.archive
    })
    this.guard = new PeerGuard({ maxStrikes: init.maxInvalidFrames ?? DEFAULT_MAX_INVALID_FRAMES, banMs: init.banMs ?? DEFAULT_BAN_MS, clock: this.clock })
    this.workers = new WorkerProtocol({
      scheduler: this.scheduler,
      network: this.network,
      clock: this.clock,
      log: this.log,
      maxWorkers: init.maxWorkers ?? DEFAULT_MAX_WORKERS,
      heartbeatMs: init.heartbeatMs ?? Math.min(DEFAULT_HEARTBEAT_MS, Math.floor(this.scheduler.leaseTtlMs / 3)),
      maxFrameBytes: init.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      preRegisterMaxFrameBytes: Math.min(PRE_REGISTER_MAX_FRAME_BYTES, init.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES),
      maxBufferedBytes: init.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
      registerTimeoutMs: init.registerTimeoutMs ?? DEFAULT_REGISTER_TIMEOUT_MS,
      closeGraceMs: CLOSE_GRACE_MS,
      ...(init.authorizeWorker != null ? { authorizeWorker: init.authorizeWorker } : {}),
      requestFlush: () => { this.cycle.request() },
      strike: (peerId, reason, strikes, connection) => { this.strike(peerId, reason, strikes, connection) },
      refused: (peerId, reason) => {
        this.log.error('refused %s: %s', peerId, reason)
        this.safeDispatchEvent('frame:rejected', { detail: { peerId, reason } })
      },
      loadReported: peerId => {
        const worker = this.scheduler.view.worker(peerId)
        if (worker != null && this.listenerCount('worker:status') > 0) this.safeDispatchEvent('worker:status', { detail: workerSnapshot(worker) })
      }
    })
    this.pull = new PullWorkers({
      scheduler: this.scheduler,
      clock: this.clock,
      requestFlush: () => { this.cycle.request() },
      connectedNamed: name => this.scheduler.view.workers().find(w => w.name === name && w.online && !this.pull.has(w.id))?.id
    })
    this.cycle = new FlushCycle({ scheduler: this.scheduler, journal: this.journal, workers: this.workers, pull: this.pull, events: this, clock: this.clock, log: this.log })
  }

  get peerId (): string {
    return this.components.peerId.toString()
  }

  get view (): SchedulerView {
    return this.scheduler.view
  }

  /** Among replicas sharing a database, which one this is and the epoch it leads under. */
  get leadership (): { replica: string, epoch: number } | undefined {
    return this.journal.leadership
  }

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    if (this.started) return
    const now = this.clock()
    this.scheduler.restore(this.journal.load(), now)
    this.journal.watch?.({
      failed: err => { this.cycle.halt(err) },
      paused: detail => { this.journalPaused(detail) },
      resumed: detail => { this.journalResumed(detail) }
    })
    if (this.init.tasks != null && this.init.tasks.length > 0) {
      this.checkPayloads(this.init.tasks)
      this.scheduler.submit(this.init.tasks, now)
    }
    await this.components.registrar.handle(TASK_PROTOCOL, (stream, connection) => { this.onTaskStream(stream, connection) }, {
      maxInboundStreams: MAX_INBOUND_TASK_STREAMS,
      maxOutboundStreams: 1
    })
    const clients = new ClientServer({
      api: new AdminApi(this),
      // an admin on its own has no alerts: watchers of its alert events simply hear none
      events: this.init.watchEvents ?? this as TypedEventTarget<NetworkEvents>,
      log: this.log,
      maxFrameBytes: this.init.maxClientFrameBytes ?? DEFAULT_MAX_CLIENT_FRAME_BYTES,
      ...(this.init.authorizeClient != null ? { authorize: this.init.authorizeClient } : {}),
      strike: (peerId, reason, strikes, connection) => { this.strike(peerId, reason, strikes, connection) }
    })
    await this.components.registrar.handle(CLIENT_PROTOCOL, (stream, connection) => { clients.handle(stream, connection) }, {
      maxInboundStreams: MAX_INBOUND_CLIENT_STREAMS,
      maxOutboundStreams: 1
    })
    this.started = true
    this.cycle.start()
  }

  /** Services start together; pubsub can be used only once all have. */
  afterStart (): void {
    const pubsub = optionalPubsub(this.components)
    if (pubsub != null && this.status == null) {
      this.status = new StatusRelay({
        pubsub,
        network: this.network,
        peerId: this.peerId,
        scheduler: this.scheduler,
        log: this.log,
        clock: this.clock,
        events: this,
        strike: (peerId, reason) => { this.strike(peerId, reason, 1) }
      })
      this.status.start()
    }
    this.interval ??= setInterval(() => {
      this.cycle.request()
      this.status?.publishProgress()
    }, this.init.schedulingIntervalMs ?? DEFAULT_SCHEDULING_INTERVAL_MS)
    this.interval.unref()
    this.cycle.run()
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.components.registrar.unhandle(TASK_PROTOCOL)
    await this.components.registrar.unhandle(CLIENT_PROTOCOL)
    clearInterval(this.interval)
    this.interval = undefined
    this.status?.stop()
    this.status = undefined
    this.cycle.stop()
    // an asynchronous journal may be writing the last batches: they are recorded before it closes
    await this.cycle.settled()
    this.workers.abortAll(new ProtocolError('admin stopping'))
    this.pull.close()
    await this.journal.close()
  }

  /**
   * Graceful shutdown, first half: assign nothing more, and let running attempts finish until none runs or
   * `signal` aborts (by default after 30 s); then record everything. Attempts still running afterwards stay
   * recorded as running, so an admin started again on the same journal takes them back or runs them again.
   */
  async drain (options: AbortOptions = {}): Promise<void> {
    this.cycle.draining = true
    const signal = options.signal ?? AbortSignal.timeout(DEFAULT_DRAIN_TIMEOUT_MS)
    while (this.scheduler.view.summary().counts.running > 0 && !signal.aborted) {
      // an abort ends the wait, not the drain: what is known is still recorded below
      await raceEvent(this, 'progress', signal).catch(() => {})
    }
    this.cycle.run()
  }

  // ---------------------------------------------------------------- commands (library, CLI, client protocol, HTTP, MCP)

  submit (input: unknown): SubmitResult {
    const tasks = toTaskSpecs(input, { isKnown: id => this.scheduler.view.has(id) })
    this.checkPayloads(tasks)
    const result = this.scheduler.submit(tasks, this.clock())
    this.cycle.request()
    return result
  }

  cancel (taskId: string, reason?: string): boolean {
    const cancelled = this.scheduler.cancel(taskId, this.clock(), reason)
    this.cycle.request()
    return cancelled
  }

  retry (taskId: string): void {
    this.scheduler.retry(taskId, this.clock())
    this.cycle.request()
  }

  /** The seed's `update_agent_status`: an offline worker keeps what it runs but gets nothing new. */
  updateWorker (worker: string, update: WorkerStatusUpdate): WorkerInfo {
    const info = this.scheduler.updateWorker(this.scheduler.view.resolveWorker(worker), update)
    this.cycle.request()
    return workerSnapshot(info)
  }

  /** The seed's `unregister_agent`: disconnect a worker; its running tasks go back to the queue. */
  async disconnectWorker (worker: string, options: AbortOptions = {}): Promise<void> {
    const id = this.scheduler.view.resolveWorker(worker)
    options.signal?.throwIfAborted()
    if (!await this.workers.disconnect(id)) this.scheduler.unregisterWorker(id, this.clock(), 'unregistered')
    this.cycle.request()
  }

  runSummary (): RunSummary {
    return runSummary(this.scheduler.view)
  }

  /**
   * Resolves with the run summary the next time every task is final (at once if that is now); rejects if
   * the admin fails first (its journal cannot be written) or `signal` aborts.
   */
  async whenDone (options: AbortOptions = {}): Promise<RunSummary> {
    // "done" once the journal has the final state too (see FlushCycle)
    if (!this.scheduler.view.isDone() || this.scheduler.untaken > 0) await raceEvent(this, 'done', options.signal)
    return this.runSummary()
  }

  // ---------------------------------------------------------------- agents that pull

  /** An agent asks for work over HTTP or MCP; see {@link PullWorkers}. */
  async claim (request: ClaimRequest): Promise<Claim[]> {
    if (!this.started || this.cycle.failed) throw new InvalidStateError('the admin is not running')
    return await this.pull.claim(request)
  }

  heartbeatClaim (ref: ClaimRef): { leaseTtlMs: number } {
    return this.pull.heartbeat(ref)
  }

  async finishClaim (ref: ClaimRef, outcome: ClaimOutcome): Promise<ReportOutcome> {
    return await this.pull.finish(ref, outcome)
  }

  // ---------------------------------------------------------------- peers

  /** Connections from this peer are refused for now (a connection gater asks this). */
  isBanned (peerId: string): boolean {
    return this.leadInDoubt || this.guard.isBanned(peerId)
  }

  /**
   * The journal's store stopped answering. Writes wait, so nothing unjournaled leaves. Once the lease ran
   * out unrenewed, a standby may lead: every peer is let go and refused, so workers and clients go to
   * whichever replica leads, until a renewal says this one still does.
   */
  private journalPaused (detail: { reason: string, leadInDoubt: boolean }): void {
    this.log.error('journal paused: %s', detail.reason)
    this.journalPause = { since: this.journalPause?.since ?? this.clock(), reason: detail.reason, leadInDoubt: detail.leadInDoubt || this.leadInDoubt }
    this.safeDispatchEvent('journal:paused', { detail })
    if (!detail.leadInDoubt || this.leadInDoubt) return
    this.leadInDoubt = true
    for (const connection of this.components.connectionManager.getConnections()) {
      connection.abort(new ProtocolError('this admin replica cannot tell whether it still leads (its database does not answer); try another replica'))
    }
  }

  private journalResumed (detail: { ms: number }): void {
    this.leadInDoubt = false
    this.journalPause = undefined
    this.log('journal resumed after %d ms', Math.round(detail.ms))
    this.safeDispatchEvent('journal:resumed', { detail })
  }

  /** After an allow-list changed: workers no longer allowed are told and disconnected. */
  reauthorize (): number {
    return this.workers.reauthorize()
  }

  private onTaskStream (stream: Stream, connection: Connection): void {
    if (!this.started || this.cycle.failed) {
      stream.abort(new ProtocolError('admin not running'))
      return
    }
    if (this.isBanned(connection.remotePeer.toString())) {
      connection.abort(new ProtocolError('banned for a while: too much invalid data'))
      return
    }
    this.workers.accept(stream, connection)
  }

  /** A peer sent something invalid: log it, count it, and past the limit disconnect and ban the peer. */
  private strike (peerId: string, reason: string, strikes: number, connection?: Connection): void {
    this.log.error('rejected frame from %s: %s', peerId, reason)
    this.safeDispatchEvent('frame:rejected', { detail: { peerId, reason } })
    if (!this.guard.strike(peerId, strikes)) return
    const banMs = this.init.banMs ?? DEFAULT_BAN_MS
    this.log.error('banned %s for %d ms: too much invalid data', peerId, banMs)
    this.safeDispatchEvent('peer:banned', { detail: { peerId, until: this.clock() + banMs, reason } })
    connection?.abort(new ProtocolError(`banned for ${banMs} ms: too much invalid data`))
  }

  /** Payloads travel inside one frame: refuse, by path, those larger than the limit. */
  private checkPayloads (tasks: readonly TaskSpec[]): void {
    const max = this.init.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES
    const problems = tasks.flatMap((t, i) => {
      if (t.payload === undefined) return []
      const bytes = Buffer.byteLength(JSON.stringify(t.payload))
      return bytes > max ? [{ path: `tasks[${i}].payload`, message: `is ${bytes} bytes, more than the ${max}-byte limit; pass a reference (a URL, a path) instead of the data` }] : []
    })
    if (problems.length > 0) throw new ValidationError(problems, { subject: 'tasks' })
  }
}

/** The pubsub service when the node has one (it is optional for a user's own node). */
function optionalPubsub (components: AdminComponents): GossipSub | undefined {
  try {
    return (components as AdminComponents & { pubsub?: GossipSub }).pubsub
  } catch {
    return undefined
  }
}
