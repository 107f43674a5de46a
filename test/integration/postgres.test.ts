import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliProcesses, runCli, type CliProcess } from '../helpers/cli.js'
import { FreezingProxy } from '../helpers/freezing-proxy.js'
import { acceptedSuccesses, postgresMissing, TestPostgres } from '../helpers/postgres.js'
import { TaskManager } from '../../src/manager/task-manager.js'
import { requirement } from '../helpers/system.js'

const postgres = requirement('the PostgreSQL journal tests', postgresMissing())
const { start } = cliProcesses()


describe.skipIf(postgres.missing != null)(`the journal in PostgreSQL (--database-url)${postgres.note}`, () => {
  let server: TestPostgres

  beforeAll(async () => { server = await TestPostgres.start() }, 60_000)
  afterAll(async () => { await server?.stop() })

  it('an admin killed with SIGKILL and started again on the same database: same peer id, every task once', async () => {
    const url = await server.database('restart')
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-pg-restart-'))
    const tasks = join(dir, 'tasks.json')
    // pinned to the two workers: the restarted admin cannot finish before both are back
    await writeFile(tasks, JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ id: `p${i}`, agent: `w${i % 2}`, payload: { durationMs: 5 } }))))
    const key = join(dir, 'admin.key')
    const adminArgs = (listen: string): string[] => ['admin', '--tasks', tasks, '--database-url', url, '--key', key, '--listen', listen, '--exit-when-done', '--json']

    const first = start(adminArgs('/ip4/127.0.0.1/tcp/0'))
    const { peerId, addrs } = await first.waitForEvent('listening')
    for (const i of [0, 1]) start(['worker', '--admin', addrs[0], '--name', `w${i}`, '--skill', '1', '--max-concurrent', '4', '--json'])
    // a second admin on the same database waits as a standby while the first leads
    const rival = start(['admin', '--database-url', url, '--key', join(dir, 'other.key'), '--replica', 'second', '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
    expect((await rival.waitForEvent('standby')).leader).toMatchObject({ epoch: 1 })
    rival.kill('SIGTERM')
    expect(await rival.exit()).toBe(0)
    expect(rival.events.at(-1)).toMatchObject({ event: 'stopped', reason: 'signal' })
    await first.waitUntil(() => first.events.filter(e => e.event === 'worker:connected').length >= 2 && first.events.filter(e => e.event === 'task:completed').length >= 80)
    first.kill('SIGKILL')
    await first.exited

    const port = /\/tcp\/(\d+)\//.exec(addrs[0])![1]
    const second = start(adminArgs(`/ip4/127.0.0.1/tcp/${port}`))
    expect((await second.waitForEvent('listening')).peerId).toBe(peerId)
    expect(await second.exit(60_000)).toBe(0)
    expect(second.events.at(-1)).toMatchObject({ event: 'summary', total: 300, succeeded: 300, failed: 0 })
    const accepted = await acceptedSuccesses(url)
    expect(accepted.size).toBe(300)
    expect([...accepted.values()].every(n => n === 1)).toBe(true)

    // the history outlives the admin, read from the database
    const history = await runCli(['history', 'p7', '--database-url', url, '--json'])
    expect(history.code).toBe(0)
    expect(history.events[0]!.entries.map((e: { event: string }) => e.event)).toContain('succeeded')
  }, 120_000)

  /** An admin on a fresh database with `n` short tasks, and one worker running them. */
  async function runningAdmin (name: string, n: number, options: string[]): Promise<{ url: string, admin: CliProcess, worker: CliProcess, http?: string }> {
    const url = await server.database(name)
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-pg-outage-'))
    const tasks = join(dir, 'tasks.json')
    await writeFile(tasks, JSON.stringify(Array.from({ length: n }, (_, i) => ({ id: `o${i}`, payload: { durationMs: 5 } }))))
    const admin = start(['admin', '--tasks', tasks, '--database-url', url, '--key', join(dir, 'admin.key'), '--listen', '/ip4/127.0.0.1/tcp/0', ...options, '--exit-when-done', '--json'])
    const { addrs, http } = await admin.waitForEvent('listening')
    const worker = start(['worker', '--admin', addrs[0], '--name', 'w', '--skill', '1', '--max-concurrent', '4', '--json'])
    return { url, admin, worker, ...(http != null ? { http } : {}) }
  }

  it('the database restarted under a running admin: the admin pauses, takes up its writes again, and loses nothing', async () => {
    const { url, admin } = await runningAdmin('outage', 300, [])
    await admin.waitUntil(() => admin.events.filter(e => e.event === 'task:completed').length >= 50)
    server.restart()
    expect(await admin.exit(60_000)).toBe(0)
    expect(admin.events.at(-1)).toMatchObject({ event: 'summary', total: 300, succeeded: 300, failed: 0 })
    // it said so, both ways
    expect(admin.events.find(e => e.event === 'journal:paused')).toMatchObject({ leadInDoubt: false, reason: expect.stringMatching(/PostgreSQL at postgres:\/\/.*outage/) })
    expect(admin.events.some(e => e.event === 'journal:resumed')).toBe(true)
    expect(admin.stderr).toMatch(/paused: .*; assignments and results wait for it/)
    const accepted = await acceptedSuccesses(url)
    expect(accepted.size).toBe(300)
    expect([...accepted.values()].every(n => n === 1)).toBe(true)
  }, 120_000)

  it('the database away for longer than the failover timeout: the admin lets its workers go and refuses them, then leads on once it is back', async () => {
    const { url, admin, worker, http } = await runningAdmin('long_outage', 200, ['--failover-timeout', '1', '--http', '127.0.0.1:0'])
    await admin.waitUntil(() => admin.events.filter(e => e.event === 'task:completed').length >= 40)
    expect((await (await fetch(`${http}/api/summary`)).json()).journalPaused).toBeUndefined()
    server.down()
    try {
      // a standby could lead by now: the admin cannot tell, so it lets its worker go...
      const doubt = await admin.waitForEvent('journal:paused', e => e.leadInDoubt === true)
      expect(doubt).toMatchObject({ reason: expect.stringMatching(/lease \(1 s\) ran out/) })
      const doubtAt = worker.events.length
      // ...and refuses it while in doubt
      await worker.waitUntil(() => worker.events.slice(doubtAt).filter(e => e.event === 'reconnecting').length >= 2)
      expect(worker.events.slice(doubtAt).some(e => e.event === 'connected')).toBe(false)
      // the HTTP API still answers, and says so
      expect((await (await fetch(`${http}/api/summary`)).json()).journalPaused).toMatchObject({ leadInDoubt: true, since: expect.any(Number), reason: expect.any(String) })
    } finally {
      server.up()
    }
    // nobody took over: the lease is still its own, and it leads on (a server shutting down may still take a
    // connection for a moment, so pauses and resumptions may come before the doubt too)
    await admin.waitUntil(() => admin.events.slice(admin.events.findIndex(e => e.event === 'journal:paused' && e.leadInDoubt === true)).some(e => e.event === 'journal:resumed'))
    expect((await (await fetch(`${http}/api/summary`)).json()).journalPaused, JSON.stringify(admin.events.filter(e => e.event.startsWith('journal:')))).toBeUndefined()
    expect(await admin.exit(60_000)).toBe(0)
    expect(admin.events.at(-1)).toMatchObject({ event: 'summary', total: 200, succeeded: 200, failed: 0 })
    expect(admin.stderr).toMatch(/the lead is in doubt: .*workers and clients were let go/)
    const accepted = await acceptedSuccesses(url)
    expect(accepted.size).toBe(200)
    expect([...accepted.values()].every(n => n === 1)).toBe(true)
  }, 120_000)

  it('a submit over HTTP while the database is frozen is answered only once the batch holding it is written', async () => {
    const url = await server.database('frozen_submit')
    const proxy = await FreezingProxy.start(Number(new URL(server.url).port))
    const through = new URL(url)
    through.port = String(proxy.port)
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-pg-frozen-'))
    const manager = new TaskManager([], { listen: ['/ip4/127.0.0.1/tcp/0'], databaseUrl: through.toString(), keyFile: join(dir, 'admin.key'), http: { port: 0 } })
    try {
      await manager.start()
      const base = manager.details().http!
      // the network to the database goes silent as the batch holding the task is on its way
      proxy.freezeOn('last_batch')
      let answered = false
      const submitted = fetch(`${base}/api/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[{"id": "frozen"}]' }).finally(() => { answered = true })
      await proxy.froze
      // the admin holds the task and serves reads; the submit is not acknowledged
      expect((await fetch(`${base}/api/tasks/frozen`)).status).toBe(200)
      expect(answered).toBe(false)
      // the network returns: the session is lost, the admin connects again and writes the batch, once
      proxy.thaw()
      expect((await submitted).status).toBe(201)
      const pg = (await import('pg')).default
      const client = new pg.Client({ connectionString: server.local(url) })
      await client.connect()
      const rows = await client.query('SELECT count(*)::int AS n FROM taskmesh_events WHERE task_id = $1 AND body LIKE \'%"type":"submitted"%\'', ['frozen'])
      await client.end()
      expect(rows.rows[0].n).toBe(1)
    } finally {
      await manager.stop()
      await proxy.stop()
    }
  }, 120_000)

  it('says what is wrong: no --key, both --data-dir and --database-url, nothing listening there', async () => {
    const url = await server.database('options')
    const noKey = await runCli(['admin', '--database-url', url, '--listen', '/ip4/127.0.0.1/tcp/0'])
    expect(noKey).toMatchObject({ code: 2, stderr: expect.stringMatching(/--database-url: needs --key FILE as well, so the admin keeps its peer id/) })
    const both = await runCli(['admin', '--database-url', url, '--data-dir', '/tmp/x', '--key', '/tmp/k', '--listen', '/ip4/127.0.0.1/tcp/0'])
    expect(both).toMatchObject({ code: 2, stderr: expect.stringMatching(/give --database-url or --data-dir, not both/) })
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-pg-'))
    const nowhere = await runCli(['admin', '--database-url', 'postgres://someone:secret@127.0.0.1:9/none', '--key', join(dir, 'k'), '--listen', '/ip4/127.0.0.1/tcp/0'])
    expect(nowhere.code).toBe(1)
    expect(nowhere.stderr).toMatch(/cannot reach PostgreSQL at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:9\/none: nothing listens there/)
    expect(nowhere.stderr).not.toMatch(/secret/)
  })
})
