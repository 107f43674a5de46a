import { byName, loadOf, type Strategy } from './types.js'

/** The capable worker with the highest registered priority; ties go to the least loaded. Ignores skill. */
export function workerPriority (): Strategy {
  return {
    name: 'priority',
    skillAware: false,
    compare: (a, b) => (b.priority - a.priority) || (loadOf(a) - loadOf(b)) || byName(a, b)
  }
}
