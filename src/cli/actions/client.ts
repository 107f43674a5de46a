import { AdminClient } from '../../client/admin-client.js'
import { isFinal, type FinalState, type TaskState } from '../../core/task.js'
import { loadOrCreateKey } from '../../node/identity.js'
import { loadTaskDocument } from '../../tasks/load.js'
import { scheduleInput } from '../../tasks/schedules.js'
import { UsageError, EXIT_FAILED, EXIT_OK } from '../exit-codes.js'
import { count as plural, formatMs, formatTime, Output } from '../output.js'
import { readSwarmKey } from '../option-files.js'
import { printWorkers } from '../report.js'
import { printable } from '../../util/printable.js'
import { pauseScope, scopeText } from '../../core/pauses.js'
import type { TaskView } from '../../admin/api.js'

export interface ClientOptions {
  admin?: string[]
  key?: string
  swarmKey?: string
  timeout: number
  json?: boolean
}

export async function connect (opts: ClientOptions): Promise<AdminClient> {
  if (opts.admin == null || opts.admin.length === 0) throw new UsageError('give the admin\'s address with --admin')
  return AdminClient.connect(opts.admin, {
    timeoutMs: opts.timeout * 1000,
    ...(opts.key != null ? { privateKey: (await loadOrCreateKey(opts.key)).privateKey } : {}),
    ...(opts.swarmKey != null ? { swarmKey: await readSwarmKey(opts.swarmKey) } : {})
  })
}

export async function withClient<T> (opts: ClientOptions, fn: (client: AdminClient, out: Output) => Promise<T>): Promise<T> {
  const out = new Output({ json: opts.json === true })
  const client = await connect(opts)
  try {
    return await fn(client, out)
  } finally {
    await client.close()
  }
}

/**
 * `promise`, or the reason the connection to the admin ended first: a wait for events (`--wait`) must not
 * outlive the connection that would bring them.
 */
export async function whileConnected<T> (client: AdminClient, promise: Promise<T>): Promise<T> {
  const { signal } = client
  const lostError = (): Error => new Error(`lost the admin: ${(signal.reason as Error | undefined)?.message ?? 'the connection ended'}`, { cause: signal.reason })
  if (signal.aborted) throw lostError()
  let onAbort = (): void => {}
  const lost = new Promise<never>((_resolve, reject) => {
    onAbort = () => { reject(lostError()) }
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([promise, lost])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

export async function runSubmit (opts: ClientOptions & { tasks: string, wait?: boolean }): Promise<void> {
  // dependencies on tasks the admin already holds are checked there
  const { tasks: specs, schedules } = await loadTaskDocument(opts.tasks, { isKnown: () => true })
  await withClient(opts, async (client, out) => {
    const ids = new Set(specs.map(s => s.id))
    const finished = new Set<string>()
    let wake = (): void => {}
    if (opts.wait === true) {
      // watching starts before submitting, so no completion can slip by
      client.watch(e => {
        if (e.event !== 'task:completed' || !ids.has(e.detail.id) || finished.has(e.detail.id)) return
        finished.add(e.detail.id)
        out.event('task:completed', { ...e.detail })
        out.progress(finished.size, ids.size, `${e.detail.id} ${e.detail.status}`)
        wake()
      })
    }
    const { added, existing, deduplicated = [], debounced = [], schedules: scheduled = [] } = await client.submit(schedules.length > 0 ? { tasks: specs, schedules: schedules.map(scheduleInput) } : specs)
    out.event('submitted', { added, existing, ...(deduplicated.length > 0 ? { deduplicated, debounced } : {}), ...(scheduled.length > 0 ? { schedules: scheduled } : {}) })
    if (scheduled.length > 0) out.say(`scheduled ${printable(scheduled.join(', '))}: see \`taskmesh schedules\``)
    out.say(`submitted ${plural(added.length, 'task')}${existing.length > 0 ? `; ${existing.length} ${existing.length === 1 ? 'was' : 'were'} already there (${printable(existing.slice(0, 5).join(', '))}${existing.length > 5 ? ', ...' : ''})` : ''}`)
    // held dedup keys: the tasks holding them answer for these (and are what --wait waits for)
    for (const d of deduplicated) {
      out.say(`${printable(d.id)}: its dedup key is held by task ${printable(d.task)}${debounced.includes(d.id) ? ', whose payload it replaced' : ''}`)
      ids.delete(d.id)
      ids.add(d.task)
    }
    if (opts.wait !== true) return
    out.startProgress(ids.size)
    for (const id of ids) {
      if (!finished.has(id) && isFinal((await client.task(id)).state)) finished.add(id)
    }
    while (finished.size < ids.size) await whileConnected(client, new Promise<void>(resolve => { wake = resolve }))
    const views = await Promise.all([...ids].map(id => client.task(id)))
    printTaskSummary(out, views)
    process.exitCode = views.every(v => v.state === 'succeeded') ? EXIT_OK : EXIT_FAILED
  })
}

export async function runStatus (opts: ClientOptions): Promise<void> {
  await withClient(opts, async (client, out) => {
    const [summary, workers] = await Promise.all([client.summary(), client.workers()])
    out.event('status', { summary, workers })
    const c = summary.counts
    // all of it from the admin, a peer like any other: escaped
    out.say(`admin ${printable(summary.peerId)} (network "${printable(summary.network)}", strategy ${printable(summary.strategy)})${summary.leader != null ? `; replica ${printable(summary.leader.replica)} leads (epoch ${summary.leader.epoch})` : ''}`)
    const pause = summary.journalPaused
    if (pause != null) out.say(`! its journal waits for the database since ${formatTime(pause.since)}: ${printable(pause.reason)}${pause.leadInDoubt ? ' (the lead is in doubt)' : ''}`)
    out.say(`${plural(summary.total, 'task')}, ${Math.round(summary.progress * 100)}% final: ${c.succeeded} succeeded, ${c.failed} failed, ${c.skipped} skipped, ${c.cancelled} cancelled, ${c.running} running, ${c.ready} ready, ${c.delayed} delayed, ${c.waiting} waiting on dependencies`)
    const kept = summary.retention
    if (kept != null) out.say(`finished tasks kept ${[kept.finishedMs != null ? formatMs(kept.finishedMs) : undefined, kept.finishedCount != null ? `the newest ${plural(kept.finishedCount, 'task')}` : undefined].filter(Boolean).join(', ') || 'until purged'}; ${plural(kept.dropped, 'task')} dropped`)
    for (const p of summary.paused) out.say(`! paused: ${printable(scopeText(p.scope))}${p.reason != null ? ` (${printable(p.reason)})` : ''}`)
    for (const { reason, tasks } of summary.blocked) out.say(`! ${tasks} ${tasks === 1 ? 'task waits' : 'tasks wait'}: ${printable(reason)}`)
    out.say('')
    printWorkers(out, workers)
  })
}

export async function runCancel (id: string, opts: ClientOptions & { reason?: string }): Promise<void> {
  await withClient(opts, async (client, out) => {
    const { cancelled } = await client.cancel(id, opts.reason)
    out.event('cancelled', { id, cancelled })
    out.say(`task ${id} cancelled`)
  })
}

export async function runPause (opts: ClientOptions & { type?: string, group?: string, reason?: string }): Promise<void> {
  await withClient(opts, async (client, out) => {
    const { paused } = await client.pause(opts.type, opts.reason, opts.group)
    out.event('paused', { paused })
    const again = opts.group != null ? ` --group ${printable(opts.group)}` : opts.type != null ? ` --type ${printable(opts.type)}` : ''
    out.say(`${printable(scopeText(pauseScope(opts.type, opts.group)))}: nothing new starts until \`taskmesh resume${again}\`; running tasks finish`)
  })
}

export async function runResume (opts: ClientOptions & { type?: string, group?: string }): Promise<void> {
  await withClient(opts, async (client, out) => {
    const { paused } = await client.resume(opts.type, opts.group)
    out.event('resumed', { paused })
    out.say(`${printable(scopeText(pauseScope(opts.type, opts.group)))} may start again${paused.length > 0 ? `; still paused: ${printable(paused.map(p => scopeText(p.scope)).join(', '))}` : ''}`)
  })
}

/** `taskmesh purge`: which finished tasks to drop; --older-than or --keep is required. */
export interface PurgeOptions {
  state?: FinalState
  olderThan?: number
  keep?: number
}

export async function runPurge (opts: ClientOptions & PurgeOptions): Promise<void> {
  if (opts.olderThan == null && opts.keep == null) throw new UsageError('say which finished tasks to drop: --older-than DURATION (0 for all of them) or --keep N (the newest N stay)')
  await withClient(opts, async (client, out) => {
    const { purged } = await client.purge({ ...(opts.state != null ? { state: opts.state } : {}), ...(opts.olderThan != null ? { olderThan: opts.olderThan / 1000 } : {}), ...(opts.keep != null ? { keep: opts.keep } : {}) })
    out.event('purged', { purged })
    out.say(`purged ${plural(purged, `${opts.state ?? 'finished'} task`)}`)
  })
}

export async function runRetry (id: string, opts: ClientOptions): Promise<void> {
  await withClient(opts, async (client, out) => {
    await client.retry(id)
    out.event('retried', { id })
    out.say(`task ${id} is back in the queue (its skipped dependents too)`)
  })
}

function printTaskSummary (out: Output, views: TaskView[]): void {
  out.stopProgress()
  const count = (s: TaskState): number => views.filter(v => v.state === s).length
  out.event('summary', {
    total: views.length,
    succeeded: count('succeeded'),
    failed: count('failed'),
    skipped: count('skipped'),
    cancelled: count('cancelled'),
    tasks: views.map(v => ({ id: v.id, status: v.state, worker: v.worker ?? null, attempts: v.attempts, ...(v.error != null ? { error: v.error } : {}) }))
  })
  out.table(views, [
    { header: 'task', value: v => v.id },
    { header: 'state', value: v => v.state },
    { header: 'worker', value: v => v.worker },
    { header: 'attempts', value: v => v.attempts, align: 'right' },
    { header: 'error', value: v => v.error?.slice(0, 60) }
  ])
  out.say(`${plural(views.length, 'task')}: ${count('succeeded')} succeeded, ${count('failed')} failed${count('skipped') > 0 ? `, ${count('skipped')} skipped` : ''}${count('cancelled') > 0 ? `, ${count('cancelled')} cancelled` : ''}`)
}
