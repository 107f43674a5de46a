import { fileURLToPath } from 'node:url'
import { TaskManager } from '../../src/manager/task-manager.js'
import { spawnCli } from '../../src/simulation/processes.js'
import { stopChild } from './proc.js'
import { median } from './stats.js'

const HANDLERS = fileURLToPath(new URL('./embed-handlers.mjs', import.meta.url))

export interface BatchesResult {
  /** Tasks a second, one task a model call. */
  onePerSecond: number[]
  /** Tasks a second, batches of up to 100 a call. */
  batchedPerSecond: number[]
  tasks: number
}

/**
 * The batch speed-up: an embedding-like model (one call at a time, 20 ms a call whatever its size) run by
 * one worker, its tasks a call each (`embedOne`) or in batches of up to 100 (`embed`), alternating; each run
 * from the submit to the last task's end.
 */
export async function batchesBench (options: { tasks: number, rounds: number }): Promise<BatchesResult> {
  const manager = new TaskManager([], { listen: ['/ip4/127.0.0.1/tcp/0'] })
  await manager.start()
  const connected = new Promise<void>(resolve => { manager.addEventListener('worker:connected', () => { resolve() }, { once: true }) })
  const worker = spawnCli(['worker', '--admin', manager.details().addresses[0]!, '--name', 'embedder', '--skill', '10', '--max-concurrent', '100', '--handlers', HANDLERS, '--quiet'], { built: true })
  worker.stdout?.resume()
  worker.stderr?.resume()
  let n = 0
  const run = async (type: string, count: number): Promise<number> => {
    const done = new Promise<void>(resolve => { manager.addEventListener('done', () => { resolve() }, { once: true }) })
    const started = performance.now()
    manager.submit(Array.from({ length: count }, () => ({ id: `${type}-${n++}`, type, payload: { text: 'the quick brown fox' } })))
    await done
    return count / ((performance.now() - started) / 1000)
  }
  const result: BatchesResult = { onePerSecond: [], batchedPerSecond: [], tasks: options.tasks }
  try {
    await connected
    // the worker earns its window (up to its 100) before anything is measured
    await run('embed', 2_000)
    for (let round = 0; round < options.rounds; round++) {
      for (const type of round % 2 === 0 ? ['embedOne', 'embed'] : ['embed', 'embedOne']) {
        // one at a time is slow: fewer tasks measure it as well
        const perSecond = await run(type, type === 'embed' ? options.tasks : Math.ceil(options.tasks / 20))
        if (type === 'embed') result.batchedPerSecond.push(perSecond)
        else result.onePerSecond.push(perSecond)
      }
    }
    return result
  } finally {
    await stopChild(worker)
    await manager.stop()
  }
}

/** The bench's lines for this part; what `--json` emits. */
export function batchesReport (b: BatchesResult, print: (line: string) => void, range: (xs: number[]) => string): object {
  const one = median(b.onePerSecond)
  const batched = median(b.batchedPerSecond)
  print('\nbatches for handlers: an embedding-like model (one call at a time, 20 ms a call) on one worker; alternating:')
  print(`  a task a call            ${Math.round(one).toLocaleString('en')} tasks/s${range(b.onePerSecond)}`)
  print(`  batches of up to 100     ${Math.round(batched).toLocaleString('en')} tasks/s${range(b.batchedPerSecond)}: ${(batched / one).toFixed(0)}x`)
  return { ...b, oneMedianPerSecond: one, batchedMedianPerSecond: batched, speedup: batched / one }
}
