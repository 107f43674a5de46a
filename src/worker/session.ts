import { AuthorizationError, RegistrationRefusedError, TimeoutError } from '../errors.js'
import { onceFinished, readFrames } from '../protocol/frame-reader.js'
import { FrameWriter } from '../protocol/frame-writer.js'
import { Frame, type AllDone, type CancelAttempt, type Heartbeat, type Register, type RegisterAck, type ResultAck, type TaskAssignment } from '../protocol/pb/tasks.js'
import { checkAssignment } from '../protocol/validate.js'
import { readsBatches, taskBatching, unbatch } from '../protocol/batching.js'
import { MIN_HEARTBEAT_MS, SESSION_SETUP_TIMEOUT_MS } from './constants.js'
import type { AbortOptions, Logger, Stream } from '@libp2p/interface'

/** What happens with each frame the admin sends; the session itself decides nothing. */
export interface AdminSessionHandler {
  /** The admin accepted the registration. */
  onRegistered(ack: RegisterAck): void
  onAssignment(assignment: TaskAssignment): void
  onCancel(cancel: CancelAttempt): void
  onResultAck(ack: ResultAck): void
  /** Every task the admin holds is final. */
  onAllDone(done: AllDone): void
}

export interface AdminSessionOptions {
  maxFrameBytes: number
  maxBufferedBytes: number
  log: Logger
}

/**
 * One task stream to the admin, from the worker's side: sends Register first, reads the admin's frames
 * and hands each to the handler, writes frames (coalesced per event-loop turn), and renews the worker's
 * leases with heartbeats once registered. `ended` resolves after the admin's last frame was handled.
 */
export class AdminSession {
  readonly stream: Stream
  /** Resolves when the stream has ended and every frame it brought was handled. */
  readonly ended: Promise<void>
  /** The admin refused the registration, saying why (and, for a refusal that lasts a while, until when). */
  refusal: (Error & { retryAfterMs?: number }) | undefined
  private readonly handler: AdminSessionHandler
  private readonly writer: FrameWriter<Frame>
  private readonly options: AdminSessionOptions
  private registered = false
  private heartbeat: ReturnType<typeof setInterval> | undefined
  /** When the admin's last frame arrived (monotonic). */
  private lastHeard = performance.now()
  /** The admin stopped answering: why the session was ended. */
  silence: TimeoutError | undefined

  constructor (stream: Stream, handler: AdminSessionHandler, options: AdminSessionOptions) {
    this.stream = stream
    this.handler = handler
    this.options = options
    this.writer = new FrameWriter(stream, Frame, { maxBufferedBytes: options.maxBufferedBytes })
    this.ended = new Promise<void>(resolve => { onceFinished(stream, resolve) }).finally(() => { clearInterval(this.heartbeat) })
  }

  /** Whether the admin accepted the registration. */
  get accepted (): boolean {
    return this.registered
  }

  /** Starts reading, and registers; an admin that has not answered within `timeoutMs` ends the session. */
  start (register: Register, timeoutMs = SESSION_SETUP_TIMEOUT_MS): void {
    const timer = setTimeout(() => {
      if (this.registered || this.refusal != null) return
      this.silence = new TimeoutError(`the admin did not answer the registration within ${timeoutMs / 1000} s`)
      this.stream.abort(this.silence)
    }, timeoutMs)
    timer.unref?.() // a page (the browser worker) has no unref
    void this.ended.finally(() => { clearTimeout(timer) })
    readFrames(this.stream, Frame, {
      maxFrameBytes: this.options.maxFrameBytes,
      onFrame: frame => {
        this.lastHeard = performance.now()
        this.dispatch(frame)
      },
      onInvalid: (err) => { this.options.log.error('invalid frame from the admin: %s', err.message) }
    })
    // this session reads batches, unless one could be longer than its frame limit
    this.writer.write({ register: { ...register, batches: readsBatches(this.options.maxFrameBytes) } })
  }

  send (frame: Frame): void {
    this.writer.write(frame)
  }

  /**
   * Renews the worker's leases as often as the admin asked while the session lasts, each time with what
   * `beat` says. A heartbeat after a quiet interval asks the admin to answer (when it can): a cut network
   * gives no error, only silence, so an admin that says nothing for one lease TTL ends the session, and the
   * worker goes looking for whichever admin replica answers.
   */
  startHeartbeat (ack: RegisterAck, beat: () => Heartbeat): void {
    clearInterval(this.heartbeat)
    const intervalMs = Math.max(MIN_HEARTBEAT_MS, ack.heartbeatMs)
    const limitMs = Math.max(ack.leaseTtlMs, 2 * intervalMs)
    this.heartbeat = setInterval(() => {
      const silentMs = performance.now() - this.lastHeard
      if (ack.answersProbes === true && silentMs > limitMs) {
        this.silence = new TimeoutError(`the admin said nothing for ${(silentMs / 1000).toFixed(1)} s, not even to a heartbeat that asked for an answer`)
        this.stream.abort(this.silence)
        return
      }
      this.writer.write({ heartbeat: { ...beat(), ...(ack.answersProbes === true && silentMs >= intervalMs ? { probe: true } : {}) } })
    }, intervalMs)
    this.heartbeat.unref?.()
  }

  /** Closes the stream (what is written goes out first), or aborts it if that does not finish in time. */
  async close (options: AbortOptions = {}): Promise<void> {
    clearInterval(this.heartbeat)
    try {
      await this.stream.close(options)
    } catch (err) {
      this.stream.abort(err as Error)
    }
  }

  private dispatch (frame: Frame): void {
    if (frame.batch != null) {
      for (const item of unbatch(frame.batch)) this.dispatch(item)
    } else if (frame.registerAck != null) {
      this.onRegisterAck(frame.registerAck)
    } else if (frame.assignment != null) {
      const problem = checkAssignment(frame.assignment)
      if (problem != null) this.options.log.error('ignored an invalid assignment: %s', problem)
      else this.handler.onAssignment(frame.assignment)
    } else if (frame.cancel != null) {
      this.handler.onCancel(frame.cancel)
    } else if (frame.resultAck != null) {
      this.handler.onResultAck(frame.resultAck)
    } else if (frame.allDone != null) {
      this.handler.onAllDone(frame.allDone)
    }
  }

  private onRegisterAck (ack: RegisterAck): void {
    if (ack.error === '') {
      this.registered = true
      // the admin reads batches: results written in a row travel as one frame
      if (ack.batches === true && readsBatches(this.options.maxFrameBytes)) this.writer.batching = taskBatching
      this.handler.onRegistered(ack)
      return
    }
    this.options.log.error('admin refused this worker: %s', ack.error)
    const refusal: Error & { retryAfterMs?: number } = ack.errorName === AuthorizationError.name
      ? new AuthorizationError(ack.error)
      : new RegistrationRefusedError(`the admin refused this worker${ack.errorName !== '' && ack.errorName !== RegistrationRefusedError.name ? ` (${ack.errorName})` : ''}: ${ack.error}`)
    // a refusal that lasts a while (a quarantine) says when to come back
    if (ack.retryAfterMs > 0) refusal.retryAfterMs = ack.retryAfterMs
    this.refusal = refusal
    this.stream.abort(refusal)
  }
}
