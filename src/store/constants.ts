import type { BackoffPolicy } from '../core/backoff.js'

/**
 * Defaults and limits of the journals, in one place.
 */

/** Archived tasks whose events, piled up in memory, are dropped in one go (or an eighth of the events, if more). */
export const COMPACT_AFTER = 1024

/** How long a write waits for a PostgreSQL server that went away before the admin gives up. */
export const MAX_OUTAGE_MS = 5 * 60_000
/**
 * Waits between reconnections to PostgreSQL: 0.1 s doubling to 5 s, up to half of each taken off at random,
 * so replicas and admins that lost the server together do not come back together.
 */
export const RECONNECT_BACKOFF: BackoffPolicy = { backoff: 'exponential', initialDelayMs: 100, maxDelayMs: 5_000, jitter: 0.5 }
/** How long closing a PostgreSQL session may take before its socket is dropped (a cut network never answers). */
export const CLOSE_TIMEOUT_MS = 1_000
/** How long connecting to PostgreSQL may take. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
/**
 * A statement PostgreSQL has not answered within this long counts as a lost connection: a network cut
 * gives no error, only silence. Lease renewals wait at most one failover timeout.
 */
export const QUERY_TIMEOUT_MS = 30_000
/** Archived tasks read from PostgreSQL at a time as the journal opens (into its temporary archive). */
export const ARCHIVE_LOAD_PAGE = 5_000
/**
 * Finished tasks an admin without a data directory keeps in memory (about 0.7 KiB each, some 175 MB in
 * all); beyond them the earliest move to a temporary file on local disk, so its memory stays flat however long
 * it runs. A run of fewer never touches the disk; moving one costs the admin some 10–20 µs of CPU.
 */
export const MEMORY_ARCHIVE_LIMIT = 250_000
/** How soon a temporary archive tries again to write tasks added while a listing was under way. */
export const RETRY_WRITE_MS = 50
/** Reading the whole journal at start (a million archived tasks) may take this long. */
export const LOAD_TIMEOUT_MS = 10 * 60_000
/** How long a leader's lease lasts without renewal, by default: a standby takes over this long after. */
export const DEFAULT_FAILOVER_TIMEOUT_MS = 5_000
