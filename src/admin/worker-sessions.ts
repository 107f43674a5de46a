import { AuthorizationError, LimitExceededError, ProtocolError, ValidationError } from '../errors.js'
import { DEFAULT_HEARTBEAT_MS } from '../protocol/constants.js'
import { decodeJson, encodeJson } from '../protocol/json.js'
import { checkRegister, checkResult } from '../protocol/validate.js'
import { WorkerSession, type SessionHandler, type SessionOptions } from './worker-session.js'
import type { SchedulerEvent } from '../core/events.js'
import type { Scheduler } from '../core/scheduler.js'
import type { WorkerDetails } from './events.js'
import type { Register, TaskResult } from '../protocol/pb/tasks.js'
import type { Connection, Logger, Stream } from '@libp2p/interface'

/** What the sessions need from the admin that owns them. */
export interface SessionsHost {
  readonly scheduler: Scheduler
  readonly network: string
  now(): number
  /** Something changed: run a flush (journal, then frames) at the end of this turn. */
  requestFlush(): void
  /** A peer sent something invalid: log it and count it against the peer. */
  rejected(peerId: string, reason: string, strikes: number, connection?: Connection): void
  /** A peer was refused (not allowed, over a limit): log it, without counting it as invalid data. */
  refused(peerId: string, reason: string): void
}

export interface SessionsOptions extends SessionOptions {
  maxWorkers: number
  heartbeatMs?: number
  authorizeWorker?: (peerId: string) => true | string
}

/** A frame too large to read ends its stream, and weighs this many strikes. */
const OVERSIZED_FRAME_STRIKES = 5

/**
 * The admin's worker streams. This is where each frame from a worker is handled (what happens when a
 * Register or a result arrives), and where the scheduler's decisions become frames to workers. Frames wait in
 * their session until the admin's flush has written the journal.
 */
export class WorkerSessions implements SessionHandler {
  private readonly host: SessionsHost
  private readonly options: SessionsOptions
  private readonly log: Logger
  private readonly sessions = new Map<string, WorkerSession>()
  private readonly pending = new Set<WorkerSession>()

  constructor (host: SessionsHost, log: Logger, options: SessionsOptions) {
    this.host = host
    this.log = log
    this.options = options
  }

  accept (stream: Stream, connection: Connection): void {
    new WorkerSession(stream, connection, this, this.options).start()
  }

  /** Registered workers, as they registered. */
  details (): WorkerDetails[] {
    return [...this.sessions.values()].flatMap(s => s.details != null ? [s.details] : [])
  }

  /** Sends what waits in every session (the admin calls this once its journal has the changes). */
  flush (): void {
    for (const session of this.pending) session.flush()
    this.pending.clear()
  }

  abortAll (err: Error): void {
    for (const session of this.sessions.values()) session.abort(err)
    this.sessions.clear()
  }

  async disconnect (peerId: string): Promise<boolean> {
    const session = this.sessions.get(peerId)
    if (session == null) return false
    await session.closeGracefully()
    return true
  }

  /** After an allow-list changed: workers no longer allowed are told and disconnected. */
  reauthorize (): number {
    let removed = 0
    for (const session of [...this.sessions.values()]) {
      const allowed = this.options.authorizeWorker?.(session.peerId) ?? true
      if (allowed === true) continue
      this.sessions.delete(session.peerId)
      if (session.registered) {
        session.registered = false
        this.host.scheduler.unregisterWorker(session.peerId, this.host.now(), 'unregistered')
      }
      this.refuse(session, new AuthorizationError(`peer ${session.peerId} may no longer join as a worker: ${allowed}`))
      removed++
    }
    this.host.requestFlush()
    return removed
  }

  // ---------------------------------------------------------------- frames from workers

  onRegister (session: WorkerSession, reg: Register): void {
    if (session.registered) {
      this.onInvalid(session, 'Register sent twice on one stream', false)
      return
    }
    const problem = checkRegister(reg)
    if (problem != null) {
      this.refuse(session, new ValidationError([{ path: 'register', message: problem }], { subject: `worker ${session.peerId}` }))
      return
    }
    const allowed = this.options.authorizeWorker?.(session.peerId) ?? true
    if (allowed !== true) {
      this.refuse(session, new AuthorizationError(`peer ${session.peerId} may not join as a worker: ${allowed}`))
      return
    }
    const previous = this.sessions.get(session.peerId)
    if (previous == null && this.sessions.size >= this.options.maxWorkers) {
      this.refuse(session, new LimitExceededError(`the admin already has ${this.sessions.size} workers, its limit; try another admin or raise --max-workers`))
      return
    }
    if (previous != null && previous !== session) {
      // the worker reconnected before its old stream was seen to close: the new stream takes over
      previous.registered = false
      previous.abort(new ProtocolError('replaced by a newer stream from the same worker'))
    }
    this.sessions.set(session.peerId, session)
    session.registered = true
    session.details = {
      peerId: session.peerId,
      name: reg.name,
      skill: reg.skill,
      capabilities: [...new Set(reg.capabilities)],
      maxConcurrent: Math.max(1, reg.maxConcurrent)
    }
    const scheduler = this.host.scheduler
    const leaseTtlMs = scheduler.leaseTtl
    session.send({ registerAck: { network: this.host.network, leaseTtlMs, heartbeatMs: this.options.heartbeatMs ?? Math.min(DEFAULT_HEARTBEAT_MS, Math.floor(leaseTtlMs / 3)), error: '', errorName: '' } })
    const { revoked } = scheduler.registerWorker({
      id: session.peerId,
      name: reg.name,
      skill: reg.skill,
      capabilities: session.details.capabilities,
      maxConcurrent: session.details.maxConcurrent,
      priority: reg.priority
    }, this.host.now(), reg.leases)
    for (const lease of revoked) {
      session.send({ cancel: { taskId: lease.taskId, attempt: lease.attempt, reason: 'no longer leased to this worker' } })
    }
    this.host.requestFlush()
  }

  onResult (session: WorkerSession, result: TaskResult): void {
    const problem = checkResult(result)
    if (problem != null) {
      this.onInvalid(session, `result: ${problem}`, false)
      return
    }
    let output
    let error = result.error
    let success = result.success
    try {
      output = decodeJson(result.output, `output of task "${result.taskId}"`)
    } catch (err) {
      // the lease holder's attempt must still end, or the task would wait on it forever
      success = false
      error = (err as Error).message
    }
    const outcome = this.host.scheduler.report(session.peerId, {
      taskId: result.taskId,
      attempt: result.attempt,
      token: result.token,
      success,
      ...(output !== undefined ? { output } : {}),
      ...(error !== '' ? { error } : {}),
      durationMs: result.durationMs,
      unrecoverable: result.unrecoverable
    }, this.host.now())
    if (outcome === 'rejected') {
      this.onInvalid(session, `result for task "${result.taskId}" attempt ${result.attempt}, which is not leased to this worker`, false)
      return
    }
    if (outcome === 'late') this.log('late result from %s for task %s attempt %d recorded, not accepted', session.peerId, result.taskId, result.attempt)
    // the worker keeps a result until acknowledged; the acknowledgement waits for the journal
    session.send({ resultAck: { taskId: result.taskId, attempt: result.attempt, accepted: outcome === 'accepted' } })
    this.host.requestFlush()
  }

  onHeartbeat (session: WorkerSession): void {
    this.host.scheduler.renewLeases(session.peerId, this.host.now())
    this.host.requestFlush()
  }

  onDrain (session: WorkerSession): void {
    this.host.scheduler.updateWorker(session.peerId, { draining: true })
    this.log('worker %s is draining', session.details?.name)
  }

  onInvalid (session: WorkerSession, reason: string, fatal: boolean): void {
    this.host.rejected(session.peerId, reason, fatal ? OVERSIZED_FRAME_STRIKES : 1, session.connection)
  }

  onClose (session: WorkerSession): void {
    if (this.sessions.get(session.peerId) !== session) return
    this.sessions.delete(session.peerId)
    this.pending.delete(session)
    if (session.registered) {
      session.registered = false
      this.host.scheduler.unregisterWorker(session.peerId, this.host.now(), 'disconnected')
      this.host.requestFlush()
    }
  }

  onPending (session: WorkerSession): void {
    this.pending.add(session)
  }

  // ---------------------------------------------------------------- scheduler decisions -> frames

  /** Turns a scheduler event into the frames it implies for a worker (they go out with the next flush). */
  onSchedulerEvent (e: SchedulerEvent): void {
    switch (e.type) {
      case 'assigned': {
        const spec = this.host.scheduler.spec(e.taskId)
        this.sessions.get(e.workerId)?.send({
          assignment: {
            taskId: e.taskId,
            attempt: e.attempt,
            token: e.token,
            description: spec.description,
            type: spec.type,
            difficulty: spec.difficulty,
            payload: encodeJson(spec.payload),
            inputs: spec.dependsOn.length > 0 ? encodeJson(this.host.scheduler.inputsOf(e.taskId)) : new Uint8Array(0),
            timeoutMs: spec.timeoutMs ?? 0
          }
        })
        break
      }
      case 'attempt-ended':
        if (e.outcome === 'timed-out') this.sessions.get(e.workerId)?.send({ cancel: { taskId: e.taskId, attempt: e.attempt, reason: e.error ?? 'timed out' } })
        break
      case 'cancelled':
        if (e.workerId != null && e.attempt != null) this.sessions.get(e.workerId)?.send({ cancel: { taskId: e.taskId, attempt: e.attempt, reason: e.reason } })
        break
      case 'worker-left': {
        if (e.reason !== 'lease-expired') break
        // a worker that went silent without closing its connection: drop it; it reconnects if alive
        const session = this.sessions.get(e.worker.id)
        if (session != null) {
          session.registered = false
          this.sessions.delete(e.worker.id)
          session.abort(new ProtocolError('lease expired: no heartbeat in time'))
        }
        break
      }
    }
  }

  private refuse (session: WorkerSession, err: Error): void {
    this.host.refused(session.peerId, err.message)
    session.send({ registerAck: { network: this.host.network, leaseTtlMs: 0, heartbeatMs: 0, error: err.message, errorName: err.name } })
    void session.closeGracefully()
  }
}
