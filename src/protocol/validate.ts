import { FIELD_LIMITS } from './constants.js'
import type { Register, TaskAssignment, TaskResult } from './pb/tasks.js'

const PRINTABLE = /^[^\p{Cc}\p{Cs}]+$/u

function checkLabel (value: string, what: string, max: number): string | undefined {
  if (value.length === 0) return `${what} is empty`
  if (value.length > max) return `${what} is longer than ${max} characters`
  if (!PRINTABLE.test(value)) return `${what} contains control characters`
  return undefined
}

/** Why a Register frame is unacceptable, or undefined. */
export function checkRegister (r: Register): string | undefined {
  const name = checkLabel(r.name, 'worker name', FIELD_LIMITS.name)
  if (name != null) return name
  if (!Number.isFinite(r.skill) || r.skill < 0) return `skill ${r.skill} is not a number >= 0`
  for (const cap of r.capabilities) {
    const bad = checkLabel(cap, `capability "${cap.slice(0, 40)}"`, FIELD_LIMITS.capability)
    if (bad != null) return bad
  }
  if (r.maxConcurrent > FIELD_LIMITS.maxConcurrent) return `max concurrent tasks ${r.maxConcurrent} is above ${FIELD_LIMITS.maxConcurrent}`
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
