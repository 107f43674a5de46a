import express from 'express'
import type { AgentCard } from '@a2a-js/sdk'
import { DefaultRequestHandler } from '@a2a-js/sdk/server'
import { BoundedTaskStore } from './task-store.js'
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express'
import { connectedSkills, TaskmeshExecutor } from './executor.js'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AdminHandle } from '../admin/handle.js'
import { A2A_BODY_LIMIT, A2A_CARD_PATH, A2A_JSONRPC_PATH } from '../http/constants.js'


/**
 * The admin as an A2A agent (the official SDK, protocol 1.0, JSON-RPC with Server-Sent Events), mounted on
 * its HTTP server behind the same token and browser checks as every route. Its card lists as skills the task
 * types the connected workers handle, read again at each request.
 */
export function a2aApp (admin: AdminHandle, baseUrl: string, options: { bearer?: boolean } = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const card: AgentCard = {
    name: admin.labels.name ?? 'taskmesh',
    description: 'A taskmesh network: each message becomes a task of the type its metadata.skill names, run by a worker whose skill and capabilities fit.',
    supportedInterfaces: [{ url: `${baseUrl}${A2A_JSONRPC_PATH}`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' }],
    provider: undefined,
    version: '1.0.0',
    capabilities: { streaming: true, pushNotifications: false, extensions: [] },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['application/json', 'text/plain'],
    defaultOutputModes: ['application/json'],
    skills: [],
    signatures: []
  }
  const refresh = (): void => {
    card.skills = [...connectedSkills(admin)].sort().map(type => {
      const workers = admin.view.workers().filter(w => w.online && (w.types ?? []).includes(type))
      const capabilities = [...new Set(workers.flatMap(w => w.capabilities))].sort()
      return { id: type, name: type, description: `tasks of type "${type}": ${workers.length} ${workers.length === 1 ? 'worker' : 'workers'}${capabilities.length > 0 ? ` (capabilities ${capabilities.join(', ')})` : ''}`, tags: capabilities, examples: [], inputModes: [], outputModes: [], securityRequirements: [] }
    })
  }
  const handler = new DefaultRequestHandler(card, new BoundedTaskStore(), new TaskmeshExecutor(admin))
  const app = express()
  // the card as it travels (the card handler serves it as given): with the API's token, it says a bearer token is wanted
  const served = async (): Promise<AgentCard> => {
    refresh()
    return options.bearer === true ? { ...card, securitySchemes: { bearer: { httpAuthSecurityScheme: { scheme: 'Bearer' } } as never } } : card
  }
  app.use(A2A_CARD_PATH, agentCardHandler({ agentCardProvider: served, cache: { maxAge: 0 } }))
  // the card's skills are read again before each request too: a message may name a type that just came
  app.use(A2A_JSONRPC_PATH, express.json({ limit: A2A_BODY_LIMIT }), guard, (_req, _res, next) => { refresh(); next() }, jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }))
  // what the body parser refuses, said as JSON-RPC does
  app.use(A2A_JSONRPC_PATH, (err: Error & { type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (err.type === 'entity.too.large') return void res.status(413).json({ jsonrpc: '2.0', id: null, error: { code: -32600, message: `the request is larger than ${A2A_BODY_LIMIT} bytes` } })
    if (err.type === 'entity.parse.failed') return void res.json({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Invalid JSON payload.' } })
    next(err)
  })
  return app
}

/**
 * What this agent does not take, refused before the SDK sees it: a follow-up message to a task (`taskId`: one
 * message makes one task), and `referenceTaskIds` (the SDK copies every task they name into the request;
 * dependencies go in `metadata.dependsOn`).
 */
function guard (req: express.Request, res: express.Response, next: express.NextFunction): void {
  const body = req.body as { id?: unknown, params?: { message?: { taskId?: unknown, referenceTaskIds?: unknown } } } | undefined
  const message = body?.params?.message
  const refuse = (why: string): void => { res.json({ jsonrpc: '2.0', id: typeof body?.id === 'string' || typeof body?.id === 'number' ? body.id : null, error: { code: -32602, message: why } }) }
  if (typeof message?.taskId === 'string' && message.taskId !== '') return refuse('one message makes one task here: a message naming a taskId (a follow-up to a task) is not taken; send a new message without it')
  if (Array.isArray(message?.referenceTaskIds) && message.referenceTaskIds.length > 0) return refuse('referenceTaskIds are not taken: name the tasks a task waits for in metadata.dependsOn')
  next()
}
