import { setTimeout as sleep } from 'node:timers/promises'
import { AbortError } from '../errors.js'
import { isRecord } from '../util/records.js'
import type { JsonValue } from '../core/task.js'

/** What a handler gets to work with: the task as assigned, with the results of its dependencies. */
export interface TaskContext {
  id: string
  attempt: number
  description: string
  type: string
  difficulty: number
  payload: JsonValue | undefined
  /** Outputs of the tasks this one depends on, keyed by their ids. */
  inputs: Record<string, JsonValue>
  /** Time the admin allows this attempt, if limited; the signal fires when it is up. */
  timeoutMs?: number
  /**
   * W3C trace context of this run, when the worker or its admin traces (`--otel-endpoint`): pass it on
   * (an HTTP `traceparent` header, a child's environment) and the work it causes joins the task's trace.
   */
  traceparent?: string
  worker: { name: string, skill: number, capabilities: readonly string[] }
}

export interface HandlerOptions {
  /** Fires when the attempt is cancelled, times out, or the worker stops. */
  signal: AbortSignal
}

/**
 * Runs one task type. The resolved value (any JSON) is the task's output; a thrown error fails the
 * attempt (an `UnrecoverableError` fails the task without retrying).
 */
export type TaskHandler = (task: TaskContext, options: HandlerOptions) => Promise<JsonValue | undefined | void> | JsonValue | undefined | void

export interface SimulateOptions {
  /** Shortest simulated run, ms. @default 0 */
  minMs?: number
  /** Longest simulated run, ms. @default minMs */
  maxMs?: number
  random?: () => number
}

/**
 * The tutorial's task: it takes a while, and succeeds when the worker's skill covers the difficulty.
 * A task's payload may set `durationMs` (how long it takes), `fail` (an error message to fail with) and
 * `output` (what to return), which tests and demos use to stage slow or failing work.
 */
export function simulate (options: SimulateOptions = {}): TaskHandler {
  const min = options.minMs ?? 0
  const max = Math.max(min, options.maxMs ?? min)
  const random = options.random ?? Math.random
  return async (task, { signal }) => {
    const payload: Record<string, unknown> = isRecord(task.payload) ? task.payload : {}
    const ms = typeof payload.durationMs === 'number' ? payload.durationMs : min + random() * (max - min)
    if (ms > 0) {
      try {
        await sleep(ms, undefined, { signal })
      } catch {
        throw signal.reason instanceof Error ? signal.reason : new AbortError()
      }
    }
    if (typeof payload.fail === 'string') throw new Error(payload.fail)
    const { name, skill } = task.worker
    if (skill < task.difficulty) throw new Error(`${name}'s skill ${skill} is below the task's difficulty ${task.difficulty}`)
    return payload.output !== undefined ? payload.output as JsonValue : { worker: name, skill, difficulty: task.difficulty, result: 'completed' }
  }
}

