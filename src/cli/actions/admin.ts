import { TaskManager } from '../../manager/task-manager.js'
import { DEFAULT_ADMIN_LISTEN } from '../../protocol/constants.js'
import { loadTaskDocument } from '../../tasks/load.js'
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js'
import { count, Output } from '../output.js'
import { logAdminEvents, printSummary, reportAdminEvents } from '../report.js'
import { createLogger } from '../log.js'
import { readSwarmKey, readTls, readToken, readWebhookSecret } from '../option-files.js'
import type { WebhookTarget } from '../../webhooks/targets.js'
import type { RateLimit } from '../../core/rate-limits.js'
import { resolveStrategy } from '../load-modules.js'
import { onShutdownSignal } from '../signals.js'
import { AllowList } from '../../admin/allow-list.js'
import { printable } from '../../util/printable.js'
import { isPrivateIp } from '@libp2p/utils'
import { parseRelayAddress, type RelaySlot } from '../../node/relay-keeper.js'
import { isLoopbackAddress } from '../../node/announce.js'
import type { AlertThresholds } from '../../monitoring/alerts.js'
import type { TaskCounts } from '../../core/counts.js'
import type { LogOptions } from '../log-options.js'

export interface AdminOptions extends LogOptions {
  id?: string
  name?: string
  tasks?: string
  expectedWorkers: number
  listen: string[]
  key?: string
  dataDir?: string
  databaseUrl?: string
  failoverTimeout: number
  replica?: string
  journalSync: 'full' | 'normal'
  strategy: string
  onNoWorker: 'wait' | 'fail'
  waitForWorker: number
  network: string
  mdns?: boolean
  swarmKey?: string
  relay: string[]
  browserHandlers: string[]
  leaseTtl?: number
  maxLostAttempts?: number
  maxWorkerConcurrency: number
  allowWorkers?: string
  allowClients?: string
  maxWorkers?: number
  maxTasks?: number
  maxPayloadBytes?: number
  maxInvalidFrames?: number
  exitWhenDone?: boolean
  quiet?: boolean
  drainTimeout: number
  schedulingInterval: number
  monitoringInterval: number
  alertTaskDuration?: number
  alertFailureRate?: number
  alertDependencyWait?: number
  alertResourceUsage?: number
  avoidBusy?: number
  http?: { host: string, port: number }
  httpToken?: string
  httpTlsCert?: string
  httpTlsKey?: string
  httpAllowHost: string[]
  webhook: WebhookTarget[]
  webhookSecret?: string
  otelEndpoint?: string
  rateLimit: RateLimit[]
  retainFinished?: number
  groupConcurrency?: number
  groupWeights?: Record<string, number>
  retainFinishedCount?: number
  unprovenBudget?: number
  json?: boolean
}

export async function runAdmin (opts: AdminOptions): Promise<void> {
  const log = createLogger({ name: 'admin', logLevel: opts.logLevel, logFormat: opts.logFormat })
  const out = new Output({ json: opts.json === true, log })
  const httpToken = opts.httpToken != null ? await readToken(opts.httpToken) : undefined
  const httpTls = await readTls(opts.httpTlsCert, opts.httpTlsKey)
  const webhooks = opts.webhook
  const webhookSecret = opts.webhookSecret != null ? await readWebhookSecret(opts.webhookSecret) : undefined
  if (webhookSecret != null && webhooks.length === 0) throw new UsageError('--webhook-secret signs webhooks: give --webhook URL too')
  const thresholds: AlertThresholds = {
    ...(opts.alertTaskDuration != null ? { taskDuration: opts.alertTaskDuration } : {}),
    ...(opts.alertFailureRate != null ? { failureRate: opts.alertFailureRate } : {}),
    ...(opts.alertDependencyWait != null ? { dependencyWait: opts.alertDependencyWait } : {}),
    ...(opts.alertResourceUsage != null ? { resourceUsage: opts.alertResourceUsage } : {})
  }
  // a relay address that could never work is said before anything starts
  for (const relay of opts.relay) parseRelayAddress(relay)
  const { tasks, schedules } = opts.tasks != null ? await loadTaskDocument(opts.tasks) : { tasks: [], schedules: [] }
  const strategy = await resolveStrategy(opts.strategy)
  const allowWorkers = opts.allowWorkers != null ? await AllowList.load(opts.allowWorkers) : undefined
  const allowClients = opts.allowClients != null ? await AllowList.load(opts.allowClients) : undefined
  const manager = new TaskManager(tasks, {
    listen: opts.listen.length > 0 ? opts.listen : [DEFAULT_ADMIN_LISTEN],
    expectedWorkers: opts.expectedWorkers,
    strategy,
    schedulingIntervalMs: opts.schedulingInterval * 1000,
    ...(opts.id != null ? { id: opts.id } : {}),
    ...(opts.name != null ? { name: opts.name } : {}),
    ...(Object.keys(thresholds).length > 0 ? { monitoring: { thresholds, intervalMs: opts.monitoringInterval * 1000 } } : {}),
    ...(opts.http != null ? { http: { ...opts.http, ...(httpToken != null ? { token: httpToken } : {}), ...(httpTls != null ? { tls: httpTls } : {}), ...(opts.httpAllowHost.length > 0 ? { allowedHosts: opts.httpAllowHost } : {}) } } : {}),
    onNoWorker: opts.onNoWorker,
    noWorkerGraceMs: opts.waitForWorker * 1000,
    network: opts.network,
    ...(opts.key != null ? { keyFile: opts.key } : {}),
    ...(opts.dataDir != null ? { dataDir: opts.dataDir, journalSync: opts.journalSync } : {}),
    ...(opts.databaseUrl != null
      ? {
          databaseUrl: opts.databaseUrl,
          failoverTimeoutMs: opts.failoverTimeout * 1000,
          ...(opts.replica != null ? { replica: opts.replica } : {}),
          onStandby: (leader: { replica: string, epoch: number }, replicas: Array<{ replica: string, addresses: string[] }>) => {
            out.event('standby', { leader, replicas })
            out.say(`standby: replica ${printable(leader.replica)} leads (epoch ${leader.epoch}); this admin takes over once it stops renewing its lease (${opts.failoverTimeout} s)`)
            // each replica's address, so workers follow whichever leads
            if (replicas.length > 0) out.say(`start workers with\n  taskmesh worker ${workerAdmins(replicas.map(r => r.addresses))} --name NAME --skill N`)
          }
        }
      : {}),
    ...(webhooks.length > 0 ? { webhooks: { targets: webhooks, ...(webhookSecret != null ? { secret: webhookSecret } : {}) } } : {}),
    ...(opts.otelEndpoint != null ? { otelEndpoint: opts.otelEndpoint } : {}),
    ...(opts.rateLimit.length > 0 ? { rateLimits: opts.rateLimit } : {}),
    ...(schedules.length > 0 ? { schedules } : {}),
    ...(opts.groupConcurrency != null ? { groupConcurrency: opts.groupConcurrency } : {}),
    ...(opts.groupWeights != null ? { groupWeights: opts.groupWeights } : {}),
    ...(opts.retainFinished != null || opts.retainFinishedCount != null ? { retention: { ...(opts.retainFinished != null ? { finishedMs: opts.retainFinished } : {}), ...(opts.retainFinishedCount != null ? { finishedCount: opts.retainFinishedCount } : {}) } } : {}),
    ...(opts.mdns === true ? { mdns: true } : {}),
    ...(opts.relay.length > 0 ? { relays: opts.relay } : {}),
    ...(opts.browserHandlers.length > 0 ? { browserHandlers: opts.browserHandlers } : {}),
    ...(opts.swarmKey != null ? { swarmKey: await readSwarmKey(opts.swarmKey) } : {}),
    ...(opts.leaseTtl != null ? { leaseTtlMs: Math.round(opts.leaseTtl * 1000) } : {}),
    ...(opts.maxLostAttempts != null ? { maxLostAttempts: opts.maxLostAttempts } : {}),
    ...((opts.avoidBusy ?? opts.alertResourceUsage) != null ? { avoidBusyCpu: opts.avoidBusy ?? opts.alertResourceUsage } : {}),
    maxWorkerConcurrency: opts.maxWorkerConcurrency,
    ...(opts.unprovenBudget != null ? { unprovenBudget: opts.unprovenBudget } : {}),
    ...(allowWorkers != null ? { authorizeWorker: allowWorkers.check('worker') } : {}),
    ...(allowClients != null ? { authorizeClient: allowClients.check('client') } : {}),
    ...(opts.maxWorkers != null ? { maxWorkers: opts.maxWorkers } : {}),
    ...(opts.maxTasks != null ? { maxTasks: opts.maxTasks } : {}),
    ...(opts.maxPayloadBytes != null ? { maxPayloadBytes: opts.maxPayloadBytes } : {}),
    ...(opts.maxInvalidFrames != null ? { maxInvalidFrames: opts.maxInvalidFrames } : {})
  })
  const skills = reportAdminEvents(manager, out, { ...(opts.expectedWorkers != null ? { expectedWorkers: opts.expectedWorkers } : {}), quiet: opts.quiet === true })
  logAdminEvents(manager, log)
  // in place before the admin announces itself: a signal right after "listening" must still drain
  const interrupted = new Promise<'signal'>(resolve => onShutdownSignal(() => { resolve('signal') }))
  try {
    // a standby waits in start() until it leads: a signal meanwhile ends it there
    if (await Promise.race([manager.start().then(() => 'started' as const), interrupted]) === 'signal') {
      out.event('stopped', { reason: 'signal' })
      out.say('stopped while waiting as a standby')
      process.exitCode = EXIT_OK
      return
    }
  } catch (err) {
    throw whyNotStarted(err as Error, opts)
  }

  const { peerId, addresses, http, replicas } = manager.details()
  const leader = manager.admin.leadership
  out.event('listening', { peerId, addrs: addresses, ...(http != null ? { http } : {}), ...(leader != null ? { leader } : {}), ...(replicas != null ? { replicas } : {}) })
  if (leader != null) out.say(`leading as replica ${printable(leader.replica)} (epoch ${leader.epoch})`)
  out.say(`taskmesh admin ${peerId} (network "${opts.network}", strategy ${typeof strategy === 'string' ? strategy : strategy.name})`)
  out.say('listening on')
  for (const a of addresses) out.say(`  ${a}`)
  // with replicas, the others' addresses too: a worker follows whichever leads
  out.say(`start workers with\n  taskmesh worker ${workerAdmins([addresses, ...(replicas ?? []).map(r => r.addresses)])} --name NAME --skill N`)
  if (http != null) {
    out.say(`dashboard and HTTP API at ${http}/${httpToken != null ? ' (token required: open it once with ?token=...)' : ''}`)
  }
  if (http != null && addresses.some(a => /\/wss?\//.test(a))) out.say(`browsers join as workers at ${http}/worker?name=NAME&skill=N`)
  if (http?.startsWith('http:') === true && !/^http:\/\/(127\.|\[::1\])/.test(http)) {
    out.warn('the HTTP API listens beyond this machine over plain HTTP: its token travels readable; give --http-tls-cert and --http-tls-key, or put a TLS proxy in front')
  }
  reportRelays(manager, opts.relay, addresses, out)
  if (addresses.some(a => !isLoopbackAddress(a)) && opts.swarmKey == null && allowWorkers == null && allowClients == null) {
    out.warn('this admin listens beyond this machine with neither --swarm-key nor --allow-workers/--allow-clients: anyone who can reach it can join as a worker and submit tasks')
  }
  if (allowWorkers != null || allowClients != null) {
    process.on('SIGHUP', () => { void reloadAllowLists(manager, out, [allowWorkers, allowClients]) })
  }
  const { total } = manager.summary()
  const resumed = manager.admin.resumed
  if (resumed != null) {
    out.event('resumed', { total: resumed.total, counts: resumed.counts })
    out.say(`resumed ${count(resumed.total, 'task')} from the journal: ${describeCounts(resumed.counts)}`)
    if (resumed.tasksNotSubmitted === true) out.warn(`! --tasks ${opts.tasks}: not submitted again, since retention dropped finished tasks from this journal (a task it no longer holds may have run); add new tasks with taskmesh submit`)
  }
  // an admin that was assigning before its restart does not wait for its workers again
  const waiting = opts.expectedWorkers > 0 && resumed?.assigning !== true ? `waiting for ${count(opts.expectedWorkers, 'worker')}` : undefined
  if (resumed == null) out.say(total === 0 ? 'no tasks yet' : `${count(total, 'task')}${waiting != null ? `; ${waiting}` : ''}`)
  else if (total > resumed.total || waiting != null) out.say([total > resumed.total ? `${count(total - resumed.total, 'new task')} from --tasks` : undefined, waiting].filter(Boolean).join('; '))
  out.startProgress(total)

  // a journal that cannot be written (a lost lead, a database gone) stops the admin: it says why and exits
  // (whenDone rejects on that error by itself; a second, unawaited promise would be an unhandled rejection)
  const finished = opts.exitWhenDone === true
    ? manager.whenDone()
    : new Promise<never>((_resolve, reject) => { manager.addEventListener('error', ({ detail }) => { reject(detail) }, { once: true }) })
  const outcome = await Promise.race([finished, interrupted])
  if (outcome === 'signal') {
    out.stopProgress()
    out.event('stopping', { running: manager.summary().counts.running })
    out.say('stopping: no new assignments; waiting for running tasks')
    await manager.drain({ signal: AbortSignal.timeout(opts.drainTimeout * 1000) })
    await manager.stop()
    out.event('stopped', { reason: 'signal' })
    process.exitCode = opts.exitWhenDone === true ? EXIT_FAILED : EXIT_OK
    return
  }
  printSummary(out, outcome, skills)
  // the summary is the last line: what stopping announces (workers leaving) is not printed
  out.end()
  await manager.stop()
  process.exitCode = outcome.succeeded === outcome.total ? EXIT_OK : EXIT_FAILED
}

/** SIGHUP: read the allow-lists again; a list that fails to read keeps its previous content. */
async function reloadAllowLists (manager: TaskManager, out: Output, lists: Array<AllowList | undefined>): Promise<void> {
  for (const list of lists) {
    if (list == null) continue
    try {
      const n = await list.reload()
      out.event('allow-list:reloaded', { file: list.file, peers: n })
      out.say(`reloaded ${list.file}: ${n} peers`)
    } catch (err) {
      out.warn(`${(err as Error).message}\n(keeping the previous list)`)
    }
  }
  const removed = manager.reauthorize()
  if (removed > 0) out.say(`disconnected ${removed} workers no longer allowed`)
}

/**
 * What the admin's relays do: a relay not reached at start, and later a slot lost or reserved again. An
 * admin with neither a relay nor an address other networks can dial is told how it can be reached.
 */
function reportRelays (manager: TaskManager, relays: string[], addresses: string[], out: Output): void {
  const keeper = manager.relays
  if (keeper == null) {
    const ips = addresses.filter(a => !isLoopbackAddress(a)).map(a => /^\/ip[46]\/([^/]+)/.exec(a)?.[1]).filter((ip): ip is string => ip != null)
    if (ips.length > 0 && ips.every(ip => isPrivateIp(ip) === true)) out.say('(these addresses are private: peers on other networks cannot dial them; an admin behind NAT is reached through a relay: taskmesh relay on a public host, then --relay ITS_ADDRESS here)')
    return
  }
  const reachability = (slot: RelaySlot): void => {
    if (slot.behindNat === true) out.say(`relay ${slot.relay} sees this admin as ${slot.seenAs}, an address it does not have: it is behind NAT, and workers on other networks reach it at its relayed address`)
    else if (slot.behindNat === false) out.say(`relay ${slot.relay} sees this admin at its own address ${slot.seenAs}: workers that can route to it may dial it directly`)
  }
  for (const relay of relays) {
    const slot = keeper.reserved.get(parseRelayAddress(relay).relay)
    if (slot == null) {
      out.warn(`! relay ${relay}: no slot yet; still trying (workers reach this admin through it once it has one)`)
      continue
    }
    out.event('relay:reserved', { ...slot })
    reachability(slot)
  }
  keeper.addEventListener('relay:reserved', ({ detail }) => {
    out.event('relay:reserved', { ...detail })
    out.say(`relay ${detail.relay}: slot reserved; reachable at\n${detail.addresses.map(a => `  ${a}`).join('\n')}`)
    reachability(detail)
  })
  keeper.addEventListener('relay:lost', ({ detail }) => {
    out.event('relay:lost', detail)
    out.warn(`! relay ${detail.relay} dropped this admin (it stopped, or the network did); dialing it again`)
  })
  keeper.addEventListener('relay:unreachable', ({ detail }) => {
    out.event('relay:unreachable', detail)
    out.warn(`! relay ${detail.relay}: ${printable(detail.reason)}; trying again in ${Math.round(detail.retryInMs / 100) / 10} s`)
  })
}

/**
 * An address already in use, said with the option to change instead of libp2p's or Node's raw error and
 * stack (they name a setting the CLI does not have).
 */
function whyNotStarted (err: Error, opts: AdminOptions): Error {
  const cause = (err as { cause?: { message?: string } }).cause
  const text = `${err.message} ${cause?.message ?? ''}`
  if (!/EADDRINUSE|address already in use/.test(text)) return err
  const http = opts.http != null && text.includes(`:${opts.http.port}`) && !/configured addresses/.test(text)
  if (http) return new UsageError(`--http ${opts.http!.host}:${opts.http!.port}: that port is in use (another admin, or another program); give another port, or stop what uses it`)
  const taken = (opts.listen.length > 0 ? opts.listen : [DEFAULT_ADMIN_LISTEN]).filter(a => text.includes(a) || text.includes(`:${a.split('/').at(-1)}`))
  return new UsageError(`--listen ${taken.join(' ') || (opts.listen.join(' ') || DEFAULT_ADMIN_LISTEN)}: that port is in use (another admin, or another program); listen on another port, such as --listen /ip4/0.0.0.0/tcp/4002, or stop what uses it`)
}

/** Counts by state in words, the states with none left out: "980 succeeded, 24 running on workers that may come back". */
function describeCounts (c: TaskCounts): string {
  const parts: Array<[number, string]> = [
    [c.succeeded, 'succeeded'], [c.failed, 'failed'], [c.skipped, 'skipped'], [c.cancelled, 'cancelled'],
    [c.running, 'running on workers that may come back'], [c.ready, 'ready'], [c.delayed, 'delayed'], [c.waiting, 'waiting on dependencies']
  ]
  return parts.filter(([n]) => n > 0).map(([n, what]) => `${n.toLocaleString('en-US')} ${what}`).join(', ')
}

/** `--admin A --admin B`: one address of each replica (one reachable from elsewhere, where it has one). */
function workerAdmins (replicas: ReadonlyArray<readonly string[]>): string {
  return replicas.filter(addresses => addresses.length > 0).map(addresses => `--admin ${addresses.find(a => !isLoopbackAddress(a)) ?? addresses[0]!}`).join(' ')
}
