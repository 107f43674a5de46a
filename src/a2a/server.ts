import express from 'express'
import type { AgentCard } from '@a2a-js/sdk'
import { DefaultRequestHandler, InMemoryTaskStore } from '@a2a-js/sdk/server'
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express'
import { connectedSkills, TaskmeshExecutor } from './executor.js'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AdminHandle } from '../admin/handle.js'
import { A2A_CARD_PATH, A2A_JSONRPC_PATH } from '../http/constants.js'


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
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), new TaskmeshExecutor(admin))
  const app = express()
  // the card as it travels (the card handler serves it as given): with the API's token, it says a bearer token is wanted
  const served = async (): Promise<AgentCard> => {
    refresh()
    return options.bearer === true ? { ...card, securitySchemes: { bearer: { httpAuthSecurityScheme: { scheme: 'Bearer' } } as never } } : card
  }
  app.use(A2A_CARD_PATH, agentCardHandler({ agentCardProvider: served, cache: { maxAge: 0 } }))
  // the card's skills are read again before each request too: a message may name a type that just came
  app.use(A2A_JSONRPC_PATH, (_req, _res, next) => { refresh(); next() }, jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }))
  return app
}
