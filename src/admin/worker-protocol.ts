import { LimitExceededError, ProtocolError, ValidationError, type RegistrationRefusedError } from '../errors.js'
import { readsBatches } from '../protocol/batching.js'
import { decodeOutput } from '../protocol/json.js'
import { checkResult, loadProblem, registerProblems, typesProblem } from '../protocol/validate.js'
import { FATAL_FRAME_STRIKES, MAX_UNREGISTERED_STREAMS, UNREGISTERED_BUDGET_BYTES } from './constants.js'
import { WorkerSession, type SessionHandler, type SessionOptions } from './worker-session.js'
import type { Admission } from './admission.js'
import { doneDetail, type Announcer } from './announcer.js'
import type { DoneDetail } from './events.js'
import type { FlushRequests } from './pull-workers.js'
import type { Scheduler } from '../core/scheduler.js'
import type { SchedulerView } from '../core/view.js'
import type { Frame, Handlers, Heartbeat, Register, TaskResult } from '../protocol/pb/tasks.js'
import type { Connection, Logger, Stream } from '@libp2p/interface'

export interface WorkerProtocolInit extends SessionOptions {
  scheduler: Scheduler
  /** Decides who may register (the same admission as every other door), and counts strikes. */
  admission: Admission
  announcer: Announcer
  /** Runs a flush (decide, journal, send, announce) at the end of this turn. */
  cycle: FlushRequests
  network: string
  clock: () => number
  log: Logger
  heartbeatMs: number
}

/** A frame for a worker that must wait for the journal (an acknowledgement of what it now records). */
export interface Reply {
  session: WorkerSession
  frame: Frame
}

/**
 * What happens when a worker's frame arrives: a Register, a result, a heartbeat, a drain. Each is checked,
 * turned into a scheduler call, and answered with a reply that waits for the journal: the admin's flush
 * takes the replies with the scheduler's events, records the events, and only then sends both.
 */
export class WorkerProtocol implements SessionHandler {
  private readonly init: WorkerProtocolInit
  /** Registered workers' sessions, by peer id. */
  private readonly sessions = new Map<string, WorkerSession>()
  /** Streams whose worker has not registered yet: they share one byte budget. */
  private readonly unregistered = new Set<WorkerSession>()
  private replies: Reply[] = []
  /** Sessions whose registration was answered: an AllDone reaches a worker only after its RegisterAck. */
  private readonly answered = new WeakSet<WorkerSession>()

  constructor (init: WorkerProtocolInit) {
    this.init = init
  }

  /** A worker opened a task stream; past the limits on streams waiting to register, it is refused. */
  accept (stream: Stream, connection: Connection): void {
    if (this.unregistered.size >= MAX_UNREGISTERED_STREAMS || this.unregisteredBytes() >= UNREGISTERED_BUDGET_BYTES) {
      this.init.announcer.rejected(connection.remotePeer.toString(), `${this.unregistered.size} task streams are waiting to register already, holding ${this.unregisteredBytes()} bytes: refused a new one`)
      stream.abort(new LimitExceededError('too many peers are registering at once; try again shortly'))
      return
    }
    const session = new WorkerSession(stream, connection, this, this.init)
    this.unregistered.add(session)
    session.start()
  }

  /** The registered session of a worker. */
  session (peerId: string): WorkerSession | undefined {
    return this.sessions.get(peerId)
  }

  /** Replies waiting for the journal, handed over once (with the events they acknowledge). */
  takeReplies (): Reply[] {
    const replies = this.replies
    this.replies = []
    return replies
  }

  /** Ends a worker's session: it is told, its stream closed; its running attempts go back to the queue. */
  async disconnect (peerId: string): Promise<boolean> {
    const session = this.sessions.get(peerId)
    if (session == null) return false
    await session.closeGracefully()
    return true
  }

  /** Drops a worker whose leases expired without its connection closing; it reconnects if it is alive. */
  drop (peerId: string, err: Error): void {
    const session = this.sessions.get(peerId)
    if (session == null) return
    this.forget(session)
    session.abort(err)
  }

  abortAll (err: Error): void {
    for (const session of this.sessions.values()) session.abort(err)
    this.sessions.clear()
  }

  /** Tells a worker why it may no longer hold work (an allow-list changed) and lets it go. */
  expel (peerId: string, err: Error): void {
    const session = this.sessions.get(peerId)
    if (session == null) return
    this.forget(session)
    this.init.scheduler.unregisterWorker(peerId, this.init.clock(), 'unregistered')
    this.refuse(session, err)
    this.init.cycle.request()
  }

  // ---------------------------------------------------------------- frames from workers

  onRegister (session: WorkerSession, reg: Register): void {
    if (session.registered) {
      this.onInvalid(session, 'Register sent twice on one stream', false)
      return
    }
    this.unregistered.delete(session)
    const { scheduler, clock } = this.init
    const problems = registerProblems(reg)
    if (problems.length > 0) {
      this.refuse(session, new ValidationError(problems.map(p => ({ ...p, path: `register.${p.path}` })), { subject: 'the worker\'s registration' }))
      return
    }
    const applicant = { door: 'libp2p' as const, workerId: session.peerId, name: reg.name, peerId: session.peerId }
    try {
      this.init.admission.check(applicant)
    } catch (err) {
      this.refuse(session, err as Error, (err as RegistrationRefusedError).retryAfterMs ?? 0)
      return
    }
    const previous = this.sessions.get(session.peerId)
    if (previous != null) {
      // the worker reconnected before its old stream was seen to close: the new stream takes over
      this.forget(previous)
      previous.abort(new ProtocolError('replaced by a newer stream from the same worker'))
    }
    const { worker, revoked } = scheduler.registerWorker({
      id: session.peerId,
      name: reg.name,
      skill: reg.skill,
      capabilities: reg.capabilities,
      // a worker of protocol version 1 does not say which types it handles: it is given any
      ...(reg.version === '1' ? {} : { types: reg.types }),
      maxConcurrent: reg.maxConcurrent,
      priority: reg.priority,
      ...(reg.resources.size > 0 ? { resources: Object.fromEntries(reg.resources) } : {}),
      via: session.relayed ? 'relayed' : 'direct'
    }, clock(), reg.leases)
    // a worker that says it reads batches gets them; it sends them once the RegisterAck says this admin reads them
    session.admit(worker, reg.batches === true)
    this.init.admission.admit(applicant)
    this.sessions.set(session.peerId, session)
    this.reply(session, { registerAck: { network: this.init.network, leaseTtlMs: scheduler.leaseTtlMs, heartbeatMs: this.init.heartbeatMs, error: '', errorName: '', retryAfterMs: 0, answersProbes: true, batches: readsBatches(this.init.maxFrameBytes) } })
    for (const lease of revoked) {
      this.reply(session, { cancel: { taskId: lease.taskId, attempt: lease.attempt, reason: 'no longer leased to this worker' } })
    }
    this.init.cycle.request()
  }

  /**
   * A batch's frames went out. With `done` (every task became final in it), each worker whose registration
   * was answered hears so; otherwise a worker registered by this batch hears it when all is final already,
   * as decided and journaled now (a task submitted meanwhile, or a result not yet written, says not).
   */
  released (replies: readonly Reply[], done: DoneDetail | undefined, view: SchedulerView, untaken: number): void {
    const fresh = replies.filter(r => r.frame.registerAck?.error === '').map(r => r.session)
    for (const session of fresh) this.answered.add(session)
    const told = done != null ? [...this.sessions.values()].filter(s => this.answered.has(s)) : view.isDone() && untaken === 0 ? fresh : []
    const detail = done ?? (told.length > 0 ? doneDetail(view) : undefined)
    for (const session of told) {
      session.write({ allDone: detail! })
      session.flush()
    }
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
      output = decodeOutput(result.output, `output of task "${result.taskId}"`)
    } catch (err) {
      // the lease holder's attempt must still end, or the task would wait on it forever; the lie is a strike
      success = false
      error = (err as Error).message
      this.onInvalid(session, `result: ${error}`, false)
    }
    const outcome = this.init.scheduler.report(session.peerId, {
      taskId: result.taskId,
      attempt: result.attempt,
      token: result.token,
      success,
      ...(output !== undefined ? { output } : {}),
      ...(error !== '' ? { error } : {}),
      durationMs: result.durationMs,
      unrecoverable: result.unrecoverable
    }, this.init.clock())
    if (outcome === 'rejected') {
      this.onInvalid(session, `result for task "${result.taskId}" attempt ${result.attempt}, which is not leased to this worker`, false)
      return
    }
    if (outcome === 'late') this.init.log('late result from %s for task %s attempt %d: not accepted', session.peerId, result.taskId, result.attempt)
    // the worker keeps a result until acknowledged, and the acknowledgement waits for the journal
    this.reply(session, { resultAck: { taskId: result.taskId, attempt: result.attempt, accepted: outcome === 'accepted' } })
    this.init.cycle.request()
  }

  onHeartbeat (session: WorkerSession, heartbeat: Heartbeat): void {
    const { scheduler, clock } = this.init
    const now = clock()
    // a renewal changes no decision: the cycle runs only for a worker that became busy or free (a thousand
    // idle workers send two hundred heartbeats a second)
    scheduler.renewLeases(session.peerId, now)
    // answered at once, journal or not: it says only that the connection works (the session's buffer holds
    // nothing else between turns, so flushing sends this frame alone)
    if (heartbeat.probe === true) {
      session.write({ alive: {} })
      session.flush()
    }
    if (heartbeat.cpu != null || heartbeat.memoryBytes != null) {
      const problem = loadProblem(heartbeat)
      if (problem != null) {
        this.onInvalid(session, `heartbeat: ${problem}`, false)
      } else {
        if (scheduler.recordLoad(session.peerId, { cpu: heartbeat.cpu!, memoryBytes: heartbeat.memoryBytes!, at: now })) this.init.cycle.request()
        const worker = scheduler.view.worker(session.peerId)
        if (worker != null) this.init.announcer.workerStatus(worker)
      }
    }
  }

  onHandlers (session: WorkerSession, handlers: Handlers): void {
    const problem = typesProblem(handlers.types)
    if (problem != null) {
      this.onInvalid(session, `handlers: ${problem}`, false)
      return
    }
    this.init.scheduler.updateWorker(session.peerId, { types: handlers.types })
    this.init.cycle.request()
  }

  onUnregisteredBytes (session: WorkerSession): void {
    if (this.unregisteredBytes() <= UNREGISTERED_BUDGET_BYTES) return
    // the streams waiting to register hold more than they may together: this one, which just grew, goes
    this.unregistered.delete(session)
    this.onInvalid(session, `sent ${session.bufferedBytes} bytes of frames before registering, while the streams waiting to register hold ${UNREGISTERED_BUDGET_BYTES} bytes together`, true)
    session.abort(new LimitExceededError('too much data before registering'))
  }

  onDrain (session: WorkerSession): void {
    this.init.scheduler.updateWorker(session.peerId, { draining: true })
    this.init.log('worker %s is draining', session.worker?.name)
  }

  onInvalid (session: WorkerSession, reason: string, fatal: boolean): void {
    if (this.init.admission.strike(session.peerId, reason, fatal ? FATAL_FRAME_STRIKES : 1)) {
      (session.connection as Connection).abort(new ProtocolError(`banned for ${this.init.admission.banMs} ms: too much invalid data`))
    }
  }

  onClose (session: WorkerSession): void {
    this.unregistered.delete(session)
    if (this.sessions.get(session.peerId) !== session) return
    this.forget(session)
    this.init.scheduler.unregisterWorker(session.peerId, this.init.clock(), 'disconnected')
    this.init.cycle.request()
  }

  // ---------------------------------------------------------------- internals

  private reply (session: WorkerSession, frame: Frame): void {
    this.replies.push({ session, frame })
  }

  private forget (session: WorkerSession): void {
    if (this.sessions.get(session.peerId) === session) this.sessions.delete(session.peerId)
    session.worker = undefined
  }

  /**
   * A refusal goes out at once (nothing waits for the journal), then the stream closes. With `retryAfterMs`
   * the worker may come back then (a quarantine ends); without, it should not.
   */
  private refuse (session: WorkerSession, err: Error, retryAfterMs = 0): void {
    this.unregistered.delete(session)
    this.init.announcer.rejected(session.peerId, err.message)
    session.write({ registerAck: { network: this.init.network, leaseTtlMs: 0, heartbeatMs: 0, error: err.message, errorName: err.name, retryAfterMs: Math.ceil(retryAfterMs), answersProbes: false } })
    void session.closeGracefully()
  }

  private unregisteredBytes (): number {
    let bytes = 0
    for (const session of this.unregistered) bytes += session.bufferedBytes
    return bytes
  }
}
