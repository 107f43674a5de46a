/** Defaults and limits of the HTTP API. */

/** Server-Sent Event streams open at once; more are answered 503. */
export const DEFAULT_MAX_EVENT_STREAMS = 100
/** Unsent bytes one event stream may hold before its reader is let go (EventSource reconnects). */
export const MAX_EVENT_BACKLOG_BYTES = 8 * 1024 * 1024
/** A comment line on an idle event stream this often, so proxies do not close it. */
export const EVENT_STREAM_PING_MS = 15_000
/** Where the HTTP API listens when only a port is given: this machine only. */
export const DEFAULT_HTTP_HOST = '127.0.0.1'
/** Tasks the dependency graph draws when asked for no number, and at most. */
export const DEFAULT_GRAPH_TASKS = 500
export const MAX_GRAPH_TASKS = 5000
