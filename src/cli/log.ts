import { pino, type Logger } from 'pino'
import { prettyFactory } from 'pino-pretty'
import { printable } from '../util/printable.js'
import { isRecord } from '../util/records.js'
import type { LogOptions } from './log-options.js'

export type { Logger } from 'pino'

export type { LogOptions } from './log-options.js'

/**
 * The structured log, always on stderr: stdout belongs to the command's own output (its tables, its
 * `--json` events, the MCP protocol). Writes are synchronous so nothing is lost when the process exits.
 */
export function createLogger (options: LogOptions & { name: string, destination?: number }): Logger {
  const fd = options.destination ?? 2
  const base = { name: options.name }
  if (options.logFormat === 'json') {
    return pino({ level: options.logLevel, base: { ...base, pid: process.pid } }, pino.destination({ dest: fd, sync: true }))
  }
  const prettify = prettyFactory({
    colorize: fd === 2 && process.stderr.isTTY,
    translateTime: 'HH:MM:ss.l',
    ignore: 'pid,hostname,name'
  })
  const destination = pino.destination({ dest: fd, sync: true })
  // records carry what peers said (error texts, names, whole event details): escaped on their way to a terminal
  return pino({ level: options.logLevel, base }, {
    write: (line: string) => { destination.write(prettify(printableRecord(JSON.parse(line))) ?? '') }
  })
}

/** Fields that are text laid out on several lines: their line feeds stay, as pretty-printing expects. */
const MULTILINE = new Set(['msg', 'stack'])

/** A log record with every string in it (keys too) passed through {@link printable}. */
function printableRecord (value: unknown, key = ''): unknown {
  if (typeof value === 'string') return printable(value, { multiline: MULTILINE.has(key) })
  if (Array.isArray(value)) return value.map(v => printableRecord(v))
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [printable(k), printableRecord(v, k)]))
  return value
}
