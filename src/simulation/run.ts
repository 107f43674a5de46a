import { once } from 'node:events'
import { TaskManager } from '../manager/task-manager.js'
import { ADMIN_EVENT_NAMES, type AdminEvents, type RunSummary } from '../admin/events.js'
import { simulate } from '../worker/handlers.js'
import { WorkerAgent } from '../worker/worker-agent.js'
import { isFinal } from '../core/task.js'
import { spawnCli } from './processes.js'
import type { Scenario, SimulatedWorker } from './scenario.js'
import type { TaskSpec } from '../core/task.js'
import type { Strategy } from '../core/strategies/index.js'

export interface SimulationOptions {
  scenario: Scenario
  /** A strategy name, or a strategy object (such as one loaded from a file). @default 'skill-fit' */
  strategy?: string | Strategy
  /** Every worker in its own OS process, started through the CLI. */
  processes?: boolean
  /** How long each simulated task takes, drawn from this range. @default { min: 300, max: 900 } */
  durationMs?: { min: number, max: number }
  /** Every admin event, as it happens. */
  onEvent?: <K extends keyof AdminEvents>(name: K, detail: AdminEvents[K]['detail']) => void
  /** The late workers are about to join; `waiting` are the tasks nobody connected could run. */
  onLateJoin?: (workers: SimulatedWorker[], waiting: TaskSpec[]) => void
}

export interface SimulationResult {
  summary: RunSummary
  workers: SimulatedWorker[]
  admin: string
  elapsedMs: number
}

/**
 * A whole network on this host: an admin and the scenario's workers, each a real libp2p node on
 * loopback, in this process or (with `processes`) each worker in its own. Resolves when every task is final.
 */
export async function runSimulation (options: SimulationOptions): Promise<SimulationResult> {
  const { scenario } = options
  const duration = options.durationMs ?? { min: 300, max: 900 }
  const early = scenario.workers.filter(w => w.lateJoin !== true)
  const late = scenario.workers.filter(w => w.lateJoin === true)
  const manager = new TaskManager(scenario.tasks, {
    expectedWorkers: early.length,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    ...(options.strategy != null ? { strategy: options.strategy } : {})
  })
  // once every task is final the run is over: the teardown that follows is not part of it
  let over = false
  for (const name of ADMIN_EVENT_NAMES) {
    manager.addEventListener(name, (evt: CustomEvent) => { if (!over) options.onEvent?.(name, evt.detail) })
  }
  const stoppers: Array<() => Promise<void>> = []
  const started = performance.now()
  await manager.start()
  try {
    const admin = manager.details().addresses[0]!
    const launch = async (w: SimulatedWorker): Promise<void> => {
      const registered = waitFor(manager, 'worker:connected', d => d.name === w.name)
      if (options.processes === true) {
        stoppers.push(await startProcess(w, admin, duration, registered))
      } else {
        const agent = new WorkerAgent(w.name, {
          skillLevel: w.skill,
          adminPeer: admin,
          ...(w.capabilities != null ? { capabilities: w.capabilities } : {}),
          ...(w.maxConcurrent != null ? { maxConcurrent: w.maxConcurrent } : {}),
          handlers: { simulate: simulate({ minMs: duration.min, maxMs: duration.max }) }
        })
        stoppers.push(() => agent.stop())
        await agent.start()
        await registered
      }
    }
    await Promise.all(early.map(launch))
    if (late.length > 0) {
      // late workers arrive once the others have done everything they can
      const strongest = Math.max(...early.map(w => w.skill))
      const doable = (): boolean => scenario.tasks.every(t => t.difficulty > strongest || isFinal(manager.getTask(t.id).state))
      if (!doable()) await waitFor(manager, 'task:completed', () => doable())
      if (manager.summary().progress < 1) {
        options.onLateJoin?.(late, scenario.tasks.filter(t => !isFinal(manager.getTask(t.id).state)))
        await Promise.all(late.map(launch))
      }
    }
    const summary = await manager.whenDone()
    over = true
    return { summary, workers: scenario.workers, admin, elapsedMs: performance.now() - started }
  } finally {
    await Promise.all(stoppers.map(async stop => { await stop().catch(() => {}) }))
    await manager.stop()
  }
}

/** Starts a worker process and resolves once the admin registered it; rejects with its stderr if it dies first. */
async function startProcess (w: SimulatedWorker, admin: string, duration: { min: number, max: number }, registered: Promise<unknown>): Promise<() => Promise<void>> {
  const child = spawnCli([
    'worker', '--admin', admin, '--name', w.name, '--skill', String(w.skill),
    '--simulate-time', `${duration.min / 1000}-${duration.max / 1000}`, '--json',
    ...(w.capabilities != null && w.capabilities.length > 0 ? ['--capabilities', w.capabilities.join(',')] : []),
    ...(w.maxConcurrent != null ? ['--max-concurrent', String(w.maxConcurrent)] : [])
  ])
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  child.stdout?.resume()
  const exited = once(child, 'exit')
  const stop = async (): Promise<void> => {
    if (child.exitCode != null || child.signalCode != null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
  const died = exited.then(([code]) => { throw new Error(`worker process ${w.name} exited with code ${code} before registering:\n${stderr}`) })
  try {
    await Promise.race([registered, died])
  } catch (err) {
    await stop()
    throw err
  }
  died.catch(() => {})
  return stop
}

function waitFor<K extends keyof AdminEvents> (manager: TaskManager, name: K, match: (detail: AdminEvents[K]['detail']) => boolean): Promise<void> {
  return new Promise(resolve => {
    const listener = (evt: CustomEvent): void => {
      if (!match(evt.detail)) return
      manager.removeEventListener(name, listener)
      resolve()
    }
    manager.addEventListener(name, listener)
  })
}
