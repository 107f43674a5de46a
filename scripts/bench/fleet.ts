import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { TaskManager } from '../../src/manager/task-manager.js'
import { taskSpec } from '../../src/core/task.js'
import { cpuOf, ownCpuMicros, stopChild } from './proc.js'
import { SteadyWindow, type ThroughputFigures } from './window.js'

const CHILD = fileURLToPath(new URL('./fleet-child.mjs', import.meta.url))
/** How long the workers may take to join before the run gives up. */
const JOIN_TIMEOUT_MS = 180_000
/** How long its tasks may take. */
const RUN_TIMEOUT_MS = 600_000

export interface FleetResult extends ThroughputFigures {
  workers: number
  processes: number
  /** Admin RSS with every worker registered and idle. */
  idleRssBytes: number
  /** Share of one core the idle admin used over `idleSeconds`. */
  idleCpu: number
  idleSeconds: number
  /** Seconds from starting the worker processes to every worker registered. */
  joinSeconds: number
  /** CPU the admin spent while they joined, per worker (ms). */
  joinAdminCpuMs: number
  /** CPU the worker processes spent meanwhile (starting their nodes, then joining), per worker (ms). */
  joinWorkersCpuMs: number
}

/**
 * `workers` full WorkerAgents (each its own libp2p node: TCP, Noise, yamux, gossipsub) in `processes`
 * processes, on one admin in this process: how long they take to join, what the idle admin costs, then
 * `tasks` no-op tasks through all of them.
 */
export async function fleetBench (options: { workers: number, processes: number, tasks: number, idleSeconds: number }): Promise<FleetResult> {
  const manager = new TaskManager([], { listen: ['/ip4/127.0.0.1/tcp/0'], maxWorkers: Math.max(4096, options.workers) })
  await manager.start()
  const children: ChildProcess[] = []
  try {
    const started = performance.now()
    const adminCpuBefore = ownCpuMicros()
    const per = Math.ceil(options.workers / options.processes)
    for (let p = 0; p < options.processes; p++) {
      const count = Math.min(per, options.workers - p * per)
      const child = spawn(process.execPath, [CHILD, manager.details().addresses[0]!, String(count), `f${p}`], { stdio: ['ignore', 'pipe', 'inherit'] })
      children.push(child)
    }
    let registered = 0
    const count = (): void => { registered++ }
    manager.addEventListener('worker:connected', count)
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      await Promise.race([
        Promise.all(children.map(async child => {
          await new Promise<void>((resolve, reject) => {
            createInterface({ input: child.stdout! }).once('line', () => { resolve() })
            child.once('exit', code => { reject(new Error(`a fleet process exited (${code}) before its workers registered`)) })
          })
        })),
        // a run that cannot finish says how far it got, instead of waiting for ever
        new Promise((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`only ${registered} of ${options.workers} workers registered within ${JOIN_TIMEOUT_MS / 1000} s`)) }, JOIN_TIMEOUT_MS) })
      ])
    } finally {
      clearTimeout(timer)
      manager.removeEventListener('worker:connected', count)
    }
    const joinSeconds = (performance.now() - started) / 1000
    // what the joining cost, on each side: the simulated workers share the machine's cores with the admin
    const joinAdminCpuMs = (ownCpuMicros() - adminCpuBefore) / 1000 / options.workers
    const joinWorkersCpuMs = (cpuOf(children.map(c => c.pid)) ?? NaN) / 1000 / options.workers
    // idle: every worker registered, heartbeats and status broadcasts only
    const cpuBefore = ownCpuMicros()
    await new Promise(resolve => setTimeout(resolve, options.idleSeconds * 1000))
    const idleCpu = (ownCpuMicros() - cpuBefore) / 1e6 / options.idleSeconds
    const idleRssBytes = process.memoryUsage().rss
    const pids = children.map(c => c.pid)
    const window = new SteadyWindow(options.tasks, () => ({ coordinator: ownCpuMicros(), workers: cpuOf(pids) }))
    let completed = 0
    const onCompleted = (): void => { window.progress(++completed) }
    manager.addEventListener('task:completed', onCompleted)
    const done = new Promise<void>(resolve => { manager.addEventListener('done', () => { resolve() }, { once: true }) })
    window.started()
    manager.submit(Array.from({ length: options.tasks }, (_, i) => taskSpec({ id: `fleet-${i}` })))
    let stuck: ReturnType<typeof setTimeout> | undefined
    await Promise.race([
      done,
      new Promise((_resolve, reject) => { stuck = setTimeout(() => { reject(new Error(`${completed} of ${options.tasks} tasks done within ${RUN_TIMEOUT_MS / 1000} s; ${manager.workers().filter(w => w.online).length} workers online`)) }, RUN_TIMEOUT_MS) })
    ]).finally(() => { clearTimeout(stuck) })
    manager.removeEventListener('task:completed', onCompleted)
    return { ...window.figures(), workers: options.workers, processes: options.processes, idleRssBytes, idleCpu, idleSeconds: options.idleSeconds, joinSeconds, joinAdminCpuMs, joinWorkersCpuMs }
  } finally {
    await Promise.all(children.map(async c => { await stopChild(c, 20_000) }))
    await manager.stop()
  }
}

