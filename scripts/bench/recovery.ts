import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnCli } from '../../src/simulation/processes.js'
import { jsonLines } from './lines.js'
import type { ChildProcess } from 'node:child_process'

export interface RecoveryResult {
  /** From starting the new admin process to its first assignment. */
  restartToAssignmentMs: number
  /** From the new admin listening to its first assignment: the workers' reconnection. */
  listeningToAssignmentMs: number
}

/**
 * An admin (with a data directory) and 3 worker processes; the admin is killed with SIGKILL once 100 of
 * 400 tasks are done and started again on the same data directory and port.
 */
export async function recoveryBench (): Promise<RecoveryResult> {
  const dir = await mkdtemp(join(tmpdir(), 'taskmesh-recovery-'))
  const tasks = join(dir, 'tasks.json')
  await writeFile(tasks, JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ id: `r${i}`, payload: { durationMs: 10 } }))))
  const args = (listen: string): string[] => ['admin', '--tasks', tasks, '--data-dir', join(dir, 'state'), '--listen', listen, '--exit-when-done', '--json']
  const children: ChildProcess[] = []
  try {
    const first = spawnCli(args('/ip4/127.0.0.1/tcp/0'), { built: true })
    children.push(first)
    const firstEvents = jsonLines(first)
    const listening = await firstEvents.next(e => e.event === 'listening')
    for (let i = 0; i < 3; i++) {
      const w = spawnCli(['worker', '--admin', listening.addrs[0], '--name', `w${i}`, '--skill', '1', '--max-concurrent', '4', '--quiet'], { built: true })
      w.stdout?.resume()
      children.push(w)
    }
    let completed = 0
    await firstEvents.next(e => e.event === 'task:completed' && ++completed === 100)
    first.kill('SIGKILL')
    await once(first, 'exit')
    const port = /\/tcp\/(\d+)\//.exec(listening.addrs[0])![1]
    const restarted = performance.now()
    const second = spawnCli(args(`/ip4/127.0.0.1/tcp/${port}`), { built: true })
    children.push(second)
    const secondEvents = jsonLines(second)
    await secondEvents.next(e => e.event === 'listening')
    const listened = performance.now()
    await secondEvents.next(e => e.event === 'task:assigned')
    const assigned = performance.now()
    return { restartToAssignmentMs: assigned - restarted, listeningToAssignmentMs: assigned - listened }
  } finally {
    for (const c of children) c.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  }
}
