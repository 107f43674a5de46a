import { TaskManager } from '../../src/manager/task-manager.js'
import { spawnCli } from '../../src/simulation/processes.js'
import { percentile } from './stats.js'
import { stopChild } from './proc.js'

export interface LatencyFigures {
  p50Ms: number
  p99Ms: number
  samples: number
}

export interface LatencyResult {
  /** The first hundred tasks on a fresh admin, one at a time. */
  first: LatencyFigures
  /** One task at a time on a fresh admin (after a warm-up). */
  fresh: LatencyFigures
  /** The same after `history` more tasks have finished. */
  afterHistory: LatencyFigures
  history: number
}

export const WARM_UP = 5_000
/** The first tasks after start, timed apart from the rest. */
export const FIRST = 100

/**
 * One task in flight: submitted on the admin (this process), run by one worker process, and timed until
 * the admin announces it completed; then again once `history` tasks have finished in between.
 */
export async function latencyBench (options: { samples: number, history: number }): Promise<LatencyResult> {
  const manager = new TaskManager([], { listen: ['/ip4/127.0.0.1/tcp/0'] })
  const waiting = new Map<string, () => void>()
  manager.addEventListener('task:completed', ({ detail }) => { waiting.get(detail.id)?.() })
  await manager.start()
  const connected = new Promise<void>(resolve => { manager.addEventListener('worker:connected', () => { resolve() }, { once: true }) })
  const worker = spawnCli(['worker', '--admin', manager.details().addresses[0]!, '--name', 'w', '--skill', '10', '--max-concurrent', '64', '--quiet'], { built: true })
  worker.stdout?.resume()
  worker.stderr?.resume()
  let n = 0
  const oneAtATime = async (count: number): Promise<LatencyFigures> => {
    const times: number[] = []
    for (let i = 0; i < count; i++) {
      const id = `one-${n++}`
      const completed = new Promise<void>(resolve => waiting.set(id, resolve))
      const started = performance.now()
      manager.submit([{ id }])
      await completed
      times.push(performance.now() - started)
      waiting.delete(id)
    }
    return { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), samples: count }
  }
  try {
    await connected
    // the first hundred after start, as a user's first tasks see it: warm-up included
    const first = await oneAtATime(FIRST)
    await oneAtATime(WARM_UP - FIRST)
    const fresh = await oneAtATime(options.samples)
    // the history: many tasks at once, run at full speed
    const done = new Promise<void>(resolve => { manager.addEventListener('done', () => { resolve() }, { once: true }) })
    manager.submit(Array.from({ length: options.history }, (_, i) => ({ id: `history-${i}` })))
    await done
    await oneAtATime(WARM_UP)
    const afterHistory = await oneAtATime(options.samples)
    return { first, fresh, afterHistory, history: options.history }
  } finally {
    await stopChild(worker)
    await manager.stop()
  }
}
