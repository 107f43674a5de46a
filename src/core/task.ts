import { DEFAULT_PRIORITY, DEFAULT_RETRY, DEFAULT_TYPE } from './constants.js'
import type { Resources } from './resources.js'

/**
 * The task model of the scheduling core. Task files in every accepted format are normalized to
 * {@link TaskSpec} before they reach the scheduler (see `src/tasks/`).
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

export type Backoff = 'fixed' | 'exponential'

export interface RetryPolicy {
  /** Attempts in all, the first included, that may fail (handler error or timeout) before the task fails. */
  maxAttempts: number
  backoff: Backoff
  /** Delay before the second attempt. */
  initialDelayMs: number
  /** Upper bound of any delay. */
  maxDelayMs: number
  /** Fraction of the delay (0..1) that is randomized, so retries of many tasks do not arrive together. */
  jitter: number
}

export interface TaskSpec {
  id: string
  description: string
  /** Which handler runs the task on the worker. */
  type: string
  /** Skill a worker needs; a hard constraint for the skill-aware strategies. */
  difficulty: number
  /** 1..10, higher first; ties go in submission order. */
  priority: number
  /** Capabilities the worker must all hold. */
  requires: string[]
  dependsOn: string[]
  /** Time allowed for one attempt; undefined means no limit. */
  timeoutMs?: number
  retry: RetryPolicy
  payload?: JsonValue
  /** Name of the only worker allowed to run the task. */
  worker?: string
  /** Tasks with the same cache key share a result: the second completes from the first without running. */
  cacheKey?: string
  /** Strategy for this task instead of the admin's. */
  strategy?: string
  /** What an attempt holds on its worker while it runs (cpu cores, memory bytes, gpu, ...): see `resources.ts`. */
  resources?: Resources
  /** Not to start before this time (ms since the epoch): it is `delayed` until then. */
  runAt?: number
  /** Not to start before this long after it was submitted (ms). */
  delayMs?: number
  /** The rate limit its starts count against, when not its type's (`--rate-limit KEY=N/PERIOD`). */
  rateLimitKey?: string
  /** Its task group (a tenant, a user, a project): workers are shared fairly between groups. */
  group?: string
  /** A submit naming this key within `dedupTtlMs` of this task's gets this task instead of a new one. */
  dedupKey?: string
  dedupTtlMs?: number
  /** With `dedupKey`: such a submit replaces this task's payload instead, while it has not started. */
  debounce?: boolean
}

/** Where a task is in its life. The last four are final: a task reaches exactly one of them. */
export type TaskState =
  | 'waiting' // dependencies not yet succeeded
  | 'ready' // queued for a worker
  | 'delayed' // not before a time: its run_at or delay, or the backoff before its next attempt
  | 'running' // leased to a worker
  | 'succeeded'
  | 'failed'
  | 'skipped' // a dependency failed, was skipped or cancelled
  | 'cancelled'

/** Every state, in the order a task goes through them. */
export const TASK_STATES: readonly TaskState[] = ['waiting', 'ready', 'delayed', 'running', 'succeeded', 'failed', 'skipped', 'cancelled']

/** The states a task ends in. */
export type FinalState = Extract<TaskState, 'succeeded' | 'failed' | 'skipped' | 'cancelled'>

export const FINAL_STATES: ReadonlySet<TaskState> = new Set(['succeeded', 'failed', 'skipped', 'cancelled'])

export function isFinal (state: TaskState): state is FinalState {
  return FINAL_STATES.has(state)
}

/** How one attempt ended. `lost` means the worker left or its lease expired; it does not use the retry budget. */
export type AttemptOutcome = 'succeeded' | 'failed' | 'timed-out' | 'lost' | 'cancelled'

const NONE: readonly string[] = Object.freeze([])

/**
 * A task with every optional field filled in, for code and tests that build tasks by hand. Defaults are
 * shared frozen values, so a million default tasks do not carry a million empty lists.
 */
export function taskSpec (fields: Partial<TaskSpec> & { id: string }): TaskSpec {
  const spec: TaskSpec = {
    id: fields.id,
    description: fields.description ?? '',
    type: fields.type ?? DEFAULT_TYPE,
    difficulty: fields.difficulty ?? 0,
    priority: fields.priority ?? DEFAULT_PRIORITY,
    requires: fields.requires ?? NONE as string[],
    dependsOn: fields.dependsOn ?? NONE as string[],
    retry: fields.retry != null ? { ...DEFAULT_RETRY, ...fields.retry } : DEFAULT_RETRY
  }
  if (fields.timeoutMs != null) spec.timeoutMs = fields.timeoutMs
  if (fields.payload !== undefined) spec.payload = fields.payload
  if (fields.worker != null) spec.worker = fields.worker
  if (fields.cacheKey != null) spec.cacheKey = fields.cacheKey
  if (fields.strategy != null) spec.strategy = fields.strategy
  if (fields.resources != null && Object.keys(fields.resources).length > 0) spec.resources = fields.resources
  if (fields.runAt != null) spec.runAt = fields.runAt
  if (fields.delayMs != null) spec.delayMs = fields.delayMs
  if (fields.rateLimitKey != null) spec.rateLimitKey = fields.rateLimitKey
  if (fields.group != null) spec.group = fields.group
  if (fields.dedupKey != null) spec.dedupKey = fields.dedupKey
  if (fields.dedupTtlMs != null) spec.dedupTtlMs = fields.dedupTtlMs
  if (fields.debounce === true) spec.debounce = true
  return spec
}
