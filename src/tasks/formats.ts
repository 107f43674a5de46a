/**
 * Task input as users write it. Every format of the seeds is accepted as it stands:
 * - the tutorial's `{ id, description, difficulty }` (ids may be numbers);
 * - the coordinator's dicts: `task_id`, `type`, `agent` (pin to a worker name), `depends_on`,
 *   `timeout` (seconds), `priority` (1..10), `retry_policy: { max_attempts, backoff }`;
 * - `run_at` (an ISO 8601 time, or ms since the epoch) or `delay` (seconds): not to start before then;
 * - `collaborative_task` with ordered `steps`;
 * - and camelCase equivalents of every field (`dependsOn`, `timeoutMs`, `requires`, `cacheKey`, ...).
 */
export type TaskInput = Record<string, unknown>

/** Where each field may come from: the first name present wins. */
export const ALIASES = {
  id: ['id', 'task_id', 'taskId'],
  description: ['description'],
  type: ['type', 'task_type', 'taskType'],
  difficulty: ['difficulty'],
  priority: ['priority'],
  requires: ['requires', 'required_capabilities', 'requiredCapabilities', 'capabilities'],
  dependsOn: ['depends_on', 'dependsOn'],
  timeoutSeconds: ['timeout'],
  timeoutMs: ['timeout_ms', 'timeoutMs'],
  retry: ['retry_policy', 'retryPolicy', 'retry'],
  payload: ['payload', 'data', 'task_data'],
  worker: ['agent', 'worker'],
  cacheKey: ['cache_key', 'cacheKey'],
  strategy: ['strategy', 'distribution_strategy'],
  resources: ['resources'],
  cpuRequired: ['cpu_required'],
  memoryRequired: ['memory_required'],
  steps: ['steps'],
  parallel: ['parallel'],
  runAt: ['run_at', 'runAt'],
  delaySeconds: ['delay'],
  delayMs: ['delay_ms', 'delayMs'],
  rateLimitKey: ['rate_limit_key', 'rateLimitKey'],
  group: ['group'],
  dedupKey: ['dedup_key', 'dedupKey'],
  dedupTtl: ['dedup_ttl'],
  dedupTtlMs: ['dedup_ttl_ms', 'dedupTtlMs'],
  debounce: ['debounce']
} as const

/** Priorities as words, as the distribution document writes them (`priority: high`), on the 1..10 scale. */
export const PRIORITY_WORDS: Readonly<Record<string, number>> = { low: 2, medium: 5, normal: 5, high: 8, critical: 10 }

/** Strategy names as the distribution document writes them, for the built-in strategy that does that. */
export const STRATEGY_ALIASES: Readonly<Record<string, string>> = {
  capability_match: 'capability-match',
  round_robin: 'round-robin',
  load_balanced: 'least-loaded',
  priority_based: 'priority',
  skill_fit: 'skill-fit',
  least_loaded: 'least-loaded'
}

/** Fields of the seed formats that have no meaning here and are accepted without effect. */
export const IGNORED = new Set(['url', 'metadata'])
export const KNOWN = new Set<string>([...Object.values(ALIASES).flat(), ...IGNORED])
/** The spelling of each field that messages suggest. */
export const CANONICAL = ['id', 'description', 'type', 'difficulty', 'priority', 'requires', 'depends_on', 'timeout', 'timeout_ms', 'retry_policy', 'payload', 'agent', 'cache_key', 'strategy', 'resources', 'steps', 'parallel', 'run_at', 'delay', 'rate_limit_key', 'group', 'dedup_key', 'dedup_ttl', 'debounce']
/** The `type` of a task that stands for ordered steps. */
export const COLLABORATIVE = 'collaborative_task'
