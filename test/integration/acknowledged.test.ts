import { afterEach, describe, expect, it } from 'vitest'
import { AdminClient } from '../../src/client/admin-client.js'
import { GatedJournal } from '../helpers/journal.js'
import { Network, nextEvent } from '../helpers/net.js'
import type { TaskManager } from '../../src/manager/task-manager.js'

/**
 * Nothing is acknowledged to anyone before the journal has it, on every door: a journal whose writes wait
 * for the test shows that each answer leaves only once the batch holding its change is written.
 */
let net: Network
let gated: GatedJournal | undefined
afterEach(async () => {
  // a write still held would keep the admin's stop waiting for it
  gated?.open()
  await net.stop()
})

async function gatedAdmin (options: { ackTimeoutMs?: number } = {}): Promise<{ manager: TaskManager, journal: GatedJournal, base: string }> {
  net = new Network()
  const journal = gated = new GatedJournal({ held: false })
  const manager = await net.admin([], { listen: ['/ip4/127.0.0.1/tcp/0'], http: { port: 0 }, journal, ...options })
  return { manager, journal, base: manager.details().http! }
}

/** A request's answer, with a flag saying whether it has come. */
function pending<T> (promise: Promise<T>): { answered: () => boolean, result: Promise<T> } {
  let answered = false
  const result = promise.finally(() => { answered = true })
  return { answered: () => answered, result }
}

const json = (method: string, body?: unknown): RequestInit => body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }

describe('every door answers a change only once the journal has it', () => {
  it('HTTP: a submit, a cancel, a retry, steering and a pulled result wait for their batch', async () => {
    const { manager, journal, base } = await gatedAdmin()
    await net.worker(manager, 'w', 5, { handlers: { slow: async (_task, { signal }) => await new Promise((_resolve, reject) => { signal.addEventListener('abort', () => { reject(signal.reason) }) }) } })
    const status = async (path: string, init: RequestInit): Promise<number> => (await fetch(base + path, init)).status

    // each change: the request goes out while writes are held; once its batch is being written (the change
    // is in the admin's memory: a read shows it) the answer has still not come; it comes when the write is done
    const check = async (path: string, init: RequestInit, seen: () => boolean | Promise<boolean>, expected: number): Promise<void> => {
      journal.hold()
      const request = pending(status(path, init))
      await journal.waiting(1)
      expect(await seen()).toBe(true)
      expect(request.answered()).toBe(false)
      journal.open()
      expect(await request.result).toBe(expected)
    }
    const assigned = nextEvent(manager, 'task:assigned', d => d.taskId === 'a')
    await check('/api/tasks', json('POST', [{ id: 'a', type: 'slow' }]), async () => (await fetch(`${base}/api/tasks/a`)).status === 200, 201)
    await assigned
    await check('/api/tasks/a/cancel', json('POST', { reason: 'not needed' }), () => manager.getTask('a').state === 'cancelled', 200)
    await check('/api/tasks/a/retry', json('POST'), () => manager.getTask('a').state !== 'cancelled', 200)
    await check('/api/workers/w', json('PATCH', { draining: true }), () => manager.workers()[0]!.draining, 200)

    // a pulled result
    manager.submit([{ id: 'p', type: 'pulled' }])
    const claim = await (await fetch(`${base}/api/claims`, json('POST', { agent: 'puller', types: ['pulled'], waitSeconds: 5 }))).json() as { claims: Array<{ token: string }> }
    await check(`/api/claims/${claim.claims[0]!.token}/result`, json('POST', { output: 'done' }), () => manager.getTask('p').state === 'succeeded', 200)
  })

  it('the client protocol (the CLI, MCP): a submit waits for its batch', async () => {
    const { manager, journal } = await gatedAdmin()
    const client = await AdminClient.connect(manager.details().addresses[0]!)
    try {
      journal.hold()
      const submitted = pending(client.submit([{ id: 'c' }]))
      await journal.waiting(1)
      // a query on the same stream is answered at once: the submit's answer, had it left, would be ahead of it
      expect((await client.task('c')).state).toBe('ready')
      expect(submitted.answered()).toBe(false)
      journal.open()
      expect(await submitted.result).toEqual({ added: ['c'], existing: [] })
    } finally {
      await client.close()
    }
  })

  it('a journal that does not confirm in time: the request ends with 503, saying what became of the change', async () => {
    const { journal, base } = await gatedAdmin({ ackTimeoutMs: 300 })
    journal.hold()
    const res = await fetch(`${base}/api/tasks`, json('POST', [{ id: 'late' }]))
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ error: 'JournalUnavailableError', message: expect.stringMatching(/^not confirmed: the journal did not record this change within 0\.3 s; it is recorded once the journal answers/) })
    journal.open()
  })
})
