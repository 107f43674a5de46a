import { randomBytes } from 'node:crypto'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { BUILT_IN_STRATEGIES } from '../core/strategies/index.js'
import { isFinal, TASK_STATES } from '../core/task.js'
import { STRATEGY_ALIASES } from '../tasks/formats.js'
import type { WorkerStatusUpdate } from '../core/registry.js'
import { ValidationError } from '../errors.js'
import { DEFAULT_PAGE, MAX_CLAIM, MAX_PAGE, MAX_SEARCH_LENGTH } from '../admin/constants.js'
import { FIELD_LIMITS } from '../protocol/constants.js'
import { LIMITS, MAX_DELAY_MS, MAX_RUN_AT_MS } from '../tasks/constants.js'
import { DEFAULT_MAX_WAIT_SECONDS, DEFAULT_MCP_VERSION } from './constants.js'
import type { AdminLink } from './admin-link.js'
import { answer } from './answer.js'
import { registerOperatorTools } from './operator-tools.js'

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
  const server = new McpServer({ name: 'taskmesh', version: options.version ?? DEFAULT_MCP_VERSION }, {
    instructions: 'taskmesh assigns tasks to worker agents by skill and capability. Use distribute_task to hand work to the network (set wait_seconds to get the result in the same call), get_task and list_tasks to follow it, list_workers and get_summary to see the network, update_agent_status_in_distributor and unregister_agent_from_distributor to steer a worker.'
  })
  const maxWait = options.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS
  // a tool that names a task takes its id as distribute_task does: `id`, or `task_id` as the distribution
  // document writes it, so a model that learnt one name from one tool is understood by every tool
  const taskRef = {
    id: z.string().min(1).max(LIMITS.id).optional().describe('task id (or task_id)'),
    task_id: z.string().min(1).max(LIMITS.id).optional().describe('the same as id')
  }

  // Every tool's input is a strict object, even a tool without arguments: an argument a tool does not know
  // (a misspelling, another distributor's name for it) is an error naming it, so the model learns its call
  // was not what it meant instead of seeing it done without that argument.
  server.registerTool('distribute_task', {
    title: 'Distribute a task',
    description: 'Submit one task to the network. The admin assigns it to a worker whose skill and capabilities fit, after its dependencies succeed. Returns the task; with wait_seconds, waits for it to finish (or for the time to run out, then "timedOut" is true) and returns its result. Takes the task distribution document\'s own arguments (task_id, task_type, required_capabilities, task_data, strategy, priority) as well as taskmesh\'s.',
    inputSchema: z.strictObject({
      id: z.string().min(1).max(LIMITS.id).optional().describe('task id, unique in the network; one is made up when neither id nor task_id is given'),
      task_id: z.string().min(1).max(LIMITS.id).optional().describe('the same as id'),
      description: z.string().max(LIMITS.description).optional().describe('what the task is'),
      type: z.string().max(LIMITS.label).optional().describe('which handler runs it on the worker (default "simulate")'),
      task_type: z.string().max(LIMITS.label).optional().describe('the same as type'),
      difficulty: z.number().min(0).optional().describe('skill a worker needs (the simulate handler succeeds when skill >= difficulty)'),
      required_capabilities: z.array(z.string().max(LIMITS.label)).max(LIMITS.requires).optional().describe('capabilities the worker must have, such as ["gpu"]'),
      priority: z.union([z.number().int().min(1).max(10), z.enum(['low', 'medium', 'high', 'critical'])]).optional().describe('1 (lowest) to 10 (highest), or low (2), medium (5), high (8), critical (10); default 5'),
      strategy: z.string().max(LIMITS.label).optional().describe(`how to pick the worker: ${BUILT_IN_STRATEGIES.join(', ')}, or as the distribution document names them (${Object.keys(STRATEGY_ALIASES).join(', ')}); default: the admin's`),
      depends_on: z.array(z.string().max(LIMITS.id)).max(LIMITS.dependsOn).optional().describe('ids of tasks that must succeed first; their outputs are forwarded to this one'),
      payload: z.unknown().optional().describe('input for the handler (any JSON)'),
      task_data: z.unknown().optional().describe('the same as payload'),
      timeout_seconds: z.number().positive().optional().describe('an attempt running longer fails'),
      max_attempts: z.number().int().min(1).max(100).optional().describe('attempts before the task fails for good'),
      run_at: z.union([z.string().max(64), z.number().int().min(0).max(MAX_RUN_AT_MS)]).optional().describe('not to start before this time: ISO 8601 (2026-12-05T10:00:00Z) or ms since the epoch'),
      delay_seconds: z.number().min(0).max(MAX_DELAY_MS / 1000).optional().describe('not to start before this long from now'),
      dedup_key: z.string().min(1).max(LIMITS.id).optional().describe('a task already holding this key is returned instead of a new one (deduplicatedFrom says so)'),
      dedup_seconds: z.number().positive().max(MAX_DELAY_MS / 1000).optional().describe('how long the key is held; until the task is final without it'),
      worker: z.string().max(LIMITS.label).optional().describe('pin the task to the worker of this name'),
      wait_seconds: z.number().min(0).max(maxWait).optional().describe(`wait up to this long for the task to finish (at most ${maxWait})`)
    })
  }, async (input, extra) => await answer(async () => {
    const task = taskFromArguments(input)
    const given = task.id as string
    const { existing, deduplicated } = await link.use(c => c.submit([task]))
    if (existing.includes(given)) throw new ValidationError([{ path: input.task_id != null ? 'task_id' : 'id', message: `a task "${given}" already exists; pick another id, or follow it with get_task` }], { subject: 'distribute_task' })
    // its dedup key is held: the task holding it answers for it
    const holder = deduplicated?.find(d => d.id === given)?.task
    const id = holder ?? given
    const note = holder != null ? { deduplicatedFrom: given } : {}
    if (input.wait_seconds == null || input.wait_seconds === 0) return { ...await link.use(c => c.task(id)), ...note }
    const signal = AbortSignal.any([AbortSignal.timeout(input.wait_seconds * 1000), extra.signal])
    const view = await link.waitForFinal(id, signal)
    return isFinal(view.state) ? { ...view, ...note } : { ...view, ...note, timedOut: true, waitedSeconds: input.wait_seconds }
  }))

  server.registerTool('get_task', {
    title: 'Get a task',
    description: 'A task with its state, worker, output or error, and its history (assignments, attempts, retries).',
    inputSchema: z.strictObject(taskRef),
    annotations: { readOnlyHint: true }
  }, async (input) => await answer(async () => {
    const id = taskIdOf(input, 'get_task')
    return await link.use(c => c.task(id))
  }))

  server.registerTool('list_tasks', {
    title: 'List tasks',
    description: 'Tasks in submission order, a page at a time, optionally only those in one state, or whose id, description or worker contains a text.',
    inputSchema: z.strictObject({
      state: z.enum(['final', ...TASK_STATES]).optional().describe('only tasks in this state ("final": succeeded, failed, skipped or cancelled)'),
      offset: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(MAX_PAGE).optional().describe(`default ${DEFAULT_PAGE}`),
      search: z.string().max(MAX_SEARCH_LENGTH).optional().describe('only tasks whose id, description or worker contains this text (any case)')
    }),
    annotations: { readOnlyHint: true }
  }, async (params) => await answer(async () => await link.use(c => c.tasks(params))))

  server.registerTool('cancel_task', {
    title: 'Cancel a task',
    description: 'Cancels a task that is not final yet (a running attempt is stopped on its worker); tasks depending on it are skipped.',
    inputSchema: z.strictObject({ ...taskRef, reason: z.string().max(FIELD_LIMITS.reason).optional() }),
    annotations: { destructiveHint: true }
  }, async (input) => await answer(async () => {
    const id = taskIdOf(input, 'cancel_task')
    return await link.use(c => c.cancel(id, input.reason))
  }))

  server.registerTool('retry_task', {
    title: 'Retry a task',
    description: 'Runs a failed, skipped or cancelled task again, with the tasks that were skipped because of it.',
    inputSchema: z.strictObject(taskRef)
  }, async (input) => await answer(async () => {
    const id = taskIdOf(input, 'retry_task')
    return await link.use(c => c.retry(id))
  }))

  registerOperatorTools(server, link)

  server.registerTool('list_workers', {
    title: 'List workers',
    description: 'Workers with their skill, capabilities, load, success rate, CPU and memory use, and whether they are online.',
    inputSchema: z.strictObject({}),
    annotations: { readOnlyHint: true }
  }, async () => await answer(async () => ({ workers: await link.use(c => c.workers()) })))

  server.registerTool('update_agent_status_in_distributor', {
    title: 'Steer a worker',
    description: 'Change how the admin treats a worker (by name or peer id) until it registers again: is_online false takes it offline (it finishes what it runs and gets nothing new), draining the same without counting it offline, priority for the priority strategy, max_concurrent to lower what it runs at once. Returns the worker.',
    inputSchema: z.strictObject({
      agent_id: z.string().min(1).max(FIELD_LIMITS.name).describe('the worker\'s name or peer id'),
      is_online: z.boolean().optional().describe('false: give it nothing new; true: back online'),
      draining: z.boolean().optional().describe('true: finish what it runs, take nothing new; false: take work again'),
      priority: z.number().int().min(-FIELD_LIMITS.priority).max(FIELD_LIMITS.priority).optional().describe('preference under the priority strategy, higher first'),
      max_concurrent: z.number().int().min(1).max(FIELD_LIMITS.maxConcurrent).optional().describe('attempts it may run at once, at most what it asked for'),
      current_load: z.number().min(0).optional().describe('not set here: the admin counts a worker\'s load from the attempts it runs; accepted so that calls written for other distributors work, and reported back as ignored')
    })
  }, async (input) => await answer(async () => {
    const update: WorkerStatusUpdate = {}
    if (input.is_online != null) update.online = input.is_online
    if (input.draining != null) update.draining = input.draining
    if (input.priority != null) update.priority = input.priority
    if (input.max_concurrent != null) update.maxConcurrent = input.max_concurrent
    if (Object.keys(update).length === 0) throw new ValidationError([{ path: 'agent_id', message: 'nothing to change: give is_online, draining, priority or max_concurrent' }], { subject: 'update_agent_status_in_distributor' })
    const worker = await link.use(c => c.updateWorker(input.agent_id, update))
    return input.current_load != null ? { ...worker, ignored: { current_load: `the admin counts load itself: ${worker.running} running of ${worker.capacity}` } } : worker
  }))

  server.registerTool('unregister_agent_from_distributor', {
    title: 'Disconnect a worker',
    description: 'Closes a worker\'s connection (by name or peer id); what it was running goes back to the queue. It may connect again unless the admin\'s allow-list keeps it out.',
    inputSchema: z.strictObject({ agent_id: z.string().min(1).max(FIELD_LIMITS.name).describe('the worker\'s name or peer id') }),
    annotations: { destructiveHint: true }
  }, async ({ agent_id: agentId }) => await answer(async () => await link.use(c => c.disconnectWorker(agentId))))

  server.registerTool('claim_task', {
    title: 'Claim tasks to run',
    description: 'For an agent that runs tasks itself: ask the network for up to max_tasks tasks of the given types (it is registered as a worker named agent_id, marked as pulling). Returns the tasks with their payloads and the results of their dependencies. Answer each with handle_task_response before its lease runs out; calling claim_task again (max_tasks 0 to take nothing) renews the leases.',
    inputSchema: z.strictObject({
      agent_id: z.string().min(1).max(FIELD_LIMITS.name).describe('the agent\'s name, as a worker'),
      task_types: z.array(z.string().max(FIELD_LIMITS.capability)).max(FIELD_LIMITS.types).optional().describe('task types it can run; any when left out'),
      capabilities: z.array(z.string().max(LIMITS.label)).max(LIMITS.requires).optional(),
      skill: z.number().min(0).optional().describe('its skill, for tasks with a difficulty'),
      max_tasks: z.number().int().min(0).max(MAX_CLAIM).optional().describe('how many tasks at most (default 1; 0 only renews its leases)'),
      wait_seconds: z.number().min(0).optional().describe('wait this long for work when none is ready (at most half the admin\'s lease)')
    })
  }, async (input) => await answer(async () => await link.use(c => c.call('claim', {
    agent: input.agent_id,
    ...(input.task_types != null ? { types: input.task_types } : {}),
    ...(input.capabilities != null ? { capabilities: input.capabilities } : {}),
    ...(input.skill != null ? { skill: input.skill } : {}),
    max: input.max_tasks ?? 1,
    ...(input.wait_seconds != null ? { waitSeconds: input.wait_seconds } : {})
  }))))

  server.registerTool('handle_task_response', {
    title: 'Report a claimed task\'s outcome',
    description: 'Ends a task claimed with claim_task: status "completed" with its result, or "failed" with an error. Accepted once; an answer after the lease ended is refused (the task ran elsewhere).',
    inputSchema: z.strictObject({
      task_id: z.string().min(1).max(LIMITS.id),
      agent_id: z.string().min(1).max(FIELD_LIMITS.name).describe('the agent that claimed it'),
      status: z.enum(['completed', 'failed']),
      result: z.unknown().optional().describe('the task\'s output (any JSON), when completed'),
      error: z.string().max(FIELD_LIMITS.error).optional().describe('what went wrong, when failed'),
      unrecoverable: z.boolean().optional().describe('true: retrying cannot help; the task fails for good')
    })
  }, async (input) => await answer(async () => await link.use(c => c.call('claimResult', {
    agent: input.agent_id,
    taskId: input.task_id,
    status: input.status,
    ...(input.result !== undefined ? { result: input.result } : {}),
    ...(input.error != null ? { error: input.error } : {}),
    ...(input.unrecoverable != null ? { unrecoverable: input.unrecoverable } : {})
  }))))

  server.registerTool('get_summary', {
    title: 'Get the summary',
    description: 'Progress of the network: tasks by state, workers online, the admin and its strategy.',
    inputSchema: z.strictObject({}),
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

type DistributeArguments = Partial<Record<'id' | 'task_id' | 'description' | 'type' | 'task_type' | 'strategy' | 'worker', string>> & {
  difficulty?: number
  required_capabilities?: string[]
  priority?: number | string
  depends_on?: string[]
  payload?: unknown
  task_data?: unknown
  timeout_seconds?: number
  max_attempts?: number
  run_at?: string | number
  delay_seconds?: number
  dedup_key?: string
  dedup_seconds?: number
}

/** A task-file task from distribute_task's arguments; the admin reads it as it reads any task file. */
function taskFromArguments (input: DistributeArguments): Record<string, unknown> {
  for (const [a, b] of [['id', 'task_id'], ['type', 'task_type'], ['payload', 'task_data']] as const) refuseBoth(input, a, b, 'distribute_task')
  const id = input.id ?? input.task_id ?? `mcp-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
  const task: Record<string, unknown> = { id, description: input.description ?? '' }
  const type = input.type ?? input.task_type
  if (type != null) task.type = type
  if (input.difficulty != null) task.difficulty = input.difficulty
  if (input.required_capabilities != null) task.requires = input.required_capabilities
  if (input.priority != null) task.priority = input.priority
  if (input.strategy != null) task.strategy = input.strategy
  if (input.depends_on != null) task.depends_on = input.depends_on
  const payload = input.payload !== undefined ? input.payload : input.task_data
  if (payload !== undefined) task.payload = payload
  if (input.timeout_seconds != null) task.timeout = input.timeout_seconds
  if (input.max_attempts != null) task.retry_policy = { max_attempts: input.max_attempts }
  if (input.worker != null) task.agent = input.worker
  if (input.run_at != null) task.run_at = input.run_at
  if (input.delay_seconds != null) task.delay = input.delay_seconds
  if (input.dedup_key != null) task.dedup_key = input.dedup_key
  if (input.dedup_seconds != null) task.dedup_ttl = input.dedup_seconds
  return task
}

/** The id of the task a tool names, by `id` or by `task_id`: one of them. */
function taskIdOf (input: { id?: string, task_id?: string }, tool: string): string {
  refuseBoth(input, 'id', 'task_id', tool)
  const id = input.id ?? input.task_id
  if (id == null) throw new ValidationError([{ path: 'id', message: 'which task: give its id (or task_id)' }], { subject: tool })
  return id
}

/** Two arguments that mean the same (taskmesh's name and the distribution document's) may not both be given. */
function refuseBoth<T extends object> (input: T, a: keyof T & string, b: keyof T & string, tool: string): void {
  if (input[a] !== undefined && input[b] !== undefined) throw new ValidationError([{ path: b, message: `the same as ${a}; give only one of them` }], { subject: tool })
}
