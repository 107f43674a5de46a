import Table from 'cli-table3'
import cliProgress from 'cli-progress'
import { printable } from '../util/printable.js'
import { OPEN } from './open-outputs.js'
import type { Logger } from './log.js'

export interface OutputOptions {
  /** One JSON object per stdout line, each with an `event` field; nothing else on stdout. */
  json: boolean
  stdout?: NodeJS.WritableStream & { isTTY?: boolean }
  stderr?: NodeJS.WritableStream & { isTTY?: boolean }
  /** Where warnings go, as structured records; without it they are plain lines on stderr. */
  log?: Logger
}

export interface Column<T> {
  header: string
  value: (row: T) => string | number | undefined
  align?: 'left' | 'right'
  /** Wrap the column's text at this many characters instead of widening the table. */
  wrap?: number
}

/**
 * Everything a command prints goes through here, so `--json` output stays machine-readable: events are
 * JSON lines on stdout, human text and progress bars are left out (or go to stderr).
 */
export class Output {
  readonly json: boolean
  readonly log: Logger | undefined
  private readonly out: NodeJS.WritableStream & { isTTY?: boolean }
  private readonly err: NodeJS.WritableStream & { isTTY?: boolean }
  private bar: cliProgress.SingleBar | undefined
  private ended = false
  /** Lines for stdout not written yet: written together once per event-loop turn. */
  private pending: string[] = []
  private pendingBytes = 0
  private flushing = false

  constructor (options: OutputOptions) {
    this.json = options.json
    this.log = options.log
    this.out = options.stdout ?? process.stdout
    this.err = options.stderr ?? process.stderr
    OPEN.add(this)
  }

  /** A machine-readable event: printed only with --json. */
  event (event: string, fields: Record<string, unknown> = {}): void {
    if (this.json && !this.ended) this.write(this.out, `${JSON.stringify({ event, ...fields })}\n`)
  }

  /** A line for people: printed only without --json. */
  say (text: string): void {
    if (!this.json && !this.ended) this.write(this.out, `${text}\n`)
  }

  /**
   * A command's data rather than a message (a task's output): as it is to a pipe or a file, escaped on a
   * terminal, where a peer's text could otherwise drive it. Printed only without --json.
   */
  data (text: string): void {
    if (this.json || this.ended) return
    this.write(this.out, `${this.out.isTTY === true ? printable(text, { multiline: true }) : text}\n`)
  }

  /** Nothing more goes to stdout: what was printed last (a summary) stays the last line. */
  end (): void {
    this.stopProgress()
    this.flush()
    this.ended = true
    OPEN.delete(this)
  }

  /** Writes the lines waiting for the end of the event-loop turn. */
  flush (): void {
    this.flushing = false
    if (this.pending.length === 0) return
    const text = this.pending.join('')
    this.pending = []
    this.pendingBytes = 0
    this.out.write(text)
  }

  /** A warning, on stderr in both modes: a log record when there is a log, else a plain line. */
  warn (text: string, fields: Record<string, unknown> = {}): void {
    if (this.log == null) {
      this.write(this.err, `${text}\n`)
      return
    }
    if (this.bar != null) this.err.write('\r\x1b[K')
    this.log.warn(fields, text)
    this.bar?.render()
  }

  table<T> (rows: readonly T[], columns: ReadonlyArray<Column<T>>): void {
    if (this.json) return
    const table = new Table({
      head: columns.map(c => c.header),
      colAligns: columns.map(c => c.align ?? 'left'),
      // a column with a width wraps at it (plus a space of padding on each side); the others fit their text
      ...(columns.some(c => c.wrap != null) ? { colWidths: columns.map(c => c.wrap != null ? c.wrap + 2 : null), wordWrap: true } : {}),
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      style: { head: this.out.isTTY === true ? ['cyan'] : [], border: this.out.isTTY === true ? ['grey'] : [] }
    })
    // a cell is one line of data, often a peer's (an id, a name, an error): escaped, the table's own lines are not
    for (const row of rows) table.push(columns.map(c => printable(String(c.value(row) ?? ''))))
    this.say(table.toString())
  }

  /** A progress bar on stderr, when it is a terminal and output is for people. */
  startProgress (total: number, label = 'tasks'): void {
    if (this.json || this.err.isTTY !== true || total === 0) return
    this.bar = new cliProgress.SingleBar({
      stream: this.err,
      format: `{bar} {percentage}% | {value}/{total} ${label} | {detail}`,
      hideCursor: true,
      clearOnComplete: false
    }, cliProgress.Presets.shades_classic)
    this.bar.start(total, 0, { detail: '' })
  }

  progress (done: number, total: number, detail = ''): void {
    if (this.bar == null) return
    this.bar.setTotal(total)
    this.bar.update(done, { detail: printable(detail) })
  }

  stopProgress (): void {
    this.bar?.stop()
    this.bar = undefined
  }

  private write (stream: NodeJS.WritableStream, text: string): void {
    // text lines from events interleave with the bar: clear its line first, redraw after
    if (this.bar != null && stream === this.out && this.out.isTTY === true) {
      this.err.write('\r\x1b[K')
      stream.write(text)
      this.bar.render()
      return
    }
    if (stream !== this.out || this.out.isTTY === true) {
      stream.write(text)
      return
    }
    // to a pipe or a file, the lines of one turn (an event each, thousands a second) go in one write
    this.pending.push(text)
    this.pendingBytes += text.length
    if (this.pendingBytes >= FLUSH_BYTES) this.flush()
    else if (!this.flushing) {
      this.flushing = true
      setImmediate(() => { this.flush() })
    }
  }
}

/** Lines kept for one write at most this long (in characters). */
const FLUSH_BYTES = 64 * 1024


/** `1 task`, `2 tasks`: a count with its noun, singular or plural. */
export function count (n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : plural}`
}

/** A moment as people read it: local time to the millisecond, with the date when it is not today. */
export function formatTime (at: number, now = Date.now()): string {
  const d = new Date(at)
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0')
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  const today = new Date(now)
  const sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate()
  return sameDay ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`
}

export function formatMs (ms: number | undefined): string {
  if (ms == null) return ''
  if (ms < 1) return `${ms.toFixed(2)} ms`
  if (ms < 1000) return `${ms.toFixed(0)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms >= 86_400_000) {
    const h = Math.round((ms % 86_400_000) / 3_600_000)
    return `${Math.floor(ms / 86_400_000)} d${h > 0 ? ` ${h} h` : ''}`
  }
  const s = Math.round((ms % 60_000) / 1000)
  return `${Math.floor(ms / 60_000)} min${s > 0 ? ` ${s} s` : ''}`
}
