import { mkdtemp } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach, describe, expect, it } from 'vitest'
import { issueAgentToken } from '../../src/admin/agent-token.js'
import { peerIdOf } from '../../src/node/identity.js'
import { TaskManager } from '../../src/manager/task-manager.js'
import { WorkerAgent } from '../../src/worker/worker-agent.js'
import { Network, nextEvent } from '../helpers/net.js'
import type { TaskManagerOptions } from '../../src/manager/task-manager.js'

/** Every way in is a door: the HTTP API and agents that pull go through the admission and limits of the task stream. */
let net: Network
afterEach(async () => { await net.stop() })

async function admin (options: TaskManagerOptions = {}, tasks: unknown[] = []): Promise<{ manager: TaskManager, base: string }> {
  net = new Network()
  const manager = await net.admin(tasks as never, { listen: ['/ip4/127.0.0.1/tcp/0'], http: { port: 0 }, ...options })
  return { manager, base: manager.details().http! }
}

async function post (base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number, body: any, headers: Headers }> {
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })
  return { status: res.status, body: await res.json(), headers: res.headers }
}

/** A GET with the Host header a browser would send for that name (fetch sets its own). */
async function getWithHost (base: string, path: string, host: string): Promise<{ status: number, body: string }> {
  const url = new URL(path, base)
  return await new Promise((resolve, reject) => {
    request({ host: url.hostname, port: url.port, path: url.pathname, headers: { host } }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', chunk => { body += chunk })
      res.on('end', () => { resolve({ status: res.statusCode!, body }) })
    }).on('error', reject).end()
  })
}

/** JSON nested `depth` levels deep, written as text: no JSON.stringify could write it. */
const deep = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth)

describe('one HTTP request cannot stop the admin', () => {
  it('refuses a result nested 100,000 levels deep, names the limit, keeps the claim, and writes its journal on', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'taskmesh-doors-'))
    const { manager, base } = await admin({ dataDir }, [{ id: 'draft', type: 'write' }, { id: 'check', depends_on: ['draft'] }])
    const { body: { claims: [claim] } } = await post(base, '/api/claims', { agent: 'scribe', types: ['write'], waitSeconds: 5 })
    const refused = await post(base, `/api/claims/${claim.token}/result`, `{"output": ${deep(100_000)}}`)
    expect(refused).toMatchObject({ status: 400, body: { error: 'ValidationError', problems: [{ path: 'result', message: 'nested more than 64 levels deep' }] } })
    // the claim is the agent's still: a good answer is accepted, journaled, and forwarded to the dependent task
    expect(await post(base, `/api/claims/${claim.token}/result`, { output: { text: 'fine' } })).toMatchObject({ status: 200, body: { accepted: true } })
    await net.worker(manager, 'checker', 5)
    const done = await nextEvent(manager, 'task:completed', d => d.id === 'check')
    expect(done).toMatchObject({ status: 'succeeded' })
    expect(manager.getTask('draft')).toMatchObject({ state: 'succeeded', output: { text: 'fine' } })
  })

  it('holds an output to the task stream\'s 4 MiB and an error text to its 16 KiB', async () => {
    const { base } = await admin({}, [{ id: 'big', type: 'write' }])
    const { body: { claims: [claim] } } = await post(base, '/api/claims', { agent: 'scribe', types: ['write'], waitSeconds: 5 })
    const large = await post(base, `/api/claims/${claim.token}/result`, { output: 'x'.repeat(4 * 1024 * 1024) })
    expect(large).toMatchObject({ status: 413, body: { message: expect.stringMatching(/the output is 4194306 bytes, more than the 4193280-byte limit of a task's output/) } })
    const huge = await post(base, `/api/claims/${claim.token}/result`, { output: 'x'.repeat(5 * 1024 * 1024) })
    expect(huge).toMatchObject({ status: 413, body: { message: expect.stringMatching(/larger than 4\.06 MiB, the most POST \/api\/claims\/:token\/result takes/) } })
    const wordy = await post(base, `/api/claims/${claim.token}/error`, { message: 'y'.repeat(16 * 1024 + 1) })
    expect(wordy).toMatchObject({ status: 400, body: { problems: [{ path: 'error', message: 'is 16385 characters long, more than 16384' }] } })
  })
})

describe('the HTTP API and browsers', () => {
  it('refuses a change a page of another site sends, and any request naming a host it does not know; its own pages and programs go on', async () => {
    const { manager, base } = await admin({ http: { port: 0, allowedHosts: ['admin.example'] } })
    const origin = new URL(base)
    const tasks = (id: string): string => JSON.stringify([{ id }])
    const send = async (headers: Record<string, string>, body = tasks('x'), type = 'application/json'): Promise<number> =>
      (await fetch(`${base}/api/tasks`, { method: 'POST', headers: { 'content-type': type, ...headers }, body })).status
    // a "simple" cross-site request: a form or a text/plain fetch from another site
    expect(await send({ origin: 'http://evil.example' }, tasks('a'), 'text/plain')).toBe(403)
    expect(await send({ 'sec-fetch-site': 'cross-site' }, tasks('b'))).toBe(403)
    expect(await send({ origin: 'null' }, tasks('c'))).toBe(403)
    // the dashboard is the same origin; curl and scripts send no Origin
    expect(await send({ origin: origin.origin, 'sec-fetch-site': 'same-origin' }, tasks('d'))).toBe(201)
    expect(await send({}, tasks('e'))).toBe(201)
    expect(manager.summary().total).toBe(2)
    // a page on a name rebound to 127.0.0.1 reads nothing; a name the operator listed may be used
    const rebound = await getWithHost(base, '/api/tasks', `rebound.example:${origin.port}`)
    expect(rebound.status).toBe(403)
    expect(JSON.parse(rebound.body)).toMatchObject({ error: 'AuthorizationError', message: expect.stringMatching(/not reached by the name "rebound\.example".*--http-allow-host rebound\.example/) })
    expect((await getWithHost(base, '/api/tasks', `admin.example:${origin.port}`)).status).toBe(200)
    expect((await getWithHost(base, '/api/tasks', `localhost:${origin.port}`)).status).toBe(200)
  })

  it('does not serve an open HTTP API where only some clients may act', async () => {
    const manager = new TaskManager([], { listen: ['/ip4/127.0.0.1/tcp/0'], http: { port: 0 }, authorizeClient: () => 'not on the list' })
    net = new Network()
    await expect(manager.start()).rejects.toThrow(/--http: this admin lets only the clients on its --allow-clients list act, but its HTTP API would let anyone who reaches it: give --http-token FILE too/)
    await manager.stop()
  })
})

describe('agents that pull go through the same admission as every worker', () => {
  it('with an allow-list, an agent proves an identity on it with a signed token', async () => {
    const allowedKey = await generateKeyPair('Ed25519')
    const strangerKey = await generateKeyPair('Ed25519')
    const { manager, base } = await admin({ authorizeWorker: peerId => peerId === peerIdOf(allowedKey) ? true : 'not on the list' }, [{ id: 't', type: 'write' }])
    const claim = async (headers: Record<string, string> = {}): Promise<{ status: number, body: any }> => await post(base, '/api/claims', { agent: 'scribe', types: ['write'], waitSeconds: 2 }, headers)
    expect(await claim()).toMatchObject({ status: 403, body: { error: 'AuthorizationError', message: expect.stringMatching(/takes work only from the workers on its allow-list: an agent that pulls over HTTP proves its identity with a token \(taskmesh agent-token/) } })
    expect(await claim({ 'taskmesh-agent': 'tma1.nonsense' })).toMatchObject({ status: 403, body: { message: expect.stringMatching(/the agent token is refused/) } })
    // a token for another admin, and a token of a peer not on the list
    expect(await claim({ 'taskmesh-agent': await issueAgentToken(allowedKey, peerIdOf(strangerKey)) })).toMatchObject({ status: 403, body: { message: expect.stringMatching(/its signature does not match: was it made for this admin/) } })
    expect(await claim({ 'taskmesh-agent': await issueAgentToken(strangerKey, manager.details().peerId) })).toMatchObject({ status: 403, body: { message: expect.stringMatching(/may not join as a worker: not on the list/) } })
    expect(manager.getTask('t').state).toBe('ready')
    const allowed = await claim({ 'taskmesh-agent': await issueAgentToken(allowedKey, manager.details().peerId) })
    expect(allowed).toMatchObject({ status: 200, body: { worker: 'http:scribe', claims: [{ task: { id: 't' } }] } })
    // the name is the token holder's now: anyone else claiming it is refused
    expect(await claim({ 'taskmesh-agent': await issueAgentToken(strangerKey, manager.details().peerId) })).toMatchObject({ status: 403 })
  })

  it('counts agents against --max-workers, and keeps a quarantined agent out', async () => {
    const { base } = await admin({ maxWorkers: 1, leaseTtlMs: 600 }, Array.from({ length: 4 }, (_, i) => ({ id: `q${i}`, type: 'write' })))
    const claim = async (agent: string): Promise<{ status: number, body: any, headers: Headers }> => await post(base, '/api/claims', { agent, types: ['write'], waitSeconds: 0.25 })
    expect((await claim('first')).status).toBe(200)
    for (const agent of ['second', 'third']) {
      const full = await claim(agent)
      expect(full).toMatchObject({ status: 503, body: { error: 'RegistrationRefusedError', message: expect.stringMatching(/the admin already has 1 workers, its limit \(--max-workers\): trying again in 30 s/) } })
      expect(full.headers.get('retry-after')).toBe('30')
    }
    // "first" takes a task and goes silent, three times: its leases expire and it is quarantined
    let answer = await claim('first')
    for (let loss = 0; loss < 3 && answer.status === 200; loss++) {
      await nextEvent(net.managers[0]!, 'worker:disconnected', d => d.name === 'http:first' && d.reason === 'lease-expired')
      answer = await claim('first')
    }
    expect(answer).toMatchObject({ status: 503, body: { error: 'RegistrationRefusedError', message: expect.stringMatching(/this worker is quarantined for \d+ s more/) } })
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('keeps what an operator set for an agent across its claims', async () => {
    const { manager, base } = await admin({}, Array.from({ length: 6 }, (_, i) => ({ id: `s${i}`, type: 'write' })))
    const claim = async (max: number): Promise<Array<{ token: string }>> => (await post(base, '/api/claims', { agent: 'steered', types: ['write'], max, waitSeconds: 0.25 })).body.claims
    const answer = async (claims: Array<{ token: string }>): Promise<void> => {
      for (const c of claims) expect((await post(base, `/api/claims/${c.token}/result`, { output: 'ok' })).status).toBe(200)
    }
    await answer(await claim(1))
    const patch = async (body: unknown): Promise<number> => (await fetch(`${base}/api/workers/http:steered`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status
    expect(await patch({ draining: true })).toBe(200)
    expect(await claim(4)).toEqual([])
    expect(await claim(4)).toEqual([])
    expect(await patch({ draining: false, maxConcurrent: 1 })).toBe(200)
    const one = await claim(4)
    expect(one).toHaveLength(1)
    expect(await claim(4)).toEqual([])
    await answer(one)
    expect(manager.workers().find(w => w.name === 'http:steered')).toMatchObject({ draining: false, maxConcurrent: 1 })
  })

  it('shares one budget among agents under fresh names: a new name is not a new window', async () => {
    const { manager, base } = await admin({ unprovenBudget: 6 }, Array.from({ length: 40 }, (_, i) => ({ id: `h${i}`, type: 'write' })))
    let held = 0
    for (let i = 0; i < 20; i++) {
      const { body } = await post(base, '/api/claims', { agent: `fresh-${i}`, types: ['write'], max: 2, waitSeconds: 0 })
      held += body.claims.length
    }
    expect(held).toBe(6)
    expect(manager.summary().counts.running).toBe(6)
  })

  it('keeps the names apart: a worker on the task stream cannot take an agent\'s, nor an agent a worker\'s', async () => {
    const { manager, base } = await admin()
    const squatter = await post(base, '/api/claims', { agent: 'gpu-box', max: 0 })
    expect(squatter).toMatchObject({ status: 200, body: { worker: 'http:gpu-box' } })
    await net.worker(manager, 'gpu-box', 5)
    const impostor = new WorkerAgent('http:gpu-box', { skillLevel: 1, adminPeer: manager.details().addresses[0]! })
    net.workers.push(impostor)
    const refused = nextEvent(impostor, 'error')
    await impostor.start()
    expect(await refused).toMatchObject({ name: 'RegistrationRefusedError', message: expect.stringMatching(/names starting with "http:" are those of agents that pull work/) })
  })
})
