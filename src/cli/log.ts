import { pino, type Logger } from 'pino'
import { prettyFactory } from 'pino-pretty'
import { oneOf } from './options.js'
import { printable } from '../util/printable.js'
import { isRecord } from '../util/records.js'
import type { Command } from 'commander'

export type { Logger } from 'pino'

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]
export type LogFormat = 'json' | 'pretty'

export interface LogOptions {
  logLevel: LogLevel
  logFormat: LogFormat
}

/** `--log-level` and `--log-format`, for the commands that run for long (admin, worker, mcp). */
export function logOptions (command: Command): Command {
  return command
    .option('--log-level <level>', `structured logs on stderr from this level up: ${LOG_LEVELS.join(', ')} (libp2p's own debug logs: DEBUG=libp2p:*)`, oneOf(...LOG_LEVELS), 'info')
    .option('--log-format <format>', 'json: one object per line, for log collectors; pretty: for people', oneOf('json', 'pretty'), 'pretty')
}

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
