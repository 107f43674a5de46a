import { fileURLToPath } from 'node:url'
import { TaskManager } from '../../src/manager/task-manager.js'
import { spawnCli } from '../../src/simulation/processes.js'
import { percentile } from './stats.js'
import { stopChild } from './proc.js'

const NOOP_AGENT = fileURLToPath(new URL('./noop_agent.py', import.meta.url))
const WARM_UP = 500

export interface ExecResult {
  /** One task in flight, submitted on the admin until it has the result. */
  p50Ms: number
  p99Ms: number
  /** No-op tasks through one worker process, 64 at once. */
  perSecond: number
}

/**
 * The process bridge against the worker's own JavaScript handler: one worker process, no-op tasks, first one
 * in flight at a time, then `tasks` queued at once.
 */
export async function execBench (options: { exec: boolean, samples: number, tasks: number }): Promise<ExecResult> {
  const manager = new TaskManager([], { listen: ['/ip4/127.0.0.1/tcp/0'] })
  const waiting = new Map<string, () => void>()
  manager.addEventListener('task:completed', ({ detail }) => { waiting.get(detail.id)?.() })
  await manager.start()
  const connected = new Promise<void>(resolve => { manager.addEventListener('worker:connected', () => { resolve() }, { once: true }) })
  const args = ['worker', '--admin', manager.details().addresses[0]!, '--name', 'w', '--skill', '10', '--max-concurrent', '64', '--quiet']
  const worker = spawnCli(options.exec ? [...args, '--exec', `python3 ${NOOP_AGENT}`] : args, { built: true })
  worker.stdout?.resume()
  worker.stderr?.resume()
  let n = 0
  try {
    await connected
    const one = async (): Promise<number> => {
      const id = `one-${n++}`
      const completed = new Promise<void>(resolve => waiting.set(id, resolve))
      const started = performance.now()
      manager.submit([{ id }])
      await completed
      waiting.delete(id)
      return performance.now() - started
    }
    for (let i = 0; i < WARM_UP; i++) await one()
    const times: number[] = []
    for (let i = 0; i < options.samples; i++) times.push(await one())
    const done = new Promise<void>(resolve => { manager.addEventListener('done', () => { resolve() }, { once: true }) })
    const started = performance.now()
    manager.submit(Array.from({ length: options.tasks }, (_, i) => ({ id: `many-${i}` })))
    await done
    const seconds = (performance.now() - started) / 1000
    return { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), perSecond: options.tasks / seconds }
  } finally {
    await stopChild(worker)
    await manager.stop()
  }
}
