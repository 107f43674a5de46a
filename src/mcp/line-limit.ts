import { Transform, type TransformCallback } from 'node:stream'
import { LimitExceededError, ValidationError } from '../errors.js'
import { MAX_MESSAGE_BYTES } from './constants.js'

const MIB = 1024 * 1024

/**
 * Stands between stdin and the SDK's stdio transport and refuses a line longer than `maxBytes` (its newline
 * not counted) with a `LimitExceededError`, as soon as it grows past it. The transport's own check throws a
 * plain error and closes as if the client had left; counting here lets the server say why it stops.
 *
 * Lines are passed on whole, one chunk each, so the transport's buffer never holds more than one line (its
 * own limit, `maxBytes + 1` with the newline, is never reached first), and a long line is joined once
 * rather than copied again at every chunk as the transport's buffer does (seconds for a line of 10 MiB).
 */
export class LineLimit extends Transform {
  /** Longest line passed on, its newline not counted. @default MAX_MESSAGE_BYTES (10 MiB) */
  readonly maxBytes: number
  /** The start of the line being read, until its newline comes. */
  private pending: Buffer[] = []
  private pendingBytes = 0

  constructor (maxBytes = MAX_MESSAGE_BYTES) {
    super()
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new ValidationError([{ path: 'maxBytes', message: `a whole number of bytes, at least 1 (not ${maxBytes})` }], { subject: 'LineLimit' })
    this.maxBytes = maxBytes
  }

  override _transform (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let start = 0
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start)
      const end = newline === -1 ? chunk.length : newline
      if (this.pendingBytes + end - start > this.maxBytes) {
        this.pending = []
        const size = this.maxBytes % MIB === 0 ? ` (${this.maxBytes / MIB} MiB)` : ''
        callback(new LimitExceededError(`a message longer than ${this.maxBytes} bytes${size}, the most one line on stdin may hold, was refused`))
        return
      }
      if (newline === -1) {
        this.pending.push(chunk.subarray(start))
        this.pendingBytes += chunk.length - start
        break
      }
      const line = chunk.subarray(start, newline + 1)
      this.push(this.pending.length === 0 ? line : Buffer.concat([...this.pending, line]))
      this.pending = []
      this.pendingBytes = 0
      start = newline + 1
    }
    callback()
  }
}
