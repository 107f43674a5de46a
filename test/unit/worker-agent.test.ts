import { describe, expect, it } from 'vitest'
import { WorkerAgent } from '../../src/worker/worker-agent.js'

const ADMIN = '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWGzh5E5SrCodfqgKEDxQ9ZzkJY8Q1vHjqNrHyGZkcRoFX'

describe('a worker\'s task types', () => {
  it('takes handlers while its types stay within what a registration may list; refuses the one past it, by name', () => {
    const worker = new WorkerAgent('w', { adminPeer: ADMIN, handlers: { a: async () => 1 } })
    for (let i = 0; i < 254; i++) worker.handle(`t${i}`, async () => 1)
    expect(worker.types()).toHaveLength(256)
    // a type it has already may be given a new handler
    expect(() => worker.handle('t0', async () => 2)).not.toThrow()
    expect(() => worker.handle('one-more', async () => 1)).toThrow(/worker "w": invalid\n {2}type: 257 task types, more than 256/)
    expect(() => new WorkerAgent('v', { adminPeer: ADMIN }).handle('x'.repeat(200), async () => 1)).toThrow(/task type "x{40}/)
    expect(worker.types()).toHaveLength(256)
  })
})
