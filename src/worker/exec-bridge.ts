import { spawn, type ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { TypedEventEmitter } from '@libp2p/interface'
import { backoffDelay } from '../core/backoff.js'
import { AbortError, ProtocolError, TimeoutError, UnrecoverableError, ValidationError } from '../errors.js'
import { DEFAULT_MAX_FRAME_BYTES, FIELD_LIMITS } from '../protocol/constants.js'
import { isRecord } from '../util/records.js'
import { batchLines, logText, parseReady, signalGroup, taskMessage, type ExecReady } from './exec-messages.js'
import { batch, type BatchTask } from './batch.js'
import { DEFAULT_EXEC_READY_TIMEOUT_MS, EXEC_MAX_LOG_LINE_BYTES, EXEC_PROTOCOL_VERSION, EXEC_RESTART_INITIAL_MS, EXEC_RESTART_MAX_MS, EXEC_STOP_TIMEOUT_MS } from './constants.js'
import type { JsonValue } from '../core/task.js'
import { cutNote, cutText, LineSplitter } from './line-splitter.js'
import type { HandlerOptions, TaskContext, TaskHandler } from './handlers.js'

export interface ExecBridgeInit {
  /** The command line, run by the shell: `python3 agent.py`. */
  command: string
  /** How long the child may take to send `ready`. @default 10000 */
  readyTimeoutMs?: number
  /** Longest line either side may send; the worker's frame limit. @default 4 MiB */
  maxLineBytes?: number
  /** Environment of the child. @default this process's */
  env?: NodeJS.ProcessEnv
  cwd?: string
}

export type { ExecReady } from './exec-messages.js'

export interface ExecBridgeEvents {
  /** The child announced itself (at start, and after each restart). */
  ready: CustomEvent<ExecReady>
  /** The child exited; it is started again after `delayMs` unless the bridge is stopping. */
  exit: CustomEvent<{ code: number | null, signal: string | null, delayMs: number }>
  /** A line of the child's stderr, or a `log` message; its text is cut at 16 KiB. */
  log: CustomEvent<{ level: 'info' | 'warn' | 'error', message: string, taskId?: string }>
  /** A `progress` message for a running task; its text is cut at 16 KiB. */
  progress: CustomEvent<{ taskId: string, attempt: number, message: string }>
  /** A line from the child that could not be used: it failed the task it named, or named none. */
  invalid: CustomEvent<{ reason: string, taskId?: string }>
}

const MAX_REMEMBERED_CANCELS = 1024
/** An `"id"` in a line that could not be read, to fail the attempt it names; no task id is longer. */
const NAMED_ID = new RegExp(`"id"\\s*:\\s*"([^"]{1,${FIELD_LIMITS.taskId}})"`)

interface InFlight {
  resolve(output: JsonValue | undefined): void
  reject(err: Error): void
}

/**
 * A worker's handlers run by a long-lived child process in any language, one JSON object per line over its
 * stdin and stdout (docs/exec-protocol.md). Tasks go in as `{"task": ...}`; results, errors, progress and logs
 * come back. A child that exits fails its running attempts as retryable and is started again with backoff;
 * one that never says it is ready is a startup error.
 */
export class ExecBridge extends TypedEventEmitter<ExecBridgeEvents> {
  private readonly init: ExecBridgeInit
  private child: ChildProcess | undefined
  private readonly inFlight = new Map<string, InFlight>()
  /** Attempts cancelled lately: an answer the child sends for one of them anyway is dropped quietly. */
  private readonly cancelled = new Set<string>()
  private current: Promise<ExecReady> | undefined
  private stopping = false
  private restarts = 0
  private readonly maxLineBytes: number

  constructor (init: ExecBridgeInit) {
    super()
    this.init = init
    this.maxLineBytes = init.maxLineBytes ?? DEFAULT_MAX_FRAME_BYTES
  }

  /** Starts the child and resolves with what it says it handles; rejects if it is not ready in time. */
  async start (): Promise<ExecReady> {
    return await this.launch()
  }

  /** A handler for the worker: every task type the child announced runs through here. */
  handler (): TaskHandler {
    return async (task, options) => await this.run(task, options)
  }

  /** The handler of a type: one task a message, or, for a type the child takes in batches, gathered into `batch` messages. */
  handlerFor (type: string, ready: ExecReady): TaskHandler {
    const batching = ready.batch?.[type]
    return batching != null ? batch(batching, async tasks => await this.runBatch(type, tasks)) : this.handler()
  }

  /**
   * Passes the stop on to the child: its stdin closes and its process group gets SIGTERM (the worker has
   * drained first); a child still there after a few seconds is killed. Once it is gone, what it started and
   * left behind in its group is killed too.
   */
  async stop (): Promise<void> {
    this.stopping = true
    const child = this.child
    if (child == null || child.exitCode != null || child.signalCode != null) return
    const exited = new Promise<void>(resolve => { child.once('exit', () => { resolve() }) })
    child.stdin?.end()
    signalGroup(child, 'SIGTERM')
    const timer = setTimeout(() => { signalGroup(child, 'SIGKILL') }, EXEC_STOP_TIMEOUT_MS)
    await exited
    clearTimeout(timer)
    // a helper that ignores SIGTERM, or outlives the child's own stop, must not outlive the worker
    signalGroup(child, 'SIGKILL')
  }

  private async run (task: TaskContext, { signal }: HandlerOptions): Promise<JsonValue | undefined> {
    // a child being restarted: wait for it (bounded by its ready deadline) rather than fail at once
    await (this.current ?? this.launch())
    signal.throwIfAborted()
    const message = taskMessage(task)
    const answer = this.expect(task, signal)
    if (!this.send({ task: message })) this.settle(task, new ProtocolError(`the task is larger than ${this.maxLineBytes} bytes as a line for the --exec child`))
    return await answer
  }

  /**
   * Tasks of a type the child takes in batches: as few `batch` lines as fit the line limit (a task too large
   * alone fails alone); each task's answer is the child's `result` or `error` for it, as for one task.
   */
  private async runBatch (type: string, tasks: BatchTask[]): Promise<Array<Promise<JsonValue | undefined>>> {
    await (this.current ?? this.launch())
    // each task ends with its own answer, as it comes
    const answers = tasks.map(async task => await this.expect(task, task.signal))
    const { lines, refused } = batchLines(type, tasks.filter(t => !t.signal.aborted), this.maxLineBytes)
    for (const { task, error } of refused) this.settle(task, error)
    for (const line of lines) {
      if (this.send(line)) continue
      for (const task of line.batch.tasks) this.settle(task as { id: string, attempt: number }, new ProtocolError(`the batch is larger than ${this.maxLineBytes} bytes as a line for the --exec child`))
    }
    return answers
  }

  /** The child's answer for a task sent to it: its `result`, its `error`, or the abort of its signal (a `cancel` is sent). */
  private async expect (task: TaskContext, signal: AbortSignal): Promise<JsonValue | undefined> {
    const key = `${task.id}\u0000${task.attempt}`
    return await new Promise<JsonValue | undefined>((resolve, reject) => {
      const onAbort = (): void => {
        const reason = signal.reason instanceof Error ? signal.reason.message : 'cancelled'
        this.send({ cancel: { id: task.id, attempt: task.attempt, reason } })
        this.inFlight.delete(key)
        this.cancelled.add(key)
        if (this.cancelled.size > MAX_REMEMBERED_CANCELS) this.cancelled.delete(this.cancelled.values().next().value!)
        reject(signal.reason instanceof Error ? signal.reason : new AbortError(reason))
      }
      if (signal.aborted) return onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      this.inFlight.set(key, {
        resolve: (output) => { signal.removeEventListener('abort', onAbort); resolve(output) },
        reject: (err) => { signal.removeEventListener('abort', onAbort); reject(err) }
      })
    })
  }

  /** A task that never reached the child ends with `err`. */
  private settle (task: { id: string, attempt: number }, err: Error): void {
    const key = `${task.id}\u0000${task.attempt}`
    const entry = this.inFlight.get(key)
    this.inFlight.delete(key)
    entry?.reject(err)
  }

  private async launch (): Promise<ExecReady> {
    this.current = this.spawnChild()
    try {
      return await this.current
    } catch (err) {
      this.current = undefined
      throw err
    }
  }

  private async spawnChild (): Promise<ExecReady> {
    // its own process group: a signal reaches the program the shell started, not only the shell
    const child = spawn(this.init.command, { shell: true, detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: this.init.env ?? process.env, ...(this.init.cwd != null ? { cwd: this.init.cwd } : {}) })
    this.child = child
    child.stdin!.on('error', () => {})
    const stderr = new LineSplitter({
      maxLineBytes: EXEC_MAX_LOG_LINE_BYTES,
      onLine: line => { this.safeDispatchEvent('log', { detail: { level: 'warn', message: line } }) },
      onLongLine: head => { this.safeDispatchEvent('log', { detail: { level: 'warn', message: `${head}${cutNote(EXEC_MAX_LOG_LINE_BYTES)}` } }) }
    })
    child.stderr!.on('data', (chunk: Buffer) => { stderr.push(chunk) })
    child.stderr!.on('end', () => { stderr.end() })
    const timeoutMs = this.init.readyTimeoutMs ?? DEFAULT_EXEC_READY_TIMEOUT_MS
    let resolveReady!: (ready: ExecReady) => void
    let rejectReady!: (err: Error) => void
    const readyPromise = new Promise<ExecReady>((resolve, reject) => { resolveReady = resolve; rejectReady = reject })
    const ready = { promise: readyPromise, resolve: resolveReady, reject: rejectReady }
    const timer = setTimeout(() => {
      ready.reject(new TimeoutError(`--exec "${this.init.command}" did not send {"ready": {...}} within ${timeoutMs / 1000} s; it must print that line on stdout first (see docs/exec-protocol.md)`))
      signalGroup(child, 'SIGKILL')
    }, timeoutMs)
    let announced = false
    this.readLines(child, (message) => {
      if (!announced && isRecord(message) && message.ready !== undefined) {
        const parsed = parseReady(message.ready)
        if (typeof parsed === 'string') {
          ready.reject(new ValidationError([{ path: 'ready', message: parsed }], { subject: `--exec "${this.init.command}"` }))
          signalGroup(child, 'SIGKILL')
          return
        }
        announced = true
        clearTimeout(timer)
        this.restarts = 0
        ready.resolve(parsed)
        this.safeDispatchEvent('ready', { detail: parsed })
        return
      }
      this.onMessage(message)
    })
    child.once('error', err => { clearTimeout(timer); ready.reject(new ProtocolError(`cannot start --exec "${this.init.command}": ${err.message}`)) })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (!announced) ready.reject(new ProtocolError(`--exec "${this.init.command}" exited (${signal ?? `code ${code}`}) before it sent {"ready": {...}}`))
      this.onExit(code, signal, announced)
    })
    return await ready.promise
  }

  /** Feeds each stdout line to `onLine`, as JSON; a line that is not JSON, or too long, is reported. */
  private readLines (child: ChildProcess, onLine: (message: unknown) => void): void {
    const lines = new LineSplitter({
      maxLineBytes: this.maxLineBytes,
      onLine: line => {
        if (line.trim() === '') return
        let message: unknown
        try {
          message = JSON.parse(line)
        } catch {
          this.invalid(`a line that is not JSON: ${line.slice(0, 120)}`, line)
          return
        }
        onLine(message)
      },
      // the line's start is enough to find the attempt it answers, and fail it rather than leave it waiting
      onLongLine: head => { this.invalid(`a line longer than ${this.maxLineBytes} bytes`, head) }
    })
    child.stdout!.on('data', (chunk: Buffer) => { lines.push(chunk) })
  }

  private onMessage (message: unknown): void {
    if (!isRecord(message)) {
      this.invalid('a line that is not a JSON object')
      return
    }
    const [kind] = Object.keys(message)
    const body = message[kind ?? '']
    if (!isRecord(body)) {
      this.invalid(`a message "${kind}" whose body is not an object`)
      return
    }
    const entry = typeof body.id === 'string' && typeof body.attempt === 'number' ? this.inFlight.get(`${body.id}\u0000${body.attempt}`) : undefined
    // no task has a longer id: such a line names none, and its id is not repeated into the log
    const taskId = typeof body.id === 'string' && body.id.length <= FIELD_LIMITS.taskId ? body.id : undefined
    if (entry == null && (kind === 'result' || kind === 'error') && this.cancelled.delete(`${taskId}\u0000${String(body.attempt)}`)) return
    switch (kind) {
      case 'result':
        if (entry == null) return this.invalid(`a result for no running task (${taskId ?? 'no id'}, attempt ${String(body.attempt)})`)
        this.inFlight.delete(`${taskId}\u0000${String(body.attempt)}`)
        entry.resolve(body.output as JsonValue | undefined)
        return
      case 'error': {
        if (entry == null) return this.invalid(`an error for no running task (${taskId ?? 'no id'}, attempt ${String(body.attempt)})`)
        this.inFlight.delete(`${taskId}\u0000${String(body.attempt)}`)
        const text = typeof body.message === 'string' ? body.message : 'the --exec child reported an error'
        entry.reject(body.unrecoverable === true ? new UnrecoverableError(text) : new Error(text))
        return
      }
      case 'progress':
        if (taskId != null && typeof body.message === 'string') this.safeDispatchEvent('progress', { detail: { taskId, attempt: Number(body.attempt), message: cutText(body.message, EXEC_MAX_LOG_LINE_BYTES) } })
        return
      case 'log': {
        const level = body.level === 'error' || body.level === 'warn' ? body.level : 'info'
        this.safeDispatchEvent('log', { detail: { level, message: cutText(logText(body.message), EXEC_MAX_LOG_LINE_BYTES), ...(taskId != null ? { taskId } : {}) } })
        return
      }
      default:
        this.invalid(`an unknown message "${kind}" (messages are result, error, progress and log)`, undefined, entry != null ? taskId : undefined)
    }
  }

  /** A line that cannot be used: it fails the task it names, if one runs, and is reported either way. */
  private invalid (why: string, line?: string, taskId?: string): void {
    // a reason quotes the child (a message kind, an id): no longer than a line of its log
    const reason = cutText(why, EXEC_MAX_LOG_LINE_BYTES)
    let named = taskId
    if (named == null && line != null) named = NAMED_ID.exec(line)?.[1]
    if (named != null) {
      for (const [key, entry] of this.inFlight) {
        if (key.startsWith(`${named}\u0000`)) {
          this.inFlight.delete(key)
          entry.reject(new ProtocolError(`the --exec child sent ${reason}`))
        }
      }
    }
    this.safeDispatchEvent('invalid', { detail: { reason, ...(named != null ? { taskId: named } : {}) } })
  }

  private onExit (code: number | null, signal: string | null, announced: boolean): void {
    this.child = undefined
    this.current = undefined
    const running = [...this.inFlight.values()]
    this.inFlight.clear()
    // retryable: the task may well succeed on the restarted child or elsewhere
    for (const entry of running) entry.reject(new ProtocolError(`the --exec child exited (${signal ?? `code ${code}`}) while running the task`))
    if (this.stopping || !announced) {
      this.safeDispatchEvent('exit', { detail: { code, signal, delayMs: -1 } })
      return
    }
    this.restarts++
    const delayMs = backoffDelay({ backoff: 'exponential', initialDelayMs: EXEC_RESTART_INITIAL_MS, maxDelayMs: EXEC_RESTART_MAX_MS, jitter: 0.2 }, this.restarts + 1, Math.random)
    this.safeDispatchEvent('exit', { detail: { code, signal, delayMs } })
    // tasks that arrive meanwhile wait for the new child (see run)
    this.current = sleep(delayMs).then(async () => {
      if (this.stopping) throw new AbortError('the worker is stopping')
      return await this.spawnChild()
    })
    this.current.catch(err => {
      this.current = undefined
      this.safeDispatchEvent('log', { detail: { level: 'error', message: `restarting --exec "${this.init.command}" failed: ${(err as Error).message}` } })
    })
  }

  private send (message: unknown): boolean {
    const line = JSON.stringify({ v: EXEC_PROTOCOL_VERSION, ...message as object })
    if (Buffer.byteLength(line) > this.maxLineBytes) return false
    this.child?.stdin?.write(`${line}\n`)
    return true
  }
}
