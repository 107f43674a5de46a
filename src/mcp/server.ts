import { randomBytes } from 'node:crypto'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { TASK_STATES } from '../admin/api.js'
import { ValidationError } from '../errors.js'
import type { AdminLink } from './admin-link.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'

export interface TaskmeshMcpOptions {
  /** Reported to MCP clients. @default '0.1.0' */
  version?: string
  /** Longest a `distribute_task` call may wait for its task. @default 600 */
  maxWaitSeconds?: number
}

/**
 * The orchestrator's tools over the Model Context Protocol: an LLM agent distributes tasks to the
 * network, follows them and manages them, through the admin's client protocol.
 */
export function createMcpServer (link: AdminLink, options: TaskmeshMcpOptions = {}): McpServer {
  const server = new McpServer({ name: 'taskmesh', version: options.version ?? '0.1.0' }, {
    instructions: 'taskmesh assigns tasks to worker agents by skill and capability. Use distribute_task to hand work to the network (set wait_seconds to get the result in the same call), get_task and list_tasks to follow it, list_workers and get_summary to see the network.'
  })
  const maxWait = options.maxWaitSeconds ?? 600

  server.registerTool('distribute_task', {
    title: 'Distribute a task',
    description: 'Submit one task to the network. The admin assigns it to a worker whose skill and capabilities fit, after its dependencies succeed. Returns the task; with wait_seconds, waits for it to finish (or for the time to run out) and returns its result.',
    inputSchema: {
      id: z.string().min(1).max(512).optional().describe('task id, unique in the network; one is made up when left out'),
      description: z.string().max(64 * 1024).describe('what the task is'),
      type: z.string().max(128).optional().describe('which handler runs it on the worker (default "simulate")'),
      difficulty: z.number().min(0).optional().describe('skill a worker needs (the simulate handler succeeds when skill >= difficulty)'),
      required_capabilities: z.array(z.string().max(128)).max(64).optional().describe('capabilities the worker must have, such as ["gpu"]'),
      priority: z.number().int().min(1).max(10).optional().describe('1 (lowest) to 10 (highest); default 5'),
      depends_on: z.array(z.string()).max(10_000).optional().describe('ids of tasks that must succeed first; their outputs are forwarded to this one'),
      payload: z.unknown().optional().describe('input for the handler (any JSON)'),
      timeout_seconds: z.number().positive().optional().describe('an attempt running longer fails'),
      max_attempts: z.number().int().min(1).max(100).optional().describe('attempts before the task fails for good'),
      worker: z.string().max(128).optional().describe('pin the task to the worker of this name'),
      wait_seconds: z.number().min(0).max(maxWait).optional().describe(`wait up to this long for the task to finish (at most ${maxWait})`)
    }
  }, async (input, extra) => {
    const id = input.id ?? `mcp-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
    const task: Record<string, unknown> = { id, description: input.description }
    if (input.type != null) task.type = input.type
    if (input.difficulty != null) task.difficulty = input.difficulty
    if (input.required_capabilities != null) task.requires = input.required_capabilities
    if (input.priority != null) task.priority = input.priority
    if (input.depends_on != null) task.depends_on = input.depends_on
    if (input.payload !== undefined) task.payload = input.payload
    if (input.timeout_seconds != null) task.timeout = input.timeout_seconds
    if (input.max_attempts != null) task.retry_policy = { max_attempts: input.max_attempts }
    if (input.worker != null) task.agent = input.worker
    return await answer(async () => {
      const { existing } = await link.use(c => c.submit([task]))
      if (existing.includes(id)) throw new ValidationError([{ path: 'id', message: `a task "${id}" already exists; pick another id, or follow it with get_task` }], { subject: 'distribute_task' })
      if (input.wait_seconds == null || input.wait_seconds === 0) return await link.use(c => c.task(id))
      const signal = AbortSignal.any([AbortSignal.timeout(input.wait_seconds * 1000), extra.signal])
      return await link.waitForFinal(id, signal)
    })
  })

  server.registerTool('get_task', {
    title: 'Get a task',
    description: 'A task with its state, worker, output or error, and its history (assignments, attempts, retries).',
    inputSchema: { id: z.string().min(1).describe('task id') },
    annotations: { readOnlyHint: true }
  }, async ({ id }) => await answer(async () => await link.use(c => c.task(id))))

  server.registerTool('list_tasks', {
    title: 'List tasks',
    description: 'Tasks in submission order, a page at a time, optionally only those in one state.',
    inputSchema: {
      state: z.enum(['final', ...TASK_STATES]).optional().describe('only tasks in this state ("final": succeeded, failed, skipped or cancelled)'),
      offset: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(1000).optional().describe('default 100')
    },
    annotations: { readOnlyHint: true }
  }, async (params) => await answer(async () => await link.use(c => c.tasks(params))))

  server.registerTool('cancel_task', {
    title: 'Cancel a task',
    description: 'Cancels a task that is not final yet (a running attempt is stopped on its worker); tasks depending on it are skipped.',
    inputSchema: { id: z.string().min(1), reason: z.string().max(1024).optional() },
    annotations: { destructiveHint: true }
  }, async ({ id, reason }) => await answer(async () => await link.use(c => c.cancel(id, reason))))

  server.registerTool('retry_task', {
    title: 'Retry a task',
    description: 'Runs a failed, skipped or cancelled task again, with the tasks that were skipped because of it.',
    inputSchema: { id: z.string().min(1) }
  }, async ({ id }) => await answer(async () => await link.use(c => c.retry(id))))

  server.registerTool('list_workers', {
    title: 'List workers',
    description: 'Workers with their skill, capabilities, load, success rate, CPU and memory use, and whether they are online.',
    annotations: { readOnlyHint: true }
  }, async () => await answer(async () => ({ workers: await link.use(c => c.workers()) })))

  server.registerTool('get_summary', {
    title: 'Get the summary',
    description: 'Progress of the network: tasks by state, workers online, the admin and its strategy.',
    annotations: { readOnlyHint: true }
  }, async () => await answer(async () => await link.use(c => c.summary())))

  server.registerResource('summary', 'taskmesh://summary', {
    title: 'Network summary',
    description: 'Tasks by state, workers online, the admin and its strategy',
    mimeType: 'application/json'
  }, async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(await link.use(c => c.summary()), null, 2) }] }))

  server.registerResource('workers', 'taskmesh://workers', {
    title: 'Workers',
    description: 'Every registered worker: skill, capabilities, load, success rate, online',
    mimeType: 'application/json'
  }, async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(await link.use(c => c.workers()), null, 2) }] }))

  return server
}

/**
 * A tool's result as JSON text (and structured content), or its error as a tool error the model can
 * read and act on, rather than a protocol failure.
 */
async function answer (fn: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    const value = await fn()
    return {
      content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
      ...(value != null && typeof value === 'object' && !Array.isArray(value) ? { structuredContent: value as Record<string, unknown> } : {})
    }
  } catch (err) {
    const e = err as Error
    return { isError: true, content: [{ type: 'text', text: `${e.name}: ${e.message}` }] }
  }
}
