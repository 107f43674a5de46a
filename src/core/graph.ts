import { ValidationError, type Problem } from './errors.js'
import type { StrategyRegistry } from './strategy-registry.js'
import type { TaskSpec } from './task.js'

export interface GraphCheckOptions {
  /** Ids the scheduler already holds: new tasks may depend on them. */
  isKnown?: (id: string) => boolean
  /** Path of a task in the caller's input, for messages (`tasks[3]`). */
  pathOf?: (index: number) => string
  /** Name of the dependency field in the caller's input (`depends_on`), per task or for all. */
  dependsOnField?: string | ((index: number) => string)
}

const WHITE = 0
const GREY = 1
const BLACK = 2

/**
 * Checks a batch of tasks as a whole before any is added: its graph against the ids held (see `checkGraph`;
 * not with `'closed'`: the caller checked the batch as a graph of its own), priorities, and strategies; a
 * ValidationError with every problem by path.
 */
export function checkSubmission (specs: readonly TaskSpec[], strategies: Pick<StrategyRegistry, 'knows' | 'names'>, isKnown: ((id: string) => boolean) | 'closed', paths: Pick<GraphCheckOptions, 'pathOf' | 'dependsOnField'> = {}): void {
  const problems = isKnown === 'closed' ? [] : checkGraph(specs, { isKnown, ...paths })
  specs.forEach((spec, i) => {
    if (!Number.isInteger(spec.priority) || spec.priority < 1 || spec.priority > 10) {
      problems.push({ path: `tasks[${i}].priority`, message: 'must be 1..10' })
    }
    if (spec.strategy != null && !strategies.knows(spec.strategy)) {
      problems.push({ path: `tasks[${i}].strategy`, message: `unknown strategy "${spec.strategy}"; strategies are ${strategies.names().join(', ')}` })
    }
  })
  if (problems.length > 0) throw new ValidationError(problems, { subject: 'tasks' })
}

/**
 * Problems with the dependency graph of a batch of tasks: duplicate ids, unknown dependencies and cycles.
 * Linear in tasks plus edges; iterative, so deep chains do not exhaust the stack.
 */
export function checkGraph (specs: readonly TaskSpec[], options: GraphCheckOptions = {}): Problem[] {
  const pathOf = options.pathOf ?? ((i: number) => `tasks[${i}]`)
  const fieldOption = options.dependsOnField ?? 'dependsOn'
  const field = typeof fieldOption === 'string' ? () => fieldOption : fieldOption
  const isKnown = options.isKnown ?? (() => false)
  const problems: Problem[] = []
  const indexOf = new Map<string, number>()

  specs.forEach((spec, i) => {
    const first = indexOf.get(spec.id)
    if (first != null) {
      problems.push({ path: `${pathOf(i)}.id`, message: `duplicate id "${spec.id}" (first used by ${pathOf(first)})` })
    } else {
      indexOf.set(spec.id, i)
    }
  })

  specs.forEach((spec, i) => {
    spec.dependsOn.forEach((dep, j) => {
      if (dep === spec.id) {
        problems.push({ path: `${pathOf(i)}.${field(i)}[${j}]`, message: `task "${spec.id}" depends on itself` })
      } else if (!indexOf.has(dep) && !isKnown(dep)) {
        problems.push({ path: `${pathOf(i)}.${field(i)}[${j}]`, message: `unknown task "${dep}"` })
      }
    })
  })

  for (const cycle of findCycles(specs, indexOf)) {
    problems.push({ path: 'cycle', message: cycle.join(' -> ') })
  }
  return problems
}

/** Each cycle among the new tasks once, as the ids along it with the first repeated at the end. */
function findCycles (specs: readonly TaskSpec[], indexOf: Map<string, number>): string[][] {
  const color = new Uint8Array(specs.length)
  const cycles: string[][] = []
  // explicit stack of [task index, next dependency position]
  const stack: Array<[number, number]> = []

  for (let root = 0; root < specs.length; root++) {
    if (color[root] !== WHITE) continue
    // a task without dependencies closes no cycle
    if (specs[root]!.dependsOn.length === 0) {
      color[root] = BLACK
      continue
    }
    if (indexOf.get(specs[root]!.id) !== root) continue
    stack.push([root, 0])
    color[root] = GREY
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!
      const [node, next] = frame
      const deps = specs[node]!.dependsOn
      if (next >= deps.length) {
        color[node] = BLACK
        stack.pop()
        continue
      }
      frame[1] = next + 1
      const dep = indexOf.get(deps[next]!)
      if (dep == null || dep === node) continue
      if (color[dep] === WHITE) {
        color[dep] = GREY
        stack.push([dep, 0])
      } else if (color[dep] === GREY) {
        const from = stack.findIndex(([n]) => n === dep)
        const ids = stack.slice(from).map(([n]) => specs[n]!.id)
        // a task is listed with the tasks it depends on after it: a -> b means a depends on b
        cycles.push([...ids, specs[dep]!.id])
      }
    }
  }
  return cycles
}

/** Tasks ordered so every task comes after the tasks it depends on; otherwise in the given order. */
export function topologicalOrder (specs: readonly TaskSpec[]): readonly TaskSpec[] {
  if (specs.every(s => s.dependsOn.length === 0)) return specs
  const inBatch = new Map(specs.map(s => [s.id, s]))
  const remaining = new Map<string, number>()
  const dependents = new Map<string, string[]>()
  for (const s of specs) {
    let n = 0
    for (const d of s.dependsOn) {
      if (!inBatch.has(d)) continue
      n++
      let list = dependents.get(d)
      if (list == null) dependents.set(d, list = [])
      list.push(s.id)
    }
    remaining.set(s.id, n)
  }
  const order: TaskSpec[] = []
  const stack = specs.filter(s => remaining.get(s.id) === 0).reverse()
  while (stack.length > 0) {
    const s = stack.pop()!
    order.push(s)
    const next = (dependents.get(s.id) ?? []).filter(id => {
      const left = remaining.get(id)! - 1
      remaining.set(id, left)
      return left === 0
    })
    for (let i = next.length - 1; i >= 0; i--) stack.push(inBatch.get(next[i]!)!)
  }
  return order
}
