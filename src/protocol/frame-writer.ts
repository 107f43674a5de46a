import { Uint8ArrayList } from 'uint8arraylist'
import * as varint from 'uint8-varint'
import { ProtocolError } from '../errors.js'
import { MAX_BATCH_BYTES, MAX_BATCH_ITEMS } from './constants.js'
import type { Batching } from './batching.js'
import type { Stream } from '@libp2p/interface'

export interface Encoder<T> {
  encode(value: T): Uint8Array
}

export interface FrameWriterOptions {
  /** Bytes that may wait for a peer that is not reading before the stream is aborted. */
  maxBufferedBytes: number
  /** Flush by itself at the end of the event-loop turn. Off when the owner flushes at a moment it chooses. */
  autoFlush?: boolean
}

/** Room for a batch's own tags and lengths, and the frame's length prefix. */
const BATCH_FRAME_OVERHEAD = 16

/**
 * Length-prefixed frames onto a stream, coalesced: every frame written during one event-loop turn goes out
 * in a single `send()` (each send costs a yamux frame, a Noise encryption and a socket write). With
 * `batching` set (the peer reads batches), a run of small frames written in a row becomes one frame: one
 * encoding, one length prefix, one decode on the other side. Honours back-pressure, and aborts the stream
 * when a peer stops reading for longer than the buffer allows.
 */
export class FrameWriter<T> {
  private readonly stream: Stream
  private readonly encoder: Encoder<T>
  private readonly maxBufferedBytes: number
  private readonly autoFlush: boolean
  private pending = new Uint8ArrayList()
  /** Frames written in a row that will travel as one batch, and the bytes they take in it at most. */
  private run: T[] = []
  private runBytes = 0
  /** Set once the peer is known to read batches. */
  batching: Batching<T> | undefined
  private flushQueued = false
  private waitingForDrain = false

  constructor (stream: Stream, encoder: Encoder<T>, options: FrameWriterOptions) {
    this.stream = stream
    this.encoder = encoder
    this.maxBufferedBytes = options.maxBufferedBytes
    this.autoFlush = options.autoFlush ?? true
  }

  get bufferedBytes (): number {
    return this.pending.byteLength + this.runBytes
  }

  /** Can bytes still go out? A stream can be open while its write side is already closing. */
  private get writable (): boolean {
    return this.stream.status === 'open' && this.stream.writeStatus === 'writable'
  }

  write (frame: T): void {
    if (!this.writable) return
    const size = this.batching?.size(frame)
    if (size == null) {
      this.seal()
      this.append(frame)
    } else {
      if (this.run.length >= MAX_BATCH_ITEMS || this.runBytes + size > MAX_BATCH_BYTES - BATCH_FRAME_OVERHEAD) this.seal()
      this.run.push(frame)
      this.runBytes += size
    }
    if (this.autoFlush && !this.flushQueued) {
      this.flushQueued = true
      setImmediate(() => {
        this.flushQueued = false
        this.flush()
      })
    }
  }

  /** Encodes the run of frames written in a row: one alone, several as a batch. */
  private seal (): void {
    if (this.run.length === 0) return
    const run = this.run
    this.run = []
    this.runBytes = 0
    this.append(run.length === 1 ? run[0]! : this.batching!.batch(run))
  }

  private append (frame: T): void {
    const body = this.encoder.encode(frame)
    this.pending.append(varint.encode(body.byteLength), body)
    if (this.pending.byteLength > this.maxBufferedBytes) {
      this.pending = new Uint8ArrayList()
      this.stream.abort(new ProtocolError(`peer is not reading: more than ${this.maxBufferedBytes} bytes waiting to be sent`))
    }
  }

  flush (): void {
    this.seal()
    if (this.waitingForDrain || this.pending.byteLength === 0) return
    if (!this.writable) {
      // the peer is gone or leaving: what it has not received, it will not
      this.pending = new Uint8ArrayList()
      return
    }
    // one contiguous buffer: below us, each piece of a list becomes its own socket write (Noise keeps
    // the pieces, TCP writes them one by one), so a list of 200 frames would cost 400 syscalls
    const data = this.pending.subarray()
    this.pending = new Uint8ArrayList()
    let accepted: boolean
    try {
      accepted = this.stream.send(data)
    } catch {
      // closed between the check and the send; whoever owns the stream handles its close
      return
    }
    if (!accepted) {
      this.waitingForDrain = true
      this.stream.onDrain().then(() => {
        this.waitingForDrain = false
        this.flush()
      }, () => {
        // the stream closed while full; whoever owns it handles the close
      })
    }
  }
}
