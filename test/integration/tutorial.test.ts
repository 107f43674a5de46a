import { multiaddr } from '@multiformats/multiaddr'
import * as varint from 'uint8-varint'
import { afterEach, describe, expect, it } from 'vitest'
import { createNode } from '../../src/node/create-node.js'
import { TASK_PROTOCOL } from '../../src/protocol/constants.js'
import { Frame } from '../../src/protocol/pb/tasks.js'
import { WorkerAgent } from '../../src/worker/worker-agent.js'
import { Network, TUTORIAL_TASKS, TUTORIAL_WORKERS, nextEvent, record } from '../helpers/net.js'

let net: Network
afterEach(async () => { await net.stop() })

async function tutorial (strategy?: string) {
  net = new Network()
  const manager = await net.admin(TUTORIAL_TASKS, { expectedWorkers: 3, ...(strategy != null ? { strategy } : {}) })
  for (const [name, skill] of TUTORIAL_WORKERS) await net.worker(manager, name, skill)
  return manager.whenDone()
}

describe('the tutorial on real libp2p nodes over loopback', () => {
  it('skill fit gives the three tasks to three workers by skill, and all succeed', async () => {
    const summary = await tutorial()
    expect(summary.tasks.map(t => [t.id, t.worker, t.status])).toEqual([
      ['1', 'Junior', 'succeeded'], ['2', 'Intermediate', 'succeeded'], ['3', 'Senior', 'succeeded']
    ])
    expect(summary.tasks[2]!.output).toEqual({ worker: 'Senior', skill: 9, difficulty: 8, result: 'completed' })
  })

  it('round robin ignores skill, and the same run shows the failure skill fit avoids', async () => {
    const summary = await tutorial('round-robin')
    expect(summary.tasks.map(t => [t.id, t.worker, t.status])).toEqual([
      ['1', 'Intermediate', 'succeeded'], ['2', 'Junior', 'failed'], ['3', 'Senior', 'succeeded']
    ])
    expect(summary.tasks[1]!.error).toBe("Junior's skill 3 is below the task's difficulty 5")
  })

  it('assigns nothing before the expected number of workers has registered', async () => {
    net = new Network()
    const manager = await net.admin(TUTORIAL_TASKS, { expectedWorkers: 3 })
    const log = record(manager, ['worker:connected', 'assigning:started', 'task:assigned'])
    await net.worker(manager, 'Junior', 3)
    await net.worker(manager, 'Intermediate', 6)
    // the admin ran a scheduling pass before it announced the second worker
    expect(manager.summary().counts.running).toBe(0)
    const done = manager.whenDone()
    await net.worker(manager, 'Senior', 9)
    await done
    const names = log.map(e => e.name)
    expect(names.slice(0, 4)).toEqual(['worker:connected', 'worker:connected', 'worker:connected', 'assigning:started'])
    expect(names.filter(n => n === 'task:assigned')).toHaveLength(3)
  })

  it('lets a task too hard for everyone wait until a capable worker joins', async () => {
    net = new Network()
    const manager = await net.admin(TUTORIAL_TASKS, { expectedWorkers: 2 })
    const easy = Promise.all(['1', '2'].map(id => nextEvent(manager, 'task:completed', d => d.id === id)))
    await net.worker(manager, 'Junior', 3)
    await net.worker(manager, 'Intermediate', 6)
    await easy
    expect(manager.getTask('3').state).toBe('ready')
    await net.worker(manager, 'Senior', 9)
    const summary = await manager.whenDone()
    expect(summary.tasks.find(t => t.id === '3')).toMatchObject({ status: 'succeeded', worker: 'Senior', attempts: 1 })
  })

  it('puts the task of a worker killed mid-task back, and another worker completes it', async () => {
    net = new Network()
    const manager = await net.admin([{ id: 'job', type: 'work' }])
    const hang = new WorkerAgent('doomed', { adminPeer: manager.details().addresses[0]!, handlers: { work: async (_t, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))) } })
    net.workers.push(hang)
    const assigned = nextEvent(manager, 'task:assigned', d => d.worker === 'doomed')
    await hang.start()
    await assigned
    await net.worker(manager, 'survivor', 5, { handlers: { work: () => ({ done: true }) } })
    // kill: the connection is torn down without any goodbye
    for (const c of hang.libp2p.getConnections()) c.abort(new Error('killed'))
    const summary = await manager.whenDone()
    expect(summary.tasks[0]).toMatchObject({ status: 'succeeded', worker: 'survivor', output: { done: true }, attempts: 2 })
    expect(manager.getTask('job').attempts.map(a => [a.workerName, a.outcome])).toEqual([['doomed', 'lost'], ['survivor', 'succeeded']])
  })
})

describe('bad input on the task protocol', () => {
  it('rejects garbage, forged and oversized frames, logs the peer, and keeps serving honest workers', async () => {
    net = new Network()
    const tasks = Array.from({ length: 20 }, (_, i) => ({ id: `t${i}`, payload: { durationMs: 20 } }))
    const manager = await net.admin(tasks, { maxFrameBytes: 64 * 1024 })
    const rejected = record(manager, ['frame:rejected'])
    const rogue = await createNode({ services: {} })
    try {
      const honest = net.worker(manager, 'honest', 5, { maxConcurrent: 2 })
      const conn = await rogue.dial(multiaddr(manager.details().addresses[0]!))
      const rogueId = rogue.peerId.toString()

      // registers like a worker, then forges a result for a task leased to someone else
      const stream = await conn.newStream(TASK_PROTOCOL)
      const frame = (f: Frame): Uint8Array[] => { const body = Frame.encode(f); return [varint.encode(body.byteLength), body] }
      const registered = nextEvent(manager, 'worker:connected', d => d.id === rogueId)
      stream.send(concat(frame({ register: { name: 'rogue', skill: 0, capabilities: ['none'], maxConcurrent: 1, priority: 0, leases: [], version: '1', types: [], resources: new Map() } })))
      await registered
      await honest
      const leased = await nextEvent(manager, 'task:assigned', d => d.worker === 'honest', 20_000)
      stream.send(concat(frame({ result: { taskId: leased.taskId, attempt: leased.attempt, token: 'guessed', success: true, output: new Uint8Array(), error: '', durationMs: 1, unrecoverable: false } })))
      // a frame that does not decode
      stream.send(concat([varint.encode(7), Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]))
      await nextEvent(manager, 'frame:rejected', d => d.peerId === rogueId && /undecodable/.test(d.reason))
      // a frame announcing more than the limit: the stream cannot be read further and is dropped
      const gone = nextEvent(manager, 'worker:disconnected', d => d.id === rogueId)
      stream.send(varint.encode(10 * 1024 * 1024))
      await gone

      const summary = await manager.whenDone()
      expect(summary.succeeded).toBe(20)
      expect(summary.tasks.every(t => t.worker === 'honest')).toBe(true)
      const reasons = rejected.filter(e => e.detail.peerId === rogueId).map(e => e.detail.reason)
      expect(reasons).toEqual([
        expect.stringMatching(new RegExp(`result for task "${leased.taskId}" attempt ${leased.attempt}, which is not leased to this worker`)),
        expect.stringMatching(/^undecodable frame of 7 bytes/),
        expect.stringMatching(/frame rejected: .* \(limit 65536 bytes\)/)
      ])
    } finally {
      await rogue.stop()
    }
  })

  it('refuses a worker address without /p2p/, saying what to pass instead', () => {
    expect(() => new WorkerAgent('w', { adminPeer: '/ip4/127.0.0.1/tcp/4001' })).toThrow(expect.objectContaining({
      name: 'InvalidAddressError',
      message: 'admin address "/ip4/127.0.0.1/tcp/4001" does not end in /p2p/<peerId>; copy the full address the admin printed at start (it ends in /p2p/12D3KooW...)'
    }))
    expect(() => new WorkerAgent('w', { adminPeer: 'localhost:4001' })).toThrow(/neither a multiaddr ending in \/p2p\/<peerId> nor a peer id/)
  })
})

function concat (parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.byteLength }
  return out
}
