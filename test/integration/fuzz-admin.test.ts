import { multiaddr } from '@multiformats/multiaddr'
import * as varint from 'uint8-varint'
import { afterEach, describe, expect, it } from 'vitest'
import { AdminClient } from '../../src/client/admin-client.js'
import { createNode } from '../../src/node/create-node.js'
import { TASK_PROTOCOL } from '../../src/protocol/constants.js'
import { Frame } from '../../src/protocol/pb/tasks.js'
import { mulberry32 } from '../../src/simulation/scenario.js'
import { Network, record } from '../helpers/net.js'
import type { Stream } from '@libp2p/interface'

export const FUZZ_FRAMES = 10_000

/** A seeded generator of hostile frames: random bytes, mutated valid frames, and well-formed nonsense. */
function fuzzer (seed: number, taskIds: string[]): () => Uint8Array {
  const random = mulberry32(seed)
  const int = (n: number): number => Math.floor(random() * n)
  const bytes = (n: number): Uint8Array<ArrayBuffer> => Uint8Array.from({ length: n }, () => int(256))
  const str = (): string => String.fromCharCode(...Array.from({ length: int(20) }, () => 32 + int(0x2f00)))
  const valid = (): Frame => {
    switch (int(8)) {
      case 0: return { register: { name: str(), skill: random() * 20 - 5, capabilities: [str()], maxConcurrent: int(2000), priority: int(10), leases: [{ taskId: taskIds[int(taskIds.length)]!, attempt: 1 + int(3), token: str() }], version: str(), types: [str()], resources: new Map([[str(), random() * 1e12 - 10]]) } }
      case 1: case 2: return { result: { taskId: random() < 0.7 ? taskIds[int(taskIds.length)]! : str(), attempt: int(4), token: str(), success: random() < 0.5, output: bytes(int(40)), error: str(), durationMs: random() * 1e6, unrecoverable: random() < 0.5 } }
      case 3: return { heartbeat: { running: int(100) } }
      case 4: return { drain: { reason: str() } }
      // frames only the admin sends, and a frame with two bodies
      case 5: return { assignment: { taskId: str(), attempt: 1, token: str(), description: str(), type: str(), difficulty: 1, payload: bytes(5), inputs: bytes(5), timeoutMs: 1, traceparent: '' } }
      case 6: return { registerAck: { network: str(), leaseTtlMs: 1, heartbeatMs: 1, error: str(), errorName: str(), retryAfterMs: int(100) } }
      default: return { heartbeat: { running: 1 }, drain: { reason: 'two bodies' } }
    }
  }
  return () => {
    let body: Uint8Array
    const kind = random()
    if (kind < 0.3) body = bytes(int(300))
    else if (kind < 0.7) {
      body = Frame.encode(valid())
      for (let k = 1 + int(4); k > 0 && body.length > 0; k--) body[int(body.length)] = int(256)
    } else body = Frame.encode(valid())
    // now and then a length that no admin reads: it ends the stream
    if (random() < 0.002) return varint.encode(64 * 1024 * 1024)
    return Uint8Array.from([...varint.encode(body.length), ...body])
  }
}

/** A frame as it goes on the wire: its length, then its bytes. */
function frame (f: Frame): Uint8Array {
  const body = Frame.encode(f)
  return Uint8Array.from([...varint.encode(body.length), ...body])
}

let net: Network
afterEach(async () => { await net.stop() })

describe('fuzzing a live admin', () => {
  it(`keeps serving honest workers through ${FUZZ_FRAMES.toLocaleString('en')} hostile frames, and every task completes`, async () => {
    net = new Network()
    const tasks = Array.from({ length: 200 }, (_, i) => ({ id: `f${i}`, payload: { durationMs: 5 } }))
    // strikes are counted but never reach a ban here: banning is tested on its own
    const manager = await net.admin(tasks, { maxInvalidFrames: 1e9, leaseTtlMs: 1000 })
    const address = multiaddr(manager.details().addresses[0]!)
    const rejected = record(manager, ['frame:rejected'])
    await net.worker(manager, 'honest-1', 10, { maxConcurrent: 4 })
    await net.worker(manager, 'honest-2', 10, { maxConcurrent: 4 })

    let sent = 0
    let streams = 0
    for (let peer = 0; peer < 20; peer++) {
      const next = fuzzer(peer, tasks.map(t => t.id))
      const node = await createNode({ services: {}, pubsub: false })
      try {
        let stream: Stream | undefined
        for (let i = 0; i < FUZZ_FRAMES / 20; i++) {
          // the admin ends streams (an unreadable length, a refused Register) and connections: come back,
          // most times registered first (a worker that turns hostile), so its frames are read further
          if (stream == null || stream.status !== 'open' || stream.writeStatus !== 'writable') {
            stream = await node.dialProtocol(address, TASK_PROTOCOL).catch(() => undefined)
            if (stream == null) continue
            if (++streams % 10 !== 0) stream.send(frame({ register: { name: `fuzz-${peer}-${streams}`, skill: 1, capabilities: [], types: ['nothing-honest'], maxConcurrent: 1, priority: 0, leases: [], version: '2', resources: new Map() } }))
          }
          try {
            stream.send(next())
            sent++
          } catch {
            stream = undefined
          }
          if (i % 50 === 49) await new Promise(resolve => setImmediate(resolve))
        }
      } finally {
        await node.stop()
      }
    }

    const summary = await manager.whenDone()
    expect(sent).toBeGreaterThanOrEqual(FUZZ_FRAMES * 0.95)
    expect(summary).toMatchObject({ total: 200, succeeded: 200 })
    expect(summary.tasks.every(t => t.worker === 'honest-1' || t.worker === 'honest-2')).toBe(true)
    expect(rejected.length).toBeGreaterThan(1000)
    // and it still answers
    const client = await AdminClient.connect(manager.details().addresses[0]!)
    try {
      expect((await client.summary()).counts.succeeded).toBe(200)
    } finally {
      await client.close()
    }
  }, 120_000)
})
