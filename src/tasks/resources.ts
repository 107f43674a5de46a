import { isRecord } from '../util/records.js'
import type { Resources } from '../core/resources.js'
import type { Problem } from '../errors.js'

/** Bounds on declared resources, so a hostile file or flag is refused by name. */
export const RESOURCE_LIMITS = { names: 32, name: 128 } as const

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  ki: 1024, kib: 1024, mi: 1024 ** 2, mib: 1024 ** 2, gi: 1024 ** 3, gib: 1024 ** 3, ti: 1024 ** 4, tib: 1024 ** 4
}

/**
 * An amount as people write it: `2`, `0.5`, `4GiB`, `512 MiB`, `8G` (decimal: GB, G; binary: GiB, Gi).
 * Returns the number, or a message saying what is expected.
 */
export function parseAmount (value: unknown): number | string {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : 'must be a number >= 0'
  if (typeof value !== 'string') return 'must be a number, or a size such as 4GiB'
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value)
  const factor = match != null ? UNITS[match[2]!.toLowerCase()] : undefined
  if (match == null || factor == null) return `"${value.slice(0, 40)}" is not an amount: write a number, or a size such as 512MiB, 4GiB, 8GB`
  return Number(match[1]) * factor
}

/** `cpu=8,memory=32GiB,gpu=1`, as `--resources` takes it. */
export function parseResourceList (text: string, path = '--resources'): { resources: Record<string, number>, problems: Problem[] } {
  const resources: Record<string, number> = {}
  const problems: Problem[] = []
  for (const part of text.split(',').map(p => p.trim()).filter(p => p !== '')) {
    const eq = part.indexOf('=')
    const name = eq === -1 ? part : part.slice(0, eq).trim()
    if (eq === -1 || name === '') {
      problems.push({ path, message: `"${part}" is not name=amount, as in cpu=8,memory=32GiB,gpu=1` })
      continue
    }
    add(resources, name, parseAmount(part.slice(eq + 1)), `${path}.${name}`, problems)
  }
  return { resources, problems }
}

/** A task's `resources: { cpu: 2, memory: 4GiB }`, with `cpu_required` and `memory_required` beside it. */
export function readTaskResources (raw: Record<string, unknown>, path: string, problems: Problem[]): Resources | undefined {
  const resources: Record<string, number> = {}
  const value = raw.resources
  if (value !== undefined) {
    if (!isRecord(value)) {
      problems.push({ path: `${path}.resources`, message: 'must be an object such as { cpu: 2, memory: 4GiB, gpu: 1 }' })
    } else {
      for (const [name, amount] of Object.entries(value)) add(resources, name, parseAmount(amount), `${path}.resources.${name}`, problems)
    }
  }
  for (const [field, name] of [['cpu_required', 'cpu'], ['memory_required', 'memory']] as const) {
    if (raw[field] === undefined) continue
    if (resources[name] !== undefined) {
      problems.push({ path: `${path}.${field}`, message: `the same as resources.${name}; give only one of them` })
      continue
    }
    add(resources, name, parseAmount(raw[field]), `${path}.${field}`, problems)
  }
  // an amount of 0 needs nothing
  for (const name of Object.keys(resources)) if (resources[name] === 0) delete resources[name]
  return Object.keys(resources).length > 0 ? resources : undefined
}

function add (into: Record<string, number>, name: string, amount: number | string, path: string, problems: Problem[]): void {
  if (name.length > RESOURCE_LIMITS.name || !/^[A-Za-z][\w.-]*$/.test(name)) {
    problems.push({ path, message: `resource names are letters, digits, "_", "-" and ".", starting with a letter, at most ${RESOURCE_LIMITS.name} characters` })
  } else if (typeof amount === 'string') {
    problems.push({ path, message: amount })
  } else if (Object.keys(into).length >= RESOURCE_LIMITS.names && !(name in into)) {
    problems.push({ path, message: `more than ${RESOURCE_LIMITS.names} resources` })
  } else {
    into[name] = amount
  }
}
