import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { ChildProcess } from 'node:child_process'
import { spawnCli } from '../../src/simulation/processes.js'
import { stopChild } from './proc.js'
import { freePort } from '../../test/helpers/postgres.js'


/** Calls `onEvent` with each JSON line a CLI process prints. */
function events (child: ChildProcess, onEvent: (e: Record<string, unknown>) => void): void {
  createInterface({ input: child.stdout! }).on('line', line => {
    try {
      onEvent(JSON.parse(line) as Record<string, unknown>)
    } catch {}
  })
  child.stderr?.resume()
}

function until (child: ChildProcess, match: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise(resolve => { events(child, e => { if (match(e)) resolve(e) }) })
}

/**
 * Failover on one PostgreSQL database: a leader and a standby admin (processes), one worker process knowing
 * both addresses, long-running work; the leader is killed with SIGKILL. Returns the ms from the kill to the
 * standby's first assignment, and to its listening.
 */
export async function failoverBench (options: { databaseUrl: string, failoverTimeoutSeconds: number }): Promise<{ toListeningMs: number, toAssignmentMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'taskmesh-failover-'))
  const children: ChildProcess[] = []
  try {
    const key = join(dir, 'admin.key')
    const keygen = spawnCli(['keygen', '--out', key, '--json'], { built: true })
    const { peerId } = await until(keygen, e => e.event === 'key') as { peerId: string }
    const tasks = join(dir, 'tasks.json')
    await writeFile(tasks, JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ id: `f${i}`, payload: { durationMs: 20 } }))))
    const ports = [await freePort(), await freePort()]
    const admin = (replica: string, port: number): ChildProcess => {
      const child = spawnCli(['admin', '--tasks', tasks, '--database-url', options.databaseUrl, '--key', key, '--replica', replica, '--failover-timeout', String(options.failoverTimeoutSeconds), '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--json'], { built: true })
      children.push(child)
      return child
    }
    const leader = admin('a', ports[0]!)
    const leaderEvents: Array<Record<string, unknown>> = []
    const leading = new Promise<void>(resolve => { events(leader, e => { leaderEvents.push(e); if (e.event === 'listening') resolve() }) })
    // the standby starts once the leader leads, so that the roles are known
    await leading
    const standby = admin('b', ports[1]!)
    const standbyListening = until(standby, e => e.event === 'listening')
    const standbyAssigned = until(standby, e => e.event === 'task:assigned')
    const worker = spawnCli(['worker', ...ports.flatMap(p => ['--admin', `/ip4/127.0.0.1/tcp/${p}/p2p/${peerId}`]), '--name', 'w', '--skill', '1', '--max-concurrent', '8', '--quiet'], { built: true })
    children.push(worker)
    worker.stdout?.resume()
    worker.stderr?.resume()
    // under way: the leader has completed some work
    await new Promise<void>(resolve => {
      const check = setInterval(() => { if (leaderEvents.filter(e => e.event === 'task:completed').length >= 50) { clearInterval(check); resolve() } }, 10)
    })
    const killedAt = performance.now()
    leader.kill('SIGKILL')
    await standbyListening
    const listeningAt = performance.now()
    await standbyAssigned
    return { toListeningMs: listeningAt - killedAt, toAssignmentMs: performance.now() - killedAt }
  } finally {
    await Promise.all(children.map(async c => { await stopChild(c) }))
    await rm(dir, { recursive: true, force: true })
  }
}
