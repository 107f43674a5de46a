import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliProcesses, runCli, type CliProcess } from '../helpers/cli.js'
import { acceptedSuccesses, freePort, postgresMissing, TestPostgres } from '../helpers/postgres.js'
import { requirement } from '../helpers/system.js'

const postgres = requirement('the failover tests (PostgreSQL)', postgresMissing())
const { start } = cliProcesses()



describe.skipIf(postgres.missing != null)(`replicas on one PostgreSQL journal${postgres.note}`, () => {
  let server: TestPostgres
  beforeAll(async () => { server = await TestPostgres.start() }, 60_000)
  afterAll(async () => { await server?.stop() })

  /** A leader and a standby sharing a key and a database, and two workers that know both addresses. */
  async function replicas (name: string, tasks: unknown[]): Promise<{ url: string, leader: CliProcess, standby: CliProcess, workers: CliProcess[], peerId: string }> {
    const url = await server.database(name)
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-failover-'))
    const key = join(dir, 'admin.key')
    const peerId = (await runCli(['keygen', '--out', key, '--json'])).events[0]!.peerId as string
    const file = join(dir, 'tasks.json')
    await writeFile(file, JSON.stringify(tasks))
    const ports = [await freePort(), await freePort()]
    const admin = (replica: string, port: number): CliProcess => start(['admin', '--tasks', file, '--database-url', url, '--key', key, '--replica', replica, '--failover-timeout', '1', '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--exit-when-done', '--json'])
    const leader = admin('a', ports[0]!)
    expect((await leader.waitForEvent('listening')).leader).toMatchObject({ replica: 'a', epoch: 1 })
    const standby = admin('b', ports[1]!)
    expect((await standby.waitForEvent('standby')).leader).toMatchObject({ replica: 'a', epoch: 1 })
    const addresses = ports.flatMap(port => ['--admin', `/ip4/127.0.0.1/tcp/${port}/p2p/${peerId}`])
    const workers = [0, 1].map(i => start(['worker', ...addresses, '--name', `w${i}`, '--skill', '1', '--max-concurrent', '4', '--json']))
    await leader.waitUntil(() => leader.events.filter(e => e.event === 'worker:connected').length >= 2)
    return { url, leader, standby, workers, peerId }
  }

  // pinned to the two workers: the new leader cannot finish before both have followed it
  const pinned = (n: number, ms: number): unknown[] => Array.from({ length: n }, (_, i) => ({ id: `t${i}`, agent: `w${i % 2}`, payload: { durationMs: ms } }))

  it('the leader killed with SIGKILL: the standby takes over with the same peer id, the workers follow, every task once', async () => {
    const { url, leader, standby, workers, peerId } = await replicas('killed', pinned(300, 5))
    await leader.waitUntil(() => leader.events.filter(e => e.event === 'task:completed').length >= 60)
    leader.kill('SIGKILL')
    await leader.exited
    const took = await standby.waitForEvent('listening')
    expect(took).toMatchObject({ peerId, leader: { replica: 'b', epoch: 2 } })
    expect(await standby.exit(60_000)).toBe(0)
    expect(standby.events.at(-1)).toMatchObject({ event: 'summary', total: 300, succeeded: 300, failed: 0 })
    for (const w of workers) expect(w.events.filter(e => e.event === 'connected').length).toBeGreaterThanOrEqual(2)
    const accepted = await acceptedSuccesses(url)
    expect(accepted.size).toBe(300)
    expect([...accepted.values()].every(n => n === 1)).toBe(true)
  }, 120_000)

  it('the leader frozen (SIGSTOP) past the failover timeout: the standby leads; woken, the old leader cannot write and steps down', async () => {
    const { url, leader, standby } = await replicas('frozen', pinned(120, 20))
    await leader.waitUntil(() => leader.events.filter(e => e.event === 'task:completed').length >= 20)
    leader.kill('SIGSTOP')
    expect(await standby.waitForEvent('listening')).toMatchObject({ leader: { replica: 'b', epoch: 2 } })
    leader.kill('SIGCONT')
    // its next write is refused: it says so and exits
    expect(await leader.exit(30_000)).toBe(1)
    expect(leader.stderr).toMatch(/this admin lost the lead \(epoch 1\) to b \(epoch 2\).*stepping down/)
    expect(await standby.exit(60_000)).toBe(0)
    expect(standby.events.at(-1)).toMatchObject({ event: 'summary', total: 120, succeeded: 120 })
    const accepted = await acceptedSuccesses(url)
    expect(accepted.size).toBe(120)
    expect([...accepted.values()].every(n => n === 1)).toBe(true)
  }, 120_000)
})
