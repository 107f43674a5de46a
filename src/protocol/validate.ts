import { FIELD_LIMITS, WORKER_PROTOCOL_VERSIONS } from './constants.js'
import type { Problem } from '../errors.js'
import type { Heartbeat, Register, TaskAssignment, TaskResult } from './pb/tasks.js'

const PRINTABLE = /^[^\p{Cc}\p{Cs}]+$/u

function checkLabel (value: string, what: string, max: number): string | undefined {
  if (value.length === 0) return `${what} is empty`
  if (value.length > max) return `${what} is longer than ${max} characters`
  if (!PRINTABLE.test(value)) return `${what} contains control characters`
  return undefined
}

/**
 * What is wrong with a Register frame, each with the field's path, or an empty list. A worker sends
 * what its operator configured, so every problem is named; the CLI checks the same before connecting.
 */
export function registerProblems (r: Register): Problem[] {
  const problems: Problem[] = []
  const add = (path: string, message: string | undefined): void => { if (message != null) problems.push({ path, message }) }
  add('name', checkLabel(r.name, 'the worker name', FIELD_LIMITS.name))
  if (!Number.isFinite(r.skill) || r.skill < 0 || r.skill > FIELD_LIMITS.skill) add('skill', `${r.skill} is not a number from 0 to ${FIELD_LIMITS.skill}`)
  if (r.capabilities.length > FIELD_LIMITS.capabilities) add('capabilities', `${r.capabilities.length} capabilities, more than ${FIELD_LIMITS.capabilities}`)
  r.capabilities.forEach((cap, i) => { add(`capabilities[${i}]`, checkLabel(cap, `capability "${cap.slice(0, 40)}"`, FIELD_LIMITS.capability)) })
  add('types', typesProblem(r.types))
  if (r.maxConcurrent < 1 || r.maxConcurrent > FIELD_LIMITS.maxConcurrent) add('max_concurrent', `${r.maxConcurrent} is not from 1 to ${FIELD_LIMITS.maxConcurrent}`)
  if (Math.abs(r.priority) > FIELD_LIMITS.priority) add('priority', `${r.priority} is not from -${FIELD_LIMITS.priority} to ${FIELD_LIMITS.priority}`)
  if (r.leases.length > Math.max(1, r.maxConcurrent)) add('leases', `${r.leases.length} leases held, more than the ${r.maxConcurrent} attempts it runs at once`)
  for (const [name, amount] of r.resources) {
    const bad = checkLabel(name, `resource name "${name.slice(0, 40)}"`, FIELD_LIMITS.capability)
    if (bad != null) add('resources', bad)
    else if (!Number.isFinite(amount) || amount < 0) add(`resources.${name}`, `${amount} is not an amount >= 0`)
  }
  if (!(WORKER_PROTOCOL_VERSIONS as readonly string[]).includes(r.version)) add('version', `protocol version "${r.version.slice(0, FIELD_LIMITS.version)}" is not one this admin speaks (${WORKER_PROTOCOL_VERSIONS.join(', ')}); run the same taskmesh version on both sides`)
  return problems
}

/** What is wrong with a list of task types a worker handles, or undefined. */
export function typesProblem (types: readonly string[]): string | undefined {
  if (types.length > FIELD_LIMITS.types) return `${types.length} task types, more than ${FIELD_LIMITS.types}`
  for (const type of types) {
    const bad = checkLabel(type, `task type "${type.slice(0, 40)}"`, FIELD_LIMITS.capability)
    if (bad != null) return bad
  }
  return undefined
}

/** Why the load a heartbeat reports is unacceptable (both figures, in range), or undefined. */
export function loadProblem (h: Heartbeat): string | undefined {
  if (h.cpu == null || h.memoryBytes == null) return 'cpu and memory_bytes come together'
  if (!Number.isFinite(h.cpu) || h.cpu < 0 || h.cpu > FIELD_LIMITS.cpu) return `cpu ${h.cpu} is not from 0 to ${FIELD_LIMITS.cpu}`
  if (!Number.isSafeInteger(h.memoryBytes) || h.memoryBytes < 0) return `memory_bytes ${h.memoryBytes} is not a byte count`
  return undefined
}

/** Why a TaskResult frame is unacceptable, or undefined. */
export function checkResult (r: TaskResult): string | undefined {
  return checkLabel(r.taskId, 'task id', FIELD_LIMITS.taskId) ??
    (r.attempt < 1 ? 'attempt number is 0' : undefined) ??
    (r.token.length > FIELD_LIMITS.token ? 'lease token is too long' : undefined) ??
    (r.error.length > FIELD_LIMITS.error ? `error text is longer than ${FIELD_LIMITS.error} characters` : undefined) ??
    (!Number.isFinite(r.durationMs) || r.durationMs < 0 ? 'duration is not a number >= 0' : undefined)
}

/** Why a TaskAssignment frame is unacceptable (checked by workers), or undefined. */
export function checkAssignment (a: TaskAssignment): string | undefined {
  return checkLabel(a.taskId, 'task id', FIELD_LIMITS.taskId) ??
    (a.attempt < 1 ? 'attempt number is 0' : undefined) ??
    (a.token.length === 0 || a.token.length > FIELD_LIMITS.token ? 'lease token is missing or too long' : undefined)
}
