import { EventRoutes } from '../util/event-routes.js'
import type { AbortOptions, Libp2p, PrivateKey } from '@libp2p/interface'
import { InvalidStateError, ValidationError } from '../errors.js'
import { createNode, type TaskmeshServices } from '../node/create-node.js'
import { loadOrCreateKey } from '../node/identity.js'
import { parseAdminAddresses } from './admin-address.js'
import { checkRegistration } from './registration.js'
import { typesProblem } from '../protocol/validate.js'
import { WorkerService, type WorkerInit } from './worker-service.js'
import { WORKER_EVENT_NAMES, type WorkerEvents } from './events.js'
import { DEFAULT_NETWORK, statusTopic } from '../protocol/constants.js'
import type { TaskHandler } from './handlers.js'
import { startTracer, type Tracer } from '../tracing/tracer.js'
import { runTracing } from '../tracing/run-tracing.js'

export interface WorkerAgentOptions extends Omit<WorkerInit, 'name' | 'skill' | 'admin' | 'tracing'> {
  /** The worker's skill: the tutorial's tasks succeed when it is at least their difficulty. @default 0 */
  skillLevel?: number
  /** The admin: a multiaddr ending in /p2p/<peerId>, a bare peer id (mDNS), or several addresses of one admin's replicas. */
  adminPeer: string | string[]
  privateKey?: PrivateKey
  /** Key file holding the worker's identity, created when missing. */
  keyFile?: string
  /** Content of a swarm key file, when the admin runs a private network. */
  swarmKey?: Uint8Array
  /** Addresses to listen on; workers only dial out, so none by default. */
  listen?: string[]
  /**
   * Export a `run` span for each attempt, in its task's trace, over OTLP/HTTP to this collector (such as
   * http://127.0.0.1:4318). @default the OTEL_EXPORTER_OTLP_ENDPOINT environment variable; none when unset
   */
  otelEndpoint?: string
}

/**
 * A worker peer of the tutorial: dials the admin, registers its skill and capabilities, and runs the tasks
 * it is given.
 *
 * @example
 * const worker = new WorkerAgent('Senior', { skillLevel: 9, adminPeer: '/ip4/10.0.0.5/tcp/4001/p2p/12D3KooW...' })
 * worker.handle('summarize', async (task, { signal }) => summarize(task.payload, { signal }))
 * await worker.start()
 */
export class WorkerAgent extends EventRoutes<WorkerEvents> {
  readonly name: string
  private readonly options: WorkerAgentOptions
  private readonly handlers = new Map<string, TaskHandler>()
  private node: Libp2p<TaskmeshServices<{ worker: WorkerService }>> | undefined
  private tracer: Tracer | undefined

  /**
   * Throws at once what connecting would end in: an InvalidAddressError when `adminPeer` cannot be dialled
   * as given, a ValidationError naming each setting the admin would refuse (65 capabilities, say).
   */
  constructor (name: string, options: WorkerAgentOptions) {
    super()
    this.name = name
    this.options = options
    parseAdminAddresses(options.adminPeer)
    checkRegistration({
      name,
      skill: options.skillLevel ?? 0,
      capabilities: options.capabilities ?? [],
      maxConcurrent: Math.max(1, options.maxConcurrent ?? 1),
      priority: options.priority ?? 0,
      ...(options.resources != null ? { resources: options.resources } : {})
    }, new Set(['simulate', ...Object.keys(options.handlers ?? {})]))
  }

  /** The task types this worker handles, and so registers. */
  types (): string[] {
    return [...new Set(['simulate', ...Object.keys(this.options.handlers ?? {}), ...this.handlers.keys()])]
  }

  /**
   * Runs tasks of `type` with `handler`. May be called before or after start. Throws a ValidationError when
   * the types would be more, or other, than a registration may list (the admin would refuse them).
   */
  handle (type: string, handler: TaskHandler): this {
    const types = this.types()
    const problem = types.includes(type) ? undefined : typesProblem([...types, type])
    if (problem != null) throw new ValidationError([{ path: 'type', message: problem }], { subject: `worker "${this.name}"` })
    this.handlers.set(type, handler)
    this.node?.services.worker.handle(type, handler)
    return this
  }

  async start (): Promise<void> {
    if (this.node != null) return
    const { skillLevel, adminPeer, privateKey, keyFile, swarmKey, listen, handlers, otelEndpoint, ...init } = this.options
    // the OpenTelemetry packages load only when traces go somewhere
    this.tracer = await startTracer({ ...(otelEndpoint != null ? { endpoint: otelEndpoint } : {}), service: 'taskmesh-worker', instance: this.name })
    const key = privateKey ?? (keyFile != null ? (await loadOrCreateKey(keyFile)).privateKey : undefined)
    const target = parseAdminAddresses(adminPeer)
    const bare = target.kind === 'peer-id'
    const node = await createNode({
      ...(key != null ? { privateKey: key } : {}),
      listen: listen ?? [],
      ...(swarmKey != null ? { swarmKey } : {}),
      ...(bare ? { mdns: 'discover' as const } : {}),
      // an admin behind NAT is reached through a relay, and a direct connection is tried from there
      circuit: target.kind === 'address' && target.addresses.some(a => a.toString().includes('/p2p-circuit')),
      topics: [statusTopic(init.network ?? DEFAULT_NETWORK)],
      start: false,
      services: {
        worker: (components: any) => new WorkerService(components, {
          ...init,
          name: this.name,
          skill: skillLevel ?? 0,
          admin: adminPeer,
          handlers: { ...handlers, ...Object.fromEntries(this.handlers) },
          ...(this.tracer != null ? { tracing: runTracing(this.tracer, this.name) } : {})
        })
      }
    })
    this.node = node
    // listeners are attached to the service itself: nothing is dispatched twice
    this.route(WORKER_EVENT_NAMES, node.services.worker)
    await node.start()
  }

  get peerId (): string {
    return this.started().peerId.toString()
  }

  get connected (): boolean {
    return this.node?.services.worker.connected ?? false
  }

  /** Asks for no more work and finishes what runs, until done or `signal` aborts (30 s by default); then stops. */
  async drain (options?: AbortOptions): Promise<void> {
    if (this.node == null) return
    await this.node.services.worker.drain(options)
    await this.node.stop()
  }

  /** Leaves at once; the admin gives running tasks to other workers. `signal` bounds the goodbye (1 s by default). */
  async stop (options?: AbortOptions): Promise<void> {
    if (this.node == null) return
    await this.node.services.worker.stop(options)
    await this.node.stop()
    await this.tracer?.shutdown()
  }

  get libp2p (): Libp2p {
    return this.started()
  }

  private started (): Libp2p<TaskmeshServices<{ worker: WorkerService }>> {
    if (this.node == null) throw new InvalidStateError('the worker is not started: call start() first')
    return this.node
  }
}
