import { join } from 'node:path'
import { InvalidStateError, ValidationError } from '../errors.js'
import { AdminService, type AdminInit } from '../admin/admin-service.js'
import { ADMIN_EVENT_NAMES, ALERT_EVENT_NAMES, WEBHOOK_EVENT_NAMES, type AlertDetail, type NetworkEvents, type RunSummary } from '../admin/events.js'
import { workerSnapshot, type WorkerInfo, type WorkerStatusUpdate } from '../core/registry.js'
import { AlertMonitor, type AlertMonitorOptions } from '../monitoring/alert-monitor.js'
import { createNode, type TaskmeshServices } from '../node/create-node.js'
import { loadOrCreateKey, peerIdOf } from '../node/identity.js'
import { intendedAddresses } from '../node/announce.js'
import { DEFAULT_NETWORK, statusTopic } from '../protocol/constants.js'
import { MemoryJournal, type Journal } from '../store/journal.js'
import { JOURNAL_FILE, SqliteJournal } from '../store/sqlite-journal.js'
import { SpillingArchive } from '../store/spilling-archive.js'
import { toTaskSpecs, type TaskInput } from '../tasks/normalize.js'
import { EventRoutes } from '../util/event-routes.js'
import { DEFAULT_LISTEN } from './constants.js'
import type { SubmitResult, Summary } from '../core/options.js'
import type { HistoryEntry, TaskSnapshot } from '../core/snapshots.js'
import type { TaskSpec } from '../core/task.js'
import type { PurgeRequest } from '../admin/handle.js'
import type { ScheduleCommands } from '../admin/schedule-commands.js'
import type { HttpServer, HttpServerOptions } from '../http/server.js'
import type { AdminMetrics } from '../monitoring/metrics.js'
import type { Webhooks } from '../webhooks/webhooks.js'
import type { AdminTracing } from '../tracing/admin-tracing.js'
import { startTracer } from '../tracing/tracer.js'
import type { WebhookTarget } from '../webhooks/targets.js'
import type { ReplicaAddresses } from '../store/postgres-replicas.js'
import type { AbortOptions, Libp2p, PrivateKey } from '@libp2p/interface'
import type { RelayKeeper } from '../node/relay-keeper.js'
import { RELAY_RESERVATION_TIMEOUT_MS } from '../node/constants.js'
import { isOwnPageOrigin } from '../http/browser-safety.js'

export interface TaskManagerOptions extends Omit<AdminInit, 'tasks' | 'journal' | 'watchEvents'> {
  /** Addresses to listen on. @default ['/ip4/127.0.0.1/tcp/0'] */
  listen?: string[]
  /** The admin's identity; see `keyFile` for one that survives restarts. */
  privateKey?: PrivateKey
  /** Key file holding the admin's identity, created (mode 0600) when missing. */
  keyFile?: string
  /**
   * Directory for the admin's state: a SQLite journal of every task state change, and the key file
   * (`<dataDir>/admin.key`) unless `keyFile` says otherwise. Restarting on the same directory resumes.
   */
  dataDir?: string
  /**
   * A PostgreSQL database for the journal instead of `dataDir` (`postgres://user:password@host:5432/db`);
   * give `keyFile` too, so the admin keeps its peer id across restarts.
   */
  databaseUrl?: string
  /** With `databaseUrl`: how long a standby waits for a silent leader before it takes over. @default 5000 */
  failoverTimeoutMs?: number
  /** With `databaseUrl`: this replica's name. @default host name and process id */
  replica?: string
  /**
   * With `databaseUrl`: another replica leads; this one waits as a standby (start() resolves once it leads).
   * `replicas`: every replica's addresses as recorded, this one's included: what its workers should be given.
   */
  onStandby?: (leader: { replica: string, epoch: number }, replicas: ReplicaAddresses[]) => void
  /** How hard the SQLite journal syncs. @default 'full' */
  journalSync?: 'full' | 'normal'
  /** Where state changes are recorded. @default in memory, or a SQLite journal in `dataDir` */
  journal?: Journal
  /** Content of a swarm key file: only peers with the same key can connect. */
  swarmKey?: Uint8Array
  /**
   * Circuit relays (`taskmesh relay`) to keep a slot on, for an admin behind NAT: its relayed addresses
   * are among its addresses once reserved, and workers that dial them move to a direct connection when
   * hole punching opens one.
   */
  relays?: string[]
  /** Module URLs the browser worker page (/worker, with `http`) may load handlers from. @default none */
  browserHandlers?: string[]
  /** Announce the admin by mDNS, so workers on the local network can find it by peer id alone. */
  mdns?: boolean
  /** Serve the HTTP API, the live dashboard and Prometheus metrics. Off unless given. */
  http?: HttpServerOptions
  /** Alert thresholds, evaluated every interval; firing alerts are events, metrics and on the dashboard. */
  monitoring?: AlertMonitorOptions
  /** Post events to other systems; each message is journaled with the events that cause it. */
  webhooks?: { targets: readonly WebhookTarget[], secret?: string | Uint8Array }
  /**
   * Export a trace per task (submitted, queued, each attempt until journaled; its worker's run within it)
   * over OTLP/HTTP to this collector, such as http://127.0.0.1:4318.
   * @default the OTEL_EXPORTER_OTLP_ENDPOINT environment variable; none when unset
   */
  otelEndpoint?: string
}

export interface AdminDetails {
  peerId: string
  /** Full addresses, each ending in `/p2p/<peerId>`: what workers dial. */
  addresses: string[]
  /** The HTTP API and dashboard, when served. */
  http?: string
  /** With replicas (`databaseUrl`): the other replicas and their addresses, as they recorded them; workers list them all. */
  replicas?: ReplicaAddresses[]
}

/**
 * The admin peer of the tutorial: holds the tasks, waits for the expected workers, assigns by skill and
 * capability, and reports every result. It puts together the libp2p node with the admin service, the
 * journal, and on demand the HTTP API, alerts and metrics. Its events are the admin's and the alerts'.
 *
 * @example
 * const manager = new TaskManager([{ id: 1, description: 'Simple calculation', difficulty: 2 }], { expectedWorkers: 1 })
 * await manager.start()
 * const worker = new WorkerAgent('Junior', { skillLevel: 3, adminPeer: manager.details().addresses[0] })
 * await worker.start()
 * const summary = await manager.whenDone()
 */
export class TaskManager extends EventRoutes<NetworkEvents> {
  private readonly tasks: readonly TaskSpec[]
  private readonly options: TaskManagerOptions
  private node: Libp2p<TaskmeshServices<{ admin: AdminService }>> | undefined
  private stopping: Promise<void> | undefined
  private http: HttpServer | undefined
  private alerts: AlertMonitor | undefined
  private metrics: AdminMetrics | undefined
  private webhooks: Webhooks | undefined
  private tracing: AdminTracing | undefined
  private otherReplicas: ReplicaAddresses[] = []

  /** Throws a ValidationError listing every problem if the tasks are not valid; nothing is half-loaded. */
  constructor (tasks: ReadonlyArray<TaskInput | TaskSpec> = [], options: TaskManagerOptions = {}) {
    super()
    this.tasks = tasks.length === 0 ? [] : toTaskSpecs(tasks)
    this.options = options
  }

  async start (): Promise<void> {
    if (this.node != null) return
    const { listen, privateKey, keyFile, dataDir, databaseUrl, failoverTimeoutMs, replica, onStandby, journal, journalSync, swarmKey, relays, browserHandlers, mdns, http, monitoring, webhooks, otelEndpoint, ...init } = this.options
    if (databaseUrl != null && dataDir != null) throw new ValidationError([{ path: '--database-url', message: 'give --database-url or --data-dir, not both: the journal is in one of them' }], { subject: 'options' })
    if (databaseUrl != null && privateKey == null && keyFile == null) throw new ValidationError([{ path: '--database-url', message: 'needs --key FILE as well, so the admin keeps its peer id (and its workers find it) after a restart' }], { subject: 'options' })
    // HTTP callers have no peer id to check against the list: the token is what keeps them out
    if (http != null && init.authorizeClient != null && (http.token == null || http.token === '')) throw new ValidationError([{ path: '--http', message: 'this admin lets only the clients on its --allow-clients list act, but its HTTP API would let anyone who reaches it: give --http-token FILE too' }], { subject: 'options' })
    const key = privateKey ?? (keyFile != null || dataDir != null ? (await loadOrCreateKey(keyFile ?? join(dataDir!, 'admin.key'))).privateKey : undefined)
    // one registry for libp2p's metrics and the admin's, served at /metrics; the HTTP side is loaded only
    // when asked for, so commands that do not serve it start faster
    const registry = http != null ? new (await import('prom-client')).Registry() : undefined
    // node-postgres is loaded only by an admin that uses it
    const PostgresJournalClass = databaseUrl != null ? (await import('../store/postgres-journal.js')).PostgresJournal : undefined
    const store = journal ?? (PostgresJournalClass != null
      ? await PostgresJournalClass.open(databaseUrl!, {
        ...(failoverTimeoutMs != null ? { failoverTimeoutMs } : {}),
        ...(replica != null ? { replica } : {}),
        // where this replica will be reached, for the others to say (its addresses once it listens replace these)
        ...(key != null ? { addresses: intendedAddresses(listen ?? DEFAULT_LISTEN, peerIdOf(key)) } : {}),
        ...(onStandby != null ? { onStandby } : {})
      })
      : dataDir != null ? new SqliteJournal(join(dataDir, JOURNAL_FILE), { sync: journalSync ?? 'full' }) : new MemoryJournal({ replayable: false, archive: new SpillingArchive() }))
    // loaded only by an admin that posts to webhooks
    const hooks = webhooks != null && webhooks.targets.length > 0
      ? new (await import('../webhooks/webhooks.js')).Webhooks({ ...webhooks, admin: () => node.peerId.toString() })
      : undefined
    this.webhooks = hooks
    if (hooks != null) this.route(WEBHOOK_EVENT_NAMES, hooks)
    // the OpenTelemetry packages load only when traces go somewhere
    const tracer = await startTracer({ ...(otelEndpoint != null ? { endpoint: otelEndpoint } : {}), service: 'taskmesh-admin', ...(init.name != null ? { instance: init.name } : {}) })
    const tracing = this.tracing = tracer != null ? new (await import('../tracing/admin-tracing.js')).AdminTracing(tracer) : undefined
    const pageHosts = new Set((http?.allowedHosts ?? []).map(h => h.toLowerCase()))
    const node: Libp2p<TaskmeshServices<{ admin: AdminService }>> = await createNode({
      ...(key != null ? { privateKey: key } : {}),
      listen: listen ?? DEFAULT_LISTEN,
      ...(swarmKey != null ? { swarmKey } : {}),
      ...(mdns === true ? { mdns: 'announce' as const } : {}),
      ...(relays != null && relays.length > 0 ? { relays } : {}),
      // browsers may open the admin's WebSocket door only from the page it serves itself (/worker)
      webSocketOrigins: origin => this.http != null && isOwnPageOrigin(origin, this.http.url, pageHosts),
      topics: [statusTopic(init.network ?? DEFAULT_NETWORK)],
      hub: true,
      // banned peers are refused as soon as their peer id is known, before any stream opens (the node
      // starts below, so it exists by the time this is asked)
      deny: peerId => node.services.admin.isBanned(peerId),
      ...(registry != null ? { metricsRegistry: registry } : {}),
      start: false,
      services: { admin: (components: any) => new AdminService(components, { ...init, tasks: this.tasks, journal: store, watchEvents: this, ...(hooks != null ? { outbox: hooks } : {}), ...(tracing != null ? { tracing } : {}) }) }
    })
    this.node = node
    const admin = node.services.admin
    // listeners added before start hear everything, the first events included
    this.route(ADMIN_EVENT_NAMES, admin)
    tracing?.follow(admin)
    await node.start()
    // the relayed addresses are among those the admin prints: a relay that cannot be reached does not hold it back
    await this.relays?.triedAll(AbortSignal.timeout(RELAY_RESERVATION_TIMEOUT_MS))
    // replicas: this one's addresses, now that it listens, and where the others are
    if (PostgresJournalClass != null && store instanceof PostgresJournalClass) {
      const own = node.getMultiaddrs().map(a => a.toString())
      await store.announce(own)
      const leader = store.leadership?.replica
      this.otherReplicas = (await store.replicas()).filter(r => r.replica !== leader)
    }
    // what the journal kept undelivered goes first
    hooks?.start(store.outbox())
    if (monitoring != null) {
      this.alerts = new AlertMonitor(admin, monitoring)
      this.route(ALERT_EVENT_NAMES, this.alerts)
      this.alerts.start()
    }
    if (http != null && registry != null) {
      const [{ AdminMetrics }, { HttpServer }] = await Promise.all([import('../monitoring/metrics.js'), import('../http/server.js')])
      this.metrics = new AdminMetrics(admin, registry, this.alerts)
      try {
        this.http = await HttpServer.start(admin, {
          ...http,
          events: this,
          registry,
          ...(this.alerts != null ? { alerts: this.alerts } : {}),
          browserWorker: { addresses: () => node.getMultiaddrs().map(a => a.toString()), handlers: browserHandlers ?? [], network: admin.network }
        })
      } catch (err) {
        await this.stop()
        throw err
      }
    }
  }

  /** Peer id and full addresses; available once started. */
  details (): AdminDetails {
    const node = this.started()
    return { peerId: node.peerId.toString(), addresses: node.getMultiaddrs().map(a => a.toString()), ...(this.otherReplicas.length > 0 ? { replicas: this.otherReplicas } : {}), ...(this.http != null ? { http: this.http.url } : {}) }
  }

  get libp2p (): Libp2p {
    return this.started()
  }

  /** What keeps the slots on `relays`, with its events; undefined without relays. */
  get relays (): RelayKeeper | undefined {
    return (this.started().services as { relays?: RelayKeeper }).relays
  }

  /** The admin service, once started. */
  get admin (): AdminService {
    return this.started().services.admin
  }

  /** Adds tasks (any task-file format) while running; ids already known are left as they are. */
  submit (tasks: unknown): SubmitResult {
    return this.admin.submit(tasks)
  }

  cancel (taskId: string, reason?: string): boolean {
    return this.admin.cancel(taskId, reason)
  }

  retry (taskId: string): void {
    this.admin.retry(taskId)
  }

  /** Starts nothing new of `type` (of any type without one) until resumed; running tasks go on. Journaled. */
  pause (type?: string, reason?: string, group?: string): void {
    this.admin.pause(type, reason, group)
  }

  /** Undoes `pause(type)`; false when that was not paused. */
  resume (type?: string, group?: string): boolean {
    return this.admin.resume(type, group)
  }

  /** The recurring tasks: list, add (`put`, as a task file's `schedules` writes them), pause, resume, remove. */
  get schedules (): ScheduleCommands {
    return this.admin.schedules
  }

  /** Drops finished tasks from memory and the journal, a pass's worth at most: see `AdminHandle.purge`. */
  purge (filter: PurgeRequest): number {
    return this.admin.purge(filter)
  }

  getTask (taskId: string): TaskSnapshot {
    return this.admin.view.getTask(taskId)
  }

  /** Everything that happened to a task: submitted, assigned to whom and when, outcomes, errors. */
  getTaskHistory (taskId: string): HistoryEntry[] {
    return this.admin.view.history(taskId)
  }

  summary (): Summary {
    return this.admin.view.summary()
  }

  workers (): WorkerInfo[] {
    return this.admin.view.workers().map(workerSnapshot)
  }

  /** Online/offline, draining, priority or capacity of a worker (peer id or name): the seed's `update_agent_status`. */
  updateWorker (worker: string, update: WorkerStatusUpdate): WorkerInfo {
    return this.admin.updateWorker(worker, update)
  }

  /** Disconnects a worker (peer id or name); its running tasks go to others: the seed's `unregister_agent`. */
  async disconnectWorker (worker: string, options?: AbortOptions): Promise<void> {
    await this.admin.disconnectWorker(worker, options)
  }

  /** After an allow-list changed: workers no longer allowed are told and disconnected. Returns how many. */
  reauthorize (): number {
    return this.admin.reauthorize()
  }

  /** Resolves with the run summary once every task is final. */
  async whenDone (options?: AbortOptions): Promise<RunSummary> {
    return await this.admin.whenDone(options)
  }

  /** Assigns nothing more and waits for running attempts to finish, until `signal` aborts (30 s by default); then call `stop()`. */
  async drain (options?: AbortOptions): Promise<void> {
    if (this.node == null) return
    await this.admin.drain(options)
  }

  /** Stops the admin; can be called more than once. */
  async stop (): Promise<void> {
    if (this.node == null) return
    const node = this.node
    this.stopping ??= (async () => {
      // before the admin's last batch, which records what was delivered until now
      this.webhooks?.stop()
      this.alerts?.stop()
      this.metrics?.stop()
      await this.http?.close()
      await node.stop()
      // after the admin's last batch: its spans end, and go out
      this.tracing?.stop()
      await this.tracing?.shutdown()
    })()
    await this.stopping
  }

  /** Alerts firing now (with `monitoring`). */
  alertsFiring (): AlertDetail[] {
    return this.alerts?.firing() ?? []
  }

  /** Evaluates the alert thresholds now rather than at the next interval. */
  evaluateAlerts (): void {
    this.alerts?.evaluate()
  }

  private started (): Libp2p<TaskmeshServices<{ admin: AdminService }>> {
    if (this.node == null) throw new InvalidStateError('the task manager is not started: call start() first')
    return this.node
  }
}
