import { FIELD_LIMITS } from '../protocol/constants.js'

/**
 * Defaults and limits of the worker, in one place. The options that take them (`WorkerInit`) document them
 * with `@default`.
 */

/** The first reconnection waits about this long; each failure doubles it, up to the maximum. */
export const DEFAULT_RECONNECT_INITIAL_MS = 250
export const DEFAULT_RECONNECT_MAX_MS = 10_000
/** Up to this share of each reconnection delay is random, so workers of a restarted admin do not return in lockstep. */
export const RECONNECT_JITTER = 0.5
/** Finished results kept for resending while the admin is away. */
export const DEFAULT_MAX_BUFFERED_RESULTS = 10_000
/**
 * How long reaching the admin may take, from dialing to its answer to the registration: a connection the
 * network stopped carrying (a cut host) answers nothing, and gives no error either.
 */
export const SESSION_SETUP_TIMEOUT_MS = 60_000
/** How long to wait for an mDNS answer about a bare admin peer id, per attempt. */
export const DEFAULT_DISCOVERY_TIMEOUT_MS = 5_000
/** Status changes are broadcast at most this often (each broadcast is signed and verified). */
export const DEFAULT_STATUS_INTERVAL_MS = 1_000
/** A status broadcast goes out at least this often, changed or not (the admin gets the load with every heartbeat). */
export const STATUS_BROADCAST_MS = 30_000
/** Heartbeats are never sent more often than this, whatever the admin asks. */
export const MIN_HEARTBEAT_MS = 100
/** How long a stopping worker waits for its stream to close before it aborts it. */
export const STOP_CLOSE_TIMEOUT_MS = 1_000
/** How long a draining worker lets running tasks finish when given no signal. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000
/**
 * Room kept in a frame for a result's other fields, beside its output: the task id and the lease token at
 * their longest, 3 bytes of UTF-8 for each of their characters (a task id of 512 '€' takes 1,536), and 64
 * bytes of field tags, lengths and numbers. An output that fits the rest always fits the frame.
 */
export const RESULT_FRAME_OVERHEAD_BYTES = 3 * (FIELD_LIMITS.taskId + FIELD_LIMITS.token) + 64

/** Version of the line protocol between a worker and its `--exec` child (docs/exec-protocol.md). */
export const EXEC_PROTOCOL_VERSION = 1
/** How long an `--exec` child may take to say it is ready. */
export const DEFAULT_EXEC_READY_TIMEOUT_MS = 10_000
/** After an `--exec` child exits, it is started again after about this long, doubling up to the maximum. */
export const EXEC_RESTART_INITIAL_MS = 250
export const EXEC_RESTART_MAX_MS = 10_000
/** How long an `--exec` child may take to exit once its stdin is closed, before it is killed. */
export const EXEC_STOP_TIMEOUT_MS = 5_000
/**
 * Longest line of an `--exec` child's stderr, and longest `log` or `progress` text, that the worker keeps (in
 * bytes of UTF-8). A longer one is cut here and says so, the rest of the line is dropped: a child printing
 * without newlines must not grow the worker's memory, nor flood its log.
 */
export const EXEC_MAX_LOG_LINE_BYTES = 16 * 1024

/**
 * A worker that reached its admin through a relay waits this long for hole punching to open a direct
 * connection before it registers over the relay (a direct one opened later takes over by reconnecting).
 */
export const DIRECT_UPGRADE_WAIT_MS = 2000
