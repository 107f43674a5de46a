import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { AuthorizationError, InvalidStateError, JournalUnavailableError, LimitExceededError, RegistrationRefusedError, UnknownScheduleError, UnknownTaskError, UnknownWorkerError, ValidationError } from '../errors.js'
import { AgentTokens } from '../admin/agent-token.js'
import { AdminApi } from '../admin/api.js'
import { watchEvents } from '../admin/watch.js'
import { DEFAULT_MAX_CLIENT_FRAME_BYTES, MAX_OUTPUT_BYTES } from '../protocol/constants.js'
import { parseTaskDocument } from '../tasks/load.js'
import { withoutCounterSuffixOnGauges } from '../monitoring/exposition.js'
import { A2A_CARD_PATH, A2A_JSONRPC_PATH, AGENT_TOKEN_HEADER, CLAIM_BODY_LIMIT, DEFAULT_GRAPH_TASKS, DEFAULT_HTTP_HOST, DEFAULT_MAX_EVENT_STREAMS, RESULT_BODY_LIMIT, SMALL_BODY_LIMIT } from './constants.js'
import { EventStreams } from './streams.js'
import { UpdateFeed } from './updates.js'
import { TimelineRecorder } from '../monitoring/timeline-recorder.js'
import { checkBrowserSafety } from './browser-safety.js'
import { loadDashboard, type Asset } from './dashboard.js'
import { BROWSER_WORKER_OPEN_PATHS, serveBrowserWorker, type BrowserWorkerOptions } from './browser-worker-routes.js'
import { graphView } from './graph-view.js'
import type { Caller } from '../admin/admission.js'
import type { NetworkEvents } from '../admin/events.js'
import type { AdminHandle } from '../admin/handle.js'
import type { AlertMonitor } from '../monitoring/alert-monitor.js'
import type { TypedEventTarget } from '@libp2p/interface'
import type { Registry } from 'prom-client'

export interface HttpServerOptions {
  /** @default '127.0.0.1': this machine only */
  host?: string
  /** 0 picks a free port. */
  port: number
  /** Bearer token every request except /healthz and the dashboard's files must carry. Required off loopback. */
  token?: string
  /** What `/api/events` streams. @default the admin's own events */
  events?: TypedEventTarget<NetworkEvents>
  /** Served at /metrics. */
  registry?: Registry
  alerts?: AlertMonitor
  /** Server-Sent Event streams open at once; more are answered 503. @default 100 */
  maxEventStreams?: number
  /**
   * Host names (beside IP addresses and localhost) the API may be reached by: a request naming another
   * host is refused, so a web page on a name rebound to this machine cannot read it. @default none
   */
  allowedHosts?: string[]
  /** Serve HTTPS with this certificate and its private key (PEM). @default plain HTTP */
  tls?: { cert: string | Buffer, key: string | Buffer }
  /** Serve the browser worker at /worker: the admin's addresses (WebSockets ones reach it) and the handler modules offered. */
  browserWorker?: BrowserWorkerOptions
}

/** The HTTP status of each error an operation may throw, by name. */
const STATUS_OF: Record<string, number> = {
  [ValidationError.name]: 400,
  [AuthorizationError.name]: 403,
  [UnknownTaskError.name]: 404,
  [UnknownWorkerError.name]: 404,
  [UnknownScheduleError.name]: 404,
  [RegistrationRefusedError.name]: 403,
  [InvalidStateError.name]: 409,
  [LimitExceededError.name]: 413,
  [JournalUnavailableError.name]: 503
}

/**
 * The admin's HTTP API, Server-Sent Events, Prometheus metrics and the live dashboard (Fastify). Every
 * operation goes through the admin's {@link AdminApi}, like the client protocol and the MCP server.
 */
export class HttpServer {
  private readonly app: FastifyInstance
  private readonly streams: EventStreams
  private readonly scheme: 'http' | 'https'
  private readonly updates: UpdateFeed
  private readonly timeline: TimelineRecorder
  /** A2A requests answered by the SDK's app, open now. */
  readonly a2aOpen = new Set<ServerResponse>()

  private constructor (app: FastifyInstance, admin: AdminHandle, options: HttpServerOptions) {
    this.app = app
    this.scheme = options.tls != null ? 'https' : 'http'
    this.streams = new EventStreams(options.maxEventStreams ?? DEFAULT_MAX_EVENT_STREAMS)
    const api = new AdminApi(admin)
    this.updates = new UpdateFeed(options.events ?? admin, admin.view, () => api.summary())
    this.timeline = new TimelineRecorder(admin)
  }

  static async start (admin: AdminHandle, options: HttpServerOptions): Promise<HttpServer> {
    const host = options.host ?? DEFAULT_HTTP_HOST
    if (!isLoopback(host) && (options.token == null || options.token === '')) {
      throw new ValidationError([{ path: '--http', message: `the HTTP API would listen on ${host}, beyond this machine, without a token: give one with --http-token FILE, or listen on 127.0.0.1` }], { subject: 'options' })
    }
    // with a certificate, HTTPS; the token rules above hold either way
    const app = (options.tls != null
      ? Fastify({ logger: false, bodyLimit: DEFAULT_MAX_CLIENT_FRAME_BYTES, https: { cert: options.tls.cert, key: options.tls.key } })
      : Fastify({ logger: false, bodyLimit: DEFAULT_MAX_CLIENT_FRAME_BYTES })) as unknown as FastifyInstance
    const server = new HttpServer(app, admin, options)
    const assets = await loadDashboard()
    // before anything else: a browser page of another site, or on a name rebound to this machine, is refused
    const allowedHosts = new Set((options.allowedHosts ?? []).map(h => h.toLowerCase()))
    app.addHook('onRequest', async (req, reply) => {
      const refusal = checkBrowserSafety(req.method, req.headers, allowedHosts)
      if (refusal != null) await reply.code(403).send({ error: AuthorizationError.name, message: refusal })
    })
    // the dashboard's own files are open (they hold no data); everything it fetches needs the token
    if (options.token != null && options.token !== '') app.addHook('onRequest', authorize(options.token, new Set(['/healthz', '/', ...assets.keys(), ...(options.browserWorker != null ? BROWSER_WORKER_OPEN_PATHS : [])])))
    // A2A: the SDK's own app (loaded on first use) answers, after the checks above, before Fastify reads the body
    let a2a: Promise<(req: IncomingMessage, res: ServerResponse) => void> | undefined
    app.addHook('onRequest', async (req, reply) => {
      const path = req.url.split('?')[0]!
      if (path !== A2A_CARD_PATH && path !== A2A_JSONRPC_PATH) return
      // protocol 1.0 only (a request without the header is 0.3): said here, where the SDK would log every such request
      const version = req.headers['a2a-version']
      if (path === A2A_JSONRPC_PATH && version !== '1.0') {
        return await reply.code(200).send({ jsonrpc: '2.0', id: null, error: { code: -32009, message: `A2A protocol version ${typeof version === 'string' ? `"${version.slice(0, 20)}"` : '0.3 (no A2A-Version header)'} is not supported: this agent speaks 1.0 (send A2A-Version: 1.0)` } })
      }
      // A2A requests may stay open (a stream, a wait): counted against the stream limit, and ended with the server
      if (server.a2aOpen.size >= (options.maxEventStreams ?? DEFAULT_MAX_EVENT_STREAMS)) return await reply.code(503).send({ error: LimitExceededError.name, message: 'too many A2A requests are open at once; try again shortly' })
      a2a ??= import('../a2a/server.js').then(m => m.a2aApp(admin, server.url, { bearer: options.token != null && options.token !== '' }))
      const handle = await a2a
      reply.hijack()
      server.a2aOpen.add(reply.raw)
      reply.raw.once('close', () => { server.a2aOpen.delete(reply.raw) })
      handle(req.raw, reply.raw)
    })
    // task files can be posted as they are: curl --data-binary @tasks.yaml -H 'content-type: application/yaml'
    // text/plain too (curl --data-binary without a content type): YAML reads JSON as well
    app.removeContentTypeParser('text/plain')
    app.addContentTypeParser([...YAML_TYPES, 'text/plain'], { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, parseTaskDocument(body as string, 'yaml', { subject: 'request body' }))
      } catch (err) {
        done(err as Error, undefined)
      }
    })
    // the browser worker's page is served with its own policy, at /worker, when the admin offers it
    const workerPage = assets.get('/worker.html')!
    assets.delete('/worker.html')
    server.routes(admin, assets, options)
    if (options.browserWorker != null) await serveBrowserWorker(app, workerPage, options.browserWorker)
    app.setErrorHandler((err: Error & { statusCode?: number, code?: string, problems?: unknown, retryAfterMs?: number }, req, reply) => {
      let status = STATUS_OF[err.name] ?? (err.statusCode != null && err.statusCode < 500 ? err.statusCode : 500)
      // refused for now (a full admin, a ban, a quarantine): when to come back
      if (err.name === RegistrationRefusedError.name && err.retryAfterMs != null && err.retryAfterMs > 0) {
        status = 503
        void reply.header('retry-after', String(Math.ceil(err.retryAfterMs / 1000)))
      }
      void reply.code(status).send({ error: err.name, message: explain(err, req), ...(err.problems != null ? { problems: err.problems } : {}) })
    })
    try {
      await app.listen({ host, port: options.port })
    } catch (err) {
      // the timeline's timer and the feed's listeners started with the server: they stop with it
      await server.close()
      throw err
    }
    return server
  }

  /** Where it listens, such as http://127.0.0.1:8080. */
  get url (): string {
    const address = this.app.server.address()
    if (address == null || typeof address === 'string') return String(address)
    return `${this.scheme}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  }

  async close (): Promise<void> {
    this.streams.closeAll()
    for (const res of this.a2aOpen) res.destroy()
    this.updates.close()
    this.timeline.stop()
    await this.app.close()
  }

  private routes (admin: AdminHandle, assets: Map<string, Asset>, options: HttpServerOptions): void {
    const app = this.app
    const api = new AdminApi(admin)
    const tokens = new AgentTokens(admin.peerId)
    // an agent that pulls proves its identity with a signed token; without one it is anonymous
    const caller = async (req: FastifyRequest): Promise<Caller> => {
      const token = req.headers[AGENT_TOKEN_HEADER]
      if (token == null) return { door: 'http' }
      if (typeof token !== 'string') throw new ValidationError([{ path: AGENT_TOKEN_HEADER, message: 'give the header once' }], { subject: 'request' })
      return { door: 'http', peerId: await tokens.verify(token) }
    }
    const small = { bodyLimit: SMALL_BODY_LIMIT }

    app.get('/healthz', async () => ({ status: 'ok' }))

    app.get('/api/summary', async () => api.summary())
    app.get('/api/workers', async () => api.workers())
    app.patch('/api/workers/:worker', small, async (req: FastifyRequest<{ Params: { worker: string }, Body: unknown }>) => {
      const body = req.body ?? {}
      if (typeof body !== 'object' || Array.isArray(body)) throw new ValidationError([{ path: 'body', message: 'must be a JSON object such as {"draining": true}' }], { subject: 'request' })
      return await api.updateWorker({ ...body, worker: req.params.worker })
    })
    app.delete('/api/workers/:worker', async (req: FastifyRequest<{ Params: { worker: string } }>) => await api.disconnectWorker({ worker: req.params.worker }))
    app.get('/api/tasks', async (req: FastifyRequest<{ Querystring: Record<string, string> }>) => api.tasks(req.query))
    app.get('/api/tasks/:id', async (req: FastifyRequest<{ Params: { id: string } }>) => api.task({ id: req.params.id }))
    app.post('/api/tasks', async (req, reply) => {
      const body = req.body
      // one task, a list, or { tasks: [...] }: every task-file format
      const tasks = body != null && typeof body === 'object' && !Array.isArray(body) && 'tasks' in body ? (body).tasks : body
      const result = await api.submit({ tasks })
      // 201 when something was created; 200 when every task was there already
      return await reply.code(result.added.length > 0 ? 201 : 200).send(result)
    })
    app.post('/api/tasks/:id/cancel', small, async (req: FastifyRequest<{ Params: { id: string }, Body: { reason?: unknown } | undefined }>) => await api.cancel({ id: req.params.id, reason: objectBody(req.body).reason }))
    // an operator stops new starts (of one type, or of every task) and lets them go again
    app.post('/api/pause', small, async (req: FastifyRequest<{ Body: unknown }>) => await api.pause(objectBody(req.body)))
    app.post('/api/resume', small, async (req: FastifyRequest<{ Body: unknown }>) => await api.resume(objectBody(req.body)))
    // recurring tasks: listed with their next firing, added (as a task file's `schedules`), paused, resumed, removed
    app.get('/api/schedules', async () => api.listSchedules())
    app.post('/api/schedules', small, async (req: FastifyRequest<{ Body: unknown }>, reply) => await reply.code(201).send(await api.addSchedules({ schedules: schedulesBody(req.body) })))
    app.post('/api/schedules/:name/pause', small, async (req: FastifyRequest<{ Params: { name: string } }>) => await api.pauseSchedule({ name: req.params.name }, true))
    app.post('/api/schedules/:name/resume', small, async (req: FastifyRequest<{ Params: { name: string } }>) => await api.pauseSchedule({ name: req.params.name }, false))
    app.delete('/api/schedules/:name', async (req: FastifyRequest<{ Params: { name: string } }>) => await api.removeSchedule({ name: req.params.name }))
    // an operator drops finished tasks: {"state": "succeeded", "olderThan": 86400} or {"keep": 10000}
    app.post('/api/purge', small, async (req: FastifyRequest<{ Body: unknown }>) => await api.purge(objectBody(req.body)))
    app.post('/api/tasks/:id/retry', small, async (req: FastifyRequest<{ Params: { id: string } }>) => await api.retry({ id: req.params.id }))
    // agents that pull work: claim (a long poll), then heartbeat, result or error under the claim's token
    app.post('/api/claims', { bodyLimit: CLAIM_BODY_LIMIT }, async (req: FastifyRequest<{ Body: unknown }>, reply) => {
      const body = req.body ?? {}
      if (typeof body !== 'object' || Array.isArray(body)) throw new ValidationError([{ path: 'body', message: 'must be a JSON object such as {"agent": "scribe", "types": ["summarize"], "max": 4, "waitSeconds": 5}' }], { subject: 'request' })
      // the agent hung up before the answer: its wait ends (the request's own 'close' fires once its body is read)
      const gone = new AbortController()
      reply.raw.once('close', () => { if (!reply.raw.writableFinished) gone.abort() })
      return await api.claim(body as Record<string, unknown>, await caller(req), gone.signal)
    })
    app.post('/api/claims/:token/heartbeat', small, async (req: FastifyRequest<{ Params: { token: string } }>) => api.claimHeartbeat({ token: req.params.token }, await caller(req)))
    app.post('/api/claims/:token/result', { bodyLimit: RESULT_BODY_LIMIT }, async (req: FastifyRequest<{ Params: { token: string }, Body: unknown }>) => {
      const body = objectBody(req.body)
      return await api.claimResult({ token: req.params.token, status: 'completed', ...(body.output !== undefined ? { result: body.output } : {}) }, await caller(req))
    })
    app.post('/api/claims/:token/error', small, async (req: FastifyRequest<{ Params: { token: string }, Body: unknown }>) => {
      const body = objectBody(req.body)
      return await api.claimResult({ token: req.params.token, status: 'failed', error: body.message ?? 'failed', unrecoverable: body.unrecoverable === true }, await caller(req))
    })
    app.get('/api/graph', async (req: FastifyRequest<{ Querystring: { limit?: string, around?: string } }>) => {
      const around = req.query.around
      if (around != null && typeof around !== 'string') throw new ValidationError([{ path: 'around', message: 'give one task id' }], { subject: 'request' })
      return graphView(admin.view, Number(req.query.limit ?? DEFAULT_GRAPH_TASKS), around)
    })
    app.get('/api/alerts', async () => options.alerts?.firing() ?? [])

    // every event of every task, for scripts; a dashboard follows the summarised /api/updates instead
    app.get('/api/events', async (req, reply) => {
      await this.streams.serve(req, reply, write => watchEvents(options.events ?? admin, ({ event, detail }) => { write(`event: ${event}\ndata: ${JSON.stringify(detail)}\n\n`) }))
    })
    app.get('/api/updates', async (req, reply) => { await this.streams.serve(req, reply, write => this.updates.subscribe(write)) })
    // the charts: the last hour, a point a second; ?since=MS gives the points after it
    app.get('/api/timeline', async (req: FastifyRequest<{ Querystring: { since?: string } }>) => {
      const since = req.query.since == null ? undefined : Number(req.query.since)
      if (since != null && !Number.isFinite(since)) throw new ValidationError([{ path: 'since', message: 'must be a time in ms since the epoch, such as the last "at" of the previous answer' }], { subject: 'request' })
      return this.timeline.timeline.since(since)
    })

    app.get('/metrics', async (_req, reply) => {
      if (options.registry == null) return await reply.code(404).send({ error: 'NotFound', message: 'metrics are off' })
      return await reply.type(options.registry.contentType).send(withoutCounterSuffixOnGauges(await options.registry.metrics()))
    })

    // the dashboard: a page and its files, all inside the package
    const serve = (path: string) => async (_req: FastifyRequest, reply: FastifyReply) => {
      const asset = assets.get(path)!
      return await reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body)
    }
    app.get('/', serve('/index.html'))
    for (const path of assets.keys()) app.get(path, serve(path))
  }
}

/** A request body that must be a JSON object when given. */
/** One schedule, a list, or `{ "schedules": [...] }`: the schedules. */
function schedulesBody (body: unknown): unknown {
  return body != null && typeof body === 'object' && !Array.isArray(body) && 'schedules' in body ? body.schedules : body
}

function objectBody (body: unknown): Record<string, unknown> {
  if (body == null) return {}
  if (typeof body !== 'object' || Array.isArray(body)) throw new ValidationError([{ path: 'body', message: 'must be a JSON object' }], { subject: 'request' })
  return body as Record<string, unknown>
}

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml']
const ACCEPTED_TYPES = ['application/json', ...YAML_TYPES, 'text/plain']

/** Fastify's own refusals, said with the limit or the types this API takes. */
function explain (err: Error & { code?: string }, req: FastifyRequest): string {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const limit = req.routeOptions.bodyLimit ?? DEFAULT_MAX_CLIENT_FRAME_BYTES
    const what = limit >= 1024 * 1024 ? `${(limit / 1024 / 1024).toFixed(limit % (1024 * 1024) === 0 ? 0 : 2)} MiB` : `${limit / 1024} KiB`
    const hint = req.routeOptions.url === '/api/tasks'
      ? 'split the task file and post each part (tasks may depend on tasks posted before)'
      : req.routeOptions.url === '/api/claims/:token/result'
        ? `a task's output may be ${MAX_OUTPUT_BYTES} bytes: return a reference (a URL, a path) instead of the data`
        : 'this request carries a few fields only'
    return `the request body is larger than ${what}, the most ${req.method} ${req.routeOptions.url ?? req.url} takes: ${hint}`
  }
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return `content type "${req.headers['content-type'] ?? ''}" is not one this API reads: send ${ACCEPTED_TYPES.join(', ')}`
  return err.message
}

function isLoopback (host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '::1'
}

/** Requires the token, as a bearer token or (for EventSource, which cannot set headers) `?access_token=`. */
function authorize (token: string, open: Set<string>) {
  const expected = Buffer.from(token)
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const path = req.url.split('?')[0]!
    if (open.has(path)) return
    const header = req.headers.authorization
    const given = header?.startsWith('Bearer ') === true ? header.slice(7) : new URL(req.url, 'http://x').searchParams.get('access_token') ?? ''
    const candidate = Buffer.from(given)
    if (candidate.length !== expected.length || !timingSafeEqual(candidate, expected)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'AuthorizationError', message: 'this API needs its token: send "Authorization: Bearer <token>" (the token is in the admin\'s --http-token file)' })
    }
  }
}
