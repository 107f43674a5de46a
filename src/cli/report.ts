import { count, formatMs, formatTime, type Output } from './output.js'
import { NETWORK_EVENT_NAMES, type NetworkEvents, type RunSummary, type TaskOutcome } from '../admin/events.js'
import type { Logger } from './log.js'
import { formatAmount, formatBytes } from '../core/resources.js'
import type { WorkerInfo } from '../core/registry.js'
import { printable } from '../util/printable.js'
import { scopeText } from '../core/pauses.js'

interface EventSource {
  addEventListener<K extends keyof NetworkEvents>(type: K, listener: (evt: NetworkEvents[K]) => void): void
}

const MARK: Record<TaskOutcome['status'], string> = { succeeded: '✓', failed: '✗', skipped: '-', cancelled: '-' }

/**
 * Prints what an admin does as it happens: lines for people, JSON events with --json, and a progress
 * bar. Returns the skills it has seen, by worker name, for the summary table. What workers and clients
 * sent (names, capabilities, task ids, errors, reasons) goes through `printable` in the lines for people.
 */
export function reportAdminEvents (source: EventSource, out: Output, options: { expectedWorkers?: number, quiet?: boolean } = {}): Map<string, number> {
  const skills = new Map<string, number>()
  let joined = 0
  source.addEventListener('worker:connected', ({ detail: w }) => {
    skills.set(w.name, w.skill)
    joined++
    out.event('worker:connected', { ...w })
    const expected = options.expectedWorkers != null && joined <= options.expectedWorkers ? `  [${joined}/${options.expectedWorkers} expected]` : ''
    out.say(`+ worker ${printable(w.name)} joined (skill ${w.skill}${w.capabilities.length > 0 ? `, capabilities ${printable(w.capabilities.join(', '))}` : ''})${expected}`)
  })
  source.addEventListener('worker:disconnected', ({ detail: w }) => {
    out.event('worker:disconnected', { ...w })
    out.say(`- worker ${printable(w.name)} left (${printable(w.reason)})`)
  })
  source.addEventListener('assigning:started', ({ detail }) => {
    out.event('assigning:started', { ...detail })
    if ((options.expectedWorkers ?? 0) > 0) out.say(`${count(detail.workers, 'worker')} registered: assigning tasks`)
  })
  source.addEventListener('pause:changed', ({ detail }) => {
    out.event('pause:changed', { ...detail })
    const what = printable(scopeText(detail.scope))
    out.say(detail.paused ? `paused: ${what}${detail.reason != null ? ` (${printable(detail.reason)})` : ''}` : `resumed: ${what}`)
  })
  source.addEventListener('tasks:purged', ({ detail }) => {
    out.event('tasks:purged', { ...detail })
    out.say(`purged ${count(detail.count, 'finished task')} (the oldest finished ${formatTime(detail.oldest)})`)
  })
  source.addEventListener('frame:rejected', ({ detail }) => {
    out.event('frame:rejected', { ...detail })
    out.warn(`! rejected a frame from ${detail.peerId}: ${printable(detail.reason)}`, { peerId: detail.peerId })
  })
  source.addEventListener('journal:paused', ({ detail }) => {
    out.event('journal:paused', { ...detail })
    out.warn(detail.leadInDoubt
      ? `! the lead is in doubt: ${printable(detail.reason)}; workers and clients were let go (they go to whichever replica leads) until the database answers`
      : `! paused: ${printable(detail.reason)}; assignments and results wait for it (retrying)`)
  })
  source.addEventListener('journal:resumed', ({ detail }) => {
    out.event('journal:resumed', { ...detail })
    out.say(`resumed: the database answers again after ${formatMs(detail.ms)}`)
  })
  source.addEventListener('alert:fired', ({ detail }) => { out.event('alert:fired', { ...detail }) })
  source.addEventListener('alert:resolved', ({ detail }) => { out.event('alert:resolved', { ...detail }) })
  source.addEventListener('webhook:delivered', ({ detail }) => { out.event('webhook:delivered', { ...detail }) })
  source.addEventListener('webhook:failed', ({ detail }) => {
    out.event('webhook:failed', { ...detail })
    out.warn(`! webhook to ${detail.receiver}: gave up ${detail.event} ${printable(detail.id)} after ${count(detail.tries, 'try', 'tries')}: ${printable(detail.reason)}`, { receiver: detail.receiver, event: detail.event })
  })
  source.addEventListener('progress', ({ detail: s }) => {
    const final = s.counts.succeeded + s.counts.failed + s.counts.skipped + s.counts.cancelled
    out.progress(final, s.total, `${s.counts.running} running, ${count(s.workers, 'worker')}`)
  })
  // quiet: no listener at all, so the admin builds no event per task for it
  if (options.quiet === true) return skills
  source.addEventListener('task:assigned', ({ detail: a }) => {
    out.event('task:assigned', { ...a })
    out.say(`→ task ${printable(a.taskId)} to ${printable(a.worker)}${a.attempt > 1 ? ` (attempt ${a.attempt})` : ''}`)
  })
  source.addEventListener('task:attempt-ended', ({ detail: a }) => {
    out.event('task:attempt-ended', { ...a })
    if (a.outcome === 'succeeded') return
    const next = a.retryAt != null ? `; runs again ${a.retryAt <= Date.now() ? 'now' : `in ${formatMs(a.retryAt - Date.now())}`}` : ''
    if (a.retryAt != null) out.say(`↻ task ${printable(a.taskId)} attempt ${a.attempt} on ${printable(a.worker)} ${a.outcome}: ${printable(a.error ?? '')}${next}`)
  })
  source.addEventListener('task:completed', ({ detail: t }) => {
    out.event('task:completed', { ...t })
    const where = t.worker != null ? ` on ${printable(t.worker)}` : ''
    const why = t.status === 'succeeded' ? (t.durationMs != null ? ` in ${formatMs(t.durationMs)}` : '') : `: ${printable(t.error ?? '')}`
    out.say(`${MARK[t.status]} task ${printable(t.id)} ${t.status}${t.status === 'succeeded' || t.status === 'failed' ? where : ''}${why}`)
  })
  return skills
}

/** Events logged as they are, at debug level; the chattiest ones at trace. */
const TRACE = new Set<keyof NetworkEvents>(['progress', 'journal:written', 'worker:status'])

/**
 * The admin's log: alerts and bans at warn, resolved alerts at info, every event at debug (trace for
 * the chattiest), so `--log-level debug --log-format json` is a full machine-readable trace.
 */
export function logAdminEvents (source: EventSource, log: Logger): void {
  source.addEventListener('alert:fired', ({ detail: a }) => { log.warn({ alert: a.name, subject: a.subject, value: a.value, threshold: a.threshold }, `alert ${a.name}: ${printable(a.message)}`) })
  source.addEventListener('alert:resolved', ({ detail: a }) => { log.info({ alert: a.name, subject: a.subject }, `alert ${a.name} resolved${a.subject != null ? ` (${printable(a.subject)})` : ''}`) })
  source.addEventListener('peer:banned', ({ detail: b }) => { log.warn({ peerId: b.peerId, until: new Date(b.until).toISOString() }, `banned ${b.peerId}: ${printable(b.reason)}`) })
  source.addEventListener('worker:quarantined', ({ detail: w }) => { log.warn({ peerId: w.id, worker: w.name, until: new Date(w.until).toISOString() }, `quarantined worker ${printable(w.name)} for ${formatMs(Math.max(0, w.until - Date.now()))} (until ${formatTime(w.until)}): ${printable(w.reason)}`) })
  source.addEventListener('error', ({ detail: err }) => { log.error({ err }, err.message) })
  if (!log.isLevelEnabled('debug')) return
  for (const name of NETWORK_EVENT_NAMES) {
    if (name === 'error') continue
    const level = TRACE.has(name) ? 'trace' : 'debug'
    source.addEventListener(name, (evt: CustomEvent) => { log[level]({ event: name, detail: evt.detail }, name) })
  }
}

/** The final table, or one JSON `summary` event. */
export function printSummary (out: Output, summary: RunSummary, skills: Map<string, number>, extra: Record<string, unknown> = {}): void {
  out.stopProgress()
  out.event('summary', {
    total: summary.total,
    succeeded: summary.succeeded,
    failed: summary.failed,
    skipped: summary.skipped,
    cancelled: summary.cancelled,
    ...extra,
    tasks: summary.tasks.map(t => ({ id: t.id, status: t.status, worker: t.worker ?? null, attempts: t.attempts, ...(t.error != null ? { error: t.error } : {}) }))
  })
  out.say('')
  out.table(summary.tasks, [
    { header: 'task', value: t => t.id },
    { header: 'description', value: t => t.description },
    { header: 'difficulty', value: t => t.difficulty, align: 'right' },
    { header: 'worker', value: t => t.worker ?? '-' },
    { header: 'skill', value: t => t.worker != null ? skills.get(t.worker) : '', align: 'right' },
    { header: 'result', value: t => t.status === 'succeeded' ? `${MARK[t.status]} succeeded` : `${MARK[t.status]} ${t.status}: ${t.error ?? ''}`.slice(0, 60) },
    { header: 'attempts', value: t => t.attempts, align: 'right' },
    { header: 'time', value: t => formatMs(t.durationMs), align: 'right' }
  ])
  const parts = [`${summary.succeeded} succeeded`, `${summary.failed} failed`]
  if (summary.skipped > 0) parts.push(`${summary.skipped} skipped`)
  if (summary.cancelled > 0) parts.push(`${summary.cancelled} cancelled`)
  out.say(`${count(summary.total, 'task')}: ${parts.join(', ')}`)
}

/** The workers table of `taskmesh status` and `taskmesh workers`. */
export function printWorkers (out: Output, workers: readonly WorkerInfo[]): void {
  out.table(workers, [
    { header: 'worker', value: w => w.name },
    { header: 'skill', value: w => w.skill, align: 'right' },
    { header: 'capabilities', value: w => w.capabilities.join(', ') },
    { header: 'running', value: w => `${w.running}/${w.capacity}`, align: 'right' },
    { header: 'done', value: w => w.completed, align: 'right' },
    { header: 'failed', value: w => w.failed, align: 'right' },
    { header: 'success', value: w => w.successRate != null ? `${Math.round(w.successRate * 100)}%` : '', align: 'right' },
    { header: 'state', value: workerState },
    { header: 'via', value: w => (w as { pulling?: true }).pulling === true ? 'pull' : w.via ?? '' },
    { header: 'priority', value: w => w.priority, align: 'right' },
    { header: 'resources held/offered', value: w => resourceUse(w) },
    { header: 'cpu', value: w => w.cpu != null ? `${Math.round(w.cpu * 100)}%` : '', align: 'right' },
    { header: 'memory', value: w => w.memoryBytes != null ? formatBytes(w.memoryBytes) : '', align: 'right' }
  ])
}

export function workerState (w: WorkerInfo): string {
  return !w.online ? 'offline' : w.draining ? 'draining' : w.busy ? 'busy' : 'online'
}

/** `cpu 2/8, memory 4 GiB/32 GiB`: what its running attempts hold of what it offers. */
export function resourceUse (w: WorkerInfo): string {
  const offered = w.resources ?? {}
  return Object.keys(offered).sort().map(name => `${name} ${formatAmount(name, w.resourcesHeld[name] ?? 0)}/${formatAmount(name, offered[name]!)}`).join(', ')
}
