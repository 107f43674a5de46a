import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { taskAdmin, taskWorker } from '../../src/index.js'
import { taskSpec } from '../../src/core/task.js'
import { Network, TUTORIAL_TASKS, nextEvent } from '../helpers/net.js'

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

  it('the admin hears each worker\'s signed status: its CPU and memory reach the worker\'s record', async () => {
    net = new Network()
    const manager = await net.admin(TUTORIAL_TASKS)
    const worker = await net.worker(manager, 'Senior', 9, { statusIntervalMs: 50 })
    await manager.whenDone()
    const status = await nextEvent(manager, 'worker:status', s => s.id === worker.peerId && s.memoryBytes != null)
    expect(status).toMatchObject({ id: worker.peerId, name: 'Senior', running: 0, capacity: 1, completed: 3, failed: 0, skill: 9, online: true })
    expect(status.memoryBytes).toBeGreaterThan(0)
    expect(status.cpu).toBeGreaterThanOrEqual(0)
    expect(manager.workers()[0]).toMatchObject({ memoryBytes: status.memoryBytes, cpu: status.cpu, statusAt: status.statusAt })
  })
})
