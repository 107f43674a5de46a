import { capabilityMatch } from './capability-match.js'
import { learned } from './learned.js'
import { leastLoaded } from './least-loaded.js'
import { workerPriority } from './priority.js'
import { roundRobin } from './round-robin.js'
import { skillFit } from './skill-fit.js'
import type { Strategy, StrategyContext } from './types.js'
import type { WorkerInfo } from '../registry.js'
import type { TaskSpec } from '../task.js'

export type { Strategy, StrategyContext, Observation } from './types.js'
export { sampleBeta } from './learned.js'

export const BUILT_IN_STRATEGIES = ['skill-fit', 'capability-match', 'round-robin', 'least-loaded', 'priority', 'learned'] as const
export type BuiltInStrategy = typeof BUILT_IN_STRATEGIES[number]

export function isBuiltInStrategy (name: string): name is BuiltInStrategy {
  return (BUILT_IN_STRATEGIES as readonly string[]).includes(name)
}

/** A fresh instance of a built-in strategy (strategies keep state, such as the round-robin position). */
export function createStrategy (name: BuiltInStrategy, ctx: StrategyContext): Strategy {
  switch (name) {
    case 'skill-fit': return skillFit()
    case 'capability-match': return capabilityMatch()
    case 'round-robin': return roundRobin()
    case 'least-loaded': return leastLoaded()
    case 'priority': return workerPriority()
    case 'learned': return learned(ctx)
  }
}

/** A select function as a strategy: the shape users write for `custom`. */
export type SelectFunction = (task: TaskSpec, candidates: readonly WorkerInfo[]) => WorkerInfo | string | undefined

export function customStrategy (select: SelectFunction, options: { name?: string, skillAware?: boolean } = {}): Strategy {
  return { name: options.name ?? 'custom', skillAware: options.skillAware ?? false, select }
}
