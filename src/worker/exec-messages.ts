import { ProtocolError, UnrecoverableError } from '../errors.js'
import { typesProblem } from '../protocol/validate.js'
import { jsonProblem } from '../protocol/json.js'
import { isRecord } from '../util/records.js'
import { MAX_BATCH, type BatchOptions } from './batch.js'
import type { ChildProcess } from 'node:child_process'
import type { TaskContext } from './handlers.js'

/** What the child said when it became ready. */
export interface ExecReady {
  types: string[]
  maxConcurrent?: number
  /** The types it takes in batches (`{"batch": ...}`), and how many, gathered how long. */
  batch?: Record<string, BatchOptions>
}

/** A `log` message's text: a string as it is, any other JSON as JSON. */
export function logText (value: unknown): string {
  if (typeof value === 'string') return value
  // JSON.stringify recurses: nesting the child may send (a line holds up to 4 MiB of it) would overflow the stack
  const problem = jsonProblem(value ?? '')
  return problem == null ? JSON.stringify(value ?? '') : `(a log message ${problem})`
}

export function signalGroup (child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid != null) process.kill(-child.pid, signal)
  } catch {
    child.kill(signal)
  }
}

/** The body of `{"ready": ...}`: the task types, and how many tasks at once (optional). */
export function parseReady (value: unknown): ExecReady | string {
  if (!isRecord(value)) return 'must be an object such as {"types": ["summarize"], "max_concurrent": 4}'
  const types = value.types
  if (!Array.isArray(types) || types.length === 0 || !types.every(t => typeof t === 'string' && t !== '')) return 'types must be a non-empty list of task type names'
  const unique = [...new Set(types as string[])]
  // what the admin accepts in a registration: checked here, where it is the child's mistake to name
  const problem = typesProblem(unique)
  if (problem != null) return `types: ${problem}`
  const max = value.max_concurrent
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) return 'max_concurrent must be a whole number >= 1'
  const batch = parseBatch(value.batch, unique)
  if (typeof batch === 'string') return batch
  return { types: unique, ...(max !== undefined ? { maxConcurrent: max } : {}), ...(batch != null ? { batch } : {}) }
}

/** `"batch": {"embed": {"max": 100, "wait": 0.05}}`: the types the child takes in batches, and how. */
function parseBatch (value: unknown, types: readonly string[]): Record<string, BatchOptions> | string | undefined {
  if (value === undefined) return undefined
  if (!isRecord(value)) return 'batch must be an object such as {"embed": {"max": 100, "wait": 0.05}}'
  const batch: Record<string, BatchOptions> = {}
  for (const [type, options] of Object.entries(value)) {
    if (!types.includes(type)) return `batch: "${type}" is not one of its types`
    if (!isRecord(options) || !Number.isInteger(options.max) || (options.max as number) < 1 || (options.max as number) > MAX_BATCH) return `batch.${type}.max must be a whole number from 1 to ${MAX_BATCH}`
    if (typeof options.wait !== 'number' || !(options.wait >= 0) || options.wait > 60) return `batch.${type}.wait must be a number of seconds from 0 to 60`
    batch[type] = { max: options.max as number, wait: options.wait }
  }
  return batch
}

/** A task as the child gets it; an UnrecoverableError when its payload or inputs cannot be written as a line. */
export function taskMessage (task: TaskContext): Record<string, unknown> {
  // JSON.stringify recurses and would overflow on nesting a peer breaking the rules sent; decoded JSON has no other problem
  const deep = jsonProblem(task.payload ?? null) ?? Object.values(task.inputs).map(input => jsonProblem(input)).find(p => p != null)
  if (deep != null) throw new UnrecoverableError(`the task cannot go to the --exec child: its payload or an input is ${deep}`)
  return {
    id: task.id,
    attempt: task.attempt,
    type: task.type,
    description: task.description,
    difficulty: task.difficulty,
    payload: task.payload ?? null,
    inputs: task.inputs,
    worker: task.worker,
    ...(task.timeoutMs != null ? { deadline: Date.now() + task.timeoutMs } : {}),
    ...(task.traceparent != null ? { traceparent: task.traceparent } : {})
  }
}

/** Room a line takes besides its tasks and its type's name: `{"v":1,"batch":{"type":"","tasks":[]}}`. */
const BATCH_LINE_OVERHEAD = 64

/**
 * A batch's tasks as `batch` messages, each a line of at most `maxLineBytes`; a task whose payload cannot be
 * written, or that is too large for a line alone, is refused with why (it fails alone).
 */
export function batchLines<T extends TaskContext> (type: string, tasks: readonly T[], maxLineBytes: number): { lines: Array<{ batch: { type: string, tasks: Array<Record<string, unknown>> } }>, refused: Array<{ task: T, error: Error }> } {
  const lines: Array<{ batch: { type: string, tasks: Array<Record<string, unknown>> } }> = []
  const refused: Array<{ task: T, error: Error }> = []
  const overhead = BATCH_LINE_OVERHEAD + Buffer.byteLength(JSON.stringify(type))
  let current: Array<Record<string, unknown>> = []
  let bytes = overhead
  for (const task of tasks) {
    let message: Record<string, unknown>
    try {
      message = taskMessage(task)
    } catch (err) {
      refused.push({ task, error: err as Error })
      continue
    }
    const size = Buffer.byteLength(JSON.stringify(message)) + 1
    if (size + overhead > maxLineBytes) {
      refused.push({ task, error: new ProtocolError(`the task is larger than ${maxLineBytes} bytes as a line for the --exec child`) })
      continue
    }
    if (bytes + size > maxLineBytes) {
      lines.push({ batch: { type, tasks: current } })
      current = []
      bytes = overhead
    }
    current.push(message)
    bytes += size
  }
  if (current.length > 0) lines.push({ batch: { type, tasks: current } })
  return { lines, refused }
}
