import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { taskAdmin, taskWorker } from '../../src/index.js'
import { taskSpec } from '../../src/core/task.js'
import { Network, TUTORIAL_TASKS, nextEvent, record } from '../helpers/net.js'

describe('admin and worker as libp2p services in your own nodes', () => {
  const nodes: Array<{ stop(): Promise<void> | void }> = []
  afterEach(async () => { await Promise.all(nodes.splice(0).map(async n => { await n.stop() })) })

  it('runs a task between two nodes built with createLibp2p', async () => {
    const admin = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), pubsub: gossipsub(), tasks: taskAdmin({ tasks: [taskSpec({ id: 'hello', type: 'greet', payload: { name: 'mesh' } })] }) }
    })
    nodes.push(admin)
    const worker = await createLibp2p({
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        pubsub: gossipsub(),
        tasks: taskWorker({
          name: 'greeter',
          admin: admin.getMultiaddrs()[0]!.toString(),
          handlers: { greet: (task) => `hello, ${(task.payload as { name: string }).name}` }
        })
      }
    })
    nodes.push(worker)
    const summary = await admin.services.tasks.whenDone()
    expect(summary.tasks).toEqual([expect.objectContaining({ id: 'hello', status: 'succeeded', worker: 'greeter', output: 'hello, mesh' })])
  })
})

describe('status broadcasts', () => {
  let net: Network
  afterEach(async () => { await net.stop() })

  it('each heartbeat carries the worker\'s CPU and memory to its record', async () => {
    net = new Network()
    // heartbeats every 100 ms; the signed broadcast goes out once on connecting, then every 30 s
    const manager = await net.admin(TUTORIAL_TASKS, { heartbeatMs: 100 })
    const statuses = record(manager, ['worker:status'])
    const worker = await net.worker(manager, 'Senior', 9)
    await manager.whenDone()
    // three reports after the run: more than the one broadcast, so heartbeats brought them
    const reports = (): Array<{ statusAt: number }> => statuses.map(e => e.detail).filter(s => s.id === worker.peerId && s.completed === 3)
    while (reports().length < 3) await nextEvent(manager, 'worker:status', s => s.id === worker.peerId)
    const status = statuses.at(-1)!.detail
    expect(status).toMatchObject({ id: worker.peerId, name: 'Senior', running: 0, capacity: 1, completed: 3, failed: 0, skill: 9, online: true })
    expect(status.memoryBytes).toBeGreaterThan(0)
    expect(status.cpu).toBeGreaterThanOrEqual(0)
    expect(manager.workers()[0]).toMatchObject({ memoryBytes: status.memoryBytes, cpu: status.cpu, statusAt: status.statusAt })
  })
})
