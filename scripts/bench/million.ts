import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnCli } from '../../src/simulation/processes.js'
import { jsonLines } from './lines.js'
import { rssOf, stopChild } from './proc.js'
import type { ChildProcess } from 'node:child_process'

export interface MillionResult {
  tasks: number
  /** From starting `taskmesh admin --tasks FILE` to its `listening` event: reading, checking, queueing. */
  loadSeconds: number
  /** Admin RSS then, everything queued. */
  loadedRssBytes: number
  /** Highest admin RSS seen while the queue drained. */
  drainPeakRssBytes: number
  /** Admin RSS once every task had finished. */
  drainedRssBytes: number
  /** Tasks finished per second between 20% and 80% done. */
  drainPerSecond: number
}

/**
 * An admin CLI process (no data directory, `--quiet`) given a file of `tasks` no-op tasks, then 4 worker
 * processes × 64: how long loading takes, and the admin's memory loaded, while draining and drained.
 * Progress is read from its HTTP API every 250 ms.
 */
export async function millionBench (tasks: number): Promise<MillionResult> {
  const dir = await mkdtemp(join(tmpdir(), 'taskmesh-million-'))
  const file = join(dir, 'tasks.json')
  await writeFile(file, JSON.stringify(Array.from({ length: tasks }, (_, i) => ({ id: `task-${i}`, description: `step ${i}` }))))
  const children: ChildProcess[] = []
  try {
    const started = performance.now()
    const admin = spawnCli(['admin', '--tasks', file, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0', '--expected-workers', '4', '--quiet', '--json'], { built: true })
    children.push(admin)
    admin.stderr?.resume()
    const listening = await jsonLines(admin).next(e => e.event === 'listening')
    const loadSeconds = (performance.now() - started) / 1000
    const rss = (): number => rssOf(admin.pid) ?? NaN
    const loadedRssBytes = rss()
    for (let i = 0; i < 4; i++) {
      const w = spawnCli(['worker', '--admin', listening.addrs[0], '--name', `m${i}`, '--skill', '10', '--max-concurrent', '64', '--quiet'], { built: true })
      w.stdout?.resume()
      w.stderr?.resume()
      children.push(w)
    }
    let peak = loadedRssBytes
    let low: { at: number, done: number } | undefined
    let high: { at: number, done: number } | undefined
    for (;;) {
      await new Promise(resolve => setTimeout(resolve, 250))
      peak = Math.max(peak, rss())
      const summary = await (await fetch(`${listening.http}/api/summary`)).json() as { counts: Record<string, number> }
      const done = summary.counts.succeeded! + summary.counts.failed! + summary.counts.skipped! + summary.counts.cancelled!
      const at = performance.now()
      if (low == null && done >= tasks * 0.2) low = { at, done }
      if (high == null && done >= tasks * 0.8) high = { at, done }
      if (done >= tasks) break
    }
    return {
      tasks,
      loadSeconds,
      loadedRssBytes,
      drainPeakRssBytes: peak,
      drainedRssBytes: rss(),
      drainPerSecond: (high!.done - low!.done) / ((high!.at - low!.at) / 1000)
    }
  } finally {
    await Promise.all(children.map(async c => { await stopChild(c) }))
    await rm(dir, { recursive: true, force: true })
  }
}
