import { byName, type Strategy } from './types.js'
import type { WorkerInfo } from '../registry.js'

/**
 * Takes capable workers in turn, in name order, starting after the worker that got the previous task.
 * Ignores skill, which is what makes it a useful baseline against the skill-aware strategies.
 */
export function roundRobin (): Strategy {
  let last: WorkerInfo | undefined
  // workers after the previous one come first, then the rotation wraps around
  const wrapped = (w: WorkerInfo): number => last == null || byName(w, last) > 0 ? 0 : 1
  return {
    name: 'round-robin',
    skillAware: false,
    compare: (a, b) => (wrapped(a) - wrapped(b)) || byName(a, b),
    assigned: (_task, worker) => { last = worker }
  }
}
