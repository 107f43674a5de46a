import { MAX_STRATEGIES } from './constants.js'
import { ValidationError } from './errors.js'
import { createStrategy, BUILT_IN_STRATEGIES, isBuiltInStrategy, type Strategy } from './strategies/index.js'
import type { TaskSpec } from './task.js'

/**
 * The strategies a scheduler uses: its default, those registered by name, and built-in ones created when a
 * task first names them. Each gets a small slot number for the integer keys of the scheduling pass.
 */
export class StrategyRegistry {
  readonly default: Strategy
  private readonly byName = new Map<string, Strategy>()
  private readonly slots = new Map<Strategy, number>()
  private readonly random: () => number

  constructor (chosen: string | Strategy, registered: Record<string, Strategy>, random: () => number) {
    this.random = random
    for (const [name, strategy] of Object.entries(registered)) this.byName.set(name, strategy)
    this.default = typeof chosen === 'string' ? this.named(chosen) : chosen
    this.byName.set(this.default.name, this.default)
  }

  /** A strategy name a task may use: built in, or registered. */
  knows (name: string): boolean {
    return this.byName.has(name) || isBuiltInStrategy(name)
  }

  /** Every name a task may use. */
  names (): string[] {
    return [...new Set([...BUILT_IN_STRATEGIES, ...this.byName.keys()])]
  }

  /** The strategy that decides for this task: its own, or the default. */
  for (spec: TaskSpec): Strategy {
    return spec.strategy == null ? this.default : this.named(spec.strategy)
  }

  named (name: string): Strategy {
    let strategy = this.byName.get(name)
    if (strategy == null) {
      if (!isBuiltInStrategy(name)) {
        throw new ValidationError([{ path: 'strategy', message: `unknown strategy "${name}"` }], { subject: 'scheduler options' })
      }
      strategy = createStrategy(name, { random: this.random })
      this.byName.set(name, strategy)
    }
    return strategy
  }

  /** A small number per strategy in use, for the integer keys of the scheduling pass. */
  slot (strategy: Strategy): number {
    let slot = this.slots.get(strategy)
    if (slot == null) {
      slot = this.slots.size % MAX_STRATEGIES
      this.slots.set(strategy, slot)
    }
    return slot
  }
}
