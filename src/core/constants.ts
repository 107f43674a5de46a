/**
 * Defaults and limits of the scheduling core, in one place. Options that take them document them with
 * `@default`.
 */
/** A worker that renews nothing for this long loses its leases. */
export const DEFAULT_LEASE_TTL_MS = 15_000
/** How long a task no registered worker can run waits before it fails, when the admin fails such tasks. */
export const DEFAULT_NO_WORKER_GRACE_MS = 30_000
/** Times a task may lose its worker before it fails (guards against tasks that crash workers). */
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
