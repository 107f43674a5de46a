import { checkGraph } from '../core/graph.js'
import { DEFAULT_PRIORITY, DEFAULT_RETRY, DEFAULT_TYPE } from '../core/constants.js'
import type { JsonValue, RetryPolicy, TaskSpec } from '../core/task.js'
import { ValidationError, type Problem } from '../errors.js'

/**
 * Task input as users write it. Every format of the seeds is accepted as it stands:
 * - the tutorial's `{ id, description, difficulty }` (ids may be numbers);
 * - the coordinator's dicts: `task_id`, `type`, `agent` (pin to a worker name), `depends_on`,
 *   `timeout` (seconds), `priority` (1..10), `retry_policy: { max_attempts, backoff }`;
 * - `collaborative_task` with ordered `steps`;
 * - and camelCase equivalents of every field (`dependsOn`, `timeoutMs`, `requires`, `cacheKey`, ...).
 */
export type TaskInput = Record<string, unknown>

export interface NormalizeResult {
  specs: TaskSpec[]
  problems: Problem[]
}

/** Where each field may come from: the first name present wins. */
const ALIASES = {
  id: ['id', 'task_id', 'taskId'],
  description: ['description'],
  type: ['type'],
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
  strategy: ['strategy'],
  steps: ['steps'],
  parallel: ['parallel']
} as const

/** Bounds on task fields, so hostile input is refused by name rather than carried around. */
export const LIMITS = {
  id: 512,
  label: 128,
  description: 64 * 1024,
  requires: 64,
  dependsOn: 10_000
} as const

/** Fields of the seed formats that have no meaning here and are accepted without effect. */
const IGNORED = new Set(['url', 'metadata'])
const KNOWN = new Set<string>([...Object.values(ALIASES).flat(), ...IGNORED])
/** The spelling of each field that messages suggest. */
const CANONICAL = ['id', 'description', 'type', 'difficulty', 'priority', 'requires', 'depends_on', 'timeout', 'timeout_ms', 'retry_policy', 'payload', 'agent', 'cache_key', 'strategy', 'steps', 'parallel']
const COLLABORATIVE = 'collaborative_task'

interface Source {
  path: string
  /** Field name the task used for its dependencies, for messages. */
  depsField: string
}

/**
 * Turns task input (a list, `{ tasks: [...] }`, or one task) into task specs, checking every field and the
 * dependency graph. All problems are returned together, each with its path; `specs` is only meaningful
 * when there are none.
 */
export interface NormalizeOptions {
  /** Ids that exist already (on the admin): new tasks may depend on them. */
  isKnown?: (id: string) => boolean
}

export function normalizeTasks (input: unknown, options: NormalizeOptions = {}): NormalizeResult {
  const problems: Problem[] = []
  const specs: TaskSpec[] = []
  const sources: Source[] = []
  /** Collaborative task ids, and the final steps each stands for. */
  const groups = new Map<string, { path: string, steps: string[] }>()
  let list: unknown[]
  if (Array.isArray(input)) {
    list = input
  } else if (isRecord(input) && Array.isArray(input.tasks)) {
    list = input.tasks
    for (const key of Object.keys(input)) if (key !== 'tasks') problems.push({ path: key, message: 'unknown top-level field (expected only "tasks")' })
  } else if (isRecord(input)) {
    list = [input]
  } else {
    return { specs, problems: [{ path: '', message: 'expected a list of tasks, or an object with a "tasks" list' }] }
  }
  if (list.length === 0) problems.push({ path: 'tasks', message: 'no tasks' })

  list.forEach((raw, i) => {
    const path = `tasks[${i}]`
    if (!isRecord(raw)) {
      problems.push({ path, message: 'must be an object' })
      return
    }
    if (raw.type === COLLABORATIVE || read(raw, ALIASES.steps) !== undefined) {
      expandCollaborative(raw, path, { specs, sources, problems, groups })
    } else {
      const spec = readTask(raw, path, problems)
      if (spec != null) {
        specs.push(spec)
        sources.push({ path, depsField: depsFieldOf(raw) })
      }
    }
  })

  for (const [id, group] of groups) {
    if (specs.some(s => s.id === id)) problems.push({ path: `${group.path}.task_id`, message: `duplicate id "${id}": a collaborative task and a task share it` })
  }
  for (const spec of specs) {
    if (spec.dependsOn.some(d => groups.has(d))) spec.dependsOn = [...new Set(spec.dependsOn.flatMap(d => groups.get(d)?.steps ?? [d]))]
  }
  problems.push(...checkGraph(specs, {
    ...(options.isKnown != null ? { isKnown: options.isKnown } : {}),
    pathOf: i => sources[i]?.path ?? `tasks[${i}]`,
    dependsOnField: i => sources[i]?.depsField ?? 'depends_on'
  }))
  return { specs, problems }
}

/** Task specs from input in any accepted format; throws a ValidationError listing every problem. */
export function toTaskSpecs (input: unknown, options: NormalizeOptions & { subject?: string } = {}): TaskSpec[] {
  const { specs, problems } = normalizeTasks(input, options)
  if (problems.length > 0) throw new ValidationError(problems, { subject: options.subject ?? 'tasks' })
  return specs
}

/**
 * A collaborative task becomes its steps. Each step depends on the steps of the stage before it; a step
 * marked `parallel: true` joins the current stage instead of starting a new one; explicit `depends_on`
 * inside a step replaces the implicit order. Other tasks may depend on the collaborative task's id: that
 * stands for all its steps that no other step depends on.
 */
interface Expansion {
  specs: TaskSpec[]
  sources: Source[]
  problems: Problem[]
  groups: Map<string, { path: string, steps: string[] }>
}

function expandCollaborative (raw: Record<string, unknown>, path: string, { specs, sources, problems, groups }: Expansion): void {
  const parentId = readId(raw, path, problems)
  const steps = read(raw, ALIASES.steps)
  if (!Array.isArray(steps) || steps.length === 0) {
    problems.push({ path: `${path}.steps`, message: 'a collaborative task needs a non-empty list of steps' })
    return
  }
  checkFields(raw, path, problems)
  // the parent's settings are defaults for its steps
  const inherited: Record<string, unknown> = {}
  for (const name of ['priority', 'timeout', 'timeout_ms', 'timeoutMs', 'retry_policy', 'retryPolicy', 'requires', 'required_capabilities', 'agent', 'worker', 'strategy']) {
    if (raw[name] !== undefined) inherited[name] = raw[name]
  }
  const parentDeps = readStringList(raw, ALIASES.dependsOn, `${path}.${depsFieldOf(raw)}`, problems)
  let stage: string[] = []
  let stageDeps: string[] = parentDeps
  const stepIds: string[] = []
  const dependedOn = new Set<string>()

  steps.forEach((rawStep, j) => {
    const stepPath = `${path}.steps[${j}]`
    if (!isRecord(rawStep)) {
      problems.push({ path: stepPath, message: 'must be an object' })
      return
    }
    const step: Record<string, unknown> = { ...inherited, ...rawStep }
    if (read(step, ALIASES.id) === undefined && parentId != null) step.task_id = `${parentId}.step${j + 1}`
    const parallel = read(rawStep, ALIASES.parallel)
    if (parallel !== undefined && typeof parallel !== 'boolean') problems.push({ path: `${stepPath}.parallel`, message: 'must be true or false' })
    if (parallel !== true || j === 0) {
      if (j > 0) stageDeps = stage
      stage = []
    }
    const explicit = read(rawStep, ALIASES.dependsOn) !== undefined
    const spec = readTask(step, stepPath, problems)
    if (spec == null) return
    if (!explicit) spec.dependsOn = [...stageDeps]
    stage.push(spec.id)
    stepIds.push(spec.id)
    for (const d of spec.dependsOn) dependedOn.add(d)
    specs.push(spec)
    sources.push({ path: stepPath, depsField: depsFieldOf(rawStep) })
  })
  if (parentId != null) groups.set(parentId, { path, steps: stepIds.filter(id => !dependedOn.has(id)) })
}

function readTask (raw: Record<string, unknown>, path: string, problems: Problem[]): TaskSpec | undefined {
  checkFields(raw, path, problems)
  const id = readId(raw, path, problems)
  const spec: TaskSpec = {
    id: id ?? '',
    description: readString(raw, ALIASES.description, path, problems, LIMITS.description) ?? '',
    type: readString(raw, ALIASES.type, path, problems, LIMITS.label) ?? DEFAULT_TYPE,
    difficulty: readNumber(raw, ALIASES.difficulty, path, problems, { min: 0 }) ?? 0,
    priority: readNumber(raw, ALIASES.priority, path, problems, { min: 1, max: 10, integer: true }) ?? DEFAULT_PRIORITY,
    requires: readStringList(raw, ALIASES.requires, `${path}.${keyOf(raw, ALIASES.requires)}`, problems, LIMITS.requires, LIMITS.label),
    dependsOn: readStringList(raw, ALIASES.dependsOn, `${path}.${depsFieldOf(raw)}`, problems, LIMITS.dependsOn, LIMITS.id),
    retry: readRetry(raw, path, problems)
  }
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
  if (strategy != null) spec.strategy = strategy
  // a task with problems elsewhere still takes part in the graph check, so a cycle through it is reported too
  return id != null ? spec : undefined
}

function readRetry (raw: Record<string, unknown>, path: string, problems: Problem[]): RetryPolicy {
  const value = read(raw, ALIASES.retry)
  const policy: RetryPolicy = { ...DEFAULT_RETRY }
  if (value === undefined) return policy
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
  const initialS = readNumber(value, ['initial_delay'], at, problems, { min: 0 })
  const initialMs = readNumber(value, ['initialDelayMs'], at, problems, { min: 0 })
  if (initialMs != null) policy.initialDelayMs = initialMs
  else if (initialS != null) policy.initialDelayMs = initialS * 1000
  const maxS = readNumber(value, ['max_delay'], at, problems, { min: 0 })
  const maxMs = readNumber(value, ['maxDelayMs'], at, problems, { min: 0 })
  if (maxMs != null) policy.maxDelayMs = maxMs
  else if (maxS != null) policy.maxDelayMs = maxS * 1000
  const jitter = readNumber(value, ['jitter'], at, problems, { min: 0, max: 1 })
  if (jitter != null) policy.jitter = jitter
  return policy
}

// ---------------------------------------------------------------- field readers

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function keyOf (raw: Record<string, unknown>, names: readonly string[]): string {
  return names.find(n => raw[n] !== undefined) ?? names[0]!
}

function read (raw: Record<string, unknown>, names: readonly string[]): unknown {
  for (const n of names) if (raw[n] !== undefined) return raw[n]
  return undefined
}

function depsFieldOf (raw: Record<string, unknown>): string {
  return keyOf(raw, ALIASES.dependsOn)
}

function checkFields (raw: Record<string, unknown>, path: string, problems: Problem[]): void {
  for (const key of Object.keys(raw)) {
    if (!KNOWN.has(key)) {
      const near = [...KNOWN].find(k => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2)
      problems.push({ path: `${path}.${key}`, message: near != null ? `unknown field; did you mean "${near}"?` : `unknown field; fields are ${CANONICAL.join(', ')}` })
    }
  }
  for (const names of Object.values(ALIASES)) {
    const present = names.filter(n => raw[n] !== undefined)
    if (present.length > 1) problems.push({ path: `${path}.${present[1]}`, message: `same field as "${present[0]}"; give only one of ${present.join(', ')}` })
  }
}

function readId (raw: Record<string, unknown>, path: string, problems: Problem[]): string | undefined {
  const value = read(raw, ALIASES.id)
  const at = `${path}.${keyOf(raw, ALIASES.id)}`
  if (value === undefined) {
    problems.push({ path: `${path}.id`, message: 'missing (every task needs an id, or task_id)' })
    return undefined
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ path: at, message: 'must be a non-empty string or a number' })
    return undefined
  }
  if (value.length > LIMITS.id) {
    problems.push({ path: at, message: `is ${value.length} characters long, more than ${LIMITS.id}` })
    return undefined
  }
  return value
}

function readString (raw: Record<string, unknown>, names: readonly string[], path: string, problems: Problem[], maxLength: number): string | undefined {
  const value = read(raw, names)
  if (value === undefined) return undefined
  if (typeof value !== 'string') {
    problems.push({ path: `${path}.${keyOf(raw, names)}`, message: 'must be a string' })
    return undefined
  }
  if (value.length > maxLength) {
    problems.push({ path: `${path}.${keyOf(raw, names)}`, message: `is ${value.length} characters long, more than ${maxLength}` })
    return undefined
  }
  return value
}

function readNumber (raw: Record<string, unknown>, names: readonly string[], path: string, problems: Problem[], range: { min?: number, max?: number, integer?: boolean, exclusiveMin?: boolean }): number | undefined {
  const value = read(raw, names)
  if (value === undefined) return undefined
  const at = `${path}.${keyOf(raw, names)}`
  const describe = range.max != null ? `${range.min ?? '-inf'}..${range.max}` : range.exclusiveMin === true ? `greater than ${range.min}` : `at least ${range.min}`
  if (typeof value !== 'number' || !Number.isFinite(value) || (range.integer === true && !Number.isInteger(value))) {
    problems.push({ path: at, message: `must be ${range.integer === true ? 'an integer' : 'a number'} ${describe}` })
    return undefined
  }
  const low = range.min != null && (range.exclusiveMin === true ? value <= range.min : value < range.min)
  if (low || (range.max != null && value > range.max)) {
    problems.push({ path: at, message: `must be ${describe}` })
    return undefined
  }
  return value
}

function readStringList (raw: Record<string, unknown>, names: readonly string[], at: string, problems: Problem[], maxItems = Infinity, maxLength = Infinity): string[] {
  const value = read(raw, names)
  if (value === undefined) return []
  const list = typeof value === 'string' || typeof value === 'number' ? [value] : value
  if (!Array.isArray(list)) {
    problems.push({ path: at, message: 'must be a list of names' })
    return []
  }
  if (list.length > maxItems) {
    problems.push({ path: at, message: `has ${list.length} entries, more than ${maxItems}` })
    return []
  }
  const out: string[] = []
  list.forEach((item, i) => {
    if (typeof item === 'number' && Number.isFinite(item)) out.push(String(item))
    else if (typeof item === 'string' && item !== '' && item.length <= maxLength) out.push(item)
    else if (typeof item === 'string' && item.length > maxLength) problems.push({ path: `${at}[${i}]`, message: `is ${item.length} characters long, more than ${maxLength}` })
    else problems.push({ path: `${at}[${i}]`, message: 'must be a non-empty string' })
  })
  return [...new Set(out)]
}

function editDistance (a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]!
}

/** Payloads travel as JSON: refuse values JSON cannot carry, and nesting deeper than the limit. */
export const MAX_PAYLOAD_DEPTH = 64

function jsonProblem (value: unknown): string | undefined {
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return `contains ${v}, which JSON cannot carry`
      continue
    }
    if (typeof v !== 'object') return `contains a ${typeof v}, which JSON cannot carry`
    if (depth > MAX_PAYLOAD_DEPTH) return `nested more than ${MAX_PAYLOAD_DEPTH} levels deep`
    const children = Array.isArray(v) ? v : Object.values(v)
    for (const c of children) stack.push([c, depth + 1])
  }
  return undefined
}

/** Defaults of a task the way the seed files would leave them, for documentation. */
export const TASK_DEFAULTS = { type: DEFAULT_TYPE, priority: DEFAULT_PRIORITY, retry: DEFAULT_RETRY }
