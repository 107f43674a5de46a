import { setTimeout as sleep } from 'node:timers/promises'
import { deadline } from '../util/deadline.js'
import { serviceCapabilities, TypedEventEmitter, type ComponentLogger, type Libp2pEvents, type Logger, type PeerId, type PeerStore, type Startable, type Stream, type TypedEventTarget } from '@libp2p/interface'
import { AbortError, AuthorizationError, ProtocolError, TimeoutError, UnrecoverableError } from '../errors.js'
import { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_FRAME_BYTES, DEFAULT_NETWORK, DEFAULT_STATUS_HEARTBEAT_MS, DEFAULT_STATUS_INTERVAL_MS, TASK_PROTOCOL } from '../protocol/constants.js'
import { onceFinished, readFrames } from '../protocol/frame-reader.js'
import { FrameWriter } from '../protocol/frame-writer.js'
import { decodeJson, encodeJson } from '../protocol/json.js'
import { Frame, type RegisterAck, type TaskAssignment, type TaskResult } from '../protocol/pb/tasks.js'
import { checkAssignment } from '../protocol/validate.js'
import { StatusChannel } from '../status/status-channel.js'
import { parseAdminAddress, type AdminTarget } from './admin-address.js'
import { simulate, type TaskContext, type TaskHandler } from './handlers.js'
import type { WorkerEvents } from './events.js'
import type { JsonValue } from '../core/task.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { ConnectionManager } from '@libp2p/interface-internal'

export interface WorkerInit {
  name: string
  /** @default 0 */
  skill?: number
  capabilities?: string[]
  /** Attempts run at once. @default 1 */
  maxConcurrent?: number
  /** Preference for the `priority` strategy. @default 0 */
  priority?: number
  /** The admin: a multiaddr ending in `/p2p/<peerId>`, or a bare peer id to find by mDNS. */
  admin: string
  /** Handlers by task type. The built-in `simulate` handler is added unless one is given for that type. */
  handlers?: Record<string, TaskHandler>
  /** Network name, for status broadcasts. @default 'default' */
  network?: string
  /** Reconnection backoff after the admin goes away. */
  reconnect?: { initialDelayMs?: number, maxDelayMs?: number }
  /** Finished results kept for resending while the admin is away. @default 10000 */
  maxBufferedResults?: number
  maxFrameBytes?: number
  /** How long to wait for an mDNS answer about a bare admin peer id, per attempt. @default 5000 */
  discoveryTimeoutMs?: number
  /** Status changes are broadcast at most this often. @default 1000 */
  statusIntervalMs?: number
  random?: () => number
}

export interface WorkerComponents {
  connectionManager: ConnectionManager
  peerStore: PeerStore
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  peerId: PeerId
}

interface RunningAttempt {
  taskId: string
  attempt: number
  token: string
  controller: AbortController
  /** The admin cancelled it (timeout, cancellation, revoked lease): its result is not reported. */
  cancelled: boolean
}

const key = (taskId: string, attempt: number): string => `${attempt}:${taskId}`

/**
 * The worker as a libp2p service: dials the admin, registers, runs assigned tasks through handlers,
 * reports results (keeping them until acknowledged, across reconnects), renews its leases, and
 * reconnects with exponential backoff and jitter when the admin goes away.
 */
export class WorkerService extends TypedEventEmitter<WorkerEvents> implements Startable {
  readonly name: string
  private readonly components: WorkerComponents
  private readonly init: WorkerInit
  private readonly log: Logger
  private readonly target: AdminTarget
  private readonly handlers = new Map<string, TaskHandler>()
  private readonly running = new Map<string, RunningAttempt>()
  private readonly waiting: TaskAssignment[] = []
  /** Results not yet acknowledged by the admin, oldest first. */
  private readonly unacked = new Map<string, TaskResult>()
  private readonly random: () => number
  private writer: FrameWriter<Frame> | undefined
  private stream: Stream | undefined
  private registered = false
  private draining = false
  private stopping = false
  private loop: Promise<void> | undefined
  private controller = new AbortController()
  private heartbeat: ReturnType<typeof setInterval> | undefined
  private status: StatusChannel | undefined
  private statusTimer: ReturnType<typeof setInterval> | undefined
  private completed = 0
  private failed = 0
  private cpuMark = { usage: process.cpuUsage(), at: performance.now() }
  private idleWaiters: Array<() => void> = []
  private readonly statusIntervalMs: number
  private statusPending: ReturnType<typeof setTimeout> | undefined
  private lastStatusAt = -Infinity

  readonly [Symbol.toStringTag] = 'taskmesh:worker'
  readonly [serviceCapabilities] = ['@taskmesh/worker']

  constructor (components: WorkerComponents, init: WorkerInit) {
    super()
    this.components = components
    this.init = init
    this.name = init.name
    this.log = components.logger.forComponent('taskmesh:worker')
    this.target = parseAdminAddress(init.admin)
    this.random = init.random ?? Math.random
    this.statusIntervalMs = init.statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS
    this.handlers.set('simulate', simulate())
    for (const [type, handler] of Object.entries(init.handlers ?? {})) this.handlers.set(type, handler)
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
    return this.registered
  }

  /** Runs tasks of `type` with `handler` (replacing any handler for that type). */
  handle (type: string, handler: TaskHandler): void {
    this.handlers.set(type, handler)
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
      this.status = new StatusChannel(pubsub, { network: this.init.network ?? DEFAULT_NETWORK, log: this.log })
      this.status.start()
      this.statusTimer = setInterval(() => { this.publishStatus() }, DEFAULT_STATUS_HEARTBEAT_MS)
      this.statusTimer.unref()
    }
    this.loop = this.connectLoop()
  }

  /** Leaves at once: running attempts are abandoned, and the admin puts them back for other workers. */
  async stop (): Promise<void> {
    if (this.loop == null) return
    this.stopping = true
    this.controller.abort(new AbortError('worker stopping'))
    for (const r of this.running.values()) r.controller.abort(new AbortError('worker stopping'))
    this.waiting.length = 0
    clearInterval(this.heartbeat)
    clearInterval(this.statusTimer)
    clearTimeout(this.statusPending)
    this.status?.stop()
    this.status = undefined
    if (this.stream != null) {
      const bound = deadline(1000)
      await this.stream.close({ signal: bound.signal }).catch(() => this.stream?.abort(new AbortError('worker stopping')))
      bound.clear()
    }
    await this.loop
    this.loop = undefined
  }

  /**
   * Leaves politely: asks the admin for no more work, finishes what runs and gets its results
   * acknowledged, within `graceMs`; then stops. Whatever is still running is handed back.
   */
  async drain (graceMs = 30_000): Promise<void> {
    this.draining = true
    this.writer?.write({ drain: { reason: 'worker shutting down' } })
    this.publishStatus()
    if (this.running.size > 0 || this.unacked.size > 0 || this.waiting.length > 0) {
      const idle = new Promise<void>(resolve => this.idleWaiters.push(resolve))
      await Promise.race([idle, sleep(graceMs, undefined, { ref: false })])
    }
    await this.stop()
  }

  // ---------------------------------------------------------------- connecting

  private async connectLoop (): Promise<void> {
    const initial = this.init.reconnect?.initialDelayMs ?? 250
    const max = this.init.reconnect?.maxDelayMs ?? 10_000
    let failures = 0
    while (!this.stopping) {
      let reason: string
      try {
        const registered = await this.session(this.controller.signal)
        if (registered) failures = 0
        reason = 'admin closed the stream'
      } catch (err) {
        if (this.stopping) break
        if (err instanceof AuthorizationError || (err as Error).name === 'RefusedError') {
          this.safeDispatchEvent('error', { detail: err as Error })
          break
        }
        reason = describeDialError(err as Error)
      }
      if (this.stopping) break
      failures++
      // exponential backoff with full jitter, so workers of a restarted admin do not return in lockstep
      const delayMs = Math.round(Math.min(max, initial * 2 ** Math.min(failures - 1, 20)) * (0.5 + this.random() / 2))
      this.safeDispatchEvent('reconnecting', { detail: { attempt: failures, delayMs, reason } })
      try {
        await sleep(delayMs, undefined, { signal: this.controller.signal })
      } catch {
        break
      }
    }
  }

  /** One connection to the admin; resolves when it ends. Returns whether the admin accepted us. */
  private async session (signal: AbortSignal): Promise<boolean> {
    const connection = await this.dialAdmin(signal)
    const stream = await connection.newStream(TASK_PROTOCOL, { signal })
    this.stream = stream
    const writer = new FrameWriter(stream, Frame, { maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES })
    let refusal: Error | undefined
    let accepted = false
    // the end of the session comes after the admin's last frames (a refusal, say), not merely after 'close'
    const closed = new Promise<void>(resolve => { onceFinished(stream, resolve) })
    readFrames(stream, Frame, {
      maxFrameBytes: this.init.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      onFrame: frame => {
        if (frame.registerAck != null) {
          const err = this.onRegisterAck(frame.registerAck, writer)
          if (err != null) {
            refusal = err
            stream.abort(err)
          } else {
            accepted = true
          }
        } else if (frame.assignment != null) {
          this.onAssignment(frame.assignment)
        } else if (frame.cancel != null) {
          this.onCancel(frame.cancel.taskId, frame.cancel.attempt, frame.cancel.reason)
        } else if (frame.resultAck != null) {
          this.unacked.delete(key(frame.resultAck.taskId, frame.resultAck.attempt))
          this.checkIdle()
        }
      },
      onInvalid: (err) => { this.log.error('invalid frame from the admin: %s', err.message) }
    })
    writer.write({
      register: {
        name: this.name,
        skill: this.skill,
        capabilities: this.capabilities,
        maxConcurrent: this.maxConcurrent,
        priority: this.init.priority ?? 0,
        leases: [...this.running.values()].map(r => ({ taskId: r.taskId, attempt: r.attempt, token: r.token }))
          .concat([...this.unacked.values()].map(r => ({ taskId: r.taskId, attempt: r.attempt, token: r.token }))),
        version: '1'
      }
    })
    await closed
    clearInterval(this.heartbeat)
    if (this.writer === writer) this.writer = undefined
    this.stream = undefined
    if (this.registered) {
      this.registered = false
      this.safeDispatchEvent('admin:disconnected', { detail: { reason: 'stream closed' } })
      this.publishStatus()
    }
    if (refusal != null) throw refusal
    return accepted
  }

  private async dialAdmin (signal: AbortSignal): Promise<Awaited<ReturnType<ConnectionManager['openConnection']>>> {
    if (this.target.kind === 'address') return this.components.connectionManager.openConnection(this.target.address, { signal })
    const peerId = this.target.peerId
    const known = await this.components.peerStore.get(peerId).then(p => p.addresses.length > 0, () => false)
    if (!known) await this.discover(peerId, signal)
    return this.components.connectionManager.openConnection(peerId, { signal })
  }

  /** Waits for mDNS to announce the admin's peer id. */
  private async discover (peerId: PeerId, signal: AbortSignal): Promise<void> {
    const timeoutMs = this.init.discoveryTimeoutMs ?? 5_000
    await new Promise<void>((resolve, reject) => {
      const events = this.components.events
      const done = (err?: Error): void => {
        clearTimeout(timer)
        events.removeEventListener('peer:discovery', onPeer)
        signal.removeEventListener('abort', onAbort)
        if (err != null) reject(err)
        else resolve()
      }
      const onPeer = (evt: CustomEvent<{ id: PeerId }>): void => { if (evt.detail.id.equals(peerId)) done() }
      const onAbort = (): void => { done(new AbortError()) }
      const timer = setTimeout(() => { done(new TimeoutError(`no admin ${peerId.toString()} found by mDNS within ${timeoutMs} ms; pass its full address instead`)) }, timeoutMs)
      events.addEventListener('peer:discovery', onPeer)
      signal.addEventListener('abort', onAbort)
    })
  }

  private onRegisterAck (ack: RegisterAck, writer: FrameWriter<Frame>): Error | undefined {
    if (ack.error !== '') {
      const err = ack.errorName === 'AuthorizationError' ? new AuthorizationError(ack.error) : refused(ack.error, ack.errorName)
      this.log.error('admin refused this worker: %s', ack.error)
      return err
    }
    this.writer = writer
    this.registered = true
    clearInterval(this.heartbeat)
    this.heartbeat = setInterval(() => { this.writer?.write({ heartbeat: { running: this.running.size } }) }, Math.max(100, ack.heartbeatMs))
    this.heartbeat.unref()
    if (this.draining) writer.write({ drain: { reason: 'worker shutting down' } })
    // results finished while the admin was away
    for (const result of this.unacked.values()) writer.write({ result })
    this.safeDispatchEvent('admin:connected', { detail: { network: ack.network, resent: this.unacked.size } })
    this.publishStatus()
    return undefined
  }

  // ---------------------------------------------------------------- running tasks

  private onAssignment (assignment: TaskAssignment): void {
    const problem = checkAssignment(assignment)
    if (problem != null) {
      this.log.error('ignored an invalid assignment: %s', problem)
      return
    }
    const k = key(assignment.taskId, assignment.attempt)
    if (this.running.has(k) || this.unacked.has(k)) return
    if (this.running.size >= this.maxConcurrent) {
      this.waiting.push(assignment)
      return
    }
    void this.execute(assignment)
  }

  private onCancel (taskId: string, attempt: number, reason: string): void {
    const r = this.running.get(key(taskId, attempt))
    if (r != null) {
      r.cancelled = true
      r.controller.abort(new AbortError(reason))
      this.safeDispatchEvent('task:cancelled', { detail: { taskId, attempt, reason } })
      return
    }
    const i = this.waiting.findIndex(a => a.taskId === taskId && a.attempt === attempt)
    if (i !== -1) this.waiting.splice(i, 1)
  }

  private async execute (a: TaskAssignment): Promise<void> {
    const k = key(a.taskId, a.attempt)
    const entry: RunningAttempt = { taskId: a.taskId, attempt: a.attempt, token: a.token, controller: new AbortController(), cancelled: false }
    this.running.set(k, entry)
    this.safeDispatchEvent('task:started', { detail: { taskId: a.taskId, attempt: a.attempt, type: a.type } })
    this.publishStatus()
    const started = performance.now()
    const result: TaskResult = { taskId: a.taskId, attempt: a.attempt, token: a.token, success: false, output: new Uint8Array(0), error: '', durationMs: 0, unrecoverable: false }
    try {
      const handler = this.handlers.get(a.type)
      if (handler == null) throw new Error(`worker "${this.name}" has no handler for task type "${a.type}"; it handles ${[...this.handlers.keys()].join(', ')}`)
      const task: TaskContext = {
        id: a.taskId,
        attempt: a.attempt,
        description: a.description,
        type: a.type,
        difficulty: a.difficulty,
        payload: decodeJson(a.payload, 'payload'),
        inputs: (decodeJson(a.inputs, 'inputs') ?? {}) as Record<string, JsonValue>,
        ...(a.timeoutMs > 0 ? { timeoutMs: a.timeoutMs } : {}),
        worker: { name: this.name, skill: this.skill, capabilities: this.capabilities }
      }
      const output = await handler(task, { signal: entry.controller.signal })
      result.output = encodeJson(output)
      result.success = true
      const limit = (this.init.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES) - 1024
      if (result.output.byteLength > limit) {
        throw new UnrecoverableError(`output of ${result.output.byteLength} bytes exceeds the ${limit}-byte frame limit; return less, or store it elsewhere and return a reference`)
      }
    } catch (err) {
      result.success = false
      result.output = new Uint8Array(0)
      result.error = errorText(err)
      result.unrecoverable = err instanceof UnrecoverableError || (err as Error)?.name === 'UnrecoverableError'
    }
    result.durationMs = performance.now() - started
    this.running.delete(k)
    if (result.success) this.completed++
    else this.failed++
    if (!entry.cancelled && !this.stopping) {
      this.remember(k, result)
      this.writer?.write({ result })
      this.safeDispatchEvent('task:finished', { detail: { taskId: a.taskId, attempt: a.attempt, success: result.success, durationMs: result.durationMs, ...(result.error !== '' ? { error: result.error } : {}) } })
    }
    const next = this.waiting.shift()
    if (next != null) void this.execute(next)
    this.publishStatus()
    this.checkIdle()
  }

  /** Keeps a result until the admin acknowledges it; the oldest go first when the buffer is full. */
  private remember (k: string, result: TaskResult): void {
    this.unacked.set(k, result)
    const max = this.init.maxBufferedResults ?? 10_000
    for (const old of this.unacked.keys()) {
      if (this.unacked.size <= max) break
      this.unacked.delete(old)
      this.log.error('result buffer full (%d): dropped the result of %s; the admin will run that task again', max, old)
    }
  }

  private checkIdle (): void {
    if (this.running.size > 0 || this.unacked.size > 0 || this.waiting.length > 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const resolve of waiters) resolve()
  }

  // ---------------------------------------------------------------- status broadcasts

  /**
   * Status is advisory and each broadcast costs a signature here and a verification on every receiver:
   * changes are coalesced into at most one broadcast per interval, carrying the latest state.
   */
  private publishStatus (): void {
    if (this.status == null || this.statusPending != null) return
    const wait = this.lastStatusAt + this.statusIntervalMs - performance.now()
    if (wait <= 0) {
      this.broadcastStatus()
      return
    }
    this.statusPending = setTimeout(() => {
      this.statusPending = undefined
      this.broadcastStatus()
    }, wait)
    this.statusPending.unref()
  }

  private broadcastStatus (): void {
    if (this.status == null) return
    this.lastStatusAt = performance.now()
    const now = performance.now()
    const usage = process.cpuUsage()
    const busyUs = (usage.user - this.cpuMark.usage.user) + (usage.system - this.cpuMark.usage.system)
    const cpu = now > this.cpuMark.at ? busyUs / 1000 / (now - this.cpuMark.at) : 0
    this.cpuMark = { usage, at: now }
    this.status.publish({
      worker: {
        peerId: this.components.peerId.toString(),
        name: this.name,
        state: !this.registered ? 'connecting' : this.draining ? 'draining' : this.running.size > 0 ? 'busy' : 'idle',
        running: this.running.size,
        capacity: this.maxConcurrent,
        completed: this.completed,
        failed: this.failed,
        skill: this.skill,
        capabilities: this.capabilities,
        cpu,
        memoryBytes: process.memoryUsage.rss(),
        timestamp: Date.now()
      }
    })
  }
}

function errorText (err: unknown): string {
  if (err instanceof Error) return err.name === 'Error' ? err.message : `${err.name}: ${err.message}`
  return String(err)
}

function refused (message: string, name: string): Error {
  const err = new ProtocolError(message)
  Object.defineProperty(err, 'name', { value: name === '' ? 'RefusedError' : name })
  return err
}

/** Dial errors in words a user can act on. */
function describeDialError (err: Error): string {
  const text = `${err.name}: ${err.message}`
  if (/ECONNRESET|Message length too long|EncryptionFailed/i.test(text)) return `${text} (probably a different swarm key, or none where the admin uses one)`
  if (/ECONNREFUSED/.test(text)) return `${text} (nothing listens there: is the admin running, on that port?)`
  if (/TimeoutError|timed out|aborted due to timeout/i.test(text)) return `${text} (no answer: is the address right? probably a different swarm key, or none where the admin uses one)`
  return text
}

function optionalPubsub (components: WorkerComponents): GossipSub | undefined {
  try {
    return (components as WorkerComponents & { pubsub?: GossipSub }).pubsub
  } catch {
    return undefined
  }
}
