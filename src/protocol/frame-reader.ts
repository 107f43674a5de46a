import { Uint8ArrayList } from 'uint8arraylist'
import { MessageTooLargeError, ProtocolError } from '../errors.js'
import type { MessageStream } from '@libp2p/interface'

export interface Decoder<T> {
  decode(buf: Uint8Array | Uint8ArrayList): T
}

export interface FrameReaderOptions<T> {
  maxFrameBytes: number
  onFrame(frame: T, bytes: number): void
  /**
   * A frame was rejected. `fatal` means the stream cannot be read any further (a length that is not a
   * valid varint, or beyond the limit, leaves no way to find the next frame); the reader aborts it right
   * after.
   */
  onInvalid(err: ProtocolError, fatal: boolean): void
}

/** A length prefix is a varint of at most this many bytes: enough for any limit below 2^35. */
const MAX_PREFIX_BYTES = 5

/**
 * Splits bytes into length-prefixed frames. Strict: a prefix that is not a varint, or announces more than
 * the limit, is refused at once rather than waited on; what waits for the rest of a frame is bounded by
 * the limit, and counted (`bufferedBytes`).
 */
export class FrameDecoder {
  /** Frames longer than this are refused; it may be raised once a peer is known (after it registers). */
  maxFrameBytes: number
  private readonly buffer = new Uint8ArrayList()
  /** Length of the frame being read, once its prefix is complete. */
  private expected = -1

  constructor (maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes
  }

  get bufferedBytes (): number {
    return this.buffer.byteLength
  }

  /** The frames that `chunk` completes. Throws MessageTooLargeError or ProtocolError on a bad prefix. */
  * decode (chunk: Uint8Array | Uint8ArrayList): Generator<Uint8ArrayList> {
    this.buffer.append(chunk)
    for (;;) {
      if (this.expected === -1) {
        const prefix = this.readPrefix()
        if (prefix == null) return
        this.buffer.consume(prefix.bytes)
        this.expected = prefix.length
      }
      if (this.buffer.byteLength < this.expected) return
      const frame = this.buffer.sublist(0, this.expected)
      this.buffer.consume(this.expected)
      this.expected = -1
      yield frame
    }
  }

  private readPrefix (): { length: number, bytes: number } | undefined {
    let length = 0
    for (let i = 0; i < MAX_PREFIX_BYTES; i++) {
      if (i >= this.buffer.byteLength) return undefined
      const byte = this.buffer.get(i)
      length += (byte & 0x7f) * 2 ** (7 * i)
      if (length > this.maxFrameBytes) throw new MessageTooLargeError(`its length prefix announces at least ${length} bytes (limit ${this.maxFrameBytes} bytes)`)
      if ((byte & 0x80) === 0) return { length, bytes: i + 1 }
    }
    throw new ProtocolError(`its length prefix is not a varint of at most ${MAX_PREFIX_BYTES} bytes`)
  }
}

/** A stream being read frame by frame. */
export interface FrameReader {
  /** The frame limit can change while reading (it is raised once a worker has registered). */
  readonly decoder: FrameDecoder
  stop(): void
}

/**
 * Reads length-prefixed frames from a stream as they arrive. A frame that does not decode is reported and
 * skipped; a bad or oversized length prefix is reported and ends the stream, since nothing after it can
 * be read. Neither throws into the caller.
 */
export function readFrames<T> (stream: MessageStream, decoder: Decoder<T>, options: FrameReaderOptions<T>): FrameReader {
  const frames = new FrameDecoder(options.maxFrameBytes)
  let broken = false

  const onMessage = (evt: { data: Uint8Array | Uint8ArrayList }): void => {
    if (broken) return
    try {
      for (const buf of frames.decode(evt.data)) {
        let frame: T
        try {
          frame = decoder.decode(buf)
        } catch (err) {
          options.onInvalid(new ProtocolError(`undecodable frame of ${buf.byteLength} bytes: ${(err as Error).message}`), false)
          continue
        }
        options.onFrame(frame, buf.byteLength)
      }
    } catch (err) {
      broken = true
      const message = `frame rejected: ${(err as Error).message}`
      const e = (err as Error).name === MessageTooLargeError.name ? new MessageTooLargeError(message) : new ProtocolError(message)
      // reported before the abort, whose 'close' tells the owner the stream has ended
      options.onInvalid(e, true)
      stream.abort(e)
    }
  }
  stream.addEventListener('message', onMessage)
  return { decoder: frames, stop: () => { stream.removeEventListener('message', onMessage) } }
}

/**
 * Calls `fn` once the stream has closed and everything it received has been handed to its 'message'
 * listeners. libp2p dispatches received data on a timer, so when a peer sends its last frame and closes
 * the connection at once, 'close' comes before that frame: reacting to 'close' alone would lose it (a
 * refusal would read as a dropped connection, a final result as a lost one).
 */
export function onceFinished (stream: MessageStream, fn: () => void): void {
  stream.addEventListener('close', () => {
    if (stream.readBufferLength === 0) {
      fn()
      return
    }
    let done = false
    const finish = (): void => {
      if (done || stream.readBufferLength > 0) return
      done = true
      clearTimeout(fallback)
      stream.removeEventListener('message', afterMessage)
      stream.removeEventListener('end', finish)
      fn()
    }
    // listeners run before the buffer is known to be empty: look once they are done
    const afterMessage = (): void => { queueMicrotask(finish) }
    // bytes nobody listens for are never dispatched: do not wait for them for ever
    const fallback = setTimeout(() => {
      stream.removeEventListener('message', afterMessage)
      if (!done) { done = true; fn() }
    }, 1000)
    stream.addEventListener('message', afterMessage)
    stream.addEventListener('end', finish)
  }, { once: true })
}
