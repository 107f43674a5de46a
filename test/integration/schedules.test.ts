import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliProcesses, runCli, type CliProcess } from '../helpers/cli.js'
import { Network } from '../helpers/net.js'
import { freePort, postgresMissing, TestPostgres } from '../helpers/postgres.js'
import { requirement } from '../helpers/system.js'
import { SqliteJournal } from '../../src/store/sqlite-journal.js'
import { PostgresJournal } from '../../src/store/postgres-journal.js'
import type { Journal } from '../../src/store/journal.js'
import type { TaskManager } from '../../src/manager/task-manager.js'

const { start } = cliProcesses()
const postgres = requirement('the schedule failover test (PostgreSQL)', postgresMissing())
const SCHEDULES = { schedules: [{ name: 'tick', every: 1, task: { type: 'simulate', payload: { durationMs: 10 } } }] }

/**
 * The slots of the tasks a journal holds for `tick`, in order, and how often each was submitted: every
 * 'submitted' event of a live task, and every archived task.
 */
function slotsIn (journal: Journal): { slots: number[], submissions: Map<string, number>, lastTask: string | undefined } {
  const submissions = new Map<string, number>()
  for (const e of journal.load()) if (e.type === 'submitted') submissions.set(e.task.id, (submissions.get(e.task.id) ?? 0) + 1)
  for (const t of journal.archive.list()) submissions.set(t.id, (submissions.get(t.id) ?? 0) + 1)
  const slots = [...submissions.keys()].filter(id => id.startsWith('tick@')).map(id => Date.parse(id.slice('tick@'.length))).sort((a, b) => a - b)
  return { slots, submissions, lastTask: journal.schedules().find(s => s.name === 'tick')?.lastTask }
}

/** Every slot from the first to the last, one second apart, but those in `gap` (while no admin led). */
function expectEverySlot (slots: number[], gap: [number, number]): void {
  expect(slots.length).toBeGreaterThan(4)
  for (let slot = slots[0]!; slot <= slots.at(-1)!; slot += 1000) {
    if (slot > gap[0] && slot < gap[1]) continue
    expect(slots, `slot ${new Date(slot).toISOString()}`).toContain(slot)
  }
}

const ticks = (p: CliProcess): number => p.events.filter(e => e.event === 'task:completed' && String(e.id).startsWith('tick@')).length

describe('schedules on real processes', () => {
  it('fires one task a slot from a task file\'s schedules, and an admin killed with SIGKILL and started again fires none twice (checked in the journal)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-schedules-'))
    const file = join(dir, 'tasks.json')
    await writeFile(file, JSON.stringify(SCHEDULES))
    const dataDir = join(dir, 'state')
    const admin = (listen: string): CliProcess => start(['admin', '--tasks', file, '--data-dir', dataDir, '--listen', listen, '--json'])
    const first = admin('/ip4/127.0.0.1/tcp/0')
    const { addrs } = await first.waitForEvent('listening')
    start(['worker', '--admin', addrs[0], '--name', 'w', '--skill', '1', '--json'])
    await first.waitUntil(() => ticks(first) >= 3, 30_000)
    const listed = await runCli(['schedules', '--admin', addrs[0], '--json'])
    expect(listed.events[0]!.schedules).toEqual([expect.objectContaining({ name: 'tick', everyMs: 1000, paused: false, lastTask: expect.stringMatching(/^tick@/) })])
    const killedAt = Date.now()
    first.kill('SIGKILL')
    await first.exited
    const second = admin(`/ip4/127.0.0.1/tcp/${/\/tcp\/(\d+)\//.exec(addrs[0])![1]}`)
    await second.waitForEvent('listening')
    const restartedAt = Date.now()
    await second.waitUntil(() => ticks(second) >= 3, 30_000)
    second.kill('SIGTERM')
    await second.exited

    const journal = new SqliteJournal(join(dataDir, 'journal.db'))
    const { slots, submissions, lastTask } = slotsIn(journal)
    journal.close()
    expect([...submissions.values()].every(n => n === 1)).toBe(true)
    expectEverySlot(slots, [killedAt - 1000, restartedAt])
    expect(lastTask).toBe(`tick@${new Date(slots.at(-1)!).toISOString().replace('.000Z', 'Z')}`)
  }, 120_000)
})

describe.skipIf(postgres.missing != null)(`schedules across a failover${postgres.note}`, () => {
  let server: TestPostgres
  beforeAll(async () => { server = await TestPostgres.start() }, 60_000)
  afterAll(async () => { await server?.stop() })

  it('the leader killed with SIGKILL: the standby goes on firing, one task a slot (checked in the journal)', async () => {
    const url = await server.database('schedules')
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-schedules-pg-'))
    const key = join(dir, 'admin.key')
    const peerId = (await runCli(['keygen', '--out', key, '--json'])).events[0]!.peerId as string
    const file = join(dir, 'tasks.json')
    await writeFile(file, JSON.stringify(SCHEDULES))
    const ports = [await freePort(), await freePort()]
    const admin = (replica: string, port: number): CliProcess => start(['admin', '--tasks', file, '--database-url', url, '--key', key, '--replica', replica, '--failover-timeout', '1', '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--json'])
    const leader = admin('a', ports[0]!)
    await leader.waitForEvent('listening')
    const standby = admin('b', ports[1]!)
    await standby.waitForEvent('standby')
    start(['worker', ...ports.flatMap(port => ['--admin', `/ip4/127.0.0.1/tcp/${port}/p2p/${peerId}`]), '--name', 'w', '--skill', '1', '--json'])
    await leader.waitUntil(() => ticks(leader) >= 3, 30_000)
    const killedAt = Date.now()
    leader.kill('SIGKILL')
    await leader.exited
    await standby.waitForEvent('listening')
    const tookAt = Date.now()
    await standby.waitUntil(() => ticks(standby) >= 3, 30_000)
    standby.kill('SIGTERM')
    await standby.exited

    const journal = await PostgresJournal.open(url, { readOnly: true })
    const { slots, submissions } = slotsIn(journal)
    await journal.close()
    expect([...submissions.values()].every(n => n === 1)).toBe(true)
    expectEverySlot(slots, [killedAt - 1000, tookAt])
  }, 120_000)
})

describe('taskmesh schedules, /api/schedules', () => {
  const net = new Network()
  let manager: TaskManager
  let at: string
  let http: string

  beforeAll(async () => {
    ({ manager, at, http } = await net.httpAdmin())
  })
  afterAll(async () => { await net.stop() })

  it('adds, lists, pauses, resumes and removes a schedule from the CLI, and refuses bad input by name', async () => {
    const added = await runCli(['schedules', 'add', 'nightly', '--cron', '0 2 * * *', '--timezone', 'Europe/Paris', '--task', '{"type": "report", "priority": 8}', '--admin', at, '--json'])
    expect(added.code, added.stderr).toBe(0)
    expect(added.events[0]!.schedules).toEqual([expect.objectContaining({ name: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Paris', nextAt: expect.any(Number) })])
    const table = await runCli(['schedules', '--admin', at])
    expect(table.stdout).toMatch(/nightly .*cron 0 2 \* \* \* \(Europe\/Paris\).*report/)
    expect((await runCli(['schedules', 'pause', 'nightly', '--admin', at])).stdout).toMatch(/schedule nightly paused/)
    expect((await runCli(['schedules', 'list', '--admin', at, '--json'])).events[0]!.schedules[0]).toMatchObject({ paused: true })
    expect((await runCli(['schedules', 'resume', 'nightly', '--admin', at])).stdout).toMatch(/schedule nightly resumed; next/)

    expect(await runCli(['schedules', 'add', 'bad', '--cron', 'at noon', '--task', '{}', '--admin', at])).toMatchObject({ code: 2, stderr: expect.stringMatching(/schedules\.cron: not 5 or 6 fields/) })
    expect(await runCli(['schedules', 'add', 'bad', '--every', '60', '--task', '{"id": "x"}', '--admin', at])).toMatchObject({ code: 2, stderr: expect.stringMatching(/task\.id: .*leave id out/) })
    expect(await runCli(['schedules', 'add', 'bad', '--every', '60', '--task', '{oops', '--admin', at])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--task is not JSON/) })
    expect(await runCli(['schedules', 'add', 'bad', '--every', '60', '--task', '{"depends_on": ["nope"]}', '--admin', at])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown task "nope"/) })
    expect(await runCli(['schedules', 'pause', 'nope', '--admin', at])).toMatchObject({ code: 1, stderr: expect.stringMatching(/unknown schedule "nope"; schedules are nightly/) })

    expect((await runCli(['schedules', 'remove', 'nightly', '--admin', at])).stdout).toMatch(/schedule nightly removed/)
    expect(manager.schedules.list()).toEqual([])
  }, 60_000)

  it('taskmesh submit takes a task file\'s schedules; the HTTP routes, with hostile input', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-schedules-submit-'))
    const file = join(dir, 'tasks.yaml')
    await writeFile(file, 'tasks:\n  - id: base\nschedules:\n  - name: after-base\n    every: 3600\n    task: { depends_on: [base] }\n')
    const submitted = await runCli(['submit', '--tasks', file, '--admin', at, '--json'])
    expect(submitted.events[0]).toMatchObject({ event: 'submitted', added: ['base'], schedules: ['after-base'] })

    const send = async (method: string, path: string, body?: unknown): Promise<{ status: number, body: any }> => {
      const res = await fetch(http + path, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) })
      return { status: res.status, body: await res.json() }
    }
    expect(await send('POST', '/api/schedules', { name: 'hourly', every: 3600, task: { type: 'report' } })).toMatchObject({ status: 201, body: { schedules: [{ name: 'hourly', everyMs: 3_600_000 }] } })
    expect((await send('GET', '/api/schedules')).body.map((s: { name: string }) => s.name).sort()).toEqual(['after-base', 'hourly'])
    expect(await send('POST', '/api/schedules/hourly/pause')).toMatchObject({ status: 200, body: { name: 'hourly', paused: true } })
    expect(await send('POST', '/api/schedules/hourly/resume')).toMatchObject({ status: 200, body: { paused: false, nextAt: expect.any(Number) } })
    expect(await send('POST', '/api/schedules', {})).toMatchObject({ status: 400, body: { problems: expect.arrayContaining([expect.objectContaining({ path: 'schedules.name' })]) } })
    expect(await send('POST', '/api/schedules', { name: 'x', every: 0.1, task: {} })).toMatchObject({ status: 400, body: { problems: [{ path: 'schedules.every' }] } })
    expect(await send('POST', '/api/schedules', { name: 'x', cron: '0 10 * * *', timezone: 'Nowhere/Land', task: {} })).toMatchObject({ status: 400, body: { problems: [{ path: 'schedules.timezone' }] } })
    expect(await send('POST', '/api/schedules', [{ name: 'dup', every: 60, task: {} }, { name: 'dup', every: 60, task: {} }])).toMatchObject({ status: 400, body: { problems: [{ path: 'schedules[1].name' }] } })
    expect(await send('POST', '/api/schedules', { name: '../etc', every: 60, task: {} })).toMatchObject({ status: 400, body: { problems: [{ path: 'schedules.name' }] } })
    expect(await send('POST', '/api/schedules', { name: 'big', every: 60, task: { payload: 'x'.repeat(100_000) } })).toMatchObject({ status: 413 })
    expect(await send('POST', '/api/schedules/nope/pause')).toMatchObject({ status: 404, body: { error: 'UnknownScheduleError' } })
    expect(await send('DELETE', '/api/schedules/hourly')).toEqual({ status: 200, body: { removed: 'hourly' } })
    expect(await send('DELETE', '/api/schedules/hourly')).toMatchObject({ status: 404 })
    // a schedule's task is kept and journaled at each firing: its payload is held to 64 KiB
    expect(() => manager.schedules.put({ name: 'fat', every: 60, task: { payload: 'x'.repeat(70_000) } })).toThrow(expect.objectContaining({ problems: [{ path: 'schedules[0].task.payload', message: expect.stringMatching(/more than the 65536-byte limit of a schedule's task/) }] }))
    // nothing half-added: the bad requests left the two schedules as they were
    expect(manager.schedules.list().map(s => s.name)).toEqual(['after-base'])
  }, 60_000)
})
