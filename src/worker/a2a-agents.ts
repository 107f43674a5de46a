import { randomUUID } from 'node:crypto'
import { Role, TaskState, type Artifact, type Message, type Part, type Task } from '@a2a-js/sdk'
import { ClientFactory, DefaultAgentCardResolver, JsonRpcTransportFactory, RestTransportFactory, type Client } from '@a2a-js/sdk/client'
import { AbortError, UnrecoverableError } from '../errors.js'
import { typesProblem } from '../protocol/validate.js'
import type { JsonValue } from '../core/task.js'
import type { TaskContext, TaskHandler } from './handlers.js'

/** How long reading an agent's card may take. */
const A2A_CARD_TIMEOUT_MS = 30_000
/** The longest progress line an agent's working message makes. */
const MAX_PROGRESS_CHARS = 1024

/** A remote A2A agent behind a worker: where it is, what it calls itself, the skills it runs as task types. */
export interface A2aAgent {
  url: string
  name: string
  skills: string[]
  streaming: boolean
}

/**
 * A2A agents as a worker's handlers (`taskmesh worker --a2a URL`): each agent's card is read, its skills become
 * task types (the first agent to offer a skill runs it), and each task goes to it as an A2A message through the
 * official SDK: its payload as a data part (a string as text), `metadata.skill` the type, `metadata.taskmesh`
 * the task id, attempt and its dependencies' outputs. The task's end is the remote task's: completed (its
 * artifacts are the output), failed or canceled (retryable), rejected or waiting for input (for good). The
 * attempt's cancel or timeout cancels the remote task. `token` goes as a bearer token to every agent.
 */
export async function a2aAgents (urls: readonly string[], options: { token?: string, onProgress?: (taskId: string, message: string) => void } = {}): Promise<{ agents: A2aAgent[], handlers: Record<string, TaskHandler> }> {
  const base = globalThis.fetch
  // the token goes to the agents given, and nowhere a card points elsewhere; a request without a signal of
  // its own (the card) is bounded in time
  const origins = new Set(urls.map(u => new URL(u).origin))
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const headers = new Headers(init?.headers)
    if (options.token != null && origins.has(url.origin)) headers.set('authorization', `Bearer ${options.token}`)
    return await base(input, { ...init, headers, signal: init?.signal ?? AbortSignal.timeout(A2A_CARD_TIMEOUT_MS) })
  }
  // the SDK declares its transports' options as classes it does not export: their one field, set as they are
  const factory = new ClientFactory({
    // eslint-disable-next-line typescript/no-unsafe-class-instance-assignment
    transports: [new JsonRpcTransportFactory({ fetchImpl }), new RestTransportFactory({ fetchImpl })],
    cardResolver: new DefaultAgentCardResolver({ fetchImpl })
  })
  const agents: A2aAgent[] = []
  const handlers: Record<string, TaskHandler> = {}
  for (const url of urls) {
    let client: Client
    try {
      client = await factory.createFromUrl(url)
    } catch (err) {
      throw new Error(`--a2a ${url}: cannot read its agent card (${(err as Error).message}); is the agent running, and is the URL its base (where /.well-known/agent-card.json is)?`, { cause: err })
    }
    const card = await client.getAgentCard()
    // what its card says it wants: a bearer token is what taskmesh sends
    const schemes = Object.entries(card.securitySchemes ?? {})
    const bearer = schemes.some(([, s]) => s.scheme?.$case === 'httpAuthSecurityScheme' && /^bearer$/i.test(s.scheme.value.scheme))
    if (schemes.length > 0 && !bearer) throw new Error(`--a2a ${url}: agent ${card.name} asks for ${schemes.map(([name]) => name).join(', ')}; taskmesh sends a bearer token (--a2a-token FILE) and nothing else`)
    if (bearer && options.token == null) throw new Error(`--a2a ${url}: agent ${card.name} wants a bearer token (its card says so): give --a2a-token FILE`)
    const skills = [...new Set(card.skills.map(s => s.id))]
    if (skills.length === 0) throw new Error(`--a2a ${url}: its agent card lists no skills: there is no task type to run there`)
    // what the admin takes as task types in a registration, checked here where the agent can be named
    const problem = typesProblem(skills)
    if (problem != null) throw new Error(`--a2a ${url}: agent ${card.name}'s skills cannot be task types: ${problem}`)
    const agent: A2aAgent = { url, name: card.name, skills, streaming: card.capabilities?.streaming === true }
    agents.push(agent)
    for (const skill of skills) if (!Object.hasOwn(handlers, skill)) handlers[skill] = remoteHandler(client, agent, skill, options.onProgress)
  }
  return { agents, handlers }
}

function remoteHandler (client: Client, agent: A2aAgent, skill: string, onProgress?: (taskId: string, message: string) => void): TaskHandler {
  return async (task, { signal }) => {
    const request = { tenant: '', message: messageOf(task, skill), metadata: undefined, configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately: false } }
    let remote: Task | undefined
    let lastSaid = 0
    // the attempt's cancel or timeout: the remote task is cancelled too (best effort: it may have ended)
    const onAbort = (): void => { if (remote != null) void client.cancelTask({ tenant: '', id: remote.id, metadata: undefined }).catch(() => {}) }
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      if (agent.streaming) {
        for await (const event of client.sendMessageStream(request, { signal })) {
          const p = event.payload
          if (p?.$case === 'message') return outputOf(p.value.parts)
          if (p?.$case === 'task') remote = p.value
          if (p?.$case === 'statusUpdate' && remote != null) {
            remote = { ...remote, status: p.value.status }
            // what the agent says while it works is the task's progress
            const said = p.value.status?.state === TaskState.TASK_STATE_WORKING && p.value.status.message != null ? textOf(p.value.status.message.parts) : ''
            // a line a second at most, cut short: what an agent says must not flood the worker's log
            if (said !== '' && Date.now() - lastSaid >= 1000) {
              lastSaid = Date.now()
              onProgress?.(task.id, said.length > MAX_PROGRESS_CHARS ? `${said.slice(0, MAX_PROGRESS_CHARS)}…` : said)
            }
          }
          if (p?.$case === 'artifactUpdate' && remote != null && p.value.artifact != null) remote = { ...remote, artifacts: withArtifact(remote.artifacts, p.value.artifact, p.value.append) }
        }
      } else {
        const result = await client.sendMessage(request, { signal })
        if ('parts' in result) return outputOf(result.parts)
        remote = result
      }
    } catch (err) {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new AbortError()
      throw new Error(`A2A agent ${agent.name} (${agent.url}): ${(err as Error).message}`, { cause: err })
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
    return ended(agent, remote)
  }
}

/** The remote task's end as the attempt's: its output, or the error that fails the attempt. */
function ended (agent: A2aAgent, remote: Task | undefined): JsonValue | undefined {
  const state = remote?.status?.state
  const why = remote?.status?.message != null ? textOf(remote.status.message.parts) : ''
  const said = (what: string): string => `A2A agent ${agent.name} ${what}${why !== '' ? `: ${why}` : ''}`
  switch (state) {
    case TaskState.TASK_STATE_COMPLETED: return outputOf(remote!.artifacts.flatMap(a => a.parts))
    case TaskState.TASK_STATE_FAILED: throw new Error(said('failed the task'))
    case TaskState.TASK_STATE_CANCELED: throw new Error(said('cancelled the task'))
    case TaskState.TASK_STATE_REJECTED: throw new UnrecoverableError(said('rejected the task'))
    case TaskState.TASK_STATE_INPUT_REQUIRED: case TaskState.TASK_STATE_AUTH_REQUIRED: throw new UnrecoverableError(said('asks for input, which a taskmesh task cannot give'))
    default: throw new Error(said(`ended the exchange with the task ${state != null ? TaskState[state] : 'unknown'}`))
  }
}

function messageOf (task: TaskContext, skill: string): Message {
  const parts: Part[] = task.payload === undefined || task.payload === null
    ? []
    : [typeof task.payload === 'string' ? textPart(task.payload) : { content: { $case: 'data', value: task.payload }, metadata: undefined, filename: '', mediaType: 'application/json' }]
  return {
    messageId: randomUUID(),
    contextId: '',
    taskId: '',
    role: Role.ROLE_USER,
    parts: parts.length > 0 ? parts : [textPart(task.description !== '' ? task.description : task.id)],
    metadata: { skill, taskmesh: { taskId: task.id, attempt: task.attempt, inputs: task.inputs } },
    extensions: [],
    referenceTaskIds: []
  }
}

/** An artifact update: a new artifact, or (`append`) more parts of one already begun. */
function withArtifact (artifacts: readonly Artifact[], artifact: Artifact, append: boolean): Artifact[] {
  const i = append ? artifacts.findIndex(a => a.artifactId === artifact.artifactId) : -1
  if (i === -1) return [...artifacts.filter(a => a.artifactId !== artifact.artifactId), artifact]
  return artifacts.map((a, j) => j === i ? { ...a, parts: [...a.parts, ...artifact.parts] } : a)
}

function textPart (value: string): Part {
  return { content: { $case: 'text', value }, metadata: undefined, filename: '', mediaType: 'text/plain' }
}

/** Artifacts' parts as an output: one data part, its value; text alone, the text; otherwise every part, as JSON. */
function outputOf (parts: readonly Part[]): JsonValue | undefined {
  const data = parts.filter(p => p.content?.$case === 'data')
  if (parts.length === 1 && data.length === 1) return data[0]!.content!.value as JsonValue
  if (parts.length > 0 && parts.every(p => p.content?.$case === 'text')) return textOf(parts)
  if (parts.length === 0) return undefined
  return parts.map((p): JsonValue => {
    const c = p.content
    if (c?.$case === 'data') return { data: c.value as JsonValue }
    if (c?.$case === 'text') return { text: c.value }
    if (c?.$case === 'url') return { url: c.value, mediaType: p.mediaType }
    return { mediaType: p.mediaType, filename: p.filename }
  })
}

function textOf (parts: readonly Part[]): string {
  return parts.flatMap(p => p.content?.$case === 'text' ? [p.content.value] : []).join('\n')
}

