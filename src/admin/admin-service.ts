import { serviceCapabilities, TypedEventEmitter, type AbortOptions, type Connection, type Logger, type Startable, type Stream, type TypedEventTarget } from '@libp2p/interface'
import { raceEvent } from 'race-event'
import { AuthorizationError, InvalidStateError, JournalUnavailableError, ProtocolError } from '../errors.js'
import { Scheduler } from '../core/scheduler.js'
import { workerSnapshot, type WorkerInfo } from '../core/registry.js'
import { CLIENT_PROTOCOL, DEFAULT_MAX_CLIENT_FRAME_BYTES, DEFAULT_NETWORK, TASK_PROTOCOL } from '../protocol/constants.js'
import { MemoryJournal, type Journal } from '../store/journal.js'
import { Admission, type Caller } from './admission.js'
import { Announcer } from './announcer.js'
import { AdminApi } from './api.js'
import { ClientServer } from './client-server.js'
import { CLOSE_GRACE_MS, DEFAULT_ACK_TIMEOUT_MS, DEFAULT_BAN_MS, DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_MAX_INVALID_FRAMES, DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_WORKERS, DEFAULT_SCHEDULING_INTERVAL_MS, MAX_INBOUND_CLIENT_STREAMS, MAX_INBOUND_TASK_STREAMS } from './constants.js'
import { FlushCycle } from './flush-cycle.js'
import { acknowledged, Leadership } from './leadership.js'
import { PullWorkers, type Claim, type ClaimOutcome, type ClaimRef, type ClaimRequest } from './pull-workers.js'
import { optionalPubsub, StatusRelay } from './status-relay.js'
import { readSubmission, submitGiven } from './submission.js'
import { runSummary, type RunSummary } from './summary.js'
import { WorkerProtocol } from './worker-protocol.js'
import { ScheduleCommands } from './schedule-commands.js'
import type { AdminEvents, NetworkEvents } from './events.js'
import type { AdminHandle, AdminLabels, JournalPause, PurgeRequest, Restored } from './handle.js'
import { schedulerOptions, sessionOptions, type AdminComponents, type AdminInit } from './init.js'
import type { ReportOutcome, SubmitResult } from '../core/options.js'
import type { WorkerSteering } from '../core/reputation.js'
import type { SchedulerView } from '../core/view.js'
import type { GossipSub } from '@libp2p/gossipsub'

export type { AdminInit, AdminComponents } from './init.js'

/**
 * The admin as a libp2p service. It wires the parts and runs their lifecycle: worker streams
 * ({@link WorkerProtocol}: what happens when a frame arrives), agents that pull ({@link PullWorkers}), who
 * may hold work ({@link Admission}), the flush cycle ({@link FlushCycle}: decide, journal, send, announce),
 * the client protocol, status broadcasts and the journal's outages ({@link Leadership}). Its commands are
 * what every interface (library, CLI, HTTP, MCP) ends up calling.
 */
export class AdminService extends TypedEventEmitter<AdminEvents> implements Startable, AdminHandle {
  readonly network: string
  readonly labels: AdminLabels
  readonly schedules: ScheduleCommands
  private readonly scheduler: Scheduler
  private readonly components: AdminComponents & { pubsub?: GossipSub }
  private readonly init: AdminInit
  private readonly log: Logger
  private readonly journal: Journal
  private readonly clock: () => number
  private readonly announcer: Announcer
  private readonly admission: Admission
  private readonly lead: Leadership
  private readonly workers: WorkerProtocol
  private readonly cycle: FlushCycle
  private readonly pull: PullWorkers
  private status: StatusRelay | undefined
  private interval: ReturnType<typeof setInterval> | undefined
  private started = false
  private clients: ClientServer | undefined
  /** What the journal held at start, when it held tasks: what a restarted admin resumed. */
  private restored: Restored | undefined

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
    this.scheduler = new Scheduler(schedulerOptions(init, this.journal.archive))
    this.schedules = new ScheduleCommands({ scheduler: this.scheduler, change: decide => this.change(decide), clock: this.clock, maxPayloadBytes: init.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES })
    this.announcer = new Announcer(this, this.log)
    this.lead = new Leadership({ connectionManager: components.connectionManager, announcer: this.announcer, clock: this.clock, ...(init.outbox != null ? { outbox: init.outbox } : {}) })
    this.admission = new Admission({
      scheduler: this.scheduler,
      maxWorkers: init.maxWorkers ?? DEFAULT_MAX_WORKERS,
      maxStrikes: init.maxInvalidFrames ?? DEFAULT_MAX_INVALID_FRAMES,
      banMs: init.banMs ?? DEFAULT_BAN_MS,
      clock: this.clock,
      announcer: this.announcer,
      ...(init.authorizeWorker != null ? { authorizeWorker: init.authorizeWorker } : {})
    })
    // the parts are built before the cycle they ask to run: it runs only once the admin has started
    const cycle = { request: () => { this.cycle.request() } }
    this.workers = new WorkerProtocol({
      scheduler: this.scheduler,
      admission: this.admission,
      announcer: this.announcer,
      cycle,
      network: this.network,
      clock: this.clock,
      log: this.log,
      ...sessionOptions(init, this.scheduler.leaseTtlMs)
    })
    this.pull = new PullWorkers({ scheduler: this.scheduler, admission: this.admission, cycle, clock: this.clock })
    this.cycle = new FlushCycle({ scheduler: this.scheduler, journal: this.journal, workers: this.workers, pull: this.pull, admission: this.admission, announcer: this.announcer, clock: this.clock, ...(init.outbox != null ? { outbox: init.outbox } : {}), ...(init.tracing != null ? { tracing: init.tracing } : {}) })
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

  /** What the journal held when this admin started (a restart), and whether it was assigning already. */
  get resumed (): Restored | undefined {
    return this.restored
  }

  /** Writes wait for the journal's store (PostgreSQL): since when, and why. */
  get journalPause (): JournalPause | undefined {
    return this.lead.pause
  }

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    if (this.started) return
    const now = this.clock()
    this.scheduler.restore(this.journal.load(), now, { tallies: this.journal.tallies(), rateStarts: this.journal.rateStarts(), schedules: this.journal.schedules() })
    const held = this.scheduler.view.summary()
    if (held.total > 0) this.restored = { ...held, assigning: this.scheduler.assigning }
    this.journal.watch?.({
      failed: err => { this.cycle.halt(err) },
      paused: detail => { this.lead.paused(detail) },
      resumed: detail => { this.lead.resumed(detail) }
    })
    const { init } = this
    if (!submitGiven(this.scheduler, init.tasks ?? [], init.schedules ?? [], this.journal.archive.dropped === true, init.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES, now)) {
      this.restored = { ...held, assigning: this.scheduler.assigning, tasksNotSubmitted: true }
    }
    await this.components.registrar.handle(TASK_PROTOCOL, (stream, connection) => { this.onTaskStream(stream, connection) }, {
      maxInboundStreams: MAX_INBOUND_TASK_STREAMS,
      maxOutboundStreams: 1,
      // a worker that reaches an admin behind NAT through a relay that limits its connections
      runOnLimitedConnection: true
    })
    const clients = this.clients = new ClientServer({
      api: new AdminApi(this),
      // an admin on its own has no alerts: watchers of its alert events simply hear none
      events: this.init.watchEvents ?? this as TypedEventTarget<NetworkEvents>,
      admission: this.admission,
      maxFrameBytes: this.init.maxClientFrameBytes ?? DEFAULT_MAX_CLIENT_FRAME_BYTES,
      ...(this.init.authorizeClient != null ? { authorize: this.init.authorizeClient } : {})
    })
    await this.components.registrar.handle(CLIENT_PROTOCOL, (stream, connection) => { clients.handle(stream, connection) }, {
      maxInboundStreams: MAX_INBOUND_CLIENT_STREAMS,
      maxOutboundStreams: 1,
      runOnLimitedConnection: true
    })
    this.started = true
    this.cycle.start()
  }

  /** Services start together; pubsub can be used only once all have. */
  afterStart (): void {
    const pubsub = optionalPubsub(this.components)
    if (pubsub != null && this.status == null) {
      const { network, peerId, scheduler, log, clock, announcer, admission } = this
      this.status = new StatusRelay({ pubsub, network, peerId, scheduler, log, clock, events: this, announcer, admission, cycle: this.cycle })
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
    // and the clients whose requests those batches recorded hear their answers before connections close
    await this.clients?.answered(CLOSE_GRACE_MS)
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

  submit (input: unknown): SubmitResult & { schedules?: string[] } {
    return this.change(() => this.schedules.submit(readSubmission(input, id => this.scheduler.view.has(id), this.init.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES)))
  }

  cancel (taskId: string, reason?: string): boolean {
    return this.change(() => this.scheduler.cancel(taskId, this.clock(), reason))
  }

  retry (taskId: string): void {
    this.change(() => { this.scheduler.retry(taskId, this.clock()) })
  }

  pause (type?: string, reason?: string, group?: string): void {
    this.change(() => { this.scheduler.pause(type, reason, this.clock(), group) })
  }

  resume (type?: string, group?: string): boolean {
    return this.change(() => this.scheduler.resume(type, this.clock(), group))
  }

  purge (filter: PurgeRequest): number {
    return this.change(() => {
      const now = this.clock()
      return this.scheduler.purge({ ...(filter.state != null ? { state: filter.state } : {}), ...(filter.olderThanMs != null ? { before: now - filter.olderThanMs } : {}), ...(filter.keep != null ? { keep: filter.keep } : {}) }, now)
    })
  }

  /** The seed's `update_agent_status`: an offline worker keeps what it runs but gets nothing new. It lasts until changed. */
  updateWorker (worker: string, update: WorkerSteering): WorkerInfo {
    return workerSnapshot(this.change(() => this.scheduler.steer(this.scheduler.view.resolveWorker(worker), update, this.clock())))
  }

  /** The seed's `unregister_agent`: disconnect a worker; its running tasks go back to the queue. */
  async disconnectWorker (worker: string, options: AbortOptions = {}): Promise<void> {
    this.writable()
    const id = this.scheduler.view.resolveWorker(worker)
    options.signal?.throwIfAborted()
    if (this.pull.has(id)) this.pull.evict(id)
    else if (!await this.workers.disconnect(id)) this.scheduler.unregisterWorker(id, this.clock(), 'unregistered')
    this.cycle.request()
  }

  /**
   * Resolves once every change made so far is journaled and sent; a JournalUnavailableError when that takes
   * longer than the admin's acknowledgement timeout (its database does not answer).
   */
  async recorded (): Promise<void> {
    await acknowledged(this.cycle, () => this.lead.pause, this.init.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS)
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
  async claim (caller: Caller, request: ClaimRequest): Promise<{ worker: string, claims: Claim[] }> {
    this.writable()
    return await this.pull.claim(caller, request)
  }

  heartbeatClaim (caller: Caller, ref: ClaimRef): { leaseTtlMs: number } {
    return this.pull.heartbeat(caller, ref)
  }

  /** Ends a claimed attempt; answered once the batch holding its end is journaled. */
  async finishClaim (caller: Caller, ref: ClaimRef, outcome: ClaimOutcome): Promise<ReportOutcome> {
    if (!this.started || this.cycle.failed) throw new InvalidStateError('the admin is not running')
    const result = this.pull.finish(caller, ref, outcome)
    // a late result is recorded in the task's history: it too is answered once written
    if (result === 'accepted' || result === 'late') await this.recorded()
    return result
  }

  // ---------------------------------------------------------------- peers

  /** Connections from this peer are refused for now (a connection gater asks this). */
  isBanned (peerId: string): boolean {
    return this.lead.inDoubt || this.admission.isBanned(peerId)
  }

  /** After an allow-list changed: workers no longer allowed, whatever their door, are told and let go. */
  reauthorize (): number {
    const gone = this.admission.disallowed()
    for (const id of gone) {
      if (this.pull.has(id)) this.pull.evict(id)
      else this.workers.expel(id, new AuthorizationError(`peer ${id} may no longer join as a worker: it is no longer on the allow-list`))
    }
    return gone.length
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

  /** An operator's change: refused unless it can be confirmed (see `writable`), then decided, and run through the cycle. */
  private change<T> (decide: () => T): T {
    this.writable()
    const result = decide()
    this.cycle.request()
    return result
  }

  /** A change may be made now: the admin runs, and its journal answers (nothing is changed that could not be confirmed). */
  private writable (): void {
    if (!this.started || this.cycle.failed) throw new InvalidStateError('the admin is not running')
    const pause = this.lead.pause
    if (pause != null) throw new JournalUnavailableError(`nothing was changed: the journal's database does not answer since ${new Date(pause.since).toISOString()} (${pause.reason}); try again once it does`)
  }
}

