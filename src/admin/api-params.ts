import { LimitExceededError, ValidationError } from '../errors.js'
import { FIELD_LIMITS, MAX_OUTPUT_BYTES } from '../protocol/constants.js'
import { jsonProblem } from '../protocol/json.js'
import type { ClaimRef } from './pull-workers.js'
import type { JsonValue, TaskState } from '../core/task.js'

/** The checks of the API's parameters: each rejects a bad value with an error that names the field. */

export function invalid (field: string, message: string): ValidationError {
  return new ValidationError([{ path: field, message }], { subject: 'request' })
}

export function id (value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value !== 'string' || value === '') throw invalid('id', 'missing: give the task id')
  return value
}

export function label (value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '' || value.length > FIELD_LIMITS.name || /[\p{Cc}\p{Cs}]/u.test(value)) throw invalid(field, `missing or not a name: give a name of 1 to ${FIELD_LIMITS.name} printable characters`)
  return value
}

export function labels (value: unknown, field: string, max: number): string[] {
  if (!Array.isArray(value) || value.length > max) throw invalid(field, `must be a list of at most ${max} names`)
  return value.map((v, i) => label(v, `${field}[${i}]`))
}

/** A result's output from outside the task stream, held to its limits before anything writes it as JSON. */
export function checkedOutput (value: unknown, field: string): JsonValue {
  const problem = jsonProblem(value)
  if (problem != null) throw invalid(field, problem)
  const bytes = Buffer.byteLength(JSON.stringify(value))
  if (bytes > MAX_OUTPUT_BYTES) throw new LimitExceededError(`${field}: the output is ${bytes} bytes, more than the ${MAX_OUTPUT_BYTES}-byte limit of a task's output; return a reference (a URL, a path) instead of the data`)
  return value as JsonValue
}

export function claimRef (params: Record<string, unknown>): ClaimRef {
  if (params.token != null) return { token: text(params.token, 'token', FIELD_LIMITS.token) }
  if (params.agent != null && params.taskId != null) return { agent: label(params.agent, 'agent'), taskId: id(params.taskId) }
  throw invalid('token', 'missing: give the claim\'s token, or the agent\'s name and the task id')
}

export function workerName (value: unknown): string {
  if (typeof value !== 'string' || value === '') throw invalid('worker', 'missing: give the worker\'s name or peer id')
  return value
}

export function flag (value: unknown, field: string): boolean {
  if (value === true || value === 'true') return true
  if (value === false || value === 'false') return false
  throw invalid(field, 'must be true or false')
}

export function text (value: unknown, field: string, max: number): string {
  if (typeof value !== 'string') throw invalid(field, 'must be a string')
  if (value.length > max) throw invalid(field, `is ${value.length} characters long, more than ${max}`)
  return value
}

export function count (value: unknown, field: string, fallback: number): number {
  if (value == null) return fallback
  const n = typeof value === 'string' ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw invalid(field, 'must be a whole number >= 0')
  return n
}

/** Tasks in a state ('final': the four final ones; undefined: all) by the counts. */
export function countOf (counts: Readonly<Record<TaskState, number>>, state: TaskState | 'final' | undefined): number {
  if (state === 'final') return counts.succeeded + counts.failed + counts.skipped + counts.cancelled
  if (state != null) return counts[state]
  return Object.values(counts).reduce((a, b) => a + b, 0)
}

/** What a pause names: a task type, a task group, or neither (every task); not both. */
export function pauseTarget (params: { type?: unknown, group?: unknown }): { type?: string, group?: string } {
  if (params.type != null && params.group != null) throw invalid('group', 'give type or group, not both')
  if (params.group != null) return { group: label(params.group, 'group') }
  return params.type != null ? { type: label(params.type, 'type') } : {}
}
