import { WorkerAgent } from '../../worker/worker-agent.js'
import { simulate } from '../../worker/handlers.js'
import { EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js'
import { AuthorizationError, RegistrationRefusedError } from '../../errors.js'
import { count, formatMs, Output } from '../output.js'
import { loadHandlers } from '../load-modules.js'
import { onShutdownSignal } from '../signals.js'
import { readA2aToken, readSwarmKey } from '../option-files.js'
import { createLogger } from '../log.js'
import { WORKER_EVENT_NAMES } from '../../worker/events.js'
import { ExecBridge, type ExecReady } from '../../worker/exec-bridge.js'
import { printable } from '../../util/printable.js'
import type { BatchingHandler } from '../../worker/batch.js'
import type { LogOptions } from '../log-options.js'

export interface WorkerOptions extends LogOptions {
  admin: string[]
  name: string
  skill: number
  capabilities: string[]
  maxConcurrent: number
  priority: number
  resources?: Record<string, number>
  handlers?: string
  exec?: string
  execReadyTimeout: number
  key?: string
  listen: string[]
  swarmKey?: string
  network: string
  simulateTime: { min: number, max: number }
  drainTimeout: number
  exitWhenDone?: boolean
  exitWhenIdle?: number
  otelEndpoint?: string
  json?: boolean
  quiet?: boolean
  a2a: string[]
  a2aToken?: string
}

export async function runWorker (opts: WorkerOptions): Promise<void> {
  const log = createLogger({ name: 'worker', logLevel: opts.logLevel, logFormat: opts.logFormat })
  const out = new Output({ json: opts.json === true, log })
  const handlers = opts.handlers != null ? await loadHandlers(opts.handlers) : {}
  // A2A agents behind this worker: their skills are task types here (the SDK is loaded only then)
  const remote = opts.a2a.length > 0 ? await (await import('../../worker/a2a-agents.js')).a2aAgents(opts.a2a, {
    ...(opts.a2aToken != null ? { token: await readA2aToken(opts.a2aToken) } : {}),
    onProgress: (taskId, message) => {
      out.event('a2a:progress', { taskId, message })
      if (opts.quiet !== true) out.say(`· task ${printable(taskId)}: ${printable(message)}`)
    }
  }) : undefined
  for (const agent of remote?.agents ?? []) {
    out.event('a2a:agent', { ...agent })
    out.say(`A2A agent ${printable(agent.name)} at ${agent.url}: ${printable(agent.skills.join(', '))}${agent.streaming ? ' (streaming)' : ''}`)
  }
  // a remote agent does not take over a type this worker runs itself
  for (const type of Object.keys(remote?.handlers ?? {})) {
    if (Object.hasOwn(handlers, type) || type === 'simulate') throw new UsageError(`--a2a: an agent offers the skill "${printable(type)}", which this worker runs itself (${type === 'simulate' ? 'built in' : '--handlers'}); give that type one handler`)
  }
  Object.assign(handlers, remote?.handlers ?? {})
  // the --exec child first: what it says it handles is what the worker registers
  const bridge = opts.exec != null ? await startBridge(opts.exec, opts.execReadyTimeout, out) : undefined
  const execHandlers = bridge != null ? Object.fromEntries(bridge.ready.types.map(type => [type, bridge.exec.handlerFor(type, bridge.ready)])) : {}
  const maxConcurrent = Math.min(opts.maxConcurrent, bridge?.ready.maxConcurrent ?? Infinity)
  // a batch holds what runs at once: no more than the worker takes
  for (const [type, handler] of Object.entries({ ...handlers, ...execHandlers })) {
    const max = (handler as Partial<BatchingHandler>).batching?.max
    if (max != null && max > maxConcurrent) out.warn(`! handler "${printable(type)}" takes batches of up to ${max}, but this worker runs ${maxConcurrent} at once: its batches hold ${maxConcurrent} at most (give --max-concurrent ${max})`)
  }
  const worker = new WorkerAgent(opts.name, {
    adminPeer: opts.admin,
    skillLevel: opts.skill,
    capabilities: opts.capabilities,
    maxConcurrent,
    priority: opts.priority,
    ...(opts.resources != null ? { resources: opts.resources } : {}),
    network: opts.network,
    handlers: { simulate: simulate({ minMs: opts.simulateTime.min, maxMs: opts.simulateTime.max }), ...handlers, ...execHandlers },
    ...(opts.key != null ? { keyFile: opts.key } : {}),
    ...(opts.listen.length > 0 ? { listen: opts.listen } : {}),
    ...(opts.swarmKey != null ? { swarmKey: await readSwarmKey(opts.swarmKey) } : {}),
    ...(opts.otelEndpoint != null ? { otelEndpoint: opts.otelEndpoint } : {})
  })
  worker.addEventListener('admin:connected', ({ detail }) => {
    out.event('connected', { ...detail })
    out.say(`connected to the admin (network "${detail.network}"${detail.via === 'relayed' ? ', through a relay' : ''})${detail.resent > 0 ? `; resent ${detail.resent} results` : ''}`)
  })
  worker.addEventListener('admin:disconnected', ({ detail }) => {
    out.event('disconnected', { ...detail })
    out.say(`lost the admin: ${printable(detail.reason)}`)
  })
  worker.addEventListener('reconnecting', ({ detail }) => {
    out.event('reconnecting', { ...detail })
    out.say(`cannot reach the admin (${printable(detail.reason)}); retrying in ${formatMs(detail.delayMs)}`)
  })
  // a restarted child may handle more types than the first: the admin hears of them
  const announced = new Set(Object.keys(execHandlers))
  bridge?.exec.addEventListener('ready', ({ detail }) => {
    for (const type of detail.types.filter(t => !announced.has(t))) {
      try {
        worker.handle(type, bridge.exec.handlerFor(type, detail))
        announced.add(type)
      } catch (err) {
        // more, or other, than the admin takes in a registration: it keeps running those it had
        out.warn(`exec: the restarted child's task type is not taken: ${printable((err as Error).message)}`)
        return
      }
    }
  })
  if (opts.quiet !== true) addTaskReporting(worker, out)
  if (log.isLevelEnabled('debug')) {
    for (const name of WORKER_EVENT_NAMES) worker.addEventListener(name, (evt: CustomEvent) => { log.debug({ event: name, detail: evt.detail }, name) })
  }
  const fatal = new Promise<Error>(resolve => { worker.addEventListener('error', ({ detail }) => { resolve(detail) }) })
  // in place before the worker starts: a signal during start-up must still drain
  const interrupted = new Promise<'signal'>(resolve => onShutdownSignal(() => { resolve('signal') }))
  const finished = leaveWhen(worker, opts, out)
  await worker.start()
  out.event('started', { peerId: worker.peerId, name: opts.name, skill: opts.skill, capabilities: opts.capabilities })
  out.say(`taskmesh worker ${printable(opts.name)} (skill ${opts.skill}) ${worker.peerId}`)

  const outcome = await Promise.race([fatal, interrupted, finished.reason])
  finished.cancel()
  if (typeof outcome === 'string') {
    if (outcome === 'signal') out.say('draining: finishing running tasks before leaving')
    await worker.drain({ signal: AbortSignal.timeout(opts.drainTimeout * 1000) })
    await bridge?.exec.stop()
    out.event('stopped', { reason: outcome })
    process.exitCode = EXIT_OK
    return
  }
  await worker.stop()
  await bridge?.exec.stop()
  out.event('error', { name: outcome.name, message: outcome.message })
  out.warn(`error: ${outcome.name}: ${printable(outcome.message)}`, { error: outcome.name })
  // refused by the admin: the same command would be refused again, like any bad input
  const refused = outcome.name === RegistrationRefusedError.name || outcome.name === AuthorizationError.name
  process.exitCode = refused ? EXIT_BAD_INPUT : EXIT_FAILED
}

/**
 * When a worker run for a batch leaves by itself: `--exit-when-done` once its admin says every task is final,
 * `--exit-when-idle` after that long with nothing to run, once it has registered (connected to its admin or not
 * since: an admin that went away leaves it idle).
 */
function leaveWhen (worker: WorkerAgent, opts: WorkerOptions, out: Output): { reason: Promise<'done' | 'idle'>, cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined
  let settle = (_reason: 'done' | 'idle'): void => {}
  const reason = new Promise<'done' | 'idle'>(resolve => { settle = resolve })
  if (opts.exitWhenDone === true) {
    worker.addEventListener('admin:done', ({ detail }) => {
      out.event('admin:done', { ...detail })
      out.say(`the admin's ${count(detail.total, 'task')} are final (${detail.succeeded} succeeded, ${detail.failed} failed): leaving`)
      settle('done')
    })
  }
  const idleMs = opts.exitWhenIdle
  if (idleMs != null) {
    const arm = (): void => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        out.say(`nothing to run for ${formatMs(idleMs * 1000)}: leaving`)
        settle('idle')
      }, idleMs * 1000)
    }
    // the clock starts at the first registration (a worker still finding its admin is not idle), and
    // again whenever the last task ends; its first tasks come with the registration's answer
    let registered = false
    worker.addEventListener('admin:connected', () => {
      if (registered) return
      registered = true
      arm()
    })
    worker.addEventListener('task:started', () => { clearTimeout(timer) })
    worker.addEventListener('idle', () => { if (registered) arm() })
  }
  return { reason, cancel: () => { clearTimeout(timer) } }
}

/**
 * Starts the --exec child and reports what it does: its stderr and logs, bad lines, exits and restarts.
 * The child runs what tasks carry, so what it says is printed through `printable`.
 */
async function startBridge (command: string, readyTimeout: number, out: Output): Promise<{ exec: ExecBridge, ready: ExecReady }> {
  const exec = new ExecBridge({ command, readyTimeoutMs: readyTimeout * 1000 })
  // what the child prints (a Python handler's print(), as `log` at info) and its stderr (warn): said once,
  // its text as the record's message
  exec.addEventListener('log', ({ detail }) => {
    const { message, ...fields } = detail
    if (detail.level !== 'info') out.warn(`exec: ${printable(message)}`, fields)
    else if (out.json) out.event('exec:log', { ...detail })
    else out.log?.info(fields, `exec: ${printable(message)}`)
  })
  exec.addEventListener('invalid', ({ detail }) => { out.warn(`exec: the child sent ${printable(detail.reason)}${detail.taskId != null ? ` (task ${printable(detail.taskId)} failed)` : ''}`, { ...detail }) })
  exec.addEventListener('exit', ({ detail }) => {
    out.event('exec:exit', { ...detail })
    if (detail.delayMs >= 0) out.warn(`exec: the child exited (${detail.signal ?? `code ${detail.code}`}); its running tasks failed and can run again; restarting it in ${formatMs(detail.delayMs)}`, { ...detail })
  })
  exec.addEventListener('ready', ({ detail }) => { out.event('exec:ready', { ...detail }) })
  const ready = await exec.start()
  out.say(`--exec child ready: handles ${printable(ready.types.join(', '))}${ready.maxConcurrent != null ? `, ${ready.maxConcurrent} at once` : ''}`)
  return { exec, ready }
}

/** One line (or JSON event) per task started, finished or cancelled; what the admin sent is escaped. */
function addTaskReporting (worker: WorkerAgent, out: Output): void {
  worker.addEventListener('task:started', ({ detail }) => {
    out.event('task:started', { ...detail })
    out.say(`→ task ${printable(detail.taskId)} (${printable(detail.type)})${detail.attempt > 1 ? ` attempt ${detail.attempt}` : ''}`)
  })
  worker.addEventListener('task:finished', ({ detail }) => {
    out.event('task:finished', { ...detail })
    out.say(detail.success ? `✓ task ${printable(detail.taskId)} in ${formatMs(detail.durationMs)}` : `✗ task ${printable(detail.taskId)}: ${printable(detail.error ?? '')}`)
  })
  worker.addEventListener('task:cancelled', ({ detail }) => {
    out.event('task:cancelled', { ...detail })
    out.say(`- task ${printable(detail.taskId)} cancelled: ${printable(detail.reason)}`)
  })
}
