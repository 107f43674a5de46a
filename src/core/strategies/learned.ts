import { byName, loadOf, type Observation, type Strategy, type StrategyContext } from './types.js'
import type { WorkerInfo } from '../registry.js'
import type { TaskSpec } from '../task.js'

export interface LearnedOptions {
  /** Weight of speed against success (0 ignores duration). @default 0.3 */
  durationWeight?: number
  /** Smoothing of the duration moving average. @default 0.2 */
  alpha?: number
}

/** What the strategy believes about one worker on one task type. */
export interface Belief {
  successes: number
  failures: number
  /** Exponential moving average of successful attempt durations, ms; undefined before the first. */
  meanMs?: number
}

/**
 * Learns each worker's success rate and speed per task type from the results it sees, and balances
 * exploration and exploitation by Thompson sampling: every decision draws a success probability from each
 * candidate's Beta(successes + 1, failures + 1) posterior and picks the best draw, less a penalty for being
 * slower than the other candidates. A worker with little history has a wide posterior, so it still gets tried.
 * Skill stays a hard constraint, so learning never costs a task a worker that is known to be too weak.
 */
export function learned (ctx: StrategyContext, options: LearnedOptions = {}): Strategy & { belief(worker: string, type: string): Belief } {
  const durationWeight = options.durationWeight ?? 0.3
  const alpha = options.alpha ?? 0.2
  const beliefs = new Map<string, Belief>()
  const key = (worker: string, type: string): string => `${worker}\u0000${type}`
  const beliefOf = (worker: string, type: string): Belief => {
    let b = beliefs.get(key(worker, type))
    if (b == null) beliefs.set(key(worker, type), b = { successes: 0, failures: 0 })
    return b
  }

  return {
    name: 'learned',
    skillAware: true,
    belief: (worker, type) => ({ ...beliefOf(worker, type) }),
    select (task: TaskSpec, candidates: readonly WorkerInfo[]) {
      let slowest = 0
      for (const w of candidates) slowest = Math.max(slowest, beliefs.get(key(w.name, task.type))?.meanMs ?? 0)
      let best: WorkerInfo | undefined
      let bestScore = -Infinity
      for (const w of candidates) {
        const b = beliefs.get(key(w.name, task.type))
        const p = sampleBeta((b?.successes ?? 0) + 1, (b?.failures ?? 0) + 1, ctx.random)
        // unknown speed counts as average, so a new worker is neither favoured nor punished for it
        const relative = slowest === 0 ? 0.5 : (b?.meanMs ?? slowest / 2) / slowest
        const score = p - durationWeight * relative
        if (best == null || score > bestScore || (score === bestScore && ((loadOf(w) - loadOf(best)) || byName(w, best)) < 0)) {
          best = w
          bestScore = score
        }
      }
      return best
    },
    observe ({ task, worker, outcome, durationMs }: Observation) {
      if (outcome !== 'succeeded' && outcome !== 'failed' && outcome !== 'timed-out') return
      const b = beliefOf(worker.name, task.type)
      if (outcome === 'succeeded') {
        b.successes++
        b.meanMs = b.meanMs == null ? durationMs : b.meanMs + alpha * (durationMs - b.meanMs)
      } else {
        b.failures++
      }
    }
  }
}

/** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function sampleBeta (a: number, b: number, random: () => number): number {
  const x = sampleGamma(a, random)
  const y = sampleGamma(b, random)
  return x / (x + y)
}

/** Marsaglia and Tsang's method, for shape >= 1 (all our shapes are counts plus one). */
function sampleGamma (shape: number, random: () => number): number {
  const d = shape - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (;;) {
    let x: number
    let v: number
    do {
      x = normal(random)
      v = 1 + c * x
    } while (v <= 0)
    v = v * v * v
    const u = random()
    if (u < 1 - 0.0331 * x * x * x * x) return d * v
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v
  }
}

function normal (random: () => number): number {
  // Box-Muller; 1 - random() keeps the logarithm finite
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}
