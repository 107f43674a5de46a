/** Defaults and limits of webhooks, in one place. */

import type { BackoffPolicy } from '../core/backoff.js'

/** The events a webhook gets when it names none: every task that became final, whatever its outcome. */
export const DEFAULT_WEBHOOK_EVENTS = ['task:completed'] as const
/** How long a receiver has to answer one delivery. */
export const DELIVERY_TIMEOUT_MS = 10_000
/** Waits between the tries of one delivery: from 1 s, doubling, up to 5 min, with jitter. */
export const DELIVERY_BACKOFF: BackoffPolicy = { backoff: 'exponential', initialDelayMs: 1_000, maxDelayMs: 5 * 60_000, jitter: 0.2 }
/** Tries of one delivery before it is given up (about an hour with the backoff above). */
export const MAX_DELIVERY_TRIES = 20
/**
 * A message older than this gets one try: after a receiver was away for long, what waited behind the
 * message it gave up on is tried once each, not an hour each.
 */
export const MAX_DELIVERY_AGE_MS = 60 * 60_000
/** Bytes of messages kept for one receiver while it does not take them; beyond, new ones are dropped, saying so. */
export const MAX_PENDING_BYTES_PER_TARGET = 256 * 1024 * 1024
/**
 * A task's output rides in its `task:completed` body up to this size (as JSON); a larger one is left out, its
 * size said (`outputBytes`): the receiver asks the admin for the task (GET /api/tasks/:id).
 */
export const MAX_WEBHOOK_OUTPUT_BYTES = 64 * 1024
/** The header carrying the HMAC-SHA256 of the body, as `sha256=<hex>`, when the admin has a secret. */
export const SIGNATURE_HEADER = 'taskmesh-signature-256'
/** The header naming the event a delivery carries. */
export const EVENT_HEADER = 'taskmesh-event'
/** The header carrying the event's id: the same on every retry, for the receiver to take each event once. */
export const DELIVERY_HEADER = 'taskmesh-delivery'
/** Longest webhook secret, in bytes. */
export const MAX_SECRET_BYTES = 4096
