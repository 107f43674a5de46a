import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { JOURNAL_FILE, SqliteJournal } from '../../src/store/sqlite-journal.js'
import { cliProcesses } from '../helpers/cli.js'
import { Network, record } from '../helpers/net.js'

let net: Network | undefined
const { start } = cliProcesses()
afterEach(async () => {
  await net?.stop()
})

describe('graceful shutdown', () => {
  it('SIGTERM on a worker: no new work, the running task finishes and is reported, then it leaves', async () => {
    net = new Network()
    const manager = await net.admin(Array.from({ length: 3 }, (_, i) => ({ id: `g${i}`, payload: { durationMs: 400 } })))
    const assigned = record(manager, ['task:assigned'])
    const worker = start(['worker', '--admin', manager.details().addresses[0]!, '--name', 'leaving', '--skill', '1', '--json'])
    await worker.waitForEvent('task:started')
    worker.kill('SIGTERM')
    expect(await worker.exit()).toBe(0)
    const finished = worker.events.filter(e => e.event === 'task:finished')
    expect(finished).toEqual([expect.objectContaining({ success: true })])
    expect(worker.events.at(-1)).toMatchObject({ event: 'stopped', reason: 'signal' })
    // the admin recorded its result and gave it nothing else
    expect(manager.getTask(finished[0]!.taskId).state).toBe('succeeded')
    expect(assigned.filter(e => e.detail.worker === 'leaving')).toHaveLength(1)
    await net.worker(manager, 'staying', 1)
    expect((await manager.whenDone()).succeeded).toBe(3)
  })

  it('SIGTERM on the admin: it stops assigning, waits for running tasks, journals them, and exits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-drain-'))
    const tasks = join(dir, 'tasks.json')
    await writeFile(tasks, JSON.stringify(Array.from({ length: 6 }, (_, i) => ({ id: `d${i}`, payload: { durationMs: 400 } }))))
    const admin = start(['admin', '--tasks', tasks, '--data-dir', join(dir, 'state'), '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    start(['worker', '--admin', addrs[0], '--name', 'w', '--skill', '1', '--max-concurrent', '2', '--json'])
    await admin.waitUntil(() => admin.events.filter(e => e.event === 'task:assigned').length === 2)
    admin.kill('SIGTERM')
    expect(await admin.exit()).toBe(0)
    expect(admin.events.at(-1)).toMatchObject({ event: 'stopped', reason: 'signal' })
    const assigned = admin.events.filter(e => e.event === 'task:assigned').map(e => e.taskId)
    expect(assigned).toHaveLength(2)
    // both running tasks finished during the drain, and their results are in the journal
    const journal = new SqliteJournal(join(dir, 'state', JOURNAL_FILE))
    const succeeded = [...journal.load()].flatMap(e => e.type === 'attempt-ended' && e.outcome === 'succeeded' ? [e.taskId] : [])
    journal.close()
    expect(succeeded.sort()).toEqual(assigned.sort())
  })
})
