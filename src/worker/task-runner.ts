import { TypedEventEmitter } from '@libp2p/interface'
import { AbortError, UnrecoverableError } from '../errors.js'
import { FIELD_LIMITS, MAX_JSON_DEPTH } from '../protocol/constants.js'
import { decodeJson, encodeJson, jsonProblem } from '../protocol/json.js'
import type { Lease } from '../core/options.js'
import type { JsonValue } from '../core/task.js'
import type { TaskAssignment, TaskResult } from '../protocol/pb/tasks.js'
import type { TaskContext, TaskHandler } from './handlers.js'

/** Traces each run (see `tracing/run-tracing.ts`): its span's context for the handler, and its end. */
export type RunTracing = (assignment: TaskAssignment) => { traceparent: string, end(result: TaskResult): void }

export interface TaskRunnerInit {
  /** Who runs the tasks, as handlers see it. */
  worker: TaskContext['worker']
  handlers: Map<string, TaskHandler>
  maxConcurrent: number
  /** Largest output a result may carry (it must fit in one frame). */
  maxOutputBytes: number
  tracing?: RunTracing
}

export interface TaskRunnerEvents {
  'task:started': CustomEvent<{ taskId: string, attempt: number, type: string }>
  /** An attempt ended and its result should reach the admin (not sent when cancelled or stopping). */
  'task:finished': CustomEvent<TaskResult>
  'task:cancelled': CustomEvent<{ taskId: string, attempt: number, reason: string }>
  /** Nothing runs or waits any more. */
  'idle': CustomEvent<void>
}

interface Running {
  assignment: TaskAssignment
  controller: AbortController
  /** The admin cancelled it (timeout, cancellation, revoked lease): its result is not reported. */
  cancelled: boolean
}

const key = (taskId: string, attempt: number): string => `${attempt}:${taskId}`
/** A W3C `traceparent` (version 00): what an assignment's context must look like to be handed on. */
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/

/**
 * Runs assigned attempts through their handlers: at most `maxConcurrent` at once, the rest queued in
 * arrival order; each with an AbortSignal that fires when the admin cancels it or the worker stops.
 */
export class TaskRunner extends TypedEventEmitter<TaskRunnerEvents> {
  completed = 0
  failed = 0
  private readonly init: TaskRunnerInit
  private readonly running = new Map<string, Running>()
  private readonly waiting: TaskAssignment[] = []
  private stopped = false

  constructor (init: TaskRunnerInit) {
    super()
    this.init = init
  }

  /** Attempts running now. */
  get size (): number {
    return this.running.size
  }

  get idle (): boolean {
    return this.running.size === 0 && this.waiting.length === 0
  }

  has (taskId: string, attempt: number): boolean {
    return this.running.has(key(taskId, attempt)) || this.waiting.some(a => a.taskId === taskId && a.attempt === attempt)
  }

  /** The leases of what runs or waits: the worker still holds them. */
  leases (): Lease[] {
    return [...[...this.running.values()].map(r => r.assignment), ...this.waiting].map(a => ({ taskId: a.taskId, attempt: a.attempt, token: a.token }))
  }

  /** Runs the attempt now, or once a slot frees up. */
  offer (assignment: TaskAssignment): void {
    if (this.stopped) return
    if (this.running.size >= this.init.maxConcurrent) this.waiting.push(assignment)
    else void this.execute(assignment)
  }

  /** The admin no longer wants this attempt: abort it if it runs, drop it if it waits. */
  cancel (taskId: string, attempt: number, reason: string): void {
    const r = this.running.get(key(taskId, attempt))
    if (r != null) {
      r.cancelled = true
      r.controller.abort(new AbortError(reason))
      this.safeDispatchEvent('task:cancelled', { detail: { taskId, attempt, reason } })
      return
    }
    const i = this.waiting.findIndex(a => a.taskId === taskId && a.attempt === attempt)
    if (i !== -1) this.waiting.splice(i, 1)
  }

  /** The worker stops: every running attempt is aborted and nothing more is reported or started. */
  stop (reason: string): void {
    this.stopped = true
    this.waiting.length = 0
    for (const r of this.running.values()) r.controller.abort(new AbortError(reason))
  }

  private async execute (a: TaskAssignment): Promise<void> {
    const k = key(a.taskId, a.attempt)
    const entry: Running = { assignment: a, controller: new AbortController(), cancelled: false }
    this.running.set(k, entry)
    this.safeDispatchEvent('task:started', { detail: { taskId: a.taskId, attempt: a.attempt, type: a.type } })
    const started = performance.now()
    const span = this.init.tracing?.(a)
    // what reaches a handler (and may go into a header or an environment) is a W3C trace context, or nothing
    const result = await this.run(a, entry.controller.signal, span?.traceparent ?? (TRACEPARENT.test(a.traceparent) ? a.traceparent : undefined))
    result.durationMs = performance.now() - started
    span?.end(result)
    this.running.delete(k)
    if (result.success) this.completed++
    else this.failed++
    if (!entry.cancelled && !this.stopped) this.safeDispatchEvent('task:finished', { detail: result })
    const next = this.waiting.shift()
    if (next != null) void this.execute(next)
    if (this.idle) this.safeDispatchEvent('idle')
  }

  /** The handler's outcome as a result frame; never throws. */
  private async run (a: TaskAssignment, signal: AbortSignal, traceparent: string | undefined): Promise<TaskResult> {
    const result: TaskResult = { taskId: a.taskId, attempt: a.attempt, token: a.token, success: false, output: new Uint8Array(0), error: '', durationMs: 0, unrecoverable: false }
    try {
      const handler = this.init.handlers.get(a.type)
      if (handler == null) throw new Error(`worker "${this.init.worker.name}" has no handler for task type "${a.type}"; it handles ${[...this.init.handlers.keys()].join(', ')}`)
      const task: TaskContext = {
        id: a.taskId,
        attempt: a.attempt,
        description: a.description,
        type: a.type,
        difficulty: a.difficulty,
        payload: decodeJson(a.payload, 'payload'),
        inputs: (decodeJson(a.inputs, 'inputs') ?? {}) as Record<string, JsonValue>,
        ...(a.timeoutMs > 0 ? { timeoutMs: a.timeoutMs } : {}),
        ...(traceparent != null ? { traceparent } : {}),
        worker: this.init.worker
      }
      result.output = encodeOutput(await handler(task, { signal }), this.init.maxOutputBytes)
      result.success = true
    } catch (err) {
      result.error = boundedError(errorText(err))
      result.unrecoverable = (err as Error)?.name === UnrecoverableError.name
    }
    return result
  }
}

/**
 * A handler's value as the bytes of its result. What cannot travel fails the attempt for good: the same
 * handler would return it again.
 */
function encodeOutput (value: unknown, maxBytes: number): Uint8Array<ArrayBuffer> {
  // JSON.stringify recurses, so deep nesting overflows the stack; jsonProblem walks with a stack of its own
  const problem = value === undefined ? undefined : jsonProblem(value)
  if (problem != null) throw new UnrecoverableError(`the output cannot be sent: ${problem} (outputs follow the payload's rules: JSON values, at most ${MAX_JSON_DEPTH} levels)`)
  const output = encodeJson(value)
  if (output.byteLength > maxBytes) {
    throw new UnrecoverableError(`output of ${output.byteLength} bytes exceeds the ${maxBytes}-byte frame limit; return less, or store it elsewhere and return a reference`)
  }
  return output
}

function errorText (err: unknown): string {
  if (err instanceof Error) return err.name === 'Error' ? err.message : `${err.name}: ${err.message}`
  return String(err)
}

/** The admin refuses a result whose error text is longer than its limit, and counts it against the worker: cut it here, saying so. */
function boundedError (text: string): string {
  if (text.length <= FIELD_LIMITS.error) return text
  const note = ` … [cut: the error text is ${text.length} characters long]`
  let end = FIELD_LIMITS.error - note.length
  // not between the two halves of a character outside the BMP
  if (/[\uD800-\uDBFF]/.test(text[end - 1]!)) end--
  return `${text.slice(0, end)}${note}`
}
