import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClientFactory, type Client } from '@a2a-js/sdk/client'
import { Role, TaskState, type Message, type Task } from '@a2a-js/sdk'
import { Network, nextEvent } from '../helpers/net.js'
import type { TaskManager } from '../../src/manager/task-manager.js'

/** A message as an A2A client writes it: the skill (task type) in its metadata, the payload as a data part. */
const message = (skill: string | undefined, data: unknown, extra: Partial<Message> = {}): Message => ({
  messageId: randomUUID(),
  contextId: '',
  taskId: '',
  role: Role.ROLE_USER,
  parts: [{ content: { $case: 'data', value: data }, metadata: undefined, filename: '', mediaType: 'application/json' }],
  metadata: skill != null ? { skill } : undefined,
  extensions: [],
  referenceTaskIds: [],
  ...extra
})
const send = (msg: Message, returnImmediately = false) => ({ tenant: '', message: msg, metadata: undefined, configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately } })

/** The admin as an A2A server, driven by the official SDK's client. */
describe('A2A: the network as one agent', () => {
  const net = new Network()
  let manager: TaskManager
  let client: Client
  let listening: number

  beforeAll(async () => {
    manager = (await net.httpAdmin(['scribe', 5, { capabilities: ['nlp'], maxConcurrent: 4 }])).manager
    // before anything of A2A runs: what the admin's assignments are listened to by
    listening = manager.admin.listenerCount('task:assigned')
    client = await new ClientFactory().createFromUrl(manager.details().http!)
  })
  afterAll(async () => { await net.stop() })

  it('serves a card whose skills are the connected workers\' task types, and runs a message as a task to its artifact', async () => {
    const card = await (await fetch(`${manager.details().http!}/.well-known/agent-card.json`)).json()
    expect(card.skills).toEqual([expect.objectContaining({ id: 'simulate', tags: ['nlp'] })])
    expect(card.supportedInterfaces).toEqual([expect.objectContaining({ protocolBinding: 'JSONRPC', url: `${manager.details().http!}/a2a/jsonrpc` })])
    const task = await client.sendMessage(send(message('simulate', { durationMs: 10, output: { summary: 'done' } }))) as Task
    // the A2A side listens to the admin while it follows a task, and not after
    expect(manager.admin.listenerCount('task:assigned')).toBe(listening)
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
    expect(task.artifacts[0]?.parts[0]?.content).toEqual({ $case: 'data', value: { summary: 'done' } })
    // the same task in taskmesh, under the A2A task's id
    expect(manager.getTask(task.id)).toMatchObject({ state: 'succeeded', spec: { type: 'simulate' } })
    expect((await client.getTask({ tenant: '', id: task.id, historyLength: undefined })).status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
  })

  it('streams the task\'s states: submitted, working, the artifact, completed', async () => {
    const seen: string[] = []
    for await (const event of client.sendMessageStream(send(message('simulate', { durationMs: 50 })))) {
      const p = event.payload
      if (p?.$case === 'task') seen.push(`task:${TaskState[p.value.status!.state]}`)
      if (p?.$case === 'statusUpdate') seen.push(`status:${TaskState[p.value.status!.state]}`)
      if (p?.$case === 'artifactUpdate') seen.push('artifact')
    }
    expect(seen).toEqual(['task:TASK_STATE_SUBMITTED', 'status:TASK_STATE_WORKING', 'artifact', 'status:TASK_STATE_COMPLETED'])
  })

  it('cancels a running task; rejects a message whose skill no worker has, or that names none', async () => {
    const assigned = nextEvent(manager, 'task:assigned')
    const started = await client.sendMessage(send(message('simulate', { durationMs: 60_000 }), true)) as Task
    await assigned
    const cancelled = await client.cancelTask({ tenant: '', id: started.id, metadata: undefined })
    expect(cancelled.status?.state).toBe(TaskState.TASK_STATE_CANCELED)
    expect(manager.getTask(started.id).state).toBe('cancelled')

    const unknown = await client.sendMessage(send(message('translate', {}))) as Task
    expect(unknown.status?.state).toBe(TaskState.TASK_STATE_REJECTED)
    expect(unknown.status?.message?.parts[0]?.content).toEqual({ $case: 'text', value: 'no connected worker handles type "translate"; skills: simulate' })
    const none = await client.sendMessage(send(message(undefined, {}))) as Task
    expect(none.status?.state).toBe(TaskState.TASK_STATE_REJECTED)
  })

  it('holds hostile input to the same limits, and keeps answering', async () => {
    const http = manager.details().http!
    const post = async (body: string, version = '1.0'): Promise<{ status: number, body: any }> => {
      const res = await fetch(`${http}/a2a/jsonrpc`, { method: 'POST', headers: { 'content-type': 'application/json', 'a2a-version': version }, body })
      return { status: res.status, body: await res.json().catch(() => null) }
    }
    expect(await post('not json')).toMatchObject({ body: { error: { code: -32700 } } })
    // protocol 1.0 only: a request without the header is taken as 0.3, and refused as such
    expect(await post(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'GetTask', params: { id: 'x' } }), '0.3')).toMatchObject({ body: { error: { code: -32009 } } })
    expect(await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'DropTables', params: {} }))).toMatchObject({ body: { error: { code: -32601 } } })
    expect(await post(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'SendMessage', params: { message: 'x'.repeat(2_000_000) } }))).toMatchObject({ status: 413 })
    expect(await post(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'GetTask', params: { id: 'no-such-task' } }))).toMatchObject({ body: { error: expect.objectContaining({ code: expect.any(Number) }) } })
    // one message makes one task: a follow-up naming a task, and referenceTaskIds, are refused by name
    const followUp = await post(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'SendMessage', params: { message: { messageId: 'f', role: 'ROLE_USER', taskId: 'some-task', parts: [{ text: 'more' }], metadata: { skill: 'simulate' } } } }))
    expect(followUp.body).toMatchObject({ id: 4, error: { code: -32602, message: expect.stringMatching(/a message naming a taskId \(a follow-up to a task\) is not taken/) } })
    const refs = await post(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'SendMessage', params: { message: { messageId: 'r', role: 'ROLE_USER', referenceTaskIds: Array.from({ length: 2000 }, () => 'x'), parts: [{ text: 'x' }], metadata: { skill: 'simulate' } } } }))
    expect(refs.body).toMatchObject({ error: { code: -32602, message: expect.stringMatching(/referenceTaskIds are not taken/) } })
    expect((await fetch(`${http}/healthz`)).status).toBe(200)
  })
})

describe('A2A behind the HTTP API\'s token', () => {
  const net = new Network()
  afterAll(async () => { await net.stop() })

  it('refuses the card and the endpoint without the token', async () => {
    const manager = await net.admin([], { listen: ['/ip4/127.0.0.1/tcp/0'], http: { port: 0, token: 'sesame' } })
    const http = manager.details().http!
    expect((await fetch(`${http}/.well-known/agent-card.json`)).status).toBe(401)
    expect((await fetch(`${http}/a2a/jsonrpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401)
    const card = await fetch(`${http}/.well-known/agent-card.json`, { headers: { authorization: 'Bearer sesame' } })
    expect(card.status).toBe(200)
    // and says so, as A2A clients read it
    expect((await card.json()).securitySchemes).toEqual({ bearer: { httpAuthSecurityScheme: { scheme: 'Bearer' } } })
  })
})
