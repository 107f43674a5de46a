import { TaskManager } from '../../src/manager/task-manager.js'
import { spawnCli } from '../../src/simulation/processes.js'
import { stopChild } from './proc.js'
import { median } from './stats.js'
import { MAX_PURGE_PER_PASS } from '../../src/core/constants.js'

export interface FairnessResult {
  /** How long group B's tasks took from their submit to the last one's end, alone. */
  aloneMs: number[]
  /** The same with group A's tasks queued before them (and running). */
  sharedMs: number[]
  aTasks: number
  bTasks: number
  slots: number
}

/**
 * Fair shares between task groups: group B's `bTasks` run alone, then behind group A's `aTasks` (queued and
 * running first), alternating; each time from B's submit to B's last completion. Workers are processes with
 * `concurrency` slots each; every task takes `taskMs` (the simulate handler).
 */
export async function fairnessBench (options: { aTasks: number, bTasks: number, workers: number, concurrency: number, taskMs: number, rounds: number }): Promise<FairnessResult> {
  const manager = new TaskManager([], { listen: ['/ip4/127.0.0.1/tcp/0'], maxTasks: options.aTasks * 2 + options.bTasks * 4 })
  const waiting = new Map<string, () => void>()
  manager.addEventListener('task:completed', ({ detail }) => { waiting.get(detail.id)?.() })
  await manager.start()
  const connected = new Promise<void>(resolve => {
    let n = 0
    manager.addEventListener('worker:connected', () => { if (++n === options.workers) resolve() })
  })
  const workers = Array.from({ length: options.workers }, (_, i) => spawnCli(['worker', '--admin', manager.details().addresses[0]!, '--name', `w${i}`, '--skill', '10', '--max-concurrent', String(options.concurrency), '--quiet'], { built: true }))
  for (const w of workers) {
    w.stdout?.resume()
    w.stderr?.resume()
  }
  const task = (id: string, group: string): Record<string, unknown> => ({ id, group, payload: { durationMs: options.taskMs } })
  /** Submits B's tasks and resolves with the ms until the last of them ended. */
  const runB = async (round: number): Promise<number> => {
    const ids = Array.from({ length: options.bTasks }, (_, i) => `b${round}-${i}`)
    const ended = Promise.all(ids.map(async id => { await new Promise<void>(resolve => waiting.set(id, resolve)) }))
    const started = performance.now()
    manager.submit(ids.map(id => task(id, 'B')))
    await ended
    for (const id of ids) waiting.delete(id)
    return performance.now() - started
  }
  const result: FairnessResult = { aloneMs: [], sharedMs: [], aTasks: options.aTasks, bTasks: options.bTasks, slots: options.workers * options.concurrency }
  try {
    await connected
    // a warm-up, as a measured round would be
    await runB(-1)
    for (let round = 0; round < options.rounds; round++) {
      // alternating which goes first, so drift hits both alike
      for (const shared of round % 2 === 0 ? [false, true] : [true, false]) {
        if (!shared) {
          result.aloneMs.push(await runB(round * 2))
          continue
        }
        const aIds = Array.from({ length: options.aTasks }, (_, i) => `a${round}-${i}`)
        // A's tasks fill every slot before B's come
        const full = new Promise<void>(resolve => {
          const check = (): void => { if (manager.summary().counts.running >= result.slots) { manager.removeEventListener('task:assigned', check); resolve() } }
          manager.addEventListener('task:assigned', check)
        })
        manager.submit(aIds.map(id => task(id, 'A')))
        await full
        result.sharedMs.push(await runB(round * 2 + 1))
        // A's tasks go: cancelled, then dropped, so the next round starts empty
        for (const id of aIds) manager.cancel(id, 'bench round over')
        await new Promise<void>(resolve => {
          const check = (): void => { if (manager.summary().counts.running === 0) resolve(); else setTimeout(check, 20) }
          check()
        })
        while (manager.purge({ olderThanMs: 0 }) === MAX_PURGE_PER_PASS) { /* a pass at a time */ }
      }
    }
    return result
  } finally {
    await Promise.all(workers.map(async w => { await stopChild(w) }))
    await manager.stop()
  }
}

/** The bench's lines for this part; what `--json` emits. */
export function fairnessReport (f: FairnessResult, print: (line: string) => void, range: (xs: number[]) => string): object {
  const alone = median(f.aloneMs)
  const shared = median(f.sharedMs)
  print(`\nfair shares between task groups: group B's ${f.bTasks} tasks (20 ms each, on ${f.slots} slots), alone and with group A's ${f.aTasks.toLocaleString('en')} tasks queued and running first; alternating:`)
  print(`  B alone                 ${Math.round(alone)} ms${range(f.aloneMs)}`)
  print(`  B behind A's ${f.aTasks.toLocaleString('en').padEnd(10)} ${Math.round(shared)} ms${range(f.sharedMs)}: ${(shared / alone).toFixed(2)}x alone`)
  return { ...f, aloneMedianMs: alone, sharedMedianMs: shared, ratio: shared / alone }
}
