import { AbortError } from '../errors.js'
import type { JsonValue } from '../core/task.js'
import type { HandlerOptions, TaskContext, TaskHandler } from './handlers.js'

/** A task in a batch: as a handler gets it, with its own signal (its cancel, its timeout). */
export type BatchTask = TaskContext & { signal: AbortSignal }

export interface BatchOptions {
  /** Most tasks in one call. */
  max: number
  /** Seconds to gather a batch after its first task came, at most; it goes at once when full. */
  wait: number
}

/** A task's result in a batch: its output, an `Error` that fails it alone, or a promise of either (it ends when that settles). */
export type BatchResult = JsonValue | Error | undefined | Promise<JsonValue | Error | undefined>

/**
 * Handles a batch: one result per task, in order. An `Error` in a task's place fails that task alone (an
 * `UnrecoverableError` for good); a throw fails them all; a promise in a task's place ends that task when it
 * settles, whatever the others do. `signal` fires once every task of the batch is cancelled (or the worker stops).
 */
export type BatchHandler = (tasks: BatchTask[], options: HandlerOptions) => Promise<readonly BatchResult[]> | readonly BatchResult[]

/** A task handler that gathers its tasks into batches; `batching` says how. */
export type BatchingHandler = TaskHandler & { readonly batching: BatchOptions }

interface Waiting {
  task: BatchTask
  resolve(output: JsonValue | undefined): void
  reject(err: Error): void
}

/** The most tasks one batch may hold. */
export const MAX_BATCH = 10_000

/**
 * A handler for tasks that are cheaper together (an embedding model, a bulk insert): the worker runs each
 * task as it comes, and this gathers those running at once into calls of `handle` with up to `max` tasks,
 * waiting at most `wait` seconds after the first. Each task still ends on its own, with its own result or
 * error, and its own cancel and timeout: a task cancelled while gathered leaves the batch; one cancelled
 * during the call ends at once, whatever the call returns for it. A batch is never larger than what the
 * worker runs at once: give the worker `--max-concurrent` of at least `max`.
 *
 * ```js
 * export const embed = batch({ max: 100, wait: 0.05 }, async (tasks, { signal }) => model.embed(tasks.map(t => t.payload.text), { signal }))
 * ```
 */
export function batch (options: BatchOptions, handle: BatchHandler): BatchingHandler {
  if (!Number.isInteger(options.max) || options.max < 1 || options.max > MAX_BATCH) throw new RangeError(`batch max must be a whole number from 1 to ${MAX_BATCH}, not ${options.max}`)
  if (typeof options.wait !== 'number' || !(options.wait >= 0) || options.wait > 60) throw new RangeError(`batch wait must be a number of seconds from 0 to 60, not ${options.wait}`)
  let gathering: Waiting[] = []
  let timer: ReturnType<typeof setTimeout> | undefined

  const flush = (): void => {
    clearTimeout(timer)
    timer = undefined
    const tasks = gathering
    gathering = []
    if (tasks.length > 0) void call(tasks)
  }

  const call = async (tasks: Waiting[]): Promise<void> => {
    // the call's signal: once no task of it is wanted any more
    const controller = new AbortController()
    let wanted = tasks.length
    for (const w of tasks) w.task.signal.addEventListener('abort', () => { if (--wanted === 0) controller.abort(new AbortError('every task of the batch was cancelled')) }, { once: true })
    try {
      const results = await handle(tasks.map(w => w.task), { signal: controller.signal })
      if (!Array.isArray(results) || results.length !== tasks.length) {
        throw new TypeError(`the batch handler returned ${Array.isArray(results) ? `${results.length} results` : 'no list'} for ${tasks.length} tasks: return one result (or Error) per task, in order`)
      }
      tasks.forEach((w, i) => {
        Promise.resolve(results[i]).then(result => { if (result instanceof Error) w.reject(result); else w.resolve(result) }, (err: unknown) => { w.reject(err as Error) })
      })
    } catch (err) {
      for (const w of tasks) w.reject(err as Error)
    }
  }

  const handler = async (task: TaskContext, { signal }: HandlerOptions): Promise<JsonValue | undefined> => {
    signal.throwIfAborted()
    return await new Promise<JsonValue | undefined>((resolve, reject) => {
      const waiting: Waiting = {
        task: { ...task, signal },
        resolve: (output) => { signal.removeEventListener('abort', onAbort); resolve(output) },
        reject: (err) => { signal.removeEventListener('abort', onAbort); reject(err) }
      }
      // cancelled or timed out: it ends now; gathered, it leaves the batch; in a call, what the call returns for it is dropped
      const onAbort = (): void => {
        const i = gathering.indexOf(waiting)
        if (i !== -1) gathering.splice(i, 1)
        reject(signal.reason instanceof Error ? signal.reason : new AbortError('cancelled'))
      }
      signal.addEventListener('abort', onAbort, { once: true })
      gathering.push(waiting)
      if (gathering.length >= options.max) flush()
      else timer ??= setTimeout(flush, options.wait * 1000)
    })
  }
  return Object.assign(handler, { batching: { max: options.max, wait: options.wait } })
}
