import { writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliProcesses, runCli } from '../helpers/cli.js'
import { Network } from '../helpers/net.js'
import { OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js'
import { commandMissing, requirement } from '../helpers/system.js'

const { start } = cliProcesses()
const python = requirement('the traces test with a Python agent', commandMissing('python3', ['--version'], 'install Python 3.9 or newer (apt-get install python3)'))
const PYTHON_AGENT = fileURLToPath(new URL('../fixtures/python/test_agent.py', import.meta.url))
const TRACED_CHILD = fileURLToPath(new URL('../fixtures/exec-traceparent.mjs', import.meta.url))
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/

/** A task's spans across admin and worker: its `task` span and what hangs under it. */
function treeOf (spans: ReceivedSpan[], taskId: string): { task?: ReceivedSpan, queued: ReceivedSpan[], attempts: ReceivedSpan[], runs: ReceivedSpan[] } {
  const task = spans.find(s => s.name === 'task' && s.attributes['taskmesh.task.id'] === taskId)
  if (task == null) return { queued: [], attempts: [], runs: [] }
  const children = (parent: ReceivedSpan, name: string): ReceivedSpan[] => spans.filter(s => s.name === name && s.traceId === parent.traceId && s.parentSpanId === parent.spanId)
  const attempts = children(task, 'attempt')
  return { task, queued: children(task, 'queued'), attempts, runs: attempts.flatMap(a => children(a, 'run')) }
}

/** OpenTelemetry traces (--otel-endpoint, OTEL_EXPORTER_OTLP_ENDPOINT) checked at a collector of the test's own. */
describe('traces', () => {
  let receiver: OtlpReceiver
  beforeAll(async () => { receiver = await OtlpReceiver.start() })
  afterAll(async () => { await receiver.stop() })

  it('gives each task one trace across admin and worker: queued, each attempt until journaled, its run, and the context in the --exec child', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-traces-'))
    const tasks = join(dir, 'tasks.json')
    writeFileSync(tasks, JSON.stringify([{ id: 'fetch', type: 'traced' }, { id: 'report', type: 'traced', depends_on: ['fetch'] }]))
    const admin = start(['admin', '--tasks', tasks, '--listen', '/ip4/127.0.0.1/tcp/0', '--otel-endpoint', receiver.endpoint, '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    // the worker finds the collector in the environment, as OpenTelemetry's own exporters do
    start(['worker', '--admin', addrs[0], '--name', 'tracer', '--skill', '1', '--exec', `node ${TRACED_CHILD}`, '--json'], { env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint } })
    // a task that depends on another: its input goes to the child too
    const report = await admin.waitFor(e => e.event === 'task:completed' && e.id === 'report')
    expect(report).toMatchObject({ status: 'succeeded' })

    await receiver.waitFor(spans => treeOf(spans, 'report').runs.length === 1 && treeOf(spans, 'report').task != null)
    const tree = treeOf(receiver.spans, 'report')
    expect(tree.task).toMatchObject({ service: 'taskmesh-admin', attributes: { 'taskmesh.task.type': 'traced', 'taskmesh.status': 'succeeded' }, events: ['journaled', 'journaled'] })
    expect(tree.queued).toHaveLength(1)
    expect(tree.attempts).toEqual([expect.objectContaining({ service: 'taskmesh-admin', attributes: expect.objectContaining({ 'taskmesh.attempt': 1, 'taskmesh.worker': 'tracer', 'taskmesh.outcome': 'succeeded' }), events: ['journaled'] })])
    expect(tree.runs).toEqual([expect.objectContaining({ service: 'taskmesh-worker', attributes: expect.objectContaining({ 'taskmesh.task.id': 'report', 'taskmesh.worker': 'tracer' }) })])
    // in order: queued before the attempt, the run inside the attempt, all inside the task
    const [queued, attempt, run] = [tree.queued[0]!, tree.attempts[0]!, tree.runs[0]!]
    expect(queued.end <= attempt.start).toBe(true)
    expect(attempt.start <= run.start && run.end <= attempt.end).toBe(true)
    expect(tree.task!.start <= queued.start && attempt.end <= tree.task!.end).toBe(true)
    // another task, another trace
    expect(treeOf(receiver.spans, 'fetch').task!.traceId).not.toBe(tree.task!.traceId)

    // the --exec child got the run's own context
    const [, traceId, spanId] = TRACEPARENT.exec((report.output as { traceparent: string }).traceparent) ?? []
    expect({ traceId, spanId }).toEqual({ traceId: run.traceId, spanId: run.spanId })
  })

  it.skipIf(python.missing != null)(`hands a Python agent (python/taskmesh_agent.py) its run's context as task.traceparent${python.note}`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-traces-'))
    const tasks = join(dir, 'tasks.json')
    writeFileSync(tasks, JSON.stringify([{ id: 'py', type: 'echo' }]))
    const admin = start(['admin', '--tasks', tasks, '--listen', '/ip4/127.0.0.1/tcp/0', '--otel-endpoint', receiver.endpoint, '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    start(['worker', '--admin', addrs[0], '--name', 'py', '--skill', '1', '--exec', `python3 ${PYTHON_AGENT}`, '--otel-endpoint', receiver.endpoint, '--json'])
    const done = await admin.waitFor(e => e.event === 'task:completed' && e.id === 'py')
    await receiver.waitFor(spans => treeOf(spans, 'py').runs.length === 1)
    const run = treeOf(receiver.spans, 'py').runs[0]!
    expect((done.output as { traceparent: string }).traceparent).toBe(`00-${run.traceId}-${run.spanId}-01`)
  })

  it('carries the context to handlers and to agents that pull, and says what is wrong with an endpoint', async () => {
    const net = new Network()
    try {
      const manager = await net.admin([], { listen: ['/ip4/127.0.0.1/tcp/0'], http: { port: 0 }, otelEndpoint: receiver.endpoint })
      const seen: Array<string | undefined> = []
      const worker = await net.worker(manager, 'js', 1, { otelEndpoint: receiver.endpoint, handlers: { traced: task => { seen.push(task.traceparent) } } })
      manager.submit([{ id: 'in-handler', type: 'traced' }])
      await manager.whenDone()
      await worker.stop()
      await receiver.waitFor(spans => treeOf(spans, 'in-handler').runs.length === 1)
      const run = treeOf(receiver.spans, 'in-handler').runs[0]!
      expect(seen).toEqual([`00-${run.traceId}-${run.spanId}-01`])

      // an agent that pulls over HTTP gets the attempt's context with its claim
      manager.submit([{ id: 'pulled', type: 'pulled' }])
      const claim = await (await fetch(`${manager.details().http!}/api/claims`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agent: 'scribe', types: ['pulled'], max: 1, waitSeconds: 5 }) })).json() as { claims: Array<{ token: string, task: { traceparent?: string } }> }
      const [, traceId, spanId] = TRACEPARENT.exec(claim.claims[0]!.task.traceparent ?? '') ?? []
      await fetch(`${manager.details().http!}/api/claims/${claim.claims[0]!.token}/result`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ output: 1 }) })
      await receiver.waitFor(spans => treeOf(spans, 'pulled').attempts.some(a => a.end > 0n))
      expect(treeOf(receiver.spans, 'pulled').attempts.map(a => ({ traceId: a.traceId, spanId: a.spanId }))).toEqual([{ traceId, spanId }])
    } finally {
      await net.stop()
    }

    const bad = await runCli(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--otel-endpoint', 'localhost:4318'])
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--otel-endpoint') })
    expect(bad.stderr).toMatch(/not an http or https URL|is not a URL/)
    const badEnv = await runCli(['worker', '--name', 'w', '--skill', '1', '--admin', '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWLRPJAA5o6Xw8GC4o5TrzHzPS6TTQNtQsHJA7UFVrEyGL'], { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' } })
    expect(badEnv).toMatchObject({ code: 2, stderr: expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT') })
  })
})
