import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AdminClient } from '../../src/client/admin-client.js'
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
    expect(tools.map(t => t.name).sort()).toEqual(['add_schedule', 'cancel_task', 'claim_task', 'distribute_task', 'get_summary', 'get_task', 'handle_task_response', 'list_schedules', 'list_tasks', 'list_workers', 'pause_schedule', 'pause_tasks', 'purge_tasks', 'remove_schedule', 'resume_schedule', 'resume_tasks', 'retry_task', 'unregister_agent_from_distributor', 'update_agent_status_in_distributor'])
    const distribute = tools.find(t => t.name === 'distribute_task')!
    expect(Object.keys(distribute.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['description', 'required_capabilities', 'priority', 'depends_on', 'wait_seconds', 'task_id', 'task_type', 'task_data', 'strategy']))
    expect(distribute.inputSchema.required ?? []).toEqual([])
    expect(distribute.inputSchema.additionalProperties).toBe(false)
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

  it('refuses an argument it does not know by name, in every tool', async () => {
    // arguments that would be accepted alone, and would do nothing harmful if the unknown one were dropped
    const valid: Record<string, Record<string, unknown>> = {
      distribute_task: { description: 'x' },
      get_task: { id: 'render' },
      list_tasks: {},
      cancel_task: { id: 'no-such-task' },
      retry_task: { id: 'no-such-task' },
      list_workers: {},
      update_agent_status_in_distributor: { agent_id: 'no-such-worker', draining: true },
      unregister_agent_from_distributor: { agent_id: 'no-such-worker' },
      claim_task: { agent_id: 'no-such-agent', max_tasks: 0 },
      handle_task_response: { task_id: 'no-such-task', agent_id: 'no-such-agent', status: 'failed' },
      get_summary: {},
      pause_tasks: { type: 'no-such-type' },
      resume_tasks: { type: 'no-such-type' },
      purge_tasks: { keep: 1_000_000 },
      list_schedules: {},
      add_schedule: { name: 'never-added', every_seconds: 60, task: {} },
      pause_schedule: { name: 'no-such-schedule' },
      resume_schedule: { name: 'no-such-schedule' },
      remove_schedule: { name: 'no-such-schedule' }
    }
    const { tools } = await client.listTools()
    expect(tools.map(t => t.name).sort()).toEqual(Object.keys(valid).sort())
    for (const tool of tools) {
      expect({ tool: tool.name, additionalProperties: tool.inputSchema.additionalProperties }).toEqual({ tool: tool.name, additionalProperties: false })
      const result = await call(tool.name, { ...valid[tool.name], colour: 'blue' })
      expect({ tool: tool.name, ...result }).toMatchObject({ tool: tool.name, isError: true, text: expect.stringMatching(/Unrecognized key.*"colour"/) })
    }
  })

  it('cancels, lists, retries, and reports workers and the summary', async () => {
    const assigned = nextEvent(manager, 'task:assigned', d => d.taskId === 'slow')
    await call('distribute_task', { id: 'slow', description: 'takes long', payload: { durationMs: 60_000 } })
    await assigned
    expect((await call('cancel_task', { id: 'slow', reason: 'not needed' })).value).toEqual({ cancelled: true })
    expect((await call('list_tasks', { state: 'cancelled' })).value).toMatchObject({ total: 1, tasks: [{ id: 'slow', state: 'cancelled', error: 'not needed' }] })
    expect((await call('list_tasks', { search: 'TAKES LO' })).value).toMatchObject({ total: 1, tasks: [{ id: 'slow' }] })

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

  it('takes distribute_task as the distribution document writes it, and refuses arguments it does not know by name', async () => {
    // the document's own call: task_id, task_type, required_capabilities, task_data, strategy, priority as a word
    const { value } = await call('distribute_task', {
      task_id: 'task-123',
      task_type: 'simulate',
      required_capabilities: ['gpu'],
      task_data: { prompt: 'Write a function' },
      strategy: 'load_balanced',
      priority: 'high',
      wait_seconds: 60
    })
    expect(value).toMatchObject({ id: 'task-123', type: 'simulate', state: 'succeeded', worker: 'gpu-worker', priority: 8, requires: ['gpu'], strategy: 'least-loaded' })

    const unknown = await call('distribute_task', { task_id: 'x1', description: 'x', sender_id: 'orchestrator', colour: 'blue' })
    expect(unknown.isError).toBe(true)
    expect(unknown.text).toMatch(/sender_id/)
    expect(unknown.text).toMatch(/colour/)
    const both = await call('distribute_task', { id: 'x2', task_id: 'x3', description: 'x' })
    expect(both).toMatchObject({ isError: true, text: expect.stringMatching(/task_id.*only one/s) })
    const word = await call('distribute_task', { description: 'x', priority: 'urgent' })
    expect(word).toMatchObject({ isError: true, text: expect.stringMatching(/priority/) })
    expect((await call('get_task', { id: 'x1' })).isError).toBe(true)
  })

  it('names a task by id or by task_id, as distribute_task does: get_task, cancel_task, retry_task', async () => {
    expect((await call('get_task', { task_id: 'render' })).value).toMatchObject({ id: 'render', state: 'succeeded' })
    // no worker has a qpu: the task waits, so cancelling and retrying it races with nothing
    await call('distribute_task', { task_id: 'parked', description: 'waits', required_capabilities: ['qpu'] })
    expect((await call('cancel_task', { task_id: 'parked', reason: 'by task_id' })).value).toEqual({ cancelled: true })
    expect((await call('get_task', { task_id: 'parked' })).value).toMatchObject({ state: 'cancelled', error: 'by task_id' })
    expect((await call('retry_task', { task_id: 'parked' })).value).toEqual({ retried: true })
    expect((await call('get_task', { id: 'parked' })).value).toMatchObject({ state: 'ready' })
    expect((await call('cancel_task', { task_id: 'parked' })).value).toEqual({ cancelled: true })

    for (const tool of ['get_task', 'cancel_task', 'retry_task']) {
      const both = await call(tool, { id: 'parked', task_id: 'parked' })
      expect({ tool, ...both }).toMatchObject({ tool, isError: true, text: expect.stringMatching(/^ValidationError: .*task_id: the same as id; give only one of them/s) })
      const neither = await call(tool, {})
      expect({ tool, ...neither }).toMatchObject({ tool, isError: true, text: expect.stringMatching(/^ValidationError: .*id: .*task_id/s) })
    }
    expect((await call('get_task', { id: 'parked' })).value).toMatchObject({ state: 'cancelled' })
  })

  it('pauses a task type and resumes it: pause_tasks, resume_tasks', async () => {
    expect((await call('pause_tasks', { type: 'held', reason: 'until the model is loaded' })).value).toEqual({ paused: [expect.objectContaining({ scope: 'type:held', reason: 'until the model is loaded' })] })
    await call('distribute_task', { id: 'held-1', type: 'held' })
    expect((await call('get_task', { id: 'held-1' })).value).toMatchObject({ state: 'ready', waitingFor: 'paused (tasks of type "held"): until the model is loaded' })
    expect((await call('get_summary')).value.paused).toEqual([expect.objectContaining({ scope: 'type:held' })])
    expect((await call('resume_tasks', { type: 'held' })).value).toEqual({ paused: [] })
    expect(await call('resume_tasks', { type: 'held' })).toMatchObject({ isError: true, text: expect.stringMatching(/type "held" is not paused: nothing is/) })
    // resumed, it waits for a worker with a handler for its type, like any other
    expect((await call('get_task', { id: 'held-1' })).value.waitingFor).toMatch(/no connected worker handles type "held"/)
    await call('cancel_task', { id: 'held-1' })
  })

  it('purges finished tasks: purge_tasks, with what it takes refused by name', async () => {
    expect(await call('purge_tasks', {})).toMatchObject({ isError: true, text: expect.stringMatching(/^ValidationError: .*older_than_seconds: which tasks/s) })
    expect(await call('purge_tasks', { older_than_seconds: -1 })).toMatchObject({ isError: true, text: expect.stringMatching(/older_than_seconds/) })
    expect(await call('purge_tasks', { state: 'running', older_than_seconds: 0 })).toMatchObject({ isError: true, text: expect.stringMatching(/state/) })
    await call('distribute_task', { id: 'doomed', type: 'nobody-runs-this' })
    await call('cancel_task', { id: 'doomed' })
    const { value } = await call('purge_tasks', { state: 'cancelled', older_than_seconds: 0 })
    expect(value.purged).toBeGreaterThanOrEqual(1)
    expect(await call('get_task', { id: 'doomed' })).toMatchObject({ isError: true, text: expect.stringMatching(/^UnknownTaskError/) })
  })

  it('adds, lists, pauses, resumes and removes a schedule: add_schedule, list_schedules, pause_schedule, resume_schedule, remove_schedule', async () => {
    expect(await call('add_schedule', { name: 'hourly-report', task: { type: 'report' } })).toMatchObject({ isError: true, text: expect.stringMatching(/^ValidationError: .*cron: when: give cron or every_seconds/s) })
    expect(await call('add_schedule', { name: 'bad', cron: 'sometimes', task: {} })).toMatchObject({ isError: true, text: expect.stringMatching(/cron: not 5 or 6 fields/) })
    expect(await call('add_schedule', { name: 'bad', every_seconds: 60, task: { id: 'fixed' } })).toMatchObject({ isError: true, text: expect.stringMatching(/task\.id: .*leave id out/) })
    const added = (await call('add_schedule', { name: 'hourly-report', cron: '0 * * * *', timezone: 'America/New_York', task: { type: 'report', priority: 7 } })).value
    expect(added).toMatchObject({ name: 'hourly-report', cron: '0 * * * *', timezone: 'America/New_York', paused: false, nextAt: expect.any(Number) })
    expect((await call('list_schedules')).value.schedules).toEqual([expect.objectContaining({ name: 'hourly-report' })])
    expect((await call('pause_schedule', { name: 'hourly-report' })).value).toMatchObject({ paused: true })
    expect((await call('resume_schedule', { name: 'hourly-report' })).value).toMatchObject({ paused: false })
    expect((await call('remove_schedule', { name: 'hourly-report' })).value).toEqual({ removed: 'hourly-report' })
    expect(await call('remove_schedule', { name: 'hourly-report' })).toMatchObject({ isError: true, text: expect.stringMatching(/^UnknownScheduleError: unknown schedule "hourly-report": there are none/) })
  })

  it('returns the task holding a dedup key instead of adding another', async () => {
    const first = (await call('distribute_task', { id: 'sync-1', dedup_key: 'sync-crm', dedup_seconds: 600, wait_seconds: 10 })).value
    expect(first).toMatchObject({ id: 'sync-1', state: 'succeeded' })
    const second = (await call('distribute_task', { id: 'sync-2', dedup_key: 'sync-crm' })).value
    expect(second).toMatchObject({ id: 'sync-1', state: 'succeeded', deduplicatedFrom: 'sync-2' })
  })

  it('says so when wait_seconds runs out before the task is final', async () => {
    const { value } = await call('distribute_task', { task_id: 'needs-a-qpu', description: 'no worker has this', required_capabilities: ['qpu'], wait_seconds: 0.3 })
    expect(value).toMatchObject({ id: 'needs-a-qpu', state: 'ready', timedOut: true, waitedSeconds: 0.3 })
    expect(value.waitingFor).toMatch(/qpu/)
    await call('cancel_task', { id: 'needs-a-qpu' })
  })

  it('steers workers as the distribution document does: update_agent_status_in_distributor and unregister_agent_from_distributor', async () => {
    const drained = await call('update_agent_status_in_distributor', { agent_id: 'cpu-worker', draining: true, priority: 7, current_load: 5 })
    expect(drained.value).toMatchObject({ name: 'cpu-worker', draining: true, priority: 7, ignored: { current_load: expect.stringMatching(/counts load itself/) } })
    // a drained worker is given nothing: a task only it could take waits, and says why
    await call('distribute_task', { task_id: 'for-cpu', description: 'pinned', worker: 'cpu-worker' })
    expect((await call('get_task', { id: 'for-cpu' })).value).toMatchObject({ state: 'ready' })
    const done = nextEvent(manager, 'task:completed', d => d.id === 'for-cpu')
    expect((await call('update_agent_status_in_distributor', { agent_id: 'cpu-worker', draining: false, is_online: true })).value).toMatchObject({ draining: false, online: true })
    expect((await done).status).toBe('succeeded')

    const offline = await call('update_agent_status_in_distributor', { agent_id: 'gpu-worker', is_online: false })
    expect(offline.value).toMatchObject({ online: false })
    expect((await call('get_summary')).value.workers).toBe(1)
    await call('update_agent_status_in_distributor', { agent_id: 'gpu-worker', is_online: true })

    const tooMany = await call('update_agent_status_in_distributor', { agent_id: 'cpu-worker', max_concurrent: 100 })
    expect(tooMany).toMatchObject({ isError: true, text: expect.stringMatching(/asked for at most 1/) })
    const nobody = await call('update_agent_status_in_distributor', { agent_id: 'no-such-worker', draining: true })
    expect(nobody).toMatchObject({ isError: true, text: expect.stringMatching(/^UnknownWorkerError: .*no-such-worker/) })
    const nothing = await call('update_agent_status_in_distributor', { agent_id: 'cpu-worker' })
    expect(nothing).toMatchObject({ isError: true, text: expect.stringMatching(/nothing to change/) })

    await net.worker(manager, 'spare-worker', 1)
    const left = nextEvent(manager, 'worker:disconnected', d => d.name === 'spare-worker')
    const { value } = await call('unregister_agent_from_distributor', { agent_id: 'spare-worker' })
    expect(value.disconnected).toMatch(/^12D3KooW/)
    expect(await left).toMatchObject({ name: 'spare-worker' })
  })

  it('an LLM agent takes work itself: claim_task, then handle_task_response as the distribution document names it', async () => {
    await call('distribute_task', { task_id: 'poem', task_type: 'llm', task_data: { topic: 'peers' } })
    const { value } = await call('claim_task', { agent_id: 'mcp-agent', task_types: ['llm'], max_tasks: 2, wait_seconds: 2 })
    expect(value).toMatchObject({ agent: 'mcp-agent', worker: 'mcp:mcp-agent', claims: [{ task: { id: 'poem', type: 'llm', payload: { topic: 'peers' } } }] })
    // the agent's name and the task id are public: another client naming them is not the one that claimed
    const stranger = await AdminClient.connect(manager.details().addresses[0]!)
    try {
      await expect(stranger.call('claimResult', { agent: 'mcp-agent', taskId: 'poem', status: 'completed', result: 'forged' })).rejects.toMatchObject({ name: 'InvalidStateError', message: expect.stringMatching(/is not claimed by agent "mcp:mcp-agent" from this client/) })
      await expect(stranger.call('claim', { agent: 'mcp-agent', max: 0 })).rejects.toMatchObject({ name: 'RegistrationRefusedError', message: expect.stringMatching(/the name "mcp:mcp-agent" is held by another agent \(peer 12D3/) })
    } finally {
      await stranger.close()
    }
    const answered = await call('handle_task_response', { task_id: 'poem', agent_id: 'mcp-agent', status: 'completed', result: { output: 'a poem about peers' } })
    expect(answered.value).toEqual({ accepted: true })
    expect((await call('get_task', { id: 'poem' })).value).toMatchObject({ state: 'succeeded', worker: 'mcp:mcp-agent', output: { output: 'a poem about peers' } })
    // once only
    const again = await call('handle_task_response', { task_id: 'poem', agent_id: 'mcp-agent', status: 'completed', result: 'twice' })
    expect(again).toMatchObject({ isError: true, text: expect.stringMatching(/^InvalidStateError: no task is claimed/) })
    const { value: { workers } } = await call('list_workers')
    expect(workers.find((w: { name: string }) => w.name === 'mcp:mcp-agent')).toMatchObject({ pulling: true, completed: 1 })
  })

  it('keeps stdout for the protocol: its logs are JSON lines on stderr', () => {
    const lines = stderr.split('\n').filter(l => l.trim() !== '')
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ name: 'mcp' })
    expect(lines.map(l => JSON.parse(l).msg)).toContain('connected to the admin')
  })
})
