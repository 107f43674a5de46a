import { byName, type Strategy } from './types.js'

/** The first capable worker, in name order: simple and predictable. Ignores skill. */
export function capabilityMatch (): Strategy {
  return {
    name: 'capability-match',
    skillAware: false,
    compare: byName
  }
}
