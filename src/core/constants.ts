/**
 * Defaults and limits of the scheduling core, in one place. Options that take them document them with
 * `@default`.
 */
/** A worker that renews nothing for this long loses its leases. */
export const DEFAULT_LEASE_TTL_MS = 15_000
/** How long a task no registered worker can run waits before it fails, when the admin fails such tasks. */
export const DEFAULT_NO_WORKER_GRACE_MS = 30_000
/**
 * Distinct workers, each with accepted results behind it, a task may be lost on before it fails (guards
 * against a task that crashes every worker it meets); losses on unproven workers count against them.
 */
export const DEFAULT_MAX_LOST_ATTEMPTS = 10

/** The strategy of an admin that names none. */
export const DEFAULT_STRATEGY = 'skill-fit'
/** Strategies in use at once, at most (the admin's and those named by tasks). */
export const MAX_STRATEGIES = 64

/** Priority of a task that gives none (1..10, higher first). */
export const DEFAULT_PRIORITY = 5
/** Handler type of a task that gives none. */
export const DEFAULT_TYPE = 'simulate'
/** Retry policy of a task that gives none: one attempt. */
export const DEFAULT_RETRY = Object.freeze({
  maxAttempts: 1,
  backoff: 'exponential' as const,
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
  jitter: 0.2
})

/** Submissions an admin can number in its lifetime; beyond this, ready-queue order keys would collide. */
export const MAX_SEQ = 2 ** 32

/** Concurrent attempts a newly registered worker may hold, whatever it asks for: it earns more. */
export const DEFAULT_INITIAL_WINDOW = 2
/** Most concurrent attempts any worker may earn. */
export const DEFAULT_MAX_WINDOW = 256
/** Workers whose standing (window, losses, quarantine) is remembered at once. */
export const MAX_STANDINGS = 10_000
/** Losses within the loss memory that quarantine a worker. */
export const QUARANTINE_AFTER_LOSSES = 3
/** How far back a worker's losses count toward a quarantine. */
export const LOSS_MEMORY_MS = 10 * 60_000
/** The first quarantine; each next one lasts twice as long, up to the maximum. */
export const QUARANTINE_BASE_MS = 5_000
export const QUARANTINE_MAX_MS = 10 * 60_000

/**
 * An unproven worker (no accepted result yet) may hold an attempt this many times the 90th percentile of
 * its type's recent durations, and never less than the floor; then the attempt is taken back.
 */
export const PROBATION_FACTOR = 10
export const PROBATION_FLOOR_MS = 500
/** Durations a task type needs before they bound its attempts on unproven workers. */
export const PROBATION_MIN_SAMPLES = 1
/**
 * How long an unproven worker may hold an attempt of a type nobody has finished yet (or the task's timeout,
 * when longer); each attempt of the task taken back doubles it, up to this many times.
 */
export const PROBATION_UNKNOWN_TYPE_MS = 5 * 60_000
export const PROBATION_MAX_DOUBLINGS = 6
/** Recent durations kept per task type, and task types tracked at most. */
export const DURATION_SAMPLES = 64
export const MAX_TRACKED_TYPES = 1_000
/** The most starts a rate limit may allow per period (its window keeps that many start times). */
export const MAX_RATE_LIMIT = 1_000_000
/** Pauses in force at once, at most (each a task type, or everything): every summary carries them. */
export const MAX_PAUSES = 1000
/** Finished tasks retention drops in one pass at most (the next pass follows at once while more are due). */
export const MAX_PURGE_PER_PASS = 5_000
/** How often retention looks for finished tasks to drop (more often when finished tasks are kept less long). */
export const RETENTION_INTERVAL_MS = 5_000
/** Schedules held at once, at most. */
export const MAX_SCHEDULES = 1000
/** The shortest and longest `every` of a schedule. */
export const MIN_EVERY_MS = 1000
export const MAX_EVERY_MS = 366 * 24 * 60 * 60 * 1000
/**
 * A slot is fired on time up to this long after it; one later than that (the admin was not running, or held
 * up) follows the schedule's `catch_up`: let pass (`none`), or fired once for the latest missed (`last`).
 */
export const SCHEDULE_GRACE_MS = 60_000
/**
 * An in-memory archive's sorted lists let go of the tasks that left it every this many: amortized, and when
 * they leave in order (the earliest first, as an archive that spills moves them) the records kept alive
 * meanwhile are at most this many.
 */
export const TIDY_AFTER_REMOVED = 1024
