import { mkdtemp, rm } from 'node:fs/promises'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TaskManager } from '../../src/manager/task-manager.js'
import { taskSpec } from '../../src/core/task.js'
import { spawnCli } from '../../src/simulation/processes.js'
import { percentile } from './stats.js'

export interface NetworkBenchOptions {
  tasks: number
  workers: number
  concurrency: number
  journal: 'memory' | 'sqlite'
}

export interface NetworkBenchResult extends NetworkBenchOptions {
  tasksPerSecond: number
  p50Ms: number
  p99Ms: number
  elapsedMs: number
}

/**
 * N no-op tasks through an admin (this process) and W workers (each its own process) on loopback.
 * The clock runs from the moment assignment starts to the moment the last result is recorded; latency
 * is assignment to accepted result, as the admin sees it.
 */
export async function networkBench (options: NetworkBenchOptions): Promise<NetworkBenchResult> {
  const dataDir = options.journal === 'sqlite' ? await mkdtemp(join(tmpdir(), 'taskmesh-bench-')) : undefined
  const specs = Array.from({ length: options.tasks }, (_, i) => taskSpec({ id: `t${i}` }))
  const manager = new TaskManager(specs, { expectedWorkers: options.workers, listen: ['/ip4/127.0.0.1/tcp/0'], ...(dataDir != null ? { dataDir } : {}) })
  const assignedAt = new Map<string, number>()
  const latencies: number[] = []
  manager.addEventListener('task:assigned', ({ detail }) => { assignedAt.set(`${detail.taskId}#${detail.attempt}`, performance.now()) })
  manager.addEventListener('task:attempt-ended', ({ detail }) => {
    const at = assignedAt.get(`${detail.taskId}#${detail.attempt}`)
    if (at != null) latencies.push(performance.now() - at)
  })
  let started = 0
  manager.addEventListener('assigning:started', () => { started = performance.now() })
  await manager.start()
  const children = Array.from({ length: options.workers }, (_, i) => spawnCli([
    'worker', '--admin', manager.details().addresses[0]!, '--name', `bench-${i}`, '--skill', '10',
    '--max-concurrent', String(options.concurrency), '--quiet'
  ], { built: true }))
  for (const c of children) {
    c.stdout?.resume()
    c.stderr?.resume()
  }
  try {
    await manager.whenDone()
    const elapsedMs = performance.now() - started
    return {
      ...options,
      tasksPerSecond: options.tasks / (elapsedMs / 1000),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      elapsedMs
    }
  } finally {
    await Promise.all(children.map(async c => {
      if (c.exitCode != null || c.signalCode != null) return
      const exited = once(c, 'exit')
      c.kill('SIGTERM')
      const timer = setTimeout(() => c.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }))
    await manager.stop()
    if (dataDir != null) await rm(dataDir, { recursive: true, force: true })
  }
}
