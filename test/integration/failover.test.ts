import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { taskSpec } from '../../src/core/task.js'
import { PostgresJournal } from '../../src/store/postgres-journal.js'
import { BIN, cliProcesses, runCli, type CliProcess } from '../helpers/cli.js'
import { FreezingProxy } from '../helpers/freezing-proxy.js'
import { Lan, netnsUnavailable } from '../helpers/netns.js'
import { acceptedSuccesses, freePort, postgresMissing, TestPostgres } from '../helpers/postgres.js'
import { requirement } from '../helpers/system.js'

const postgres = requirement('the failover tests (PostgreSQL)', postgresMissing())
const namespaces = requirement('the failover test across hosts (network namespaces)', postgresMissing() ?? netnsUnavailable())
const { start } = cliProcesses()

/** Tasks pinned to the two workers: a new leader cannot finish before both have followed it. */
const pinned = (n: number, ms: number): unknown[] => Array.from({ length: n }, (_, i) => ({ id: `t${i}`, agent: `w${i % 2}`, payload: { durationMs: ms } }))

async function taskFileAndKey (tasks: unknown[]): Promise<{ file: string, key: string, peerId: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'taskmesh-failover-'))
  const key = join(dir, 'admin.key')
  const peerId = (await runCli(['keygen', '--out', key, '--json'])).events[0]!.peerId as string
  const file = join(dir, 'tasks.json')
  await writeFile(file, JSON.stringify(tasks))
  return { file, key, peerId }
}

describe.skipIf(postgres.missing != null)(`replicas on one PostgreSQL journal${postgres.note}`, () => {
  let server: TestPostgres
  beforeAll(async () => { server = await TestPostgres.start() }, 60_000)
  afterAll(async () => { await server?.stop() })

  /** A leader and a standby sharing a key and a database, and two workers that know both addresses. */
  async function replicas (name: string, tasks: unknown[]): Promise<{ url: string, leader: CliProcess, standby: CliProcess, workers: CliProcess[], peerId: string }> {
    const url = await server.database(name)
    const { file, key, peerId } = await taskFileAndKey(tasks)
    const ports = [await freePort(), await freePort()]
    const admin = (replica: string, port: number): CliProcess => start(['admin', '--tasks', file, '--database-url', url, '--key', key, '--replica', replica, '--failover-timeout', '1', '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--exit-when-done', '--json'])
    const leader = admin('a', ports[0]!)
    expect((await leader.waitForEvent('listening')).leader).toMatchObject({ replica: 'a', epoch: 1 })
    const standby = admin('b', ports[1]!)
    const waiting = await standby.waitForEvent('standby')
    expect(waiting.leader).toMatchObject({ replica: 'a', epoch: 1 })
    // where workers find each replica: the leader's address as it listens, the standby's as it will
    expect(waiting.replicas).toEqual(ports.map((port, i) => ({ replica: ['a', 'b'][i], addresses: [`/ip4/127.0.0.1/tcp/${port}/p2p/${peerId}`] })))
    const addresses = ports.flatMap(port => ['--admin', `/ip4/127.0.0.1/tcp/${port}/p2p/${peerId}`])
    const workers = [0, 1].map(i => start(['worker', ...addresses, '--name', `w${i}`, '--skill', '1', '--max-concurrent', '4', '--json']))
    // both of them, by name: one worker connecting twice (it may, if its first dial went elsewhere) is not two
    await leader.waitUntil(() => new Set(leader.events.filter(e => e.event === 'worker:connected').map(e => e.name)).size >= 2)
    return { url, leader, standby, workers, peerId }
  }

  it('the leader killed with SIGKILL: the standby takes over with the same peer id, the workers follow, every task once', async () => {
    const { url, leader, standby, workers, peerId } = await replicas('killed', pinned(300, 5))
    await leader.waitUntil(() => leader.events.filter(e => e.event === 'task:completed').length >= 60)
    // the database restarted first: the leader pauses and resumes, the standby keeps waiting
    server.restart()
    await leader.waitForEvent('journal:resumed')
    expect(standby.child.exitCode).toBeNull()
    leader.kill('SIGKILL')
    await leader.exited
    const took = await standby.waitForEvent('listening')
    expect(took).toMatchObject({ peerId, leader: { replica: 'b', epoch: 2 } })
    // the new leader names the other replica too, for the workers it tells how to start
    expect(took.replicas).toEqual([{ replica: 'a', addresses: [leader.events.find(e => e.event === 'listening')!.addrs[0]] }])
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

// Runs only where namespaces can be made (root on Linux, with iproute2) and PostgreSQL is installed; CI sets TASKMESH_REQUIRE_ALL=1.
describe.skipIf(namespaces.missing != null)(`replicas across hosts${namespaces.note}`, () => {
  const HOSTS = ['db', 'a', 'b', 'w0', 'w1']
  let lan: Lan
  let server: TestPostgres
  const processes = cliProcesses()
  const on = (host: string, args: string[]): CliProcess => processes.start(args, { command: [...lan.exec(host), process.execPath, BIN] })

  beforeAll(async () => {
    lan = new Lan(HOSTS)
    lan.up()
    server = await TestPostgres.start({ host: { exec: lan.exec('db'), address: lan.address('db'), clients: lan.cidr } })
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
    lan?.down()
  })

  it('the database, two admins and two workers on five hosts: the leader\'s host is cut off, the standby leads, the workers and clients follow it, every task once; mended, the old leader steps down', async () => {
    const url = await server.database('hosts')
    // one task waits for a worker that joins only at the end, so the new leader is still there to be asked
    // and one task for each worker after it, so the run cannot end before both have followed the new leader
    const { file, key, peerId } = await taskFileAndKey([...pinned(200, 10), { id: 'last', agent: 'late', payload: { durationMs: 1 } },
      ...['w0', 'w1'].map(w => ({ id: `follow-${w}`, agent: w, depends_on: ['last'], payload: { durationMs: 1 } }))])
    // workers give up on a silent admin after one lease TTL
    const admin = (host: string): CliProcess => on(host, ['admin', '--tasks', file, '--database-url', url, '--key', key, '--replica', host, '--failover-timeout', '1', '--lease-ttl', '2', '--listen', '/ip4/0.0.0.0/tcp/4001', '--exit-when-done', '--json'])
    const leader = admin('a')
    expect((await leader.waitForEvent('listening')).leader).toMatchObject({ replica: 'a', epoch: 1 })
    const standby = admin('b')
    await standby.waitForEvent('standby')
    // w0 knows both addresses; w1 knows one name that resolves to both hosts
    const addresses = ['a', 'b'].flatMap(host => ['--admin', `/ip4/${lan.address(host)}/tcp/4001/p2p/${peerId}`])
    lan.names('w1', [['admin.lan', lan.address('a')], ['admin.lan', lan.address('b')]])
    const workers = [
      on('w0', ['worker', ...addresses, '--name', 'w0', '--skill', '1', '--max-concurrent', '4', '--json']),
      on('w1', ['worker', '--admin', `/dns4/admin.lan/tcp/4001/p2p/${peerId}`, '--name', 'w1', '--skill', '1', '--max-concurrent', '4', '--json'])
    ]
    // both workers with the leader before it is cut (a loaded machine may take a while over w1's name): each
    // then follows the new leader, which the checks below count
    for (const w of workers) await w.waitForEvent('connected', () => true, 60_000)
    await leader.waitUntil(() => leader.events.filter(e => e.event === 'task:completed').length >= 40)

    lan.cut('a')
    expect(await standby.waitForEvent('listening', () => true, 60_000)).toMatchObject({ peerId, leader: { replica: 'b', epoch: 2 } })
    // a client given both addresses reaches the new leader
    const status = await runCli(['status', ...addresses, '--json'], { command: [...lan.exec('w0'), process.execPath, BIN] })
    expect(status, status.stderr).toMatchObject({ code: 0 })
    expect(status.events.find(e => e.event === 'status')?.summary.leader).toMatchObject({ replica: 'b', epoch: 2 })
    on('w0', ['worker', ...addresses, '--name', 'late', '--skill', '1', '--json'])
    // the old leader cannot renew: it lets everyone go and says so
    expect((await leader.waitForEvent('journal:paused', e => e.leadInDoubt === true, 60_000)).reason).toMatch(/lease \(1 s\) ran out before it could be renewed/)
    // what each process said besides its tasks, should the run go wrong
    const told = (...ps: CliProcess[]): string => ps.map(p => `${p.lines.filter(l => !/"task:(assigned|attempt-ended)/.test(l)).join('\n')}\n${p.stderr}`).join('\n----\n')
    expect(await standby.exit(120_000), told(standby, ...workers)).toBe(0)
    expect(standby.events.at(-1)).toMatchObject({ event: 'summary', total: 203, succeeded: 203, failed: 0 })
    for (const w of workers) {
      // each noticed the leader gone, by its silence or by its socket failing (whichever the cut gives first),
      // and came back to the new one (its follow-up task ran there)
      expect(w.events.filter(e => e.event === 'reconnecting' || e.event === 'disconnected').length, told(w)).toBeGreaterThan(0)
      expect(w.events.filter(e => e.event === 'connected').length).toBeGreaterThanOrEqual(2)
    }
    const accepted = await acceptedSuccesses(server.local(url))
    expect(accepted.size).toBe(203)
    expect([...accepted.values()].every(n => n === 1)).toBe(true)

    // back on the LAN, the old leader learns that b leads: it steps down instead of writing
    lan.mend('a')
    expect(await leader.exit(60_000)).toBe(1)
    expect(leader.stderr).toMatch(/this admin lost the lead \(epoch 1\) to b \(epoch 2\).*stepping down/)
  }, 240_000)
})

describe.skipIf(postgres.missing != null)(`a leader cut off in the middle of a write${postgres.note}`, () => {
  let server: TestPostgres
  let proxy: FreezingProxy
  beforeAll(async () => {
    server = await TestPostgres.start()
    proxy = await FreezingProxy.start(Number(new URL(server.url).port))
  }, 60_000)
  afterAll(async () => {
    await proxy?.stop()
    await server?.stop()
  })

  it('it does not keep the standby out: the standby leads, and the old leader\'s write is refused', async () => {
    const url = await server.database('cut_mid_write')
    const through = new URL(url)
    through.port = String(proxy.port)
    const leader = await PostgresJournal.open(through.toString(), { replica: 'a', failoverTimeoutMs: 1000 })
    const paused: Array<{ leadInDoubt: boolean }> = []
    leader.watch({ failed: () => {}, paused: d => { paused.push(d) } })
    await leader.append({ events: [{ type: 'submitted', at: 1, seq: 0, task: taskSpec({ id: 'first' }) }], archive: [] })
    let standbyWaits = false
    const standby = PostgresJournal.open(url, { replica: 'b', failoverTimeoutMs: 1000, onStandby: () => { standbyWaits = true } })
    await vi.waitFor(() => { expect(standbyWaits).toBe(true) }, { timeout: 10_000 })

    // the network goes silent as the write's statement is on its way
    proxy.freezeOn('last_batch')
    const write = leader.append({ events: [{ type: 'submitted', at: 2, seq: 1, task: taskSpec({ id: 'second' }) }], archive: [] })
    write.catch(() => {})
    await proxy.froze
    const taken = await standby
    try {
      expect(taken.leadership).toMatchObject({ replica: 'b', epoch: 2 })
      // the uncommitted batch is not in the journal the new leader reads
      expect([...taken.load()].map(e => (e as { task?: { id: string } }).task?.id)).toEqual(['first'])
      await vi.waitFor(() => { expect(paused.some(p => p.leadInDoubt)).toBe(true) }, { timeout: 10_000 })
      // the network returns: the old leader's write is refused, never committed under the new epoch
      proxy.thaw()
      await expect(write).rejects.toThrow(/this admin lost the lead \(epoch 1\) to b \(epoch 2\)/)
    } finally {
      await taken.close()
      await leader.close()
    }
  }, 120_000)

  it('a batch that committed while its answer was lost is not written again', async () => {
    const url = await server.database('lost_answer')
    const through = new URL(url)
    through.port = String(proxy.port)
    const rows = async (id: string): Promise<number> => {
      const pg = (await import('pg')).default
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM taskmesh_events WHERE task_id = $1', [id])).rows[0]!.n
      } finally {
        await client.end()
      }
    }
    const journal = await PostgresJournal.open(through.toString(), { replica: 'a', failoverTimeoutMs: 30_000 })
    try {
      await journal.append({ events: [{ type: 'submitted', at: 1, seq: 0, task: taskSpec({ id: 'first' }) }], archive: [] })
      // the statement reaches the database, which commits it; its answer never comes back
      proxy.freezeAfter('last_batch')
      const write = journal.append({ events: [{ type: 'submitted', at: 2, seq: 1, task: taskSpec({ id: 'second' }) }], archive: [] })
      await proxy.froze
      await vi.waitFor(async () => { expect(await rows('second')).toBe(1) }, { timeout: 10_000 })
      // the network returns: the session is lost, the journal connects again, finds its batch there, and writes it no more
      proxy.thaw()
      await write
      expect(await rows('second')).toBe(1)
      expect([...journal.load()].map(e => (e as { task?: { id: string } }).task?.id)).toEqual(['first', 'second'])
    } finally {
      await journal.close()
    }
  }, 120_000)
})
