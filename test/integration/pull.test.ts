import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Network, nextEvent } from '../helpers/net.js'
import type { TaskManager } from '../../src/manager/task-manager.js'

/** Agents that take work over HTTP instead of libp2p: claim, heartbeat, result or error. */
describe('workers that pull over HTTP', () => {
  const net = new Network()
  let manager: TaskManager
  let base: string

  beforeAll(async () => {
    // a short lease, so a silent agent loses its task within the test
    manager = await net.admin([], { listen: ['/ip4/127.0.0.1/tcp/0'], http: { port: 0 }, leaseTtlMs: 3_000 })
    base = manager.details().http!
  })
  afterAll(async () => { await net.stop() })

  const post = async (path: string, body: unknown = {}): Promise<{ status: number, body: any }> => {
    const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return { status: res.status, body: await res.json() }
  }

  it('a pulled task feeds a libp2p worker\'s task, which feeds another pulled task; each result accepted once', async () => {
    manager.submit([
      { id: 'draft', type: 'write', payload: { topic: 'leases' } },
      { id: 'check', depends_on: ['draft'], payload: { durationMs: 0 } },
      { id: 'publish', type: 'write', depends_on: ['check'] }
    ])
    // nothing is pushed at an agent: it asks
    const first = await post('/api/claims', { agent: 'scribe', types: ['write'], max: 4, waitSeconds: 0.4 })
    expect(first.status).toBe(200)
    // an agent is named after its door, so it can never take the name of a worker on the task stream
    expect(first.body).toMatchObject({ agent: 'scribe', worker: 'http:scribe' })
    expect(first.body.claims).toEqual([expect.objectContaining({ token: expect.any(String), leaseTtlMs: 3000, task: expect.objectContaining({ id: 'draft', attempt: 1, type: 'write', payload: { topic: 'leases' }, inputs: {} }) })])
    const workers = (await (await fetch(`${base}/api/workers`)).json()) as Array<{ name: string, pulling?: boolean }>
    expect(workers.find(w => w.name === 'http:scribe')).toMatchObject({ pulling: true, types: ['write'] })

    const token = first.body.claims[0].token as string
    expect(await post(`/api/claims/${token}/heartbeat`)).toMatchObject({ status: 200, body: { leaseTtlMs: 3000 } })
    expect(await post(`/api/claims/${token}/result`, { output: { text: 'a draft about leases' } })).toEqual({ status: 200, body: { accepted: true } })
    // exactly once: the same answer again is a conflict
    expect(await post(`/api/claims/${token}/result`, { output: 'again' })).toMatchObject({ status: 409, body: { message: expect.stringMatching(/answered already, or its lease ended/) } })

    // a libp2p worker runs the middle task; the agent then gets the last one with both results upstream
    await net.worker(manager, 'checker', 5)
    await nextEvent(manager, 'task:completed', d => d.id === 'check')
    const second = await post('/api/claims', { agent: 'scribe', types: ['write'], max: 4, waitSeconds: 0.5 })
    expect(second.body.claims.map((c: { task: { id: string } }) => c.task.id)).toEqual(['publish'])
    expect(second.body.claims[0].task.inputs).toEqual({ check: expect.objectContaining({ worker: 'checker' }) })
    expect(await post(`/api/claims/${second.body.claims[0].token}/result`, { output: 'published' })).toEqual({ status: 200, body: { accepted: true } })
    expect(manager.getTask('draft')).toMatchObject({ state: 'succeeded', output: { text: 'a draft about leases' }, worker: 'http:scribe' })
    expect(manager.getTask('publish')).toMatchObject({ state: 'succeeded', output: 'published' })
  })

  it('an agent that goes silent loses its task when its lease expires; another agent completes it; the late result is refused', async () => {
    manager.submit([{ id: 'essay', type: 'essay', retry_policy: { max_attempts: 3, initial_delay: 0 } }])
    const silent = await post('/api/claims', { agent: 'sleepy', types: ['essay'], waitSeconds: 0.4 })
    const late = silent.body.claims[0].token as string
    // no heartbeat: after the lease (3 s) the task goes back to the queue
    await nextEvent(manager, 'task:attempt-ended', d => d.taskId === 'essay' && d.outcome === 'lost')
    const other = await post('/api/claims', { agent: 'awake', types: ['essay'], waitSeconds: 0.4 })
    expect(other.body.claims[0].task).toMatchObject({ id: 'essay', attempt: 2 })
    expect(await post(`/api/claims/${other.body.claims[0].token}/error`, { message: 'out of ink' })).toEqual({ status: 200, body: { accepted: true } })
    const third = await post('/api/claims', { agent: 'awake', types: ['essay'], waitSeconds: 0.5 })
    expect(third.body.claims[0].task).toMatchObject({ id: 'essay', attempt: 3 })
    expect(await post(`/api/claims/${third.body.claims[0].token}/result`, { output: 'done' })).toMatchObject({ status: 200 })
    expect(await post(`/api/claims/${late}/result`, { output: 'too late' })).toMatchObject({ status: 409 })
    expect(manager.getTask('essay')).toMatchObject({ state: 'succeeded', output: 'done', worker: 'http:awake' })
    expect(manager.getTask('essay').attempts).toHaveLength(3)
    expect(manager.getTaskHistory('essay').map(h => h.event)).toEqual(['submitted', 'assigned', 'lost', 'retry-scheduled', 'assigned', 'failed', 'retry-scheduled', 'assigned', 'succeeded'])
  })

  it('refuses bad claims by name, and answers an empty claim after its wait', async () => {
    expect(await post('/api/claims', { types: ['x'] })).toMatchObject({ status: 400, body: { problems: [{ path: 'agent' }] } })
    expect(await post('/api/claims', { agent: 'a', max: 1000 })).toMatchObject({ status: 400, body: { problems: [{ path: 'max', message: 'must be at most 256' }] } })
    expect(await post('/api/claims', { agent: 'a', waitSeconds: 60 })).toMatchObject({ status: 400, body: { problems: [{ path: 'waitSeconds', message: expect.stringMatching(/from 0 to 1.5/) }] } })
    // the name of a worker on the task stream is not taken: the agent is http:checker
    expect(await post('/api/claims', { agent: 'checker', types: ['nothing-queued'] })).toMatchObject({ status: 200, body: { worker: 'http:checker', claims: [] } })
    expect(await post('/api/claims', { agent: 'idle', types: ['nothing-queued'], waitSeconds: 0.2 })).toEqual({ status: 200, body: { agent: 'idle', worker: 'http:idle', claims: [] } })
    expect(await post('/api/claims/no-such-token/result', {})).toMatchObject({ status: 409 })
  })
})
