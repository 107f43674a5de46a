import { byName, loadOf, type Strategy } from './types.js'

/**
 * The tutorial's rule made exact: the worker with the smallest skill that still covers the difficulty, so
 * strong workers stay free for hard tasks. Among equal skills the least loaded goes first.
 */
export function skillFit (): Strategy {
  return {
    name: 'skill-fit',
    skillAware: true,
    prefersLowerSkill: true,
    compare: (a, b) => (a.skill - b.skill) || (loadOf(a) - loadOf(b)) || byName(a, b)
  }
}
