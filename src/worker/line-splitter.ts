export interface LineSplitterInit {
  /** Longest line kept, in bytes, without its newline. */
  maxLineBytes: number
  /** A whole line, without its newline (nor a `\r` before it). */
  onLine(line: string): void
  /** A line longer than the limit: its first `maxLineBytes` bytes. The rest, up to the next newline, is dropped. */
  onLongLine(head: string): void
}

const NEWLINE = 0x0a

/**
 * Splits a byte stream into lines, never holding more than `maxLineBytes` of one. `readline` keeps a line
 * until its newline comes: a child printing hundreds of MiB without one takes the worker's memory, and past
 * V8's longest string it throws "Invalid string length" out of a stream event, which ends the worker.
 * Lines are decoded as UTF-8 once whole, so a character split between two chunks stays one character.
 */
export class LineSplitter {
  private readonly init: LineSplitterInit
  private parts: Buffer[] = []
  private size = 0
  /** Inside a line already reported as too long: bytes are dropped until its newline. */
  private dropping = false

  constructor (init: LineSplitterInit) {
    this.init = init
  }

  /** Bytes held for the line not yet ended; never more than `maxLineBytes`. */
  get bufferedBytes (): number {
    return this.size
  }

  push (chunk: Buffer): void {
    let start = 0
    while (start < chunk.length) {
      const end = chunk.indexOf(NEWLINE, start)
      if (!this.dropping) this.keep(chunk.subarray(start, end === -1 ? chunk.length : end))
      if (end === -1) return
      if (this.dropping) this.dropping = false
      else this.emit(this.take())
      start = end + 1
    }
  }

  /** The stream ended: a last line without its newline is still a line. */
  end (): void {
    if (!this.dropping && this.size > 0) this.emit(this.take())
    this.dropping = false
  }

  private keep (piece: Buffer): void {
    const room = this.init.maxLineBytes - this.size
    if (piece.length <= room) {
      // a copy: a slice would keep the whole chunk it came from alive
      if (piece.length > 0) this.parts.push(Buffer.from(piece))
      this.size += piece.length
      return
    }
    this.parts.push(piece.subarray(0, room))
    this.size += room
    const head = this.take()
    this.dropping = true
    this.init.onLongLine(utf8Prefix(head, this.init.maxLineBytes))
  }

  private take (): Buffer {
    const line = Buffer.concat(this.parts, this.size)
    this.parts = []
    this.size = 0
    return line
  }

  private emit (bytes: Buffer): void {
    const line = bytes.toString('utf8')
    this.init.onLine(line.endsWith('\r') ? line.slice(0, -1) : line)
  }
}

/** What is appended to text cut at `maxBytes`, so a reader knows there was more. */
export function cutNote (maxBytes: number): string {
  return ` … [cut: longer than ${maxBytes} bytes]`
}

/** `text` if it fits in `maxBytes` of UTF-8; else its first `maxBytes` bytes (whole characters), saying it was cut. */
export function cutText (text: string, maxBytes: number): string {
  // a character is at most 3 bytes of UTF-8 per UTF-16 unit: most texts need no encoding to know they fit
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return text
  return `${utf8Prefix(Buffer.from(text.slice(0, maxBytes)), maxBytes)}${cutNote(maxBytes)}`
}

/** The first `maxBytes` bytes as text, ending before a character the cut would split. */
function utf8Prefix (bytes: Buffer, maxBytes: number): string {
  let end = Math.min(maxBytes, bytes.length)
  // the last character's first byte (the ones after it are 10xxxxxx): does all of it fit before the cut?
  let lead = end - 1
  while (lead > 0 && end - lead < 4 && (bytes[lead]! & 0xc0) === 0x80) lead--
  const first = bytes[lead] ?? 0
  const length = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 1
  if (lead + length > end) end = lead
  return bytes.toString('utf8', 0, end)
}
