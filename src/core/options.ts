import { ValidationError, type Problem } from './errors.js'
import { MAX_RATE_LIMIT } from './constants.js'
import type { TaskArchive } from './archive.js'
import type { TaskCounts } from './counts.js'
import type { NoWorkerPolicy } from './no-worker.js'
import type { Strategy } from './strategies/index.js'
import type { RateLimit } from './rate-limits.js'
import type { RetentionPolicy } from './retention.js'
import type { JsonValue } from './task.js'

export interface SchedulerOptions {
  /** Name of a built-in or registered strategy, or a strategy object. @default 'skill-fit' */
  strategy?: string | Strategy
  /** Extra strategies by name, selectable per task through `TaskSpec.strategy`. */
  strategies?: Record<string, Strategy>
  /** Assign nothing until this many workers have registered (the tutorial's gate). @default 0 */
  expectedWorkers?: number
  /** What happens to a task no registered worker can run. @default 'wait' */
  onNoWorker?: NoWorkerPolicy
  /** How long such a task waits before it fails when `onNoWorker` is 'fail'. @default 30000 */
  noWorkerGraceMs?: number
  /** A worker that renews nothing for this long loses its leases. @default 15000 */
  leaseTtlMs?: number
  /**
   * Distinct workers a task may be lost on (disconnected or silent while running it) before it fails:
   * guards against a task that crashes every worker it meets. Losses on workers that had delivered no
   * result yet are blamed on them, not counted here. @default 10
   */
  maxLostAttempts?: number
  /**
   * Concurrent attempts a newly registered worker may hold; it earns more by delivering (the admin starts
   * workers at 2). @default maxWorkerConcurrency: what each worker asks for
   */
  initialWindow?: number
  /** Most concurrent attempts any worker may hold, whatever it asks for. @default 256 */
  maxWorkerConcurrency?: number
  /**
   * Attempts all workers with no accepted result yet may hold together, whatever their number and names:
   * identities cost nothing, so a window per new worker would be a window per made-up name. @default no limit
   */
  unprovenBudget?: number
  /** Tasks that may be held at once. @default Infinity */
  maxTasks?: number
  /**
   * At most `limit` starts per `periodMs`, across all workers, for the tasks of a type or of a `rateLimitKey`;
   * a task held back is ready, and says which limit holds it. @default none
   */
  rateLimits?: RateLimit[]
  /** Attempts of one task group (`group`) running at once, at most. @default no limit */
  groupConcurrency?: number
  /** Each task group's share of the workers, against the others' (1 for a group not named). @default 1 each */
  groupWeights?: Record<string, number>
  /**
   * Finished tasks are dropped (from memory, and from the journal's archive) this long after they finished,
   * or beyond this many, oldest first; never one a task kept still depends on. @default kept for ever
   */
  retention?: RetentionPolicy
  /** Uniform in [0, 1): jitter, learned strategy. Inject a seeded one for reproducible runs. */
  random?: () => number
  /** Lease tokens. The network edge passes a cryptographic source; the default is only unique, not secret. */
  newToken?: () => string
  /**
   * A worker whose latest heartbeat reports more CPU than this (share of one core) is given nothing new
   * until it reports less. @default no limit
   */
  avoidBusyCpu?: number
  /** Where finished tasks that left memory are read from (the journal's archive). @default one in memory */
  archive?: TaskArchive
}

/** A result a worker reports for an attempt. */
export interface ReportedResult {
  taskId: string
  attempt: number
  token: string
  success: boolean
  output?: JsonValue
  error?: string
  durationMs?: number
  /** The handler said retrying is pointless. */
  unrecoverable?: boolean
}

/**
 * What became of a reported result:
 * - `accepted`: it ended the current attempt;
 * - `duplicate`: that attempt's result was already recorded;
 * - `late`: the attempt had ended without it (timed out, lost); recorded in the history only;
 * - `rejected`: not a lease this worker holds (unknown task, other worker's task, wrong token).
 */
export type ReportOutcome = 'accepted' | 'duplicate' | 'late' | 'rejected'

export interface Lease {
  taskId: string
  attempt: number
  token: string
}

export interface SubmitResult {
  added: string[]
  /** Ids already held: resubmitting a task does not duplicate it. */
  existing: string[]
  /** Tasks not added because their dedup key is held: `task` is the task that holds it, and answers for them. */
  deduplicated?: Array<{ id: string, task: string }>
  /** Of those, the ones whose payload replaced that task's (`debounce`: it had not started). */
  debounced?: string[]
}

export interface Summary {
  total: number
  counts: TaskCounts
  /** Tasks in a final state over all tasks, 0..1. */
  progress: number
  workers: number
}

/** A number that is not one would silently disable a deadline (NaN is never due): refuse it by name. */
export function checkOptions (options: SchedulerOptions): void {
  const problems: Problem[] = []
  const check = (name: keyof SchedulerOptions, min: number, integer: boolean): void => {
    const v = options[name]
    if (v == null) return
    if (typeof v !== 'number' || Number.isNaN(v) || v < min || (integer && Number.isFinite(v) && !Number.isInteger(v))) {
      problems.push({ path: name, message: `must be ${integer ? 'a whole number' : 'a number'} >= ${min}, not ${typeof v === 'number' ? v : JSON.stringify(v)}` })
    }
  }
  check('expectedWorkers', 0, true)
  check('noWorkerGraceMs', 0, false)
  check('leaseTtlMs', 1, false)
  check('maxLostAttempts', 0, true)
  check('initialWindow', 1, true)
  check('maxWorkerConcurrency', 1, true)
  check('maxTasks', 0, true)
  check('unprovenBudget', 1, true)
  check('avoidBusyCpu', 0, false)
  if (options.onNoWorker != null && options.onNoWorker !== 'wait' && options.onNoWorker !== 'fail') problems.push({ path: 'onNoWorker', message: 'must be "wait" or "fail"' })
  const keys = new Set<string>()
  if (options.groupConcurrency != null && !(Number.isInteger(options.groupConcurrency) && options.groupConcurrency >= 1)) problems.push({ path: 'groupConcurrency', message: 'must be a whole number, 1 or more' })
  for (const [group, weight] of Object.entries(options.groupWeights ?? {})) {
    if (!(typeof weight === 'number' && weight > 0 && weight <= 1e6)) problems.push({ path: `groupWeights.${group}`, message: 'must be a number above 0, at most 1000000' })
  }
  const { finishedMs, finishedCount } = options.retention ?? {}
  if (finishedMs != null && !(finishedMs > 0 && Number.isFinite(finishedMs))) problems.push({ path: 'retention.finishedMs', message: 'must be a number of ms above 0' })
  if (finishedCount != null && !(Number.isInteger(finishedCount) && finishedCount >= 0)) problems.push({ path: 'retention.finishedCount', message: 'must be a whole number, 0 or more' })
  for (const [i, l] of (options.rateLimits ?? []).entries()) {
    if (typeof l.key !== 'string' || l.key === '') problems.push({ path: `rateLimits[${i}].key`, message: 'must name a task type or a rate_limit_key' })
    else if (keys.has(l.key)) problems.push({ path: `rateLimits[${i}].key`, message: `"${l.key}" has a limit already: give each key one` })
    keys.add(l.key)
    if (!Number.isInteger(l.limit) || l.limit < 1 || l.limit > MAX_RATE_LIMIT) problems.push({ path: `rateLimits[${i}].limit`, message: `must be a whole number from 1 to ${MAX_RATE_LIMIT}` })
    if (typeof l.periodMs !== 'number' || !(l.periodMs >= 1) || !Number.isFinite(l.periodMs)) problems.push({ path: `rateLimits[${i}].periodMs`, message: 'must be a number of ms, at least 1' })
  }
  if (problems.length > 0) throw new ValidationError(problems, { subject: 'scheduler options' })
}
