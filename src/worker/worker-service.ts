import { setTimeout as sleep } from 'node:timers/promises'
import { raceEvent } from 'race-event'
import { serviceCapabilities, TypedEventEmitter, type AbortOptions, type ComponentLogger, type Libp2pEvents, type Logger, type PeerId, type PeerStore, type Startable, type Stream, type TypedEventTarget } from '@libp2p/interface'
import { AbortError, AuthorizationError, RegistrationRefusedError } from '../errors.js'
import { backoffDelay, type BackoffPolicy } from '../core/backoff.js'
import { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_FRAME_BYTES, DEFAULT_NETWORK, TASK_PROTOCOL } from '../protocol/constants.js'
import { parseAdminAddresses } from './admin-address.js'
import { AdminDialer, describeDialError, isRelayed } from './connection.js'
import { DEFAULT_DISCOVERY_TIMEOUT_MS, DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_MAX_BUFFERED_RESULTS, DEFAULT_RECONNECT_INITIAL_MS, DEFAULT_RECONNECT_MAX_MS, DEFAULT_STATUS_INTERVAL_MS, RECONNECT_JITTER, RESULT_FRAME_OVERHEAD_BYTES, SESSION_SETUP_TIMEOUT_MS, STOP_CLOSE_TIMEOUT_MS } from './constants.js'
import { simulate, type TaskHandler } from './handlers.js'
import { machineResources, registration, type WorkerIdentity } from './registration.js'
import { ResultOutbox } from './result-outbox.js'
import { AdminSession, type AdminSessionHandler } from './session.js'
import { StatusReporter } from './status-reporter.js'
import { LoadSampler } from './load-sampler.js'
import { TaskRunner, type RunTracing } from './task-runner.js'
import { timeoutSignal } from '../util/timeout-signal.js'
import type { WorkerEvents } from './events.js'
import type { AllDone, CancelAttempt, RegisterAck, ResultAck, TaskAssignment } from '../protocol/pb/tasks.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { AddressManager, ConnectionManager } from '@libp2p/interface-internal'

export interface WorkerInit {
  name: string
  /** @default 0 */
  skill?: number
  capabilities?: string[]
  /** Attempts run at once. @default 1 */
  maxConcurrent?: number
  /** Preference for the `priority` strategy. @default 0 */
  priority?: number
  /**
   * What it offers to the attempts it runs at once: `cpu` (cores), `memory` (bytes), `gpu`, any name. Tasks
   * that declare `resources` run only where they fit. @default this machine's cores and memory
   */
  resources?: Record<string, number>
  /** The admin: a multiaddr ending in `/p2p/<peerId>`, or a bare peer id to find by mDNS. */
  admin: string | string[]
  /** Handlers by task type. The built-in `simulate` handler is added unless one is given for that type. */
  handlers?: Record<string, TaskHandler>
  /** Network name, for status broadcasts. @default 'default' */
  network?: string
  /** Reconnection backoff after the admin goes away. @default { initialDelayMs: 250, maxDelayMs: 10000 } */
  reconnect?: { initialDelayMs?: number, maxDelayMs?: number }
  /** Finished results kept for resending while the admin is away. @default 10000 */
  maxBufferedResults?: number
  /** Largest frame read or written. @default 4 MiB */
  maxFrameBytes?: number
  /** How long to wait for an mDNS answer about a bare admin peer id, per attempt. @default 5000 */
  discoveryTimeoutMs?: number
  /** Status changes are broadcast at most this often. @default 1000 */
  statusIntervalMs?: number
  /** Uniform in [0, 1), for reconnection jitter. @default Math.random */
  random?: () => number
  /** Traces each run (`WorkerAgent` sets it from `otelEndpoint`). @default none */
  tracing?: RunTracing
}

export interface WorkerComponents {
  connectionManager: ConnectionManager
  addressManager: AddressManager
  peerStore: PeerStore
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  peerId: PeerId
}

/**
 * The worker as a libp2p service. It keeps a session with the admin ({@link AdminSession}), reconnecting
 * with exponential backoff and jitter when the admin goes away; runs what it is assigned
 * ({@link TaskRunner}); keeps each result until the admin acknowledges it ({@link ResultOutbox}), across
 * reconnections; and broadcasts its status ({@link StatusReporter}).
 */
export class WorkerService extends TypedEventEmitter<WorkerEvents> implements Startable, AdminSessionHandler {
  readonly name: string
  private readonly components: WorkerComponents
  private readonly init: WorkerInit
  private readonly log: Logger
  private readonly dialer: AdminDialer
  private readonly handlers = new Map<string, TaskHandler>()
  private readonly runner: TaskRunner
  private readonly outbox: ResultOutbox
  /** The load each heartbeat reports: CPU since the previous one, memory now. */
  private readonly load = new LoadSampler()
  private readonly backoff: BackoffPolicy
  private session: AdminSession | undefined
  /** How the current session's connection reaches the admin. */
  private via: 'direct' | 'relayed' = 'direct'
  private status: StatusReporter | undefined
  private draining = false
  private stopping = false
  private loop: Promise<void> | undefined
  private controller = new AbortController()

  readonly [Symbol.toStringTag] = 'taskmesh:worker'
  readonly [serviceCapabilities] = ['@taskmesh/worker']

  constructor (components: WorkerComponents, init: WorkerInit) {
    super()
    this.components = components
    this.init = init
    this.name = init.name
    this.log = components.logger.forComponent('taskmesh:worker')
    this.dialer = new AdminDialer(components, parseAdminAddresses(init.admin), init.discoveryTimeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS)
    this.handlers.set('simulate', simulate())
    for (const [type, handler] of Object.entries(init.handlers ?? {})) this.handlers.set(type, handler)
    this.backoff = { backoff: 'exponential', initialDelayMs: init.reconnect?.initialDelayMs ?? DEFAULT_RECONNECT_INITIAL_MS, maxDelayMs: init.reconnect?.maxDelayMs ?? DEFAULT_RECONNECT_MAX_MS, jitter: RECONNECT_JITTER }
    this.outbox = new ResultOutbox(init.maxBufferedResults ?? DEFAULT_MAX_BUFFERED_RESULTS, this.log)
    this.runner = new TaskRunner({
      worker: { name: this.name, skill: this.skill, capabilities: this.capabilities },
      handlers: this.handlers,
      maxConcurrent: this.maxConcurrent,
      maxOutputBytes: (init.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES) - RESULT_FRAME_OVERHEAD_BYTES,
      ...(init.tracing != null ? { tracing: init.tracing } : {})
    })
    this.runner.addEventListener('task:started', ({ detail }) => { this.safeDispatchEvent('task:started', { detail }) })
    this.runner.addEventListener('task:cancelled', ({ detail }) => { this.safeDispatchEvent('task:cancelled', { detail }) })
    this.runner.addEventListener('task:finished', ({ detail: result }) => {
      this.outbox.add(result)
      this.session?.send({ result })
      this.safeDispatchEvent('task:finished', { detail: { taskId: result.taskId, attempt: result.attempt, success: result.success, durationMs: result.durationMs, ...(result.error !== '' ? { error: result.error } : {}) } })
      this.checkIdle()
    })
    this.runner.addEventListener('idle', () => { this.checkIdle() })
  }

  get skill (): number {
    return this.init.skill ?? 0
  }

  get capabilities (): string[] {
    return this.init.capabilities ?? []
  }

  get maxConcurrent (): number {
    return Math.max(1, this.init.maxConcurrent ?? 1)
  }

  /** Connected and registered with the admin. */
  get connected (): boolean {
    return this.session?.accepted ?? false
  }

  /** Who this worker says it is when it registers. */
  get identity (): WorkerIdentity {
    return { name: this.name, skill: this.skill, capabilities: this.capabilities, maxConcurrent: this.maxConcurrent, priority: this.init.priority ?? 0, resources: this.init.resources ?? machineResources() }
  }

  /** Runs tasks of `type` with `handler` (replacing any handler for that type); the admin hears of a new type. */
  handle (type: string, handler: TaskHandler): void {
    const added = !this.handlers.has(type)
    this.handlers.set(type, handler)
    if (added && this.session?.accepted === true) this.session.send({ handlers: { types: [...this.handlers.keys()] } })
  }

  isStarted (): boolean {
    return this.loop != null
  }

  async start (): Promise<void> {
    this.stopping = false
    this.controller = new AbortController()
  }

  /** Connecting and broadcasting wait until every service of the node has started. */
  afterStart (): void {
    if (this.loop != null) return
    const pubsub = optionalPubsub(this.components)
    if (pubsub != null) {
      this.status = new StatusReporter({
        pubsub,
        network: this.init.network ?? DEFAULT_NETWORK,
        peerId: this.components.peerId.toString(),
        log: this.log,
        intervalMs: this.init.statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS,
        state: () => ({
          name: this.name,
          state: !this.connected ? 'connecting' : this.draining ? 'draining' : this.runner.size > 0 ? 'busy' : 'idle',
          running: this.runner.size,
          capacity: this.maxConcurrent,
          completed: this.runner.completed,
          failed: this.runner.failed,
          skill: this.skill,
          capabilities: this.capabilities
        })
      })
      this.status.start()
    }
    this.loop = this.connectLoop()
  }

  /**
   * Leaves at once: running attempts are abandoned, and the admin puts them back for other workers. What
   * was written still goes out, unless closing the stream takes longer than `signal` allows (1 s by default).
   */
  async stop (options: AbortOptions = {}): Promise<void> {
    if (this.loop == null) return
    this.stopping = true
    this.controller.abort(new AbortError('worker stopping'))
    this.runner.stop('worker stopping')
    this.status?.stop()
    this.status = undefined
    const bound = options.signal == null ? timeoutSignal(STOP_CLOSE_TIMEOUT_MS) : undefined
    await this.session?.close({ signal: options.signal ?? bound?.signal })
    bound?.clear()
    await this.loop
    this.loop = undefined
  }

  /**
   * Leaves politely: asks the admin for no more work, finishes what runs and gets its results
   * acknowledged, until that is done or `signal` aborts (by default after 30 s); then stops. Whatever is
   * still running is handed back.
   */
  async drain (options: AbortOptions = {}): Promise<void> {
    this.draining = true
    this.session?.send({ drain: { reason: 'worker shutting down' } })
    this.status?.changed()
    // an abort ends the wait, not the drain: what still runs is handed back by stopping
    if (!this.idle) await raceEvent(this, 'idle', options.signal ?? AbortSignal.timeout(DEFAULT_DRAIN_TIMEOUT_MS)).catch(() => {})
    await this.stop()
  }

  // ---------------------------------------------------------------- the admin's frames

  onRegistered (ack: RegisterAck): void {
    const session = this.session!
    session.startHeartbeat(ack, () => ({ running: this.runner.size, ...this.load.sample() }))
    if (this.draining) session.send({ drain: { reason: 'worker shutting down' } })
    // results finished while the admin was away
    for (const result of this.outbox.all()) session.send({ result })
    this.safeDispatchEvent('admin:connected', { detail: { network: ack.network, resent: this.outbox.size, via: this.via } })
    this.status?.changed()
  }

  onAssignment (assignment: TaskAssignment): void {
    if (this.runner.has(assignment.taskId, assignment.attempt) || this.outbox.has(assignment.taskId, assignment.attempt)) return
    this.runner.offer(assignment)
  }

  onCancel (cancel: CancelAttempt): void {
    this.runner.cancel(cancel.taskId, cancel.attempt, cancel.reason)
  }

  onResultAck (ack: ResultAck): void {
    this.outbox.acknowledge(ack.taskId, ack.attempt)
    this.checkIdle()
  }

  onAllDone (done: AllDone): void {
    this.safeDispatchEvent('admin:done', { detail: { total: done.total, succeeded: done.succeeded, failed: done.failed, skipped: done.skipped, cancelled: done.cancelled } })
  }

  // ---------------------------------------------------------------- connecting

  private async connectLoop (): Promise<void> {
    let failures = 0
    while (!this.stopping) {
      let reason: string
      /** A quarantine's end, when the admin named one. */
      let notBefore = 0
      try {
        const session = await this.runSession(this.controller.signal)
        if (session.accepted) failures = 0
        reason = session.silence?.message ?? 'admin closed the stream'
      } catch (err) {
        if (this.stopping) break
        const refusal = err as Error & { retryAfterMs?: number }
        const refused = refusal.name === AuthorizationError.name || refusal.name === RegistrationRefusedError.name
        if (refused && (refusal.retryAfterMs ?? 0) === 0) {
          // refused for good: reconnecting would only be refused again
          this.safeDispatchEvent('error', { detail: refusal })
          break
        }
        reason = refused ? refusal.message : describeDialError(refusal)
        notBefore = refusal.retryAfterMs ?? 0
      }
      if (this.stopping) break
      failures++
      const delayMs = Math.max(notBefore, backoffDelay(this.backoff, failures + 1, this.init.random ?? Math.random))
      this.safeDispatchEvent('reconnecting', { detail: { attempt: failures, delayMs, reason } })
      try {
        await sleep(delayMs, undefined, { signal: this.controller.signal })
      } catch {
        break
      }
    }
  }

  /** One session with the admin; resolves when it ends. */
  private async runSession (signal: AbortSignal): Promise<AdminSession> {
    // bounded: a connection the network stopped carrying answers nothing and gives no error
    const setup = AbortSignal.any([signal, AbortSignal.timeout(SESSION_SETUP_TIMEOUT_MS)])
    const connection = await this.dialer.dial({ signal: setup })
    let stream: Stream
    try {
      stream = await connection.newStream(TASK_PROTOCOL, { signal: setup, runOnLimitedConnection: true })
    } catch (err) {
      // dialing again must not find this connection again
      if (!signal.aborted) connection.abort(err as Error)
      throw err
    }
    this.via = isRelayed(connection) ? 'relayed' : 'direct'
    const session = new AdminSession(stream, this, { maxFrameBytes: this.init.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES, maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES, log: this.log })
    this.session = session
    session.start(registration(this.identity, this.handlers.keys(), [...this.runner.leases(), ...this.outbox.leases()]))
    await session.ended
    if (this.session === session) this.session = undefined
    // a silent connection is dropped: dialing again must not reuse it
    if (session.silence != null) connection.abort(session.silence)
    if (session.accepted) {
      this.safeDispatchEvent('admin:disconnected', { detail: { reason: session.silence?.message ?? 'stream closed' } })
      this.status?.changed()
    }
    if (session.refusal != null) throw session.refusal
    return session
  }

  private get idle (): boolean {
    return this.runner.idle && this.outbox.size === 0
  }

  private checkIdle (): void {
    if (this.idle) this.safeDispatchEvent('idle')
  }
}

function optionalPubsub (components: WorkerComponents): GossipSub | undefined {
  try {
    return (components as WorkerComponents & { pubsub?: GossipSub }).pubsub
  } catch {
    return undefined
  }
}
