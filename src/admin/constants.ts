/**
 * Defaults and limits of the admin, in one place. The options that take them (`AdminInit`) document them
 * with `@default`. Wire limits shared with workers and clients are in `protocol/constants.ts`, the
 * scheduler's in `core/constants.ts`.
 */

/** Besides following every change, the admin runs a scheduling pass and broadcasts its progress this often. */
export const DEFAULT_SCHEDULING_INTERVAL_MS = 5_000
/** Invalid frames a peer may send (across reconnections) before it is disconnected and banned. */
export const DEFAULT_MAX_INVALID_FRAMES = 20
/** How long a banned peer's connections are refused. */
export const DEFAULT_BAN_MS = 60_000
/** Peers whose strikes and bans are remembered at once; the oldest are forgotten first. */
export const MAX_TRACKED_PEERS = 10_000
/**
 * A stream that cannot be read further (a frame too large, a length prefix that is not one, a first frame
 * that is not a Register) ends, and weighs this many strikes.
 */
export const FATAL_FRAME_STRIKES = 5
/** Tasks held at once. */
export const DEFAULT_MAX_TASKS = 1_000_000
/** Largest payload of one task, as JSON. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024
/** Registered workers at most. */
export const DEFAULT_MAX_WORKERS = 4096
/** How long a worker refused by a full admin (`--max-workers`) waits before it tries again. */
export const FULL_RETRY_AFTER_MS = 30_000
/** Time a new task stream has to send its Register frame. */
export const DEFAULT_REGISTER_TIMEOUT_MS = 5_000
/** Largest frame a task stream may send before its worker is registered (a Register is small). */
export const PRE_REGISTER_MAX_FRAME_BYTES = 64 * 1024
/** Bytes all not-yet-registered task streams may hold together; beyond it, new ones are refused. */
export const UNREGISTERED_BUDGET_BYTES = 8 * 1024 * 1024
/** Task streams that may be waiting to register at once. */
export const MAX_UNREGISTERED_STREAMS = 256
/** How often workers are asked to renew their leases (at most a third of the lease TTL). */
export const DEFAULT_HEARTBEAT_MS = 5_000
/** Task streams one connection may open at once, and the admin's own to each. */
export const MAX_INBOUND_TASK_STREAMS = 4
/** Client streams one connection may open at once. */
export const MAX_INBOUND_CLIENT_STREAMS = 8
/**
 * How long a closing stream waits for the peer to end its side before the connection is closed. Closing
 * at once would lose the last frames (a refusal): a TCP socket closed with unread data sends a reset.
 */
export const CLOSE_GRACE_MS = 2_000
/** How long a graceful stop waits for running attempts when given no signal. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000
/**
 * The admin's progress broadcast (signed, over gossipsub) goes out at most this often: when every task
 * has become final, and every scheduling interval.
 */
export const PROGRESS_BROADCAST_MIN_INTERVAL_MS = 1_000
/** Unchanged progress is broadcast again only this often (a thousand workers each receive every one). */
export const PROGRESS_BROADCAST_REFRESH_MS = 60_000
/** Remote watchers (client protocol, Server-Sent Events) get `progress` at most this often. */
export const WATCH_PROGRESS_INTERVAL_MS = 250
/** Most tasks one page of a listing holds. */
export const MAX_PAGE = 1000
/** The text a task list may be searched for (`search`), at most. */
export const MAX_SEARCH_LENGTH = 200
/** Tasks one search reads, at most (in submission order); past them the page says it is `partial`. */
export const MAX_SEARCH_SCAN = 100_000
/** Characters of a description a search reads (descriptions may be 64 KiB). */
export const MAX_SEARCH_TEXT = 1024
/** Tasks one page holds when the caller gives no limit. */
export const DEFAULT_PAGE = 100
/** Outputs a page of tasks carries at most, together; a task whose output does not fit says its size instead. */
export const PAGE_OUTPUT_BYTES = 8 * 1024 * 1024
/** Most tasks one claim of an agent that pulls may take. */
export const MAX_CLAIM = 256
/**
 * Attempts all workers with no accepted result yet may hold together, whatever their names (each new worker
 * still starts at its own window of 2 within it).
 */
export const DEFAULT_UNPROVEN_BUDGET = 64
/** Agent tokens whose signature was checked, remembered at once. */
export const MAX_VERIFIED_AGENT_TOKENS = 1024
/**
 * How long a request from outside (HTTP, the client protocol, MCP) waits for the journal to record its change
 * before it is answered that the change could not be confirmed.
 */
export const DEFAULT_ACK_TIMEOUT_MS = 30_000
/** Names of workers that pull work start with these, so no worker on the task stream can take theirs. */
export const PULL_NAME_PREFIXES = ['http:', 'mcp:'] as const
/** Largest payload of a schedule's task (it is kept, and journaled with the schedule at every firing). */
export const MAX_SCHEDULE_PAYLOAD_BYTES = 64 * 1024
