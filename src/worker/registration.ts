import { availableParallelism, totalmem } from 'node:os'
import { ValidationError } from '../errors.js'
import { CURRENT_WORKER_PROTOCOL_VERSION } from '../protocol/constants.js'
import { registerProblems } from '../protocol/validate.js'
import type { Lease } from '../core/options.js'
import type { Register } from '../protocol/pb/tasks.js'

/** Who a worker says it is when it registers. */
export interface WorkerIdentity {
  name: string
  skill: number
  capabilities: readonly string[]
  maxConcurrent: number
  priority: number
  /** What it offers to the attempts it runs at once (cpu cores, memory bytes, gpu, ...). */
  resources?: Readonly<Record<string, number>>
}

/** What a worker offers when it declares nothing: this machine's cores and memory. */
export function machineResources (): Record<string, number> {
  return { cpu: availableParallelism(), memory: totalmem() }
}

/** The Register frame a worker sends: who it is, the task types it handles, the leases it still holds. */
export function registration (who: WorkerIdentity, types: Iterable<string>, leases: Lease[] = []): Register {
  return {
    name: who.name,
    skill: who.skill,
    capabilities: [...who.capabilities],
    types: [...types],
    maxConcurrent: who.maxConcurrent,
    priority: who.priority,
    leases,
    version: CURRENT_WORKER_PROTOCOL_VERSION,
    resources: new Map(Object.entries(who.resources ?? {}))
  }
}

/** Option names as the worker's settings call them, for the problems the admin would find. */
const OPTION_OF: Record<string, string> = { max_concurrent: 'maxConcurrent', types: 'handlers' }

/**
 * Refuses here, before connecting, what the admin would refuse: a worker learns at once, naming the
 * setting, instead of from a refusal after it dialled.
 */
export function checkRegistration (who: WorkerIdentity, types: Iterable<string>): void {
  const problems = registerProblems(registration(who, types))
  if (problems.length === 0) return
  throw new ValidationError(problems.map(p => ({ ...p, path: p.path.replace(/^[a-z_]+/, field => OPTION_OF[field] ?? field) })), { subject: `worker "${who.name}"` })
}
