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
/** Tasks read, at most, to find what depends on an archived task (its record, which listed them, is gone). */
export const MAX_GRAPH_SCAN = 100_000
/** The header an agent that pulls sends its signed identity token in (see `admin/agent-token.ts`). */
export const AGENT_TOKEN_HEADER = 'taskmesh-agent'
/** Body of a request that carries a few fields: steering a worker, cancelling, an agent's error. */
export const SMALL_BODY_LIMIT = 64 * 1024
/** Body of a claim: the agent's name, types and capabilities. */
export const CLAIM_BODY_LIMIT = 256 * 1024
/** Body of a result: its output, up to a task's output limit, as JSON, and room for the rest. */
export const RESULT_BODY_LIMIT = 4 * 1024 * 1024 + 64 * 1024
/** A dashboard's summarised stream (`/api/updates`) sends at most one update this often. */
export const UPDATE_INTERVAL_MS = 500
/** Tasks an update lists by id; past this it says `more` and the dashboard reads its page again. */
export const MAX_UPDATE_TASKS = 256
/** Where the admin's HTTP server answers A2A: its JSON-RPC endpoint, and its agent card where clients look for it. */
export const A2A_JSONRPC_PATH = '/a2a/jsonrpc'
export const A2A_CARD_PATH = '/.well-known/agent-card.json'
/** Largest A2A request (a message with its payload). */
export const A2A_BODY_LIMIT = 1024 * 1024
