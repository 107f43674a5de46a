import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN } from '../helpers/cli.js'
import { Network, nextEvent } from '../helpers/net.js'
import type { TaskManager } from '../../src/manager/task-manager.js'

/** The MCP server as an agent's MCP client runs it: `taskmesh mcp` on stdio, driven by the SDK's own client. */
describe('taskmesh mcp', () => {
  const net = new Network()
  let manager: TaskManager
  let client: Client
  let stderr = ''

  beforeAll(async () => {
    manager = await net.admin([], { listen: ['/ip4/127.0.0.1/tcp/0'] })
    await net.worker(manager, 'cpu-worker', 5)
    await net.worker(manager, 'gpu-worker', 9, { capabilities: ['gpu'] })
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--admin', manager.details().addresses[0]!, '--log-format', 'json'],
      stderr: 'pipe'
    })
    transport.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    client = new Client({ name: 'taskmesh-test', version: '1.0.0' })
    await client.connect(transport)
  })

  afterAll(async () => {
    await client?.close()
    await net.stop()
  })

  const call = async (name: string, args: Record<string, unknown> = {}): Promise<{ isError?: boolean, text: string, value: any }> => {
    const result = await client.callTool({ name, arguments: args }) as { isError?: boolean, content: Array<{ type: string, text: string }>, structuredContent?: unknown }
    const text = result.content.map(c => c.text).join('\n')
    return { ...(result.isError === true ? { isError: true } : {}), text, value: result.isError === true ? undefined : JSON.parse(text) }
  }

  it('lists the orchestrator\'s tools and resources', async () => {
    const { tools } = await client.listTools()
    expect(tools.map(t => t.name).sort()).toEqual(['cancel_task', 'distribute_task', 'get_summary', 'get_task', 'list_tasks', 'list_workers', 'retry_task'])
    const distribute = tools.find(t => t.name === 'distribute_task')!
    expect(Object.keys(distribute.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['description', 'required_capabilities', 'priority', 'depends_on', 'wait_seconds']))
    expect(distribute.inputSchema.required).toEqual(['description'])
    const { resources } = await client.listResources()
    expect(resources.map(r => r.uri).sort()).toEqual(['taskmesh://summary', 'taskmesh://workers'])
  })

  it('distributes a task with required capabilities and returns its result once it completes', async () => {
    const { value } = await call('distribute_task', { id: 'render', description: 'render a frame', required_capabilities: ['gpu'], priority: 9, difficulty: 3, wait_seconds: 60 })
    expect(value).toMatchObject({ id: 'render', state: 'succeeded', worker: 'gpu-worker', priority: 9, requires: ['gpu'] })
    expect(value.history.map((h: { event: string }) => h.event)).toEqual(['submitted', 'assigned', 'succeeded'])

    // a dependent task waits for its dependency; both finish, in order
    const first = await call('distribute_task', { id: 'fetch', description: 'fetch the data', payload: { durationMs: 50 } })
    expect(first.value).toMatchObject({ id: 'fetch' })
    const second = await call('distribute_task', { id: 'report', description: 'write the report', depends_on: ['fetch'], wait_seconds: 60 })
    expect(second.value).toMatchObject({ id: 'report', state: 'succeeded', dependsOn: ['fetch'] })
    expect((await call('get_task', { id: 'fetch' })).value).toMatchObject({ state: 'succeeded' })
  })

  it('refuses bad input with errors the model can read', async () => {
    const duplicate = await call('distribute_task', { id: 'render', description: 'again' })
    expect(duplicate.isError).toBe(true)
    expect(duplicate.text).toMatch(/a task "render" already exists/)

    const missing = await call('distribute_task', { description: 'x', depends_on: ['no-such-task'] })
    expect(missing.isError).toBe(true)
    expect(missing.text).toMatch(/ValidationError.*\n.*no-such-task/s)

    const unknown = await call('get_task', { id: 'nope' })
    expect(unknown).toMatchObject({ isError: true, text: expect.stringMatching(/^UnknownTaskError: .*nope/) })

    const outOfRange = await call('distribute_task', { description: 'x', priority: 11 })
    expect(outOfRange.isError).toBe(true)
    expect(outOfRange.text).toMatch(/priority/)
  })

  it('cancels, lists, retries, and reports workers and the summary', async () => {
    const assigned = nextEvent(manager, 'task:assigned', d => d.taskId === 'slow')
    await call('distribute_task', { id: 'slow', description: 'takes long', payload: { durationMs: 60_000 } })
    await assigned
    expect((await call('cancel_task', { id: 'slow', reason: 'not needed' })).value).toEqual({ cancelled: true })
    expect((await call('list_tasks', { state: 'cancelled' })).value).toMatchObject({ total: 1, tasks: [{ id: 'slow', state: 'cancelled', error: 'not needed' }] })

    const done = nextEvent(manager, 'task:completed', d => d.id === 'slow')
    expect((await call('retry_task', { id: 'slow' })).value).toEqual({ retried: true })
    await call('cancel_task', { id: 'slow' })
    await done

    const { value: { workers } } = await call('list_workers')
    expect(workers.map((w: { name: string }) => w.name).sort()).toEqual(['cpu-worker', 'gpu-worker'])
    expect(workers.find((w: { name: string }) => w.name === 'gpu-worker')).toMatchObject({ skill: 9, capabilities: ['gpu'], online: true, completed: 1 })

    const summary = (await call('get_summary')).value
    expect(summary).toMatchObject({ peerId: manager.details().peerId, workers: 2, counts: { succeeded: 3, cancelled: 1 } })

    const resource = await client.readResource({ uri: 'taskmesh://workers' })
    expect(JSON.parse((resource.contents[0] as { text: string }).text)).toHaveLength(2)
    const summaryResource = await client.readResource({ uri: 'taskmesh://summary' })
    expect(JSON.parse((summaryResource.contents[0] as { text: string }).text)).toMatchObject({ total: 4 })
  })

  it('keeps stdout for the protocol: its logs are JSON lines on stderr', () => {
    const lines = stderr.split('\n').filter(l => l.trim() !== '')
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ name: 'mcp' })
    expect(lines.map(l => JSON.parse(l).msg)).toContain('connected to the admin')
  })
})
