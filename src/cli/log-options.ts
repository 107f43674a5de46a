import { oneOf } from './options.js'
import type { Command } from 'commander'

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
