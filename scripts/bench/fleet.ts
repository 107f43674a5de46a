import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { jsonLines } from './lines.js'
import { cpuOf, rssOf, stopChild, within } from './proc.js'
import type { ThroughputFigures } from './window.js'

const CHILD = fileURLToPath(new URL('./fleet-child.mjs', import.meta.url))
const ADMIN = fileURLToPath(new URL('./fleet-admin.ts', import.meta.url))
/** How long the workers may take to join before the run gives up. */
const JOIN_TIMEOUT_MS = 180_000
/**
 * Between the last worker registering and the idle window: what the joining set going (identify, gossipsub's
 * meshes, each worker's first status broadcast) is measured apart from idling.
 */
export const SETTLE_MS = 5_000

export interface FleetResult extends ThroughputFigures {
  workers: number
  processes: number
  /** Admin RSS with every worker registered and idle. */
  idleRssBytes: number
  /** Share of one core the admin used in the `SETTLE_MS` after the last worker registered. */
  settleCpu: number
  /** Share of one core the idle admin used over `idleSeconds`, from then on. */
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
 * processes, on one admin in a process of its own: how long they take to join, what the idle admin costs, then
 * `tasks` no-op tasks through all of them.
 */
export async function fleetBench (options: { workers: number, processes: number, tasks: number, idleSeconds: number }): Promise<FleetResult> {
  // the admin in a process of its own: its idle CPU and memory are its own, not what the bench's earlier parts
  // left in this process (it runs the sources, started as this process was, by tsx; its RSS includes tsx's)
  const admin = spawn(process.execPath, [...process.execArgv, ADMIN, String(Math.max(4096, options.workers))], { stdio: ['pipe', 'pipe', 'inherit'] })
  const children: ChildProcess[] = []
  try {
    const lines = jsonLines(admin)
    const { address } = await within(lines.next(e => typeof e.address === 'string'), JOIN_TIMEOUT_MS, () => 'the fleet\'s admin did not start listening')
    const adminCpu = (): number => cpuOf([admin.pid]) ?? NaN
    const started = performance.now()
    const adminCpuBefore = adminCpu()
    const per = Math.ceil(options.workers / options.processes)
    for (let p = 0; p < options.processes; p++) {
      const count = Math.min(per, options.workers - p * per)
      const child = spawn(process.execPath, [CHILD, address, String(count), `f${p}`], { stdio: ['ignore', 'pipe', 'inherit'] })
      children.push(child)
    }
    await within(Promise.all(children.map(async child => {
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', () => { resolve() })
        child.once('exit', code => { reject(new Error(`a fleet process exited (${code}) before its workers registered`)) })
      })
    })), JOIN_TIMEOUT_MS, () => `the ${options.workers} workers did not all register`)
    const joinSeconds = (performance.now() - started) / 1000
    // what the joining cost, on each side: the simulated workers share the machine's cores with the admin
    const joinAdminCpuMs = (adminCpu() - adminCpuBefore) / 1000 / options.workers
    const joinWorkersCpuMs = (cpuOf(children.map(c => c.pid)) ?? NaN) / 1000 / options.workers
    const settleBefore = adminCpu()
    await new Promise(resolve => setTimeout(resolve, SETTLE_MS))
    const settleCpu = (adminCpu() - settleBefore) / 1e3 / SETTLE_MS
    // idle: every worker registered, heartbeats and status broadcasts only
    const cpuBefore = adminCpu()
    await new Promise(resolve => setTimeout(resolve, options.idleSeconds * 1000))
    const idleCpu = (adminCpu() - cpuBefore) / 1e6 / options.idleSeconds
    const idleRssBytes = rssOf(admin.pid) ?? NaN
    admin.stdin!.write(`run ${options.tasks} ${children.map(c => c.pid).join(' ')}\n`)
    const figures: ThroughputFigures = await lines.next(e => typeof e.steadyPerSecond === 'number')
    return { ...figures, workers: options.workers, processes: options.processes, idleRssBytes, settleCpu, idleCpu, idleSeconds: options.idleSeconds, joinSeconds, joinAdminCpuMs, joinWorkersCpuMs }
  } finally {
    await Promise.all(children.map(async c => { await stopChild(c, 20_000) }))
    await stopChild(admin)
  }
}
