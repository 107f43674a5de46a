import { closest } from '../util/suggest.js'
import { LIMITS } from './constants.js'
import { ALIASES, CANONICAL, IGNORED, KNOWN } from './formats.js'
import type { Problem } from '../errors.js'

/**
 * Readers of one field of a task as users write it: the first of its names present wins, and a value
 * that does not fit is reported as a problem with its path (the value is then left out).
 */

export function keyOf (raw: Record<string, unknown>, names: readonly string[]): string {
  return names.find(n => raw[n] !== undefined) ?? names[0]!
}

export function read (raw: Record<string, unknown>, names: readonly string[]): unknown {
  for (const n of names) if (raw[n] !== undefined) return raw[n]
  return undefined
}

export function depsFieldOf (raw: Record<string, unknown>): string {
  return keyOf(raw, ALIASES.dependsOn)
}

/** A field of a task, as `ALIASES` names it. */
export type Field = keyof typeof ALIASES

const FIELDS = Object.keys(ALIASES) as Field[]
if (FIELDS.length > 31) throw new Error('more than 31 task fields: GivenFields needs more than one number')
/** Each field's bit in the set of fields a task gives (see `checkFields`): 31 fields at most. */
const BIT = Object.fromEntries(FIELDS.map((field, i) => [field, 1 << i])) as Record<Field, number>
const ALL_FIELDS = 2 ** FIELDS.length - 1
/** Each name of a field, to its field's bit. */
const BIT_OF = new Map<string, number>(FIELDS.flatMap(field => ALIASES[field].map(n => [n, BIT[field]] as const)))

/** The fields a task gives, each as one bit (see {@link gives}). */
export type GivenFields = number

/** Whether the task gives `field` (under any of its names). */
export function gives (given: GivenFields, field: Field): boolean {
  return (given & BIT[field]) !== 0
}

/** Whether the task gives any of `fields`. */
export function givesAny (given: GivenFields, fields: number): boolean {
  return (given & fields) !== 0
}

/** The bits of these fields, for {@link givesAny}. */
export function fieldBits (...fields: Field[]): number {
  return fields.reduce((bits, field) => bits | BIT[field], 0)
}

/** Each field's names, those that have more than one. */
const SYNONYMS: ReadonlyArray<readonly string[]> = Object.values(ALIASES).filter(names => names.length > 1)

/**
 * Reports fields no task has and fields given under two names; returns the fields the task gives, so
 * readers need not look for the many it does not (a task of a large file gives two or three).
 */
export function checkFields (raw: Record<string, unknown>, path: string, problems: Problem[]): GivenFields {
  let given = 0
  // what JSON and YAML make; the fields of anything else may be its prototype's, which `for…in` does not list
  const plain = isPlain(raw)
  let twice = !plain
  for (const key in raw) {
    const bit = BIT_OF.get(key)
    if (bit !== undefined) {
      if ((given & bit) !== 0) twice = true
      given |= bit
    } else if (!IGNORED.has(key)) {
      const near = closest(key, KNOWN)
      problems.push({ path: `${path}.${key}`, message: near != null ? `unknown field; did you mean "${near}"?` : `unknown field; fields are ${CANONICAL.join(', ')}` })
    }
  }
  if (!twice) return given
  for (const names of SYNONYMS) {
    const present = names.filter(n => raw[n] !== undefined)
    if (present.length >= 2) problems.push({ path: `${path}.${present[1]}`, message: `same field as "${present[0]}"; give only one of ${present.join(', ')}` })
  }
  return plain ? given : ALL_FIELDS
}

function isPlain (raw: object): boolean {
  const proto = Object.getPrototypeOf(raw) as unknown
  return proto === Object.prototype || proto === null
}

export function readId (raw: Record<string, unknown>, path: string, problems: Problem[]): string | undefined {
  const value = read(raw, ALIASES.id)
  if (typeof value === 'string' && value.length <= LIMITS.id && value.trim() !== '') return value
  const at = `${path}.${keyOf(raw, ALIASES.id)}`
  if (value === undefined) {
    problems.push({ path: `${path}.id`, message: 'missing (every task needs an id, or task_id)' })
    return undefined
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ path: at, message: 'must be a non-empty string or a number' })
    return undefined
  }
  if (value.length > LIMITS.id) {
    problems.push({ path: at, message: `is ${value.length} characters long, more than ${LIMITS.id}` })
    return undefined
  }
  return value
}

export function readString (raw: Record<string, unknown>, names: readonly string[], path: string, problems: Problem[], maxLength: number): string | undefined {
  const value = read(raw, names)
  if (value === undefined) return undefined
  if (typeof value !== 'string') {
    problems.push({ path: `${path}.${keyOf(raw, names)}`, message: 'must be a string' })
    return undefined
  }
  if (value.length > maxLength) {
    problems.push({ path: `${path}.${keyOf(raw, names)}`, message: `is ${value.length} characters long, more than ${maxLength}` })
    return undefined
  }
  return value
}

export function readNumber (raw: Record<string, unknown>, names: readonly string[], path: string, problems: Problem[], range: { min?: number, max?: number, integer?: boolean, exclusiveMin?: boolean }): number | undefined {
  const value = read(raw, names)
  if (value === undefined) return undefined
  const at = `${path}.${keyOf(raw, names)}`
  const describe = range.max != null ? `${range.min ?? '-inf'}..${range.max}` : range.exclusiveMin === true ? `greater than ${range.min}` : `at least ${range.min}`
  if (typeof value !== 'number' || !Number.isFinite(value) || (range.integer === true && !Number.isInteger(value))) {
    problems.push({ path: at, message: `must be ${range.integer === true ? 'an integer' : 'a number'} ${describe}` })
    return undefined
  }
  const low = range.min != null && (range.exclusiveMin === true ? value <= range.min : value < range.min)
  if (low || (range.max != null && value > range.max)) {
    problems.push({ path: at, message: `must be ${describe}` })
    return undefined
  }
  return value
}

/** A list that is not given: one frozen empty list for every task that has none. */
export const NO_NAMES: string[] = Object.freeze([]) as unknown as string[]

/** A list of names; `at` names it in problems (`path.field`, built only when there is one). */
export function readStringList (raw: Record<string, unknown>, names: readonly string[], at: string | (() => string), problems: Problem[], maxItems = Infinity, maxLength = Infinity): string[] {
  const value = read(raw, names)
  if (value === undefined) return NO_NAMES
  if (typeof at === 'function') at = at()
  const list = typeof value === 'string' || typeof value === 'number' ? [value] : value
  if (!Array.isArray(list)) {
    problems.push({ path: at, message: 'must be a list of names' })
    return []
  }
  if (list.length > maxItems) {
    problems.push({ path: at, message: `has ${list.length} entries, more than ${maxItems}` })
    return []
  }
  const out: string[] = []
  list.forEach((item, i) => {
    if (typeof item === 'number' && Number.isFinite(item)) out.push(String(item))
    else if (typeof item === 'string' && item !== '' && item.length <= maxLength) out.push(item)
    else if (typeof item === 'string' && item.length > maxLength) problems.push({ path: `${at}[${i}]`, message: `is ${item.length} characters long, more than ${maxLength}` })
    else problems.push({ path: `${at}[${i}]`, message: 'must be a non-empty string' })
  })
  return [...new Set(out)]
}
