import { AbortError, AuthorizationError, LimitExceededError, ProtocolError, TimeoutError, ValidationError } from '../errors.js'
import { createNode } from '../node/create-node.js'
import { timeoutSignal } from '../util/timeout-signal.js'
import { CLOSE_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, REQUEST_OVERHEAD_BYTES } from './constants.js'
import { CLIENT_PROTOCOL, DEFAULT_MAX_CLIENT_FRAME_BYTES } from '../protocol/constants.js'
import { onceFinished, readFrames } from '../protocol/frame-reader.js'
import { FrameWriter } from '../protocol/frame-writer.js'
import { decodeJson, encodeJson } from '../protocol/json.js'
import { ClientRequest, ClientResponse } from '../protocol/pb/client.js'
import { parseAdminAddresses } from '../worker/admin-address.js'
import type { SummaryView, TaskRow, TaskView } from '../admin/api.js'
import type { NetworkEvents } from '../admin/events.js'
import type { WorkerInfo, WorkerStatusUpdate } from '../core/registry.js'
import type { Pause } from '../core/pauses.js'
import type { FinalState } from '../core/task.js'
import type { ScheduleView } from '../core/schedules.js'
import type { SubmitResult } from '../core/options.js'
import type { HistoryEntry } from '../core/snapshots.js'
import type { Libp2p, PrivateKey, Stream } from '@libp2p/interface'

export interface AdminClientOptions {
  /** Identity of this client (what an admin's client allow-list names). @default a new one */
  privateKey?: PrivateKey
  /** Content of the swarm key file when the admin runs a private network. */
  swarmKey?: Uint8Array
  /** How long a request may take. @default 30000 */
  timeoutMs?: number
  signal?: AbortSignal
}

interface Pending {
  resolve(value: unknown): void
  reject(err: Error): void
  onEvent?(event: { event: string, detail: unknown }): void
}

/** A watched admin event, as it arrives. */
export type AdminEvent = { [K in keyof NetworkEvents]: { event: K, detail: NetworkEvents[K]['detail'] } }[keyof NetworkEvents]

/**
 * Talks to a running admin over /taskmesh/client/1.0.0: submit, cancel, retry, and query tasks, workers
 * and progress, or watch its events. The CLI's submit/status/tasks/cancel/retry/history commands and the
 * MCP server are built on it.
 */
export class AdminClient {
  private readonly node: Libp2p
  private readonly stream: Stream
  private readonly writer: FrameWriter<ClientRequest>
  private readonly pending = new Map<number, Pending>()
  private readonly timeoutMs: number
  private nextId = 1
  private closed: Error | undefined
  private readonly ended = new AbortController()

  private constructor (node: Libp2p, stream: Stream, timeoutMs: number) {
    this.node = node
    this.stream = stream
    this.timeoutMs = timeoutMs
    this.writer = new FrameWriter<ClientRequest>(stream, ClientRequest, { maxBufferedBytes: 4 * DEFAULT_MAX_CLIENT_FRAME_BYTES })
    readFrames(stream, ClientResponse, {
      maxFrameBytes: DEFAULT_MAX_CLIENT_FRAME_BYTES,
      onInvalid: (err) => { this.fail(err) },
      onFrame: (res) => { this.onResponse(res) }
    })
    // after the admin's last responses (a refusal, say), not merely after 'close'
    onceFinished(stream, () => { this.fail(new ProtocolError('the admin closed the connection')) })
  }

  /**
   * Connects to the admin at `address` (a multiaddr ending in /p2p/<peerId>). Given several addresses of
   * one admin (its replicas share a peer id), tries each in turn, each for its share of the timeout, and
   * keeps the first that answers: the leader's.
   */
  static async connect (address: string | readonly string[], options: AdminClientOptions = {}): Promise<AdminClient> {
    const target = parseAdminAddresses(address)
    if (target.kind !== 'address') throw new ValidationError([{ path: '--admin', message: 'clients need the admin\'s full address, ending in /p2p/<peerId>' }], { subject: 'options' })
    const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    const node = await createNode({
      ...(options.privateKey != null ? { privateKey: options.privateKey } : {}),
      ...(options.swarmKey != null ? { swarmKey: options.swarmKey } : {}),
      pubsub: false,
      circuit: target.addresses.some(a => a.toString().includes('/p2p-circuit')),
      services: {}
    })
    const failures: string[] = []
    for (const at of target.addresses) {
      try {
        const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs / target.addresses.length), ...(options.signal != null ? [options.signal] : [])])
        const connection = await node.dial(at, { signal })
        const stream = await connection.newStream(CLIENT_PROTOCOL, { signal, runOnLimitedConnection: true })
        return new AdminClient(node, stream, timeoutMs)
      } catch (err) {
        failures.push(whyUnreachable(at.toString(), err as Error, timeoutMs / target.addresses.length))
        if (options.signal?.aborted === true) break
      }
    }
    await node.stop()
    throw new ProtocolError(failures.length === 1 ? failures[0]! : `cannot reach the admin at any of its ${failures.length} addresses:\n  ${failures.join('\n  ')}`)
  }

  /** Aborted when the connection to the admin ends (closed here, or by the admin), with the reason. */
  get signal (): AbortSignal {
    return this.ended.signal
  }

  get isClosed (): boolean {
    return this.closed != null
  }

  async call<T = unknown> (method: string, params: Record<string, unknown> = {}, options: { signal?: AbortSignal } = {}): Promise<T> {
    if (this.closed != null) throw this.closed
    const body = encodeJson(params)
    // the admin closes a stream that sends a larger frame: say why here instead
    if (body.byteLength > DEFAULT_MAX_CLIENT_FRAME_BYTES - REQUEST_OVERHEAD_BYTES) {
      throw new LimitExceededError(`this ${method} request is ${mib(body.byteLength)} MiB, more than the ${mib(DEFAULT_MAX_CLIENT_FRAME_BYTES)} MiB an admin takes in one request${method === 'submit' ? ': split the task file into smaller ones and submit each (tasks may depend on tasks submitted before)' : ''}`)
    }
    const id = this.nextId++
    const result = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => { this.pending.delete(id); reject(new TimeoutError(`the admin did not answer ${method} within ${this.timeoutMs} ms`)) }, this.timeoutMs)
      const abort = (): void => { clearTimeout(timer); this.pending.delete(id); reject(new AbortError()) }
      options.signal?.addEventListener('abort', abort, { once: true })
      this.pending.set(id, {
        resolve: (v) => { clearTimeout(timer); options.signal?.removeEventListener('abort', abort); resolve(v as T) },
        reject: (e) => { clearTimeout(timer); options.signal?.removeEventListener('abort', abort); reject(e) }
      })
    })
    this.writer.write({ id, method, params: body })
    return result
  }

  /** Tasks in any task-file format; `{ tasks, schedules }` adds the schedules too. */
  submit (tasks: unknown): Promise<SubmitResult & { schedules?: string[] }> {
    return this.call('submit', { tasks })
  }

  /** The recurring tasks, each with its next firing. */
  schedules (): Promise<ScheduleView[]> {
    return this.call('schedules', {})
  }

  /** Adds schedules (one, or a list, as a task file's `schedules` writes them), or replaces those of their names. */
  addSchedules (schedules: unknown): Promise<{ schedules: ScheduleView[] }> {
    return this.call('addSchedules', { schedules })
  }

  pauseSchedule (name: string): Promise<ScheduleView> {
    return this.call('pauseSchedule', { name })
  }

  resumeSchedule (name: string): Promise<ScheduleView> {
    return this.call('resumeSchedule', { name })
  }

  /** Rejects with an UnknownScheduleError when there is none of that name. */
  removeSchedule (name: string): Promise<{ removed: string }> {
    return this.call('removeSchedule', { name })
  }

  /** Rejects with an InvalidStateError when the task is final already. */
  cancel (id: string, reason?: string): Promise<{ cancelled: true }> {
    return this.call('cancel', reason != null ? { id, reason } : { id })
  }

  retry (id: string): Promise<{ retried: true }> {
    return this.call('retry', { id })
  }

  /** Starts nothing new of `type` (of any type without one); answers with every pause in force. */
  pause (type?: string, reason?: string, group?: string): Promise<{ paused: Pause[] }> {
    return this.call('pause', { ...(type != null ? { type } : {}), ...(group != null ? { group } : {}), ...(reason != null ? { reason } : {}) })
  }

  /** Rejects with an InvalidStateError when that was not paused. */
  resume (type?: string, group?: string): Promise<{ paused: Pause[] }> {
    return this.call('resume', { ...(type != null ? { type } : {}), ...(group != null ? { group } : {}) })
  }

  /** Drops finished tasks (`state`, finished over `olderThan` seconds ago, beyond the newest `keep`): answers how many. */
  purge (filter: { state?: FinalState, olderThan?: number, keep?: number }): Promise<{ purged: number }> {
    return this.call('purge', filter)
  }

  task (id: string): Promise<TaskView> {
    return this.call('task', { id })
  }

  history (id: string): Promise<HistoryEntry[]> {
    return this.call('history', { id })
  }

  /** A page of tasks; with `output`, their outputs as far as they fit (the others say their `outputBytes`). */
  tasks (params: { state?: string, offset?: number, limit?: number, output?: boolean, search?: string } = {}): Promise<{ total: number, offset: number, tasks: TaskRow[], partial?: true }> {
    return this.call('tasks', params)
  }

  workers (): Promise<WorkerInfo[]> {
    return this.call('workers')
  }

  summary (): Promise<SummaryView> {
    return this.call('summary')
  }

  /** Steers a worker, by name or peer id (see `AdminApi.updateWorker`). */
  updateWorker (worker: string, update: WorkerStatusUpdate): Promise<WorkerInfo> {
    return this.call('updateWorker', { worker, ...update })
  }

  /** Closes a worker's connection, by name or peer id; its running tasks go back to the queue. */
  disconnectWorker (worker: string): Promise<{ disconnected: string }> {
    return this.call('disconnectWorker', { worker })
  }

  /** Calls `onEvent` with every admin event from now on, until `close()`. */
  watch (onEvent: (event: AdminEvent) => void): void {
    const id = this.nextId++
    this.pending.set(id, { resolve: () => {}, reject: () => {}, onEvent: onEvent })
    this.writer.write({ id, method: 'watch', params: new Uint8Array(0) })
  }

  async close (): Promise<void> {
    this.fail(new AbortError('client closed'))
    const bound = timeoutSignal(CLOSE_TIMEOUT_MS)
    await this.stream.close({ signal: bound.signal }).catch(() => { this.stream.abort(new AbortError('client closed')) })
    bound.clear()
    await this.node.stop()
  }

  private onResponse (res: ClientResponse): void {
    const pending = this.pending.get(res.id)
    if (pending == null) return
    if (!res.ok) {
      this.pending.delete(res.id)
      pending.reject(remoteError(res.errorName, res.error))
      return
    }
    const value = decodeJson(res.result, 'result')
    if (res.more) {
      pending.onEvent?.(value as { event: string, detail: unknown })
      return
    }
    this.pending.delete(res.id)
    pending.resolve(value)
  }

  private fail (err: Error): void {
    this.closed ??= err
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
    if (!this.ended.signal.aborted) this.ended.abort(this.closed)
  }
}


function mib (bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')
}

/** An error the admin reported, rebuilt with its name so callers can tell them apart. */
function remoteError (name: string, message: string): Error {
  const err = name === 'AuthorizationError' ? new AuthorizationError(message) : new Error(message)
  if (name !== '' && err.name !== name) Object.defineProperty(err, 'name', { value: name })
  return err
}

/** Why the admin could not be reached at `address`, in words a user can act on. */
function whyUnreachable (address: string, err: Error, timeoutMs: number): string {
  const text = `${err.name}: ${err.message}`
  if (/ECONNRESET|EncryptionFailed|Message length too long/.test(text)) return `cannot reach the admin at ${address}: ${text} (probably a different swarm key, or none where the admin uses one)`
  if (/ECONNREFUSED/.test(text)) return `cannot reach the admin at ${address}: nothing listens there (is it running, on that port? a standby replica listens only once it leads)`
  if (/TimeoutError|aborted due to timeout/.test(text)) return `cannot reach the admin at ${address}: no answer within ${Math.round(timeoutMs)} ms (is the address right? an admin running a private network needs the same --swarm-key: probably a different swarm key, or none)`
  return `cannot reach the admin at ${address}: ${text}`
}
