import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliProcesses } from '../helpers/cli.js'
import { churner, flood, hoarder, liar } from '../helpers/hostile.js'

const { start } = cliProcesses()

describe('hostile workers, against an admin with its default options', () => {
  it('a churner, a hoarder, a liar and a flood of unregistered streams fail no honest task', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-hostile-'))
    const file = join(dir, 'tasks.json')
    // one task waits for a worker that joins only once the liar is done, so the admin is there to hear every lie
    await writeFile(file, JSON.stringify([...Array.from({ length: 499 }, (_, i) => ({ id: `h${i}`, payload: { durationMs: 10 } })), { id: 'last', agent: 'honest-late' }]))
    // no allow-lists, no swarm key: anyone may join
    const admin = start(['admin', '--tasks', file, '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-when-done', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    const address: string = addrs[0]

    // the attackers arrive first: a skill of 0 makes them skill fit's first choice for every task
    const hoard = await hoarder(address)
    const flooding = await flood(address, { peers: 48, streamsPerPeer: 4 })
    const stopChurning = new AbortController()
    const churning = Promise.all([
      churner(address, { rounds: 30, freshIds: true, signal: stopChurning.signal }),
      churner(address, { rounds: 30, freshIds: false, signal: stopChurning.signal })
    ])
    for (const name of ['honest-1', 'honest-2', 'honest-3']) {
      start(['worker', '--admin', address, '--name', name, '--skill', '5', '--max-concurrent', '8', '--quiet'])
    }
    await admin.waitForEvent('worker:connected', e => e.name === 'honest-1')
    const lies = await liar(address, 'honest-1')
    start(['worker', '--admin', address, '--name', 'honest-late', '--skill', '5', '--quiet'])

    expect(await admin.exit()).toBe(0)
    stopChurning.abort()
    const [fresh, same] = await churning
    await hoard.stop()
    await flooding.stop()

    const summary = admin.events.at(-1)!
    expect(summary).toMatchObject({ event: 'summary', total: 500, succeeded: 500, failed: 0 })
    expect(summary.tasks.every((t: { worker: string }) => t.worker.startsWith('honest-'))).toBe(true)
    const rejected = (peerIds: string[], reason: RegExp): string[] => admin.events.filter(e => e.event === 'frame:rejected' && peerIds.includes(e.peerId) && reason.test(e.reason)).map(e => e.reason)
    // the flood happened: every stream opened, and the admin refused those past the budget of streams waiting to register
    expect(flooding).toMatchObject({ opened: 48 * 4, refused: 0 })
    expect(rejected(flooding.peerIds, /waiting to register/).length).toBeGreaterThan(0)
    // the churners reached the admin and took work; the one that kept its peer id was quarantined, then banned
    expect(fresh.reached).toBeGreaterThan(0)
    expect(fresh.assigned + same.assigned).toBeGreaterThan(0)
    expect([...same.refused, ...same.turnedAway].some(r => /quarantined|banned|refused|reset|closed/.test(r))).toBe(true)
    expect(same.refused.some(r => /this worker is quarantined for \d+ s more/.test(r))).toBe(true)
    // the hoarder held work, and it was taken from it and given to honest workers
    expect(hoard.held()).toBeGreaterThan(0)
    expect(admin.events.some(e => e.event === 'task:attempt-ended' && e.outcome === 'lost')).toBe(true)
    // every lie was refused, with its reason
    expect(lies.map(l => l.answer).slice(0, 5)).toEqual([
      expect.stringMatching(/register\.skill: 1e\+308 is not a number from 0 to 1000000/),
      expect.stringMatching(/register\.priority: -2147483648 is not from -1000 to 1000/),
      expect.stringMatching(/the name "honest-1" is taken by another connected worker/),
      expect.stringMatching(/register\.leases: 100 leases held, more than the 1 attempts it runs at once/),
      expect.stringMatching(/register\.capabilities: 65 capabilities, more than 64/)
    ])
    // the oversized one before it could even be read: the admin says it refused that peer's frame by its size
    expect(rejected([lies[5]!.peerId], /limit 65536 bytes/)).toHaveLength(1)
  }, 120_000)
})
