import type { WorkerInfo } from '../registry.js'
import type { AttemptOutcome, TaskSpec } from '../task.js'

/** What a strategy learns from: one attempt that ended. */
export interface Observation {
  task: TaskSpec
  worker: WorkerInfo
  outcome: AttemptOutcome
  durationMs: number
}

/**
 * How a task is spread over workers. Hard constraints are applied before a strategy is asked: every
 * candidate is online, has free capacity, holds the task's capabilities, matches its pin and, when
 * `skillAware` is true, has skill >= the task's difficulty. A strategy only orders what is left.
 *
 * Implement `compare` when the choice is "the best worker by some order" (the scheduler scans candidates
 * without allocating), or `select` when it needs all candidates at once.
 */
export interface Strategy {
  readonly name: string
  /** Difficulty is a hard constraint: only workers with skill >= difficulty are candidates. */
  readonly skillAware: boolean
  /** Negative when `a` is the better worker for the task. */
  compare?(a: WorkerInfo, b: WorkerInfo, task: TaskSpec): number
  /**
   * `compare` ranks a lower skill first, before anything else. The scheduler then stops scanning
   * candidates (kept in skill order) at the first skill level with an eligible worker.
   */
  readonly prefersLowerSkill?: boolean
  /** Choose one of the candidates (by object or id); undefined leaves the task waiting. */
  select?(task: TaskSpec, candidates: readonly WorkerInfo[]): WorkerInfo | string | undefined
  /** The scheduler gave the task to the worker. */
  assigned?(task: TaskSpec, worker: WorkerInfo): void
  /** An attempt ended; learning strategies update their estimates. */
  observe?(observation: Observation): void
}

export interface StrategyContext {
  /** Uniform in [0, 1). Injected so runs can be reproduced. */
  random: () => number
}

/**
 * Final tie-break of every built-in strategy: name, then peer id, so decisions never depend on connect
 * order. Registered workers carry that order as an integer rank; others are compared by their names.
 */
export function byName (a: WorkerInfo, b: WorkerInfo): number {
  if (a.rank != null && b.rank != null) return a.rank - b.rank
  const ka = `${a.name}\u0000${a.id}`
  const kb = `${b.name}\u0000${b.id}`
  return ka < kb ? -1 : ka > kb ? 1 : 0
}

export function loadOf (w: WorkerInfo): number {
  return w.running / w.capacity
}
