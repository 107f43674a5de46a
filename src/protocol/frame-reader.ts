import { LengthPrefixedDecoder } from '@libp2p/utils'
import { MessageTooLargeError, ProtocolError } from '../errors.js'
import type { MessageStream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Decoder<T> {
  decode(buf: Uint8Array | Uint8ArrayList): T
}

export interface FrameReaderOptions<T> {
  maxFrameBytes: number
  onFrame(frame: T, bytes: number): void
  /**
   * A frame was rejected. `fatal` means the stream cannot be read any further (a length beyond the limit
   * leaves no way to find the next frame); the reader aborts it right after.
   */
  onInvalid(err: ProtocolError, fatal: boolean): void
}

/**
 * Reads length-prefixed frames from a stream as they arrive. A frame that does not decode is reported and
 * skipped; a frame longer than the limit is reported and ends the stream, since it cannot be skipped
 * without reading it. Neither throws into the caller.
 */
export function readFrames<T> (stream: MessageStream, decoder: Decoder<T>, options: FrameReaderOptions<T>): () => void {
  const lp = new LengthPrefixedDecoder({ maxDataLength: options.maxFrameBytes, maxBufferSize: options.maxFrameBytes + 16 })
  let broken = false

  const onMessage = (evt: { data: Uint8Array | Uint8ArrayList }): void => {
    if (broken) return
    try {
      for (const buf of lp.decode(evt.data)) {
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
      const e = new MessageTooLargeError(`frame rejected: ${(err as Error).message} (limit ${options.maxFrameBytes} bytes)`)
      // reported before the abort, whose 'close' tells the owner the stream has ended
      options.onInvalid(e, true)
      stream.abort(e)
    }
  }
  stream.addEventListener('message', onMessage)
  return () => stream.removeEventListener('message', onMessage)
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
