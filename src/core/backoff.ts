import type { RetryPolicy } from './task.js'

/** How delays grow between tries: a task's retry policy, or a worker's reconnection. */
export type BackoffPolicy = Pick<RetryPolicy, 'backoff' | 'initialDelayMs' | 'maxDelayMs' | 'jitter'>

/**
 * Delay before try number `nextTry` (2 for the first retry), in milliseconds. `random` returns a number
 * in [0, 1); jitter removes up to `jitter` of the delay, never adds to it, so `maxDelayMs` stays a true
 * upper bound, and many tries that failed together do not come back together.
 */
export function backoffDelay (policy: BackoffPolicy, nextTry: number, random: () => number): number {
  const retryIndex = Math.max(0, nextTry - 2)
  const base = policy.backoff === 'exponential'
    ? policy.initialDelayMs * 2 ** Math.min(retryIndex, 52)
    : policy.initialDelayMs
  const capped = Math.min(base, policy.maxDelayMs)
  const jitter = Math.min(Math.max(policy.jitter, 0), 1)
  return Math.round(capped * (1 - jitter * random()))
}
