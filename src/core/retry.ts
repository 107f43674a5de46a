import type { RetryPolicy } from './task.js'

/**
 * Delay before attempt number `nextAttempt` (2 for the first retry), in milliseconds.
 * `random` returns a number in [0, 1); jitter removes up to `jitter` of the delay, never adds to it,
 * so `maxDelayMs` stays a true upper bound.
 */
export function backoffDelay (policy: RetryPolicy, nextAttempt: number, random: () => number): number {
  const retryIndex = Math.max(0, nextAttempt - 2)
  const base = policy.backoff === 'exponential'
    ? policy.initialDelayMs * 2 ** Math.min(retryIndex, 52)
    : policy.initialDelayMs
  const capped = Math.min(base, policy.maxDelayMs)
  const jitter = Math.min(Math.max(policy.jitter, 0), 1)
  return Math.round(capped * (1 - jitter * random()))
}
