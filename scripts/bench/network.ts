import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { TaskManager } from '../../src/manager/task-manager.js'
import { taskSpec } from '../../src/core/task.js'
import { spawnCli } from '../../src/simulation/processes.js'
import { percentile } from './stats.js'
import { cpuOf, ownCpuMicros, stopChild } from './proc.js'
import { SteadyWindow, type ThroughputFigures } from './window.js'

const WATCHERS = fileURLToPath(new URL('./dashboard-child.ts', import.meta.url))

/** The watchers' process, once it has opened its streams. */
async function startWatchers (base: string, kind: 'dashboard' | 'events', count: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...process.execArgv, WATCHERS, base, kind, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => { resolve() })
    child.once('exit', code => { reject(new Error(`the watchers' process exited with ${code}`)) })
  })
  child.stdout!.resume()
  return child
}

export interface NetworkBenchOptions {
  tasks: number
  workers: number
  concurrency: number
  journal: 'memory' | 'sqlite' | 'postgres'
  /** For the postgres journal: a fresh database. */
  databaseUrl?: string
  /** The HTTP API on, and who watches it (in a process of their own): dashboards, or readers of every event. */
  watch?: { kind: 'none' | 'dashboard' | 'events', count: number }
}

export interface NetworkBenchResult extends NetworkBenchOptions, ThroughputFigures {
  /** Assignment to accepted result, as the admin sees it. */
  p50Ms: number
  p99Ms: number
}

/**
 * N no-op tasks through an admin (this process) and W workers (each its own process) on loopback. The
 * run goes from the moment assignment starts (all workers registered) to the last result recorded; the
 * admin's CPU is this process's.
 */
export async function networkBench (options: NetworkBenchOptions): Promise<NetworkBenchResult> {
  const dataDir = options.journal !== 'memory' ? await mkdtemp(join(tmpdir(), 'taskmesh-bench-')) : undefined
  const specs = Array.from({ length: options.tasks }, (_, i) => taskSpec({ id: `t${i}` }))
  const store = options.journal === 'sqlite'
    ? { dataDir: dataDir! }
    : options.journal === 'postgres' ? { databaseUrl: options.databaseUrl!, keyFile: join(dataDir!, 'admin.key') } : {}
  const manager = new TaskManager(specs, { expectedWorkers: options.workers, listen: ['/ip4/127.0.0.1/tcp/0'], ...store, ...(options.watch != null ? { http: { port: 0 } } : {}) })
  const pids: Array<number | undefined> = []
  const window = new SteadyWindow(options.tasks, () => ({ coordinator: ownCpuMicros(), workers: cpuOf(pids) }))
  const assignedAt = new Map<string, number>()
  const latencies: number[] = []
  let completed = 0
  manager.addEventListener('task:assigned', ({ detail }) => { assignedAt.set(`${detail.taskId}#${detail.attempt}`, performance.now()) })
  manager.addEventListener('task:attempt-ended', ({ detail }) => {
    const key = `${detail.taskId}#${detail.attempt}`
    const at = assignedAt.get(key)
    assignedAt.delete(key)
    if (at != null) latencies.push(performance.now() - at)
  })
  manager.addEventListener('task:completed', () => { window.progress(++completed) })
  manager.addEventListener('assigning:started', () => { window.started() })
  await manager.start()
  const watchers = options.watch != null && options.watch.kind !== 'none' ? await startWatchers(manager.details().http!, options.watch.kind, options.watch.count) : undefined
  const children = Array.from({ length: options.workers }, (_, i) => spawnCli([
    'worker', '--admin', manager.details().addresses[0]!, '--name', `bench-${i}`, '--skill', '10',
    '--max-concurrent', String(options.concurrency), '--quiet'
  ], { built: true }))
  for (const c of children) {
    pids.push(c.pid)
    c.stdout?.resume()
    c.stderr?.resume()
  }
  try {
    await manager.whenDone()
    return { ...options, ...window.figures(), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) }
  } finally {
    await Promise.all(children.map(async c => { await stopChild(c) }))
    if (watchers != null) await stopChild(watchers)
    await manager.stop()
    if (dataDir != null) await rm(dataDir, { recursive: true, force: true })
  }
}
