import { byName, loadOf, type Strategy } from './types.js'

/** The capable worker with the lowest running/capacity ratio. Ignores skill. */
export function leastLoaded (): Strategy {
  return {
    name: 'least-loaded',
    skillAware: false,
    compare: (a, b) => (loadOf(a) - loadOf(b)) || byName(a, b)
  }
}
