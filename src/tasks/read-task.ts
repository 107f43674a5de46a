import { DEFAULT_PRIORITY, DEFAULT_RETRY, DEFAULT_TYPE } from '../core/constants.js'
import { isRecord } from '../util/records.js'
import { jsonProblem } from '../protocol/json.js'
import { checkFields, depsFieldOf, fieldBits, gives, givesAny, keyOf, NO_NAMES, read, readId, readNumber, readString, readStringList } from './fields.js'
import { LIMITS, MAX_DELAY_MS, MAX_RUN_AT_MS } from './constants.js'
import { ALIASES, PRIORITY_WORDS, STRATEGY_ALIASES } from './formats.js'
import { readTaskResources } from './resources.js'
import type { JsonValue, RetryPolicy, TaskSpec } from '../core/task.js'
import type { Problem } from '../errors.js'

/** Fields most tasks leave out, read together when a task gives any of them. */
const RARE = fieldBits('timeoutSeconds', 'timeoutMs', 'payload', 'worker', 'cacheKey', 'strategy', 'resources', 'cpuRequired', 'memoryRequired',
  'runAt', 'delaySeconds', 'delayMs', 'rateLimitKey', 'group', 'dedupKey', 'dedupTtl', 'dedupTtlMs', 'debounce')

/** One task as users write it, read into a spec; every problem goes to `problems`, with its path. */
export function readTask (raw: Record<string, unknown>, path: string, problems: Problem[]): TaskSpec | undefined {
  // a field the task does not give is not looked for under each of its names: its default is taken
  const given = checkFields(raw, path, problems)
  const id = readId(raw, path, problems)
  const spec: TaskSpec = {
    id: id ?? '',
    description: gives(given, 'description') ? readString(raw, ALIASES.description, path, problems, LIMITS.description) ?? '' : '',
    type: gives(given, 'type') ? readString(raw, ALIASES.type, path, problems, LIMITS.label) ?? DEFAULT_TYPE : DEFAULT_TYPE,
    difficulty: gives(given, 'difficulty') ? readNumber(raw, ALIASES.difficulty, path, problems, { min: 0 }) ?? 0 : 0,
    priority: gives(given, 'priority') ? readPriority(raw, path, problems) : DEFAULT_PRIORITY,
    requires: gives(given, 'requires') ? readStringList(raw, ALIASES.requires, () => `${path}.${keyOf(raw, ALIASES.requires)}`, problems, LIMITS.requires, LIMITS.label) : NO_NAMES,
    dependsOn: gives(given, 'dependsOn') ? readStringList(raw, ALIASES.dependsOn, () => `${path}.${depsFieldOf(raw)}`, problems, LIMITS.dependsOn, LIMITS.id) : NO_NAMES,
    retry: gives(given, 'retry') ? readRetry(raw, path, problems) : DEFAULT_RETRY
  }
  if (givesAny(given, RARE)) readRare(raw, path, problems, spec)
  // a task with problems elsewhere still takes part in the graph check, so a cycle through it is reported too
  return id != null ? spec : undefined
}

function readRare (raw: Record<string, unknown>, path: string, problems: Problem[], spec: TaskSpec): void {
  const seconds = readNumber(raw, ALIASES.timeoutSeconds, path, problems, { min: 0, exclusiveMin: true })
  const ms = readNumber(raw, ALIASES.timeoutMs, path, problems, { min: 0, exclusiveMin: true })
  if (ms != null) spec.timeoutMs = Math.round(ms)
  else if (seconds != null) spec.timeoutMs = Math.round(seconds * 1000)
  const payload = read(raw, ALIASES.payload)
  if (payload !== undefined) {
    const problem = jsonProblem(payload)
    if (problem != null) problems.push({ path: `${path}.${keyOf(raw, ALIASES.payload)}`, message: problem })
    else spec.payload = payload as JsonValue
  }
  const worker = readString(raw, ALIASES.worker, path, problems, LIMITS.label)
  if (worker != null) spec.worker = worker
  const cacheKey = readString(raw, ALIASES.cacheKey, path, problems, LIMITS.id)
  if (cacheKey != null) spec.cacheKey = cacheKey
  const strategy = readString(raw, ALIASES.strategy, path, problems, LIMITS.label)
  if (strategy != null) spec.strategy = STRATEGY_ALIASES[strategy] ?? strategy
  const resources = readTaskResources(raw, path, problems)
  if (resources != null) spec.resources = resources
  readWhen(raw, path, problems, spec)
  const rateLimitKey = readString(raw, ALIASES.rateLimitKey, path, problems, LIMITS.label)
  if (rateLimitKey != null) spec.rateLimitKey = rateLimitKey
  const group = readString(raw, ALIASES.group, path, problems, LIMITS.label)
  if (group != null) spec.group = group
  readDedup(raw, path, problems, spec)
}

/**
 * `run_at` (an ISO 8601 time with a date, or ms since the epoch) or `delay` (seconds; `delay_ms`): when the
 * task may start at the earliest. A delay counts from when the admin takes the task.
 */
function readWhen (raw: Record<string, unknown>, path: string, problems: Problem[], spec: TaskSpec): void {
  const runAt = read(raw, ALIASES.runAt)
  const seconds = readNumber(raw, ALIASES.delaySeconds, path, problems, { min: 0, max: MAX_DELAY_MS / 1000 })
  const ms = readNumber(raw, ALIASES.delayMs, path, problems, { min: 0, max: MAX_DELAY_MS })
  if (runAt !== undefined) {
    const at = `${path}.${keyOf(raw, ALIASES.runAt)}`
    if (seconds != null || ms != null) problems.push({ path: at, message: 'give run_at or delay, not both' })
    const when = typeof runAt === 'number' && Number.isInteger(runAt) && runAt >= 0
      ? runAt
      // a date is required: "10:00" alone would be read as some day of 2001
      : typeof runAt === 'string' && /^\d{4}-\d{2}-\d{2}/.test(runAt) ? Date.parse(runAt) : NaN
    if (Number.isNaN(when) || when > MAX_RUN_AT_MS) problems.push({ path: at, message: 'must be an ISO 8601 time such as 2026-12-05T10:00:00Z, or ms since the epoch, before the year 10000' })
    else spec.runAt = when
  } else if (ms != null) {
    spec.delayMs = Math.round(ms)
  } else if (seconds != null) {
    spec.delayMs = Math.round(seconds * 1000)
  }
}

/**
 * `dedup_key` (a later submit naming it gets this task instead of a new one), `dedup_ttl` (seconds; for how
 * long: until the task is final without it) and `debounce` (that submit's payload replaces this one's while
 * the task has not started).
 */
function readDedup (raw: Record<string, unknown>, path: string, problems: Problem[], spec: TaskSpec): void {
  const key = readString(raw, ALIASES.dedupKey, path, problems, LIMITS.id)
  const seconds = readNumber(raw, ALIASES.dedupTtl, path, problems, { min: 0, max: MAX_DELAY_MS / 1000, exclusiveMin: true })
  const ms = readNumber(raw, ALIASES.dedupTtlMs, path, problems, { min: 0, max: MAX_DELAY_MS, exclusiveMin: true })
  const debounce = read(raw, ALIASES.debounce)
  if (debounce !== undefined && typeof debounce !== 'boolean') problems.push({ path: `${path}.debounce`, message: 'must be true or false' })
  if (key == null) {
    for (const [given, field] of [[seconds ?? ms, 'dedup_ttl'], [debounce === true ? true : undefined, 'debounce']] as const) {
      if (given != null) problems.push({ path: `${path}.${field}`, message: 'needs a dedup_key: the key later submits are matched by' })
    }
    return
  }
  spec.dedupKey = key
  if (ms != null) spec.dedupTtlMs = Math.round(ms)
  else if (seconds != null) spec.dedupTtlMs = Math.round(seconds * 1000)
  if (debounce === true) spec.debounce = true
}

/** 1 (lowest) to 10, or a word: low, medium, high, critical. */
function readPriority (raw: Record<string, unknown>, path: string, problems: Problem[]): number {
  const value = read(raw, ALIASES.priority)
  if (typeof value === 'string') {
    const n = PRIORITY_WORDS[value.toLowerCase()]
    if (n != null) return n
    problems.push({ path: `${path}.${keyOf(raw, ALIASES.priority)}`, message: `must be 1 (lowest) to 10, or one of ${Object.keys(PRIORITY_WORDS).join(', ')}` })
    return DEFAULT_PRIORITY
  }
  return readNumber(raw, ALIASES.priority, path, problems, { min: 1, max: 10, integer: true }) ?? DEFAULT_PRIORITY
}

function readRetry (raw: Record<string, unknown>, path: string, problems: Problem[]): RetryPolicy {
  const value = read(raw, ALIASES.retry)
  // frozen, shared by every task that gives none
  if (value === undefined) return DEFAULT_RETRY
  const policy: RetryPolicy = { ...DEFAULT_RETRY }
  const at = `${path}.${keyOf(raw, ALIASES.retry)}`
  if (!isRecord(value)) {
    problems.push({ path: at, message: 'must be an object such as { max_attempts: 3, backoff: exponential }' })
    return policy
  }
  const known = new Set(['max_attempts', 'maxAttempts', 'max_retries', 'maxRetries', 'backoff', 'initial_delay', 'initialDelayMs', 'max_delay', 'maxDelayMs', 'jitter'])
  for (const k of Object.keys(value)) if (!known.has(k)) problems.push({ path: `${at}.${k}`, message: `unknown field (known: ${[...known].join(', ')})` })
  const attempts = readNumber(value, ['max_attempts', 'maxAttempts'], at, problems, { min: 1, max: 100, integer: true })
  const retries = readNumber(value, ['max_retries', 'maxRetries'], at, problems, { min: 0, max: 99, integer: true })
  if (attempts != null) policy.maxAttempts = attempts
  else if (retries != null) policy.maxAttempts = retries + 1
  const backoff = read(value, ['backoff'])
  if (backoff !== undefined) {
    if (backoff === 'fixed' || backoff === 'exponential') policy.backoff = backoff
    else problems.push({ path: `${at}.backoff`, message: 'must be "fixed" or "exponential"' })
  }
  const initialS = readNumber(value, ['initial_delay'], at, problems, { min: 0, max: MAX_DELAY_MS / 1000 })
  const initialMs = readNumber(value, ['initialDelayMs'], at, problems, { min: 0, max: MAX_DELAY_MS })
  if (initialMs != null) policy.initialDelayMs = initialMs
  else if (initialS != null) policy.initialDelayMs = initialS * 1000
  const maxS = readNumber(value, ['max_delay'], at, problems, { min: 0, max: MAX_DELAY_MS / 1000 })
  const maxMs = readNumber(value, ['maxDelayMs'], at, problems, { min: 0, max: MAX_DELAY_MS })
  if (maxMs != null) policy.maxDelayMs = maxMs
  else if (maxS != null) policy.maxDelayMs = maxS * 1000
  const jitter = readNumber(value, ['jitter'], at, problems, { min: 0, max: 1 })
  if (jitter != null) policy.jitter = jitter
  return policy
}
