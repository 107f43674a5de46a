import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { taskBatching } from '../../src/protocol/batching.js'
import { cliProcesses } from '../helpers/cli.js'
import { peer, taskStream } from '../helpers/hostile.js'
import type { Frame } from '../../src/protocol/pb/tasks.js'

const { start } = cliProcesses()

/**
 * A worker written against the wire alone, as one in another language would be: registers (saying it reads
 * batches, or as a worker from before batches), answers every assignment with a success, batches its results
 * when it reads batches and the admin does too. Counts what it was sent.
 */
async function wireWorker (address: string, name: string, batches: boolean): Promise<{ assigned: () => number, batches: () => number, largest: () => number, stop: () => Promise<void> }> {
  const node = await peer()
  const { writer, frames } = await taskStream(node, address)
  const seen = { assigned: 0, batches: 0, largest: 0 }
  writer.write({ register: { name, skill: 5, capabilities: [], types: ['simulate'], maxConcurrent: 64, priority: 0, leases: [], version: '2', resources: new Map(), ...(batches ? { batches } : {}) } })
  const answer = (f: Frame): void => {
    if (f.registerAck?.batches === true && batches) writer.batching = taskBatching
    const a = f.assignment
    if (a == null) return
    seen.assigned++
    writer.write({ result: { taskId: a.taskId, attempt: a.attempt, token: a.token, success: true, output: new Uint8Array(0), error: '', durationMs: 0, unrecoverable: false } })
  }
  void (async () => {
    for await (const f of frames) {
      if (f.batch == null) { answer(f); continue }
      seen.batches++
      seen.largest = Math.max(seen.largest, f.batch.assignments.length + f.batch.resultAcks.length)
      for (const resultAck of f.batch.resultAcks) answer({ resultAck })
      for (const assignment of f.batch.assignments) answer({ assignment })
    }
  })()
  return { assigned: () => seen.assigned, batches: () => seen.batches, largest: () => seen.largest, stop: async () => { await node.stop() } }
}

describe('batches on the task stream, with workers from before them', () => {
  it('an admin batches for workers that read batches and not for older ones; all of them finish their tasks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-versions-'))
    const file = join(dir, 'tasks.json')
    const tasks = ['old', 'new', 'agent'].flatMap(agent => Array.from({ length: 300 }, (_, i) => ({ id: `${agent}-${i}`, agent })))
    await writeFile(file, JSON.stringify(tasks))
    const admin = start(['admin', '--tasks', file, '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-when-done', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    const address: string = addrs[0]
    const old = await wireWorker(address, 'old', false)
    const fresh = await wireWorker(address, 'new', true)
    // the project's own worker reads batches and batches its results
    start(['worker', '--admin', address, '--name', 'agent', '--skill', '5', '--max-concurrent', '64', '--quiet'])

    expect(await admin.exit()).toBe(0)
    await old.stop()
    await fresh.stop()
    const summary = admin.events.at(-1)!
    expect(summary).toMatchObject({ event: 'summary', total: 900, succeeded: 900, failed: 0 })
    expect(admin.events.filter(e => e.event === 'frame:rejected')).toEqual([])
    // an older worker never sees a frame it cannot read
    expect(old.assigned()).toBe(300)
    expect(old.batches()).toBe(0)
    // a worker that reads batches gets its assignments and acknowledgements in them
    expect(fresh.assigned()).toBe(300)
    expect(fresh.batches()).toBeGreaterThan(0)
    expect(fresh.largest()).toBeGreaterThan(1)
  })
})
