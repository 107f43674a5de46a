import { readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { get as httpsGet } from 'node:https'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliProcesses, runCli } from '../helpers/cli.js'
import { Network, nextEvent } from '../helpers/net.js'
import { SseStream } from '../helpers/sse.js'
import { TaskManager } from '../../src/manager/task-manager.js'

const { start } = cliProcesses()

/** The HTTP API end to end: a real admin with real workers, driven over HTTP only. */
describe('the HTTP API', () => {
  const net = new Network()
  let base: string

  beforeAll(async () => {
    const manager = await net.admin([], { listen: ['/ip4/127.0.0.1/tcp/0'], http: { port: 0 } })
    base = manager.details().http!
    await net.worker(manager, 'builder', 6, { capabilities: ['docker'], maxConcurrent: 2 })
    await net.worker(manager, 'tester', 4)
  })
  afterAll(async () => { await net.stop() })

  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number, body: any }> => {
    const init: RequestInit = { method, headers: { ...headers } }
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body)
      ;(init.headers as Record<string, string>)['content-type'] ??= 'application/json'
    }
    const res = await fetch(base + path, init)
    const text = await res.text()
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) }
  }

  it('runs a submitted workflow, followed over Server-Sent Events to completion', async () => {
    const events = await SseStream.open(`${base}/api/events`)
    try {
      const workflow = [
        { task_id: 'checkout', description: 'fetch the sources', difficulty: 2 },
        { task_id: 'build', description: 'build the image', requires: ['docker'], depends_on: ['checkout'], difficulty: 5 },
        { task_id: 'unit', description: 'unit tests', depends_on: ['build'], difficulty: 3 },
        { task_id: 'lint', description: 'lint', depends_on: ['checkout'], priority: 8 },
        { task_id: 'publish', description: 'publish', depends_on: ['unit', 'lint'] }
      ]
      expect(await api('POST', '/api/tasks', workflow)).toEqual({ status: 201, body: { added: ['checkout', 'build', 'unit', 'lint', 'publish'], existing: [] } })
      await events.waitFor(e => e.event === 'task:completed' && e.data.id === 'publish')

      const order = events.events.filter(e => e.event === 'task:completed').map(e => e.data.id)
      expect(order.indexOf('checkout')).toBeLessThan(order.indexOf('build'))
      expect(order.indexOf('build')).toBeLessThan(order.indexOf('unit'))
      expect(order.indexOf('unit')).toBeLessThan(order.indexOf('publish'))
      expect(events.events.filter(e => e.event === 'task:completed').every(e => e.data.status === 'succeeded')).toBe(true)
      expect(events.events.find(e => e.event === 'task:assigned' && e.data.taskId === 'build')!.data.worker).toBe('builder')
      // every kind of task event came through, progress too, and "done" when nothing was left
      expect(new Set(events.events.map(e => e.event))).toEqual(new Set(['task:submitted', 'task:assigned', 'task:attempt-ended', 'task:completed', 'progress', 'done']))
    } finally {
      events.close()
    }

    const publish = await api('GET', '/api/tasks/publish')
    expect(publish.status).toBe(200)
    expect(publish.body).toMatchObject({ id: 'publish', state: 'succeeded', dependsOn: ['unit', 'lint'] })
    expect(publish.body.history.map((h: { event: string }) => h.event)).toEqual(['submitted', 'assigned', 'succeeded'])

    const page = await api('GET', '/api/tasks?state=succeeded&offset=1&limit=2')
    expect(page).toEqual({ status: 200, body: { total: 5, offset: 1, tasks: [expect.objectContaining({ id: 'build' }), expect.objectContaining({ id: 'unit' })] } })
    // outputs only when asked for
    expect(page.body.tasks[0].output).toBeUndefined()
    const withOutputs = await api('GET', '/api/tasks?state=succeeded&offset=1&limit=2&output=true')
    expect(withOutputs.body.tasks[0]).toMatchObject({ id: 'build', output: (await api('GET', '/api/tasks/build')).body.output })
    expect(withOutputs.body.tasks[0].output).toBeDefined()
    expect(await api('GET', '/api/tasks?output=maybe')).toMatchObject({ status: 400, body: { problems: [{ path: 'output', message: 'must be true or false' }] } })

    const workers = await api('GET', '/api/workers')
    expect(workers.body.map((w: { name: string }) => w.name).sort()).toEqual(['builder', 'tester'])
    expect(workers.body.find((w: { name: string }) => w.name === 'builder')).toMatchObject({ skill: 6, capabilities: ['docker'], capacity: 2, online: true, successRate: 1 })

    expect((await api('GET', '/api/summary')).body).toMatchObject({ total: 5, counts: { succeeded: 5 }, workers: 2, strategy: 'skill-fit' })
    expect(await api('GET', '/healthz')).toEqual({ status: 200, body: { status: 'ok' } })
    const graph = (await api('GET', '/api/graph')).body
    expect(graph.edges).toContainEqual({ from: 'build', to: 'unit' })
    expect(graph.nodes.find((n: { id: string }) => n.id === 'publish')).toMatchObject({ state: 'succeeded' })
  })

  it('serves what the dashboard reads: the summarised stream, a page found by words, a task with its neighbours, the last hour', async () => {
    const updates = await SseStream.open(`${base}/api/updates`)
    try {
      // the first update says everything is new; the next ones list the tasks that changed, with their state
      await updates.waitFor(e => e.event === 'update' && e.data.more === true)
      await api('POST', '/api/tasks', [
        { id: 'dash-a', description: 'Fetch the Feed' },
        { id: 'dash-b', description: 'parse it', depends_on: ['dash-a'] },
        { id: 'dash-c', description: 'index it', depends_on: ['dash-b'] }
      ])
      await updates.waitFor(e => e.event === 'update' && e.data.tasks['dash-c'] === 'succeeded')
      expect(updates.events.every(e => e.event === 'update' && typeof e.data.summary.total === 'number')).toBe(true)
    } finally {
      updates.close()
    }
    // words in any case, matched on the server; the total is of the matches
    expect((await api('GET', '/api/tasks?search=fetch%20THE%20f')).body).toMatchObject({ total: 1, tasks: [{ id: 'dash-a' }] })
    expect((await api('GET', '/api/tasks?search=dash-&limit=2&offset=1')).body).toMatchObject({ total: 3, offset: 1, tasks: [{ id: 'dash-b' }, { id: 'dash-c' }] })
    expect(await api('GET', `/api/tasks?search=${'x'.repeat(201)}`)).toMatchObject({ status: 400, body: { problems: [{ path: 'search', message: 'must be text of at most 200 characters' }] } })
    // a task with what it depends on and what depends on it
    expect((await api('GET', '/api/graph?around=dash-b')).body).toEqual({
      around: 'dash-b',
      nodes: [expect.objectContaining({ id: 'dash-b' }), expect.objectContaining({ id: 'dash-a' }), expect.objectContaining({ id: 'dash-c' })],
      edges: [{ from: 'dash-a', to: 'dash-b' }, { from: 'dash-b', to: 'dash-c' }],
      truncated: false
    })
    expect(await api('GET', '/api/graph?around=nope')).toMatchObject({ status: 404, body: { error: 'UnknownTaskError', message: 'unknown task "nope"' } })
    expect((await api('GET', '/api/graph?around=dash-b&limit=2')).body).toMatchObject({ around: 'dash-b', truncated: true })
    expect(await api('GET', '/api/graph?around=dash-a&around=dash-b')).toMatchObject({ status: 400, body: { problems: [{ path: 'around', message: 'give one task id' }] } })
    // the charts' points: columns of equal length, the newest after ?since=
    const timeline = (await api('GET', '/api/timeline')).body
    expect(Object.values(timeline).every(column => (column as unknown[]).length === timeline.at.length)).toBe(true)
    expect((await api('GET', `/api/timeline?since=${Date.now() + 60_000}`)).body.at).toEqual([])
    expect(await api('GET', '/api/timeline?since=yesterday')).toMatchObject({ status: 400, body: { problems: [{ path: 'since' }] } })
  })

  it('takes one task, a { tasks } object, or a YAML task file as it is', async () => {
    expect(await api('POST', '/api/tasks', { id: 'single', description: 'one task' })).toMatchObject({ status: 201, body: { added: ['single'] } })
    expect(await api('POST', '/api/tasks', { tasks: [{ id: 'wrapped' }] })).toMatchObject({ status: 201, body: { added: ['wrapped'] } })
    const yaml = '# a task file, posted as it is\n- task_id: from-yaml\n  description: written in YAML\n  depends_on: [single]\n'
    expect(await api('POST', '/api/tasks', yaml, { 'content-type': 'application/yaml' })).toMatchObject({ status: 201, body: { added: ['from-yaml'] } })
    // ids already known are reported, not added twice
    expect(await api('POST', '/api/tasks', [{ id: 'single' }])).toEqual({ status: 200, body: { added: [], existing: ['single'] } })
  })

  it('cancels a running task and retries it', async () => {
    const events = await SseStream.open(`${base}/api/events`)
    try {
      await api('POST', '/api/tasks', [{ id: 'long', payload: { durationMs: 60_000 } }])
      await events.waitFor(e => e.event === 'task:assigned' && e.data.taskId === 'long')
      expect(await api('POST', '/api/tasks/long/retry')).toMatchObject({ status: 409, body: { error: 'InvalidStateError', message: expect.stringMatching(/only failed, cancelled or skipped tasks can be retried/) } })
      expect(await api('POST', '/api/tasks/long/cancel', { reason: 'superseded' })).toEqual({ status: 200, body: { cancelled: true } })
      await events.waitFor(e => e.event === 'task:completed' && e.data.id === 'long' && e.data.status === 'cancelled')
      expect((await api('GET', '/api/tasks/long')).body).toMatchObject({ state: 'cancelled', error: 'superseded' })

      expect(await api('POST', '/api/tasks/long/retry')).toEqual({ status: 200, body: { retried: true } })
      await events.waitFor(e => e.event === 'task:assigned' && e.data.taskId === 'long' && e.data.attempt === 2)
      expect(await api('POST', '/api/tasks/long/cancel')).toEqual({ status: 200, body: { cancelled: true } })
      await events.waitFor(() => events.events.filter(e => e.event === 'task:completed' && e.data.id === 'long').length === 2)
      // cancelling a final task is a conflict, as retrying a running one is
      expect(await api('POST', '/api/tasks/long/cancel')).toMatchObject({ status: 409, body: { error: 'InvalidStateError', message: 'task "long" is cancelled already: only tasks that are not final can be cancelled' } })
    } finally {
      events.close()
    }
  })

  it('steers a worker: PATCH /api/workers/:worker drains, pauses, re-prioritises and caps it; DELETE disconnects it', async () => {
    const events = await SseStream.open(`${base}/api/events`)
    try {
      expect(await api('PATCH', '/api/workers/builder', { draining: true, priority: 3, maxConcurrent: 1 })).toMatchObject({ status: 200, body: { name: 'builder', draining: true, priority: 3, maxConcurrent: 1, asked: 2, capacity: 1 } })
      // a drained worker gets nothing new: a task pinned to it waits until it is back
      await api('POST', '/api/tasks', [{ id: 'pinned', agent: 'builder' }])
      expect((await api('GET', '/api/tasks/pinned')).body.state).toBe('ready')
      expect(await api('PATCH', '/api/workers/builder', { draining: false })).toMatchObject({ status: 200, body: { draining: false } })
      await events.waitFor(e => e.event === 'task:completed' && e.data.id === 'pinned')
      expect(await api('PATCH', '/api/workers/builder', { maxConcurrent: 2 })).toMatchObject({ status: 200, body: { maxConcurrent: 2 } })

      // by peer id too; offline counts it out of the summary until it is set online
      const tester = (await api('GET', '/api/workers')).body.find((w: { name: string }) => w.name === 'tester')
      expect(await api('PATCH', `/api/workers/${tester.id}`, { online: false })).toMatchObject({ status: 200, body: { name: 'tester', online: false } })
      expect((await api('GET', '/api/summary')).body.workers).toBe(1)
      expect(await api('PATCH', '/api/workers/tester', { online: true })).toMatchObject({ status: 200, body: { online: true } })

      expect(await api('PATCH', '/api/workers/builder', { maxConcurrent: 3 })).toMatchObject({ status: 400, body: { problems: [{ path: 'maxConcurrent', message: expect.stringMatching(/asked for at most 2/) }] } })
      expect(await api('PATCH', '/api/workers/builder', { drain: true })).toMatchObject({ status: 400, body: { problems: [{ path: 'drain', message: expect.stringMatching(/unknown field; a worker update takes worker, online, draining, priority, maxConcurrent/) }] } })
      expect(await api('PATCH', '/api/workers/builder', { draining: 'yes' })).toMatchObject({ status: 400, body: { problems: [{ path: 'draining' }] } })
      expect(await api('PATCH', '/api/workers/builder', {})).toMatchObject({ status: 400, body: { message: expect.stringMatching(/nothing to change/) } })
      expect(await api('PATCH', '/api/workers/nobody', { draining: true })).toMatchObject({ status: 404, body: { error: 'UnknownWorkerError' } })
      expect(await api('DELETE', '/api/workers/nobody')).toMatchObject({ status: 404 })

      // disconnected, the worker agent comes back by itself: it was told to leave, not banned
      expect(await api('DELETE', '/api/workers/tester')).toMatchObject({ status: 200, body: { disconnected: tester.id } })
      await events.waitFor(e => e.event === 'worker:disconnected' && e.data.name === 'tester')
      await events.waitFor(e => e.event === 'worker:connected' && e.data.name === 'tester')
    } finally {
      events.close()
    }
  })

  it('answers bad requests with 400 and every problem, by path', async () => {
    const bad = await api('POST', '/api/tasks', [{ id: 'a', priority: 99, depends_on: ['nowhere'] }, { id: 'a' }])
    expect(bad.status).toBe(400)
    expect(bad.body.error).toBe('ValidationError')
    expect(bad.body.problems).toEqual(expect.arrayContaining([
      { path: 'tasks[0].priority', message: expect.stringMatching(/1.*10/) },
      { path: 'tasks[0].depends_on[0]', message: 'unknown task "nowhere"' },
      { path: 'tasks[1].id', message: expect.stringMatching(/duplicate id "a"/) }
    ]))
    // nothing of a rejected submission was kept
    expect((await api('GET', '/api/tasks/a')).status).toBe(404)

    expect(await api('POST', '/api/tasks', '[{"id": ')).toMatchObject({ status: 400 })
    const yaml = await api('POST', '/api/tasks', '- id: x\n  depends_on: [unclosed\n', { 'content-type': 'application/yaml' })
    expect(yaml).toMatchObject({ status: 400, body: { error: 'ValidationError', problems: [{ path: expect.stringMatching(/^line \d+/) }] } })
    // an object is one task: this one lacks its id
    expect(await api('POST', '/api/tasks', {})).toMatchObject({ status: 400, body: { problems: [{ path: 'tasks[0].id' }] } })
    expect(await api('GET', '/api/tasks?state=sleeping')).toMatchObject({ status: 400, body: { problems: [{ path: 'state', message: expect.stringMatching(/must be one of waiting, ready/) }] } })
    expect(await api('GET', '/api/tasks?limit=5000')).toMatchObject({ status: 400, body: { problems: [{ path: 'limit' }] } })
    expect(await api('GET', '/api/tasks?offset=-1')).toMatchObject({ status: 400, body: { problems: [{ path: 'offset' }] } })
    expect(await api('GET', '/api/tasks/nope')).toMatchObject({ status: 404, body: { error: 'UnknownTaskError', message: expect.stringMatching(/nope/) } })
    expect(await api('POST', '/api/tasks/nope/cancel')).toMatchObject({ status: 404 })
    expect((await api('GET', '/api/nothing-here')).status).toBe(404)
  })

  it('says the limit on a body too large and the types it reads; a task file sent as text/plain is read as one', async () => {
    const huge = JSON.stringify([{ id: 'big', payload: 'x'.repeat(33 * 1024 * 1024) }])
    expect(await api('POST', '/api/tasks', huge)).toMatchObject({ status: 413, body: { message: expect.stringMatching(/larger than 32 MiB, the most POST \/api\/tasks takes: split the task file/) } })
    expect(await api('POST', '/api/tasks', '<tasks/>', { 'content-type': 'application/xml' })).toMatchObject({ status: 415, body: { message: 'content type "application/xml" is not one this API reads: send application/json, application/yaml, application/x-yaml, text/yaml, text/plain' } })
    expect(await api('POST', '/api/tasks', '- task_id: plain-yaml\n  priority: high\n', { 'content-type': 'text/plain' })).toMatchObject({ status: 201, body: { added: ['plain-yaml'] } })
    expect(await api('POST', '/api/tasks', '[{"id": "plain-json"}]', { 'content-type': 'text/plain' })).toMatchObject({ status: 201, body: { added: ['plain-json'] } })
    expect((await api('GET', '/api/tasks/plain-yaml')).body).toMatchObject({ priority: 8 })
  })
})

describe('the HTTP API beyond this machine', () => {
  it('refuses to listen off loopback without a token', async () => {
    const manager = new TaskManager([], { listen: ['/ip4/127.0.0.1/tcp/0'], http: { host: '0.0.0.0', port: 0 } })
    await expect(manager.start()).rejects.toThrow(/--http: the HTTP API would listen on 0\.0\.0\.0, beyond this machine, without a token: give one with --http-token FILE/)
    await manager.stop()
  })

  it('requires the token on every API call, metrics and events; health and the dashboard page stay open', async () => {
    const token = 'a'.repeat(16) + 'b'.repeat(16)
    const manager = new TaskManager([], { listen: ['/ip4/127.0.0.1/tcp/0'], http: { host: '0.0.0.0', port: 0, token } })
    await manager.start()
    try {
      // bound to every interface; reached here over loopback only
      const port = new URL(manager.details().http!).port
      const base = `http://127.0.0.1:${port}`
      for (const path of ['/api/summary', '/api/workers', '/api/tasks', '/api/events', '/api/updates', '/api/timeline', '/api/graph', '/metrics']) {
        const res = await fetch(base + path)
        expect(res.status, path).toBe(401)
        expect(res.headers.get('www-authenticate')).toBe('Bearer')
        expect(await res.json()).toMatchObject({ error: 'AuthorizationError', message: expect.stringMatching(/--http-token/) })
      }
      expect((await fetch(`${base}/api/summary`, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status).toBe(401)
      expect((await fetch(`${base}/api/summary`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200)
      expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200)
      expect((await fetch(`${base}/api/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[{"id":"x"}]' })).status).toBe(401)
      expect(manager.summary().total).toBe(0)
      // EventSource cannot send headers: the token may come in the query
      const events = await SseStream.open(`${base}/api/events?access_token=${token}`)
      events.close()
      expect((await fetch(`${base}/healthz`)).status).toBe(200)
      expect((await fetch(`${base}/`)).status).toBe(200)
    } finally {
      await manager.stop()
    }
  })
})

describe('the HTTP API over HTTPS (--http-tls-cert, --http-tls-key)', () => {
  const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))
  /** A GET over HTTPS that trusts the test's own certificate. */
  const get = async (url: string): Promise<{ status: number, body: string }> => await new Promise((resolve, reject) => {
    httpsGet(url, { ca: readFileSync(fixture('tls-cert.pem')) }, res => {
      let body = ''
      res.on('data', (c: Buffer) => { body += c.toString() })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }) })
    }).on('error', reject)
  })

  it('serves the API and the dashboard over TLS with the given certificate, and says https', async () => {
    const admin = start(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0', '--http-tls-cert', fixture('tls-cert.pem'), '--http-tls-key', fixture('tls-key.pem'), '--json'])
    const { http } = await admin.waitForEvent('listening')
    expect(http).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(await get(`${http}/api/summary`)).toMatchObject({ status: 200, body: expect.stringMatching(/"total":0/) })
    expect((await get(`${http}/`)).status).toBe(200)
    // plain HTTP on that port gets no answer from the API
    await expect(fetch(http.replace('https:', 'http:') + '/api/summary').then(async r => await r.text())).rejects.toThrow()
  })

  it('warns when the API listens beyond this machine over plain HTTP, where its token travels readable', async () => {
    const token = join(await mkdtemp(join(tmpdir(), 'taskmesh-tls-')), 'token')
    writeFileSync(token, 'c'.repeat(32))
    const plain = start(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '0.0.0.0:0', '--http-token', token, '--json'])
    await plain.waitForEvent('listening')
    await plain.waitUntil(() => plain.stderr.includes('the HTTP API listens beyond this machine over plain HTTP: its token travels readable; give --http-tls-cert and --http-tls-key'))
    const tls = start(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '0.0.0.0:0', '--http-token', token, '--http-tls-cert', fixture('tls-cert.pem'), '--http-tls-key', fixture('tls-key.pem'), '--json'])
    await tls.waitForEvent('listening')
    // all it said, once it has stopped: nothing of the kind
    tls.kill('SIGTERM')
    await tls.exited
    expect(tls.stderr).not.toMatch(/plain HTTP/)
  })

  it('says what is wrong with the pair: one without the other, a key that is not the certificate\'s, no file', async () => {
    const alone = await runCli(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '0', '--http-tls-cert', fixture('tls-cert.pem')])
    expect(alone).toMatchObject({ code: 2, stderr: expect.stringMatching(/--http-tls-cert and --http-tls-key go together: give --http-tls-key \(its private key\) too/) })
    const mismatched = await runCli(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '0', '--http-tls-cert', fixture('tls-cert.pem'), '--http-tls-key', fixture('tls-other-key.pem')])
    expect(mismatched).toMatchObject({ code: 2, stderr: expect.stringContaining(`${fixture('tls-cert.pem')}: invalid\n  not a PEM certificate whose private key is ${fixture('tls-other-key.pem')}`) })
    const missing = await runCli(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '0', '--http-tls-cert', fixture('nothing.pem'), '--http-tls-key', fixture('tls-key.pem')])
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/nothing\.pem: invalid\n {2}cannot read the certificate: ENOENT/) })
  })
})

describe('the HTTP API\'s limits', () => {
  it('answers 503 past the limit of open event streams (both kinds), and takes one again when a stream closes', async () => {
    const net = new Network()
    try {
      const manager = await net.admin([], { listen: ['/ip4/127.0.0.1/tcp/0'], http: { port: 0, maxEventStreams: 2 } })
      const url = `${manager.details().http!}/api/events`
      const first = await SseStream.open(url)
      // the dashboard's summarised stream counts too
      const second = await SseStream.open(url.replace('/api/events', '/api/updates'))
      const refused = await fetch(url.replace('/api/events', '/api/updates'))
      expect(refused.status).toBe(503)
      await refused.body?.cancel()
      const third = await fetch(url)
      expect(third.status).toBe(503)
      expect(third.headers.get('retry-after')).toBe('5')
      expect(await third.json()).toMatchObject({ error: 'LimitExceededError', message: expect.stringMatching(/^2 event streams are open already/) })
      first.close()
      // the server sees the close a moment later: the next stream opens once it has
      const deadline = Date.now() + 10_000
      let again: Response
      do {
        again = await fetch(url)
        if (again.status === 503) await again.body?.cancel()
      } while (again.status === 503 && Date.now() < deadline)
      expect(again.status).toBe(200)
      await again.body?.cancel()
      second.close()
    } finally {
      await net.stop()
    }
  })
})

describe('the HTTP API and the libp2p side together', () => {
  it('a task submitted over HTTP is seen by the admin\'s event listeners', async () => {
    const net = new Network()
    try {
      const manager = await net.admin([], { listen: ['/ip4/127.0.0.1/tcp/0'], http: { port: 0 } })
      const submitted = nextEvent(manager, 'task:submitted')
      await fetch(`${manager.details().http!}/api/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ id: 'via-http' }]) })
      expect(await submitted).toEqual({ taskId: 'via-http' })
    } finally {
      await net.stop()
    }
  })
})
