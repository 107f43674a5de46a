import { pino, type Logger } from 'pino'
import { PinoPretty } from 'pino-pretty'
import { oneOf } from './options.js'
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
  return pino({ level: options.logLevel, base }, PinoPretty({
    destination: fd,
    sync: true,
    colorize: fd === 2 && process.stderr.isTTY,
    translateTime: 'HH:MM:ss.l',
    ignore: 'pid,hostname,name'
  }))
}
