import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { cliProcesses } from '../helpers/cli.js'
import { Network, nextEvent, record } from '../helpers/net.js'

// tasks that end when the test says so: the stalled worker's wait for a file, the others' do not
const HANDLERS = fileURLToPath(new URL('../fixtures/gated-handlers.mjs', import.meta.url))

let net: Network
const { start } = cliProcesses()
afterEach(async () => {
  await net.stop()
})

describe('a worker cut off without closing its connection (SIGSTOP)', () => {
  it('loses its leases, its tasks complete elsewhere, and its late results are announced, not accepted', async () => {
    net = new Network()
    const gate = join(await mkdtemp(join(tmpdir(), 'taskmesh-stall-')), 'gate')
    const tasks = Array.from({ length: 4 }, (_, i) => ({ id: `s${i}`, type: 'gated', payload: { gate, holdOn: 'stalled' } }))
    // it may hold all four from the start (on an open network a new worker earns that)
    const manager = await net.admin(tasks, { leaseTtlMs: 3000, initialWindow: 4 })
    const address = manager.details().addresses[0]!
    const assignedToStalled = Promise.all(tasks.map(t => nextEvent(manager, 'task:assigned', d => d.taskId === t.id && d.worker === 'stalled')))
    const stalled = start(['worker', '--admin', address, '--name', 'stalled', '--skill', '1', '--max-concurrent', '4', '--handlers', HANDLERS, '--json'])
    const stalledPeer = (await stalled.waitForEvent('started')).peerId
    await assignedToStalled
    // stopped mid-task: its handlers wait for the gate, which does not exist yet
    await stalled.waitUntil(() => stalled.events.filter(e => e.event === 'task:started').length === 4)
    stalled.kill('SIGSTOP')

    const expired = nextEvent(manager, 'worker:disconnected', d => d.id === stalledPeer && d.reason === 'lease-expired', 30_000)
    const late = record(manager, ['task:late-result'])
    const { gated } = await import(HANDLERS) as { gated: never }
    await net.worker(manager, 'healthy', 1, { maxConcurrent: 4, handlers: { gated } })
    await expired
    const summary = await manager.whenDone()
    expect(summary.tasks.map(t => [t.id, t.status, t.worker, t.attempts])).toEqual(tasks.map(t => [t.id, 'succeeded', 'healthy', 2]))

    // it wakes up, finishes its old attempts, reconnects and delivers them: each is announced as late; the
    // finished tasks are archived by then, and an archived task's history is final
    const histories = tasks.map(t => manager.getTaskHistory(t.id))
    const allLate = Promise.all(tasks.map(t => nextEvent(manager, 'task:late-result', d => d.taskId === t.id, 30_000)))
    await writeFile(gate, '')
    stalled.kill('SIGCONT')
    await allLate
    expect(late.map(e => [e.detail.attempt, e.detail.peerId, e.detail.success])).toEqual(tasks.map(() => [1, stalledPeer, true]))
    for (const [i, t] of tasks.entries()) {
      const task = manager.getTask(t.id)
      expect(task.attempts.map(a => [a.workerName, a.outcome])).toEqual([['stalled', 'lost'], ['healthy', 'succeeded']])
      expect(manager.getTaskHistory(t.id)).toEqual(histories[i])
    }
    // the summary did not change: nothing was accepted twice
    expect((await manager.whenDone()).tasks.map(t => t.worker)).toEqual(tasks.map(() => 'healthy'))
  }, 60_000)
})
