import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFile, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { multiaddr } from '@multiformats/multiaddr'
import * as varint from 'uint8-varint'
import { describe, expect, it } from 'vitest'
import { API_METHODS } from '../../src/admin/api.js'
import { createNode } from '../../src/node/create-node.js'
import { MAX_MESSAGE_BYTES } from '../../src/mcp/constants.js'
import { CLIENT_PROTOCOL, TASK_PROTOCOL } from '../../src/protocol/constants.js'
import { readFrames } from '../../src/protocol/frame-reader.js'
import { FrameWriter } from '../../src/protocol/frame-writer.js'
import { ClientRequest, ClientResponse } from '../../src/protocol/pb/client.js'
import { Frame } from '../../src/protocol/pb/tasks.js'
import { BIN, cliProcesses } from '../helpers/cli.js'
import { HostileValues } from '../helpers/hostile-values.js'
import type { Libp2p, Stream } from '@libp2p/interface'

/**
 * Every door under fuzzing, against one live admin (a CLI process, with its defaults) while honest workers
 * run honest tasks: generated hostile values on the HTTP API, the client protocol, the MCP server and, from
 * a worker that registers and then lies, in its results on the task stream. The admin never stops, answers
 * no request with a server error, stays within a stated memory bound, and every honest task succeeds.
 */
const HTTP_REQUESTS = 300
const CLIENT_FRAMES = 300
const MCP_CALLS = 100
const LIES = 40
/** What the admin may hold at most after all this, in resident memory. */
const RSS_BOUND_MIB = 600

const { start } = cliProcesses()
const encoder = new TextEncoder()

describe('every door under fuzzing', () => {
  it('keeps the admin up and within its memory bound, answers every request, and every honest task succeeds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-fuzz-doors-'))
    const honest = (wave: number): Array<Record<string, unknown>> => Array.from({ length: 100 }, (_, i) => ({ id: `honest-${wave}-${i}`, payload: { durationMs: 5 }, retry_policy: { max_attempts: 3, initial_delay: 0 } }))
    await writeFile(join(dir, 'tasks.json'), JSON.stringify(honest(0)))
    const admin = start(['admin', '--tasks', join(dir, 'tasks.json'), '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '0', '--lease-ttl', '2', '--json'])
    const listening = await admin.waitForEvent('listening')
    const address: string = listening.addrs[0]
    const base: string = listening.http
    for (const name of ['honest-a', 'honest-b', 'honest-c']) {
      start(['worker', '--admin', address, '--name', name, '--skill', '5', '--max-concurrent', '8', '--quiet'])
    }
    const submitWave = async (wave: number): Promise<void> => {
      const res = await fetch(`${base}/api/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(honest(wave)) })
      expect(res.status).toBe(201)
    }

    // the HTTP API
    await submitWave(1)
    const statuses = await fuzzHttp(base, new HostileValues(1))
    expect(statuses.filter(s => s >= 500 && s !== 503), `server errors: ${statuses.filter(s => s >= 500).join(', ')}`).toEqual([])
    expect(statuses.filter(s => s >= 400 && s < 500).length).toBeGreaterThan(HTTP_REQUESTS / 4)

    // the client protocol (what the CLI and the MCP server speak)
    await submitWave(2)
    const client = await fuzzClientProtocol(address, new HostileValues(2))
    expect(client.answered + client.cutOff).toBe(client.requests)
    expect(client.answered).toBeGreaterThan(client.requests / 2)

    // the MCP server, driven by raw JSON-RPC lines
    await submitWave(3)
    const mcp = await fuzzMcp(address, new HostileValues(3))
    expect(mcp.answers).toBeGreaterThan(MCP_CALLS / 2)
    expect(mcp.exit).toEqual({ code: 0, signal: null })

    // the fuzzers may have paused work, as any operator may (pause is a door like the others): take it back
    const resumeAll = async (): Promise<void> => {
      const summary = await (await fetch(`${base}/api/summary`)).json() as { paused: Array<{ scope: string }> }
      for (const p of summary.paused) {
        const res = await fetch(`${base}/api/resume`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(p.scope === 'all' ? {} : { type: p.scope.slice('type:'.length) }) })
        expect(res.status).toBe(200)
      }
    }
    await resumeAll()

    // a worker that registers for a type of its own, then answers with hostile outputs
    await submitWave(4)
    const submitted = await fetch(`${base}/api/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(Array.from({ length: LIES }, (_, i) => ({ id: `lie-${i}`, type: 'fuzz-target' }))) })
    expect(submitted.status).toBe(201)
    const lies = await lyingWorker(address, new HostileValues(4))
    expect(lies).toBeGreaterThan(0)

    // every honest task succeeded, and the admin is up, answering, within its bound
    const honestIds = new Set([0, 1, 2, 3, 4].flatMap(w => honest(w).map(t => t.id as string)))
    await admin.waitUntil(() => admin.events.filter(e => e.event === 'task:completed' && honestIds.has(e.id)).length === honestIds.size, 60_000)
    const outcomes = admin.events.filter(e => e.event === 'task:completed' && honestIds.has(e.id))
    expect(outcomes.filter(e => e.status !== 'succeeded')).toEqual([])
    expect(admin.child.exitCode).toBeNull()
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
    const rssMiB = Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${admin.child.pid}/status`, 'utf8'))![1]) / 1024
    expect(rssMiB).toBeLessThan(RSS_BOUND_MIB)
    // the liar's outputs were refused as such, and counted against it
    expect(admin.events.some(e => e.event === 'frame:rejected' && /nested more than 64 levels deep|not valid JSON/.test(e.reason))).toBe(true)
  }, 180_000)
})

/** Hostile requests on every route of the HTTP API; the status of each. */
async function fuzzHttp (base: string, v: HostileValues): Promise<number[]> {
  const tokens: string[] = []
  const name = (): string => encodeURIComponent(v.pick(['http:squat', 'mcp:squat', 'nobody', v.string(), '%', '..']))
  const id = (): string => encodeURIComponent(v.pick(['nope', v.string(), 'x'.repeat(600), '\u202e']))
  const token = (): string => encodeURIComponent(tokens.length > 0 && v.chance(0.5) ? v.pick(tokens) : v.string())
  const routes: Array<() => [string, string, string | undefined]> = [
    () => ['POST', '/api/tasks', v.body(['tasks'])],
    () => ['POST', '/api/claims', v.body(['agent', 'types', 'max', 'waitSeconds', 'capabilities', 'skill'])],
    () => ['POST', `/api/claims/${token()}/result`, v.body(['output'])],
    () => ['POST', `/api/claims/${token()}/error`, v.body(['message', 'unrecoverable'])],
    () => ['POST', `/api/claims/${token()}/heartbeat`, undefined],
    () => ['PATCH', `/api/workers/${name()}`, v.body(['draining', 'online', 'priority', 'maxConcurrent'])],
    () => ['DELETE', `/api/workers/${name()}`, undefined],
    () => ['POST', `/api/tasks/${id()}/cancel`, v.body(['reason'])],
    () => ['POST', `/api/tasks/${id()}/retry`, undefined],
    () => ['GET', `/api/tasks?state=${encodeURIComponent(v.string())}&offset=${encodeURIComponent(v.number())}&limit=${encodeURIComponent(v.number())}`, undefined],
    () => ['GET', `/api/tasks/${id()}`, undefined],
    () => ['GET', `/api/graph?limit=${encodeURIComponent(v.number())}`, undefined],
    () => ['GET', `/api/graph?around=${id()}&limit=${encodeURIComponent(v.number())}`, undefined],
    () => ['GET', `/api/tasks?search=${encodeURIComponent(v.string())}`, undefined],
    () => ['GET', `/api/timeline?since=${encodeURIComponent(v.number())}`, undefined],
    () => ['POST', '/api/pause', v.body(['type', 'reason'])],
    () => ['POST', '/api/resume', v.body(['type'])]
  ]
  const statuses: number[] = []
  for (let i = 0; i < HTTP_REQUESTS; i++) {
    const [method, path, body] = v.pick(routes)()
    const type = v.pick(['application/json', 'application/json', 'application/json', 'text/plain', 'application/yaml', 'application/xml'])
    let res: Response
    try {
      res = await fetch(base + path, { method, ...(body != null ? { body, headers: { 'content-type': type } } : {}) })
    } catch (err) {
      // a body over a route's limit is refused (413) and the connection closed while it is still being sent
      const code = ((err as Error).cause as { code?: string } | undefined)?.code
      if (body != null && body.length > 64 * 1024 && (code === 'EPIPE' || code === 'ECONNRESET')) {
        statuses.push(413)
        continue
      }
      throw err
    }
    statuses.push(res.status)
    const text = await res.text()
    // the claims that succeed give tokens the next requests may use
    if (path === '/api/claims' && res.status === 200) for (const c of (JSON.parse(text) as { claims: Array<{ token: string }> }).claims) tokens.push(c.token)
  }
  return statuses
}

/**
 * Hostile requests on the client protocol, raw: hostile parameters, unknown methods, garbage frames, one at a
 * time. Every request that decodes is answered (an error, most often), unless its sender was banned for the
 * garbage before; returns how many were answered and how many were cut off by a ban.
 */
async function fuzzClientProtocol (address: string, v: HostileValues): Promise<{ answered: number, cutOff: number, requests: number }> {
  let answered = 0
  let cutOff = 0
  let requests = 0
  let node: Libp2p | undefined
  let stream: Stream | undefined
  let next: (() => Promise<'answer' | 'closed'>) | undefined
  try {
    for (let i = 0; i < CLIENT_FRAMES; i++) {
      if (stream == null || stream.status !== 'open' || stream.writeStatus !== 'writable') {
        // a peer the admin banned for its garbage comes back under another identity
        await node?.stop()
        node = await createNode({ services: {}, pubsub: false })
        stream = await node.dialProtocol(multiaddr(address), CLIENT_PROTOCOL).catch(() => undefined)
        if (stream == null) continue
        const heard: Array<'answer' | 'closed'> = []
        let wake: (() => void) | undefined
        readFrames(stream, ClientResponse, { maxFrameBytes: 64 * 1024 * 1024, onInvalid: () => {}, onFrame: () => { heard.push('answer'); wake?.() } })
        stream.addEventListener('close', () => { heard.push('closed'); wake?.() })
        next = async () => {
          while (heard.length === 0) await new Promise<void>(resolve => { wake = resolve })
          return heard[0] === 'closed' ? 'closed' : heard.shift()!
        }
      }
      const garbage = v.chance(0.1)
      const body = garbage
        ? Uint8Array.from({ length: v.int(200) }, () => v.int(256))
        : ClientRequest.encode({ id: i, method: v.pick([...API_METHODS, 'nope', '']), params: encoder.encode(v.body(['tasks', 'id', 'agent', 'taskId', 'token', 'status', 'result', 'worker'])) })
      try {
        stream.send(Uint8Array.from([...varint.encode(body.length), ...body]))
      } catch {
        stream = undefined
        continue
      }
      if (garbage) continue
      requests++
      if (await next!() === 'answer') answered++
      else cutOff++
    }
  } finally {
    await node?.stop()
  }
  return { answered, cutOff, requests }
}

/** Hostile tool calls through `taskmesh mcp`, as raw JSON-RPC lines; the answers heard and how the server ended. */
async function fuzzMcp (address: string, v: HostileValues): Promise<{ answers: number, exit: { code: number | null, signal: string | null } }> {
  const child = spawn(process.execPath, [BIN, 'mcp', '--admin', address, '--log-format', 'json'], { stdio: ['pipe', 'pipe', 'pipe'] })
  child.stderr.resume()
  const lines = createInterface({ input: child.stdout })
  let answers = 0
  const answeredAll = new Promise<void>(resolve => {
    lines.on('line', line => {
      if (!line.includes('"id"')) return
      if (++answers === MCP_CALLS + 1) resolve()
    })
  })
  const exited = once(child, 'exit')
  const send = (line: string): void => { child.stdin.write(`${line}\n`) }
  send(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } } }))
  send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }))
  const tools = ['distribute_task', 'get_task', 'list_tasks', 'cancel_task', 'retry_task', 'list_workers', 'update_agent_status_in_distributor', 'unregister_agent_from_distributor', 'claim_task', 'handle_task_response', 'get_summary', 'pause_tasks', 'resume_tasks', 'no_such_tool']
  for (let i = 1; i <= MCP_CALLS; i++) {
    // within the server's line limit: a longer line ends the server, by design (tested on its own)
    let args: string
    do args = v.object(0, ['id', 'task_id', 'agent_id', 'task_type', 'task_data', 'result', 'status', 'error', 'max_tasks', 'state', 'limit', 'is_online', 'draining'])
    while (args.length > MAX_MESSAGE_BYTES / 2)
    send(`{"jsonrpc": "2.0", "id": ${i}, "method": "tools/call", "params": {"name": ${JSON.stringify(v.pick(tools))}, "arguments": ${args}}}`)
  }
  await Promise.race([answeredAll, new Promise(resolve => setTimeout(resolve, 60_000))])
  child.stdin.end()
  const [code, signal] = await exited as [number | null, string | null]
  return { answers, exit: { code, signal } }
}

/** A worker that registers for its own task type, then answers every assignment with a hostile output. */
async function lyingWorker (address: string, v: HostileValues): Promise<number> {
  const node = await createNode({ services: {}, pubsub: false })
  let lies = 0
  try {
    const stream = await node.dialProtocol(multiaddr(address), TASK_PROTOCOL)
    const writer = new FrameWriter(stream, Frame, { maxBufferedBytes: 64 * 1024 * 1024 })
    const ended = new Promise<void>(resolve => { stream.addEventListener('close', () => { resolve() }) })
    readFrames(stream, Frame, {
      maxFrameBytes: 8 * 1024 * 1024,
      onInvalid: () => {},
      onFrame: f => {
        const a = f.assignment
        if (a == null) return
        const output = v.pick([
          () => encoder.encode(v.nested()),
          () => Uint8Array.from({ length: 100 }, () => v.int(256)),
          () => encoder.encode(v.value()),
          () => encoder.encode(`{"a": ${v.nested()}}`)
        ])()
        writer.write({ result: { taskId: a.taskId, attempt: a.attempt, token: a.token, success: true, output, error: '', durationMs: 1, unrecoverable: false } })
        lies++
      }
    })
    writer.write({ register: { name: 'liar', skill: 1, capabilities: [], types: ['fuzz-target'], maxConcurrent: 8, priority: 0, leases: [], version: '2', resources: new Map() } })
    // it lies until the admin has had enough of it (a ban ends its stream), or has given it everything
    await Promise.race([ended, new Promise(resolve => setTimeout(resolve, 20_000))])
  } finally {
    await node.stop()
  }
  return lies
}
