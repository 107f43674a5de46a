import { ProtocolError, TimeoutError } from '../errors.js'
import { bodyCount, taskBatching } from '../protocol/batching.js'
import { onceFinished, readFrames, type FrameReader } from '../protocol/frame-reader.js'
import { FrameWriter } from '../protocol/frame-writer.js'
import { Frame, type Handlers, type Heartbeat, type Register, type TaskResult } from '../protocol/pb/tasks.js'
import { timeoutSignal } from '../util/timeout-signal.js'
import type { WorkerInfo } from '../core/registry.js'
import type { Connection, Stream } from '@libp2p/interface'

/** What happens with each frame a session reads; the session itself decides nothing. */
export interface SessionHandler {
  onRegister(session: WorkerSession, register: Register): void
  onResult(session: WorkerSession, result: TaskResult): void
  /** A heartbeat: the worker's leases live on; its machine's load, when it says. */
  onHeartbeat(session: WorkerSession, heartbeat: Heartbeat): void
  onDrain(session: WorkerSession): void
  /** The worker's handlers changed: these are the task types it takes now. */
  onHandlers(session: WorkerSession, handlers: Handlers): void
  /** Bytes arrived on a stream whose worker has not registered yet (they are held against a shared budget). */
  onUnregisteredBytes(session: WorkerSession): void
  /** An invalid frame; `fatal` when the stream cannot be read further (it is aborted right after). */
  onInvalid(session: WorkerSession, reason: string, fatal: boolean): void
  /** The stream ended, after every frame it received was handled. */
  onClose(session: WorkerSession): void
}

export interface SessionOptions {
  /** Largest frame once the worker has registered. */
  maxFrameBytes: number
  /** Largest frame before it has: a Register is small. */
  preRegisterMaxFrameBytes: number
  maxBufferedBytes: number
  registerTimeoutMs: number
  /** How long a graceful close waits for the worker to end its side. */
  closeGraceMs: number
}

/** The part of a libp2p connection a session uses. */
export type SessionConnection = Pick<Connection, 'remotePeer' | 'close'> & Partial<Pick<Connection, 'remoteAddr'>>

/**
 * One worker's task stream on the admin: decodes frames and hands each to the handler; buffers outgoing
 * frames until the admin flushes them, which it does once its journal has recorded what they announce.
 * Until the worker has registered, the stream gets a small frame limit and a short deadline, and its first
 * frame must be a Register.
 */
export class WorkerSession {
  readonly peerId: string
  readonly stream: Stream
  readonly connection: SessionConnection
  /** It reached the admin through a circuit relay (its address has /p2p-circuit), not directly. */
  get relayed (): boolean {
    return this.connection.remoteAddr?.getComponents().some(c => c.name === 'p2p-circuit') === true
  }

  /** Set once the admin accepted its Register (`admit`): what the worker registered as. */
  worker: WorkerInfo | undefined
  private readonly handler: SessionHandler
  private reader: FrameReader | undefined
  private readonly writer: FrameWriter<Frame>
  private readonly options: SessionOptions
  private registerTimer: ReturnType<typeof setTimeout> | undefined
  private closed = false
  /** Closing gracefully (after a refusal, say): what the worker still sends is not read. */
  private closing = false

  constructor (stream: Stream, connection: SessionConnection, handler: SessionHandler, options: SessionOptions) {
    this.stream = stream
    this.connection = connection
    this.peerId = connection.remotePeer.toString()
    this.handler = handler
    this.options = options
    this.writer = new FrameWriter(stream, Frame, { maxBufferedBytes: options.maxBufferedBytes, autoFlush: false })
  }

  get registered (): boolean {
    return this.worker != null
  }

  /** Bytes received that do not make a whole frame yet. */
  get bufferedBytes (): number {
    return this.reader?.decoder.bufferedBytes ?? 0
  }

  /**
   * The admin accepted the worker: it is registered as `worker`, and its frames may be full-sized. A worker
   * that reads batches (`batches`) gets its assignments and acknowledgements in them from now on.
   */
  admit (worker: WorkerInfo, batches: boolean): void {
    this.worker = worker
    if (this.reader != null) this.reader.decoder.maxFrameBytes = this.options.maxFrameBytes
    if (batches) this.writer.batching = taskBatching
  }

  start (): void {
    this.reader = readFrames(this.stream, Frame, {
      maxFrameBytes: this.options.preRegisterMaxFrameBytes,
      onFrame: frame => { this.dispatch(frame) },
      onInvalid: (err, fatal) => { this.handler.onInvalid(this, err.message, fatal) }
    })
    // after the reader's listener: what it holds of an unfinished frame counts against the shared budget
    this.stream.addEventListener('message', () => { if (!this.registered) this.handler.onUnregisteredBytes(this) })
    // after the worker's last frames (a final result before it leaves), not merely after 'close'
    onceFinished(this.stream, () => {
      clearTimeout(this.registerTimer)
      if (this.closed) return
      this.closed = true
      this.handler.onClose(this)
    })
    // a worker that only half-closes is leaving: close our side too so the stream ends
    this.stream.addEventListener('remoteCloseWrite', () => { this.stream.close().catch(() => {}) })
    this.registerTimer = setTimeout(() => {
      if (!this.registered) this.abort(new TimeoutError(`no Register frame within ${this.options.registerTimeoutMs} ms`))
    }, this.options.registerTimeoutMs)
  }

  /** Buffers a frame; it goes out with the next `flush()`. */
  write (frame: Frame): void {
    this.writer.write(frame)
  }

  /** Sends everything buffered, in one send. */
  flush (): void {
    this.writer.flush()
  }

  abort (err: Error): void {
    this.stream.abort(err)
  }

  /**
   * Sends what is buffered (a refusal, say), closes the stream, and closes the connection once the worker
   * has ended its side too, or after the grace period. Closing the connection at once would lose the
   * refusal: a TCP socket closed with unread data sends a reset, and the worker's kernel drops what it has
   * not read.
   */
  async closeGracefully (): Promise<void> {
    this.closing = true
    this.writer.flush()
    const bound = timeoutSignal(this.options.closeGraceMs)
    const ended = new Promise<void>(resolve => {
      if (this.stream.status !== 'open' && this.stream.status !== 'closing') resolve()
      this.stream.addEventListener('close', () => { resolve() }, { once: true })
      bound.signal.addEventListener('abort', () => { resolve() }, { once: true })
    })
    try {
      await this.stream.close({ signal: bound.signal })
    } catch {
      this.stream.abort(new ProtocolError('closed'))
    }
    await ended
    bound.clear()
    await this.connection.close().catch(() => {})
  }

  private dispatch (frame: Frame): void {
    if (this.closing) return
    const bodies = bodyCount(frame)
    if (!this.registered && (bodies !== 1 || frame.register == null)) {
      // a peer that does not open with a Register does not speak this protocol: nothing after it is read
      this.handler.onInvalid(this, 'the first frame is not a Register', true)
      this.abort(new ProtocolError('the first frame on a task stream must be a Register'))
    } else if (bodies !== 1) {
      this.handler.onInvalid(this, `frame with ${bodies} bodies (exactly one expected)`, false)
    } else if (frame.register != null) {
      this.handler.onRegister(this, frame.register)
    } else if (frame.result != null) {
      this.handler.onResult(this, frame.result)
    } else if (frame.batch != null) {
      // a worker sends results in a batch, nothing else; what it sends besides is a strike, its results still count
      const { results, assignments, resultAcks } = frame.batch
      if (assignments.length > 0 || resultAcks.length > 0) this.handler.onInvalid(this, 'batch with frames that only the admin sends', false)
      else if (results.length === 0) this.handler.onInvalid(this, 'empty batch', false)
      for (const result of results) {
        // a strike that banned the worker aborted its stream: the rest of the batch is not read (a worker that
        // closed its stream after sending is still heard out)
        if (this.closing || this.stream.status === 'aborted' || this.stream.status === 'reset') break
        this.handler.onResult(this, result)
      }
    } else if (frame.heartbeat != null) {
      this.handler.onHeartbeat(this, frame.heartbeat)
    } else if (frame.drain != null) {
      this.handler.onDrain(this)
    } else if (frame.handlers != null) {
      this.handler.onHandlers(this, frame.handlers)
    } else {
      this.handler.onInvalid(this, 'frame that only the admin sends', false)
    }
  }
}
