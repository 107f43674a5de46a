import { enabled, logger } from '@libp2p/logger'
import type { ComponentLogger, Logger } from '@libp2p/interface'

/**
 * libp2p's component loggers, built only for the names `DEBUG` enables. libp2p's default builds two
 * `weald` loggers for every component and every scope, one per stream among them, and each asks whether
 * stderr is a terminal: on an admin that accepts a thousand workers that was about 3% of its CPU, for logs
 * nobody asked for. A name `DEBUG` enables (or its `:error` or `:trace`) gets libp2p's own logger.
 */
export function quietLogger (): ComponentLogger {
  return { forComponent: loggerFor }
}

function loggerFor (name: string): Logger {
  if (enabled(name) || enabled(`${name}:error`) || enabled(`${name}:trace`)) return logger(name)
  return silent(name)
}

function silent (name: string): Logger {
  const log = (() => {}) as unknown as Logger
  log.error = noop
  log.trace = noop
  log.enabled = false
  log.newScope = scope => loggerFor(`${name}:${scope}`)
  return log
}

function noop (): void {}
