import { Command } from 'commander'
import { AdminClient } from '../../client/admin-client.js'
import { isFinal, TASK_STATES, type TaskState } from '../../core/task.js'
import { loadOrCreateKey } from '../../node/identity.js'
import { JournalInUseError } from '../../errors.js'
import { historyInDatabase, historyInDataDir } from '../../store/history.js'
import { loadTaskFile } from '../../tasks/load.js'
import { UsageError, EXIT_FAILED, EXIT_OK } from '../exit-codes.js'
import { collect, integer, number, oneOf } from '../options.js'
import { count as plural, formatMs, formatTime, Output } from '../output.js'
import { readSwarmKey } from './admin.js'
import { printWorkers } from '../report.js'
import type { TaskView } from '../../admin/api.js'
import type { HistoryEntry } from '../../core/snapshots.js'
import { printable } from '../../util/printable.js'
import { DEFAULT_PAGE, MAX_PAGE } from '../../admin/constants.js'
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../client/constants.js'

export interface ClientOptions {
  admin?: string[]
  key?: string
  swarmKey?: string
  timeout: number
  json?: boolean
}

/** Options every command that talks to a running admin takes. */
export function clientOptions (command: Command, adminRequired = true): Command {
  const admin = '--admin <multiaddr>'
  const description = 'the admin\'s address as it printed it (ending in /p2p/<peerId>); repeat it for the addresses of an admin\'s replicas: the first that answers leads'
  return (adminRequired ? command.requiredOption(admin, description, collect) : command.option(admin, description, collect))
    .option('--key <file>', 'this client\'s identity key (what an admin\'s --allow-clients list names); created if missing')
    .option('--swarm-key <file>', 'private network key, when the admin uses one')
    .option('--timeout <seconds>', 'how long to wait for the admin', number(0), DEFAULT_REQUEST_TIMEOUT_MS / 1000)
    .option('--json', 'one JSON object per line on stdout, each with an "event" field')
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

export function clientCommands (): Command[] {
  const submit = clientOptions(new Command('submit'))
    .description('submit tasks to a running admin')
    .requiredOption('--tasks <file>', 'task file, JSON or YAML (checked here before anything is sent)')
    .option('--wait', 'wait until the submitted tasks are final, showing progress; exit 0 if all succeeded')
    .action(async (opts: ClientOptions & { tasks: string, wait?: boolean }) => {
      // dependencies on tasks the admin already holds are checked there
      const specs = await loadTaskFile(opts.tasks, { isKnown: () => true })
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
        const { added, existing } = await client.submit(specs)
        out.event('submitted', { added, existing })
        out.say(`submitted ${plural(added.length, 'task')}${existing.length > 0 ? `; ${existing.length} ${existing.length === 1 ? 'was' : 'were'} already there (${printable(existing.slice(0, 5).join(', '))}${existing.length > 5 ? ', ...' : ''})` : ''}`)
        if (opts.wait !== true) return
        out.startProgress(ids.size)
        for (const id of ids) {
          if (!finished.has(id) && isFinal((await client.task(id)).state)) finished.add(id)
        }
        while (finished.size < ids.size) await new Promise<void>(resolve => { wake = resolve })
        const views = await Promise.all([...ids].map(id => client.task(id)))
        printTaskSummary(out, views)
        process.exitCode = views.every(v => v.state === 'succeeded') ? EXIT_OK : EXIT_FAILED
      })
    })

  const status = clientOptions(new Command('status'))
    .description('progress and workers of a running admin')
    .action(async (opts: ClientOptions) => {
      await withClient(opts, async (client, out) => {
        const [summary, workers] = await Promise.all([client.summary(), client.workers()])
        out.event('status', { summary, workers })
        const c = summary.counts
        // all of it from the admin, a peer like any other: escaped
        out.say(`admin ${printable(summary.peerId)} (network "${printable(summary.network)}", strategy ${printable(summary.strategy)})${summary.leader != null ? `; replica ${printable(summary.leader.replica)} leads (epoch ${summary.leader.epoch})` : ''}`)
        const pause = summary.journalPaused
        if (pause != null) out.say(`! its journal waits for the database since ${formatTime(pause.since)}: ${printable(pause.reason)}${pause.leadInDoubt ? ' (the lead is in doubt)' : ''}`)
        out.say(`${plural(summary.total, 'task')}, ${Math.round(summary.progress * 100)}% final: ${c.succeeded} succeeded, ${c.failed} failed, ${c.skipped} skipped, ${c.cancelled} cancelled, ${c.running} running, ${c.ready + c.delayed} queued, ${c.waiting} waiting on dependencies`)
        for (const { reason, tasks } of summary.blocked) out.say(`! ${tasks} ${tasks === 1 ? 'task waits' : 'tasks wait'}: ${printable(reason)}`)
        out.say('')
        printWorkers(out, workers)
      })
    })

  const tasks = clientOptions(new Command('tasks'))
    .description('the tasks of a running admin, a page at a time')
    .option('--state <state>', `only tasks in this state: ${TASK_STATES.join(', ')}, or final`, oneOf(...TASK_STATES, 'final'))
    .option('--offset <n>', 'skip this many', integer(0), 0)
    .option('--limit <n>', `show at most this many (up to ${MAX_PAGE}; page with --offset)`, integer(1, MAX_PAGE), DEFAULT_PAGE)
    .action(async (opts: ClientOptions & { state?: TaskState | 'final', offset: number, limit: number }) => {
      await withClient(opts, async (client, out) => {
        const page = await client.tasks({ ...(opts.state != null ? { state: opts.state } : {}), offset: opts.offset, limit: opts.limit })
        out.event('tasks', page)
        out.table(page.tasks, [
          { header: 'task', value: t => t.id },
          { header: 'state', value: t => t.state },
          { header: 'priority', value: t => t.priority, align: 'right' },
          { header: 'difficulty', value: t => t.difficulty, align: 'right' },
          { header: 'worker', value: t => t.worker },
          { header: 'attempts', value: t => t.attempts, align: 'right' },
          { header: 'error or why it waits', value: t => (t.error ?? t.waitingFor)?.slice(0, 70) }
        ])
        out.say(`${page.tasks.length} of ${page.total}${opts.state != null ? ` ${opts.state}` : ''} tasks${page.offset > 0 ? ` from ${page.offset}` : ''}`)
      })
    })

  const cancel = clientOptions(new Command('cancel'))
    .description('cancel a task: a running attempt is aborted, dependents are skipped')
    .argument('<id>', 'task id')
    .option('--reason <text>', 'why, kept in the task\'s history')
    .action(async (id: string, opts: ClientOptions & { reason?: string }) => {
      await withClient(opts, async (client, out) => {
        const { cancelled } = await client.cancel(id, opts.reason)
        out.event('cancelled', { id, cancelled })
        out.say(`task ${id} cancelled`)
      })
    })

  const retry = clientOptions(new Command('retry'))
    .description('put a failed, cancelled or skipped task back, with a fresh retry budget')
    .argument('<id>', 'task id')
    .action(async (id: string, opts: ClientOptions) => {
      await withClient(opts, async (client, out) => {
        await client.retry(id)
        out.event('retried', { id })
        out.say(`task ${id} is back in the queue (its skipped dependents too)`)
      })
    })

  const history = clientOptions(new Command('history'), false)
    .description('everything that happened to a task: assigned to whom and when, outcomes, errors')
    .argument('<id>', 'task id')
    .option('--data-dir <dir>', 'read a stopped admin\'s journal instead of asking a running admin')
    .option('--database-url <url>', 'read the journal in PostgreSQL instead of asking a running admin')
    .action(async (id: string, opts: ClientOptions & { dataDir?: string, databaseUrl?: string }) => {
      const out = new Output({ json: opts.json === true })
      let entries: HistoryEntry[]
      if (opts.databaseUrl != null) {
        entries = await historyInDatabase(opts.databaseUrl, id)
      } else if (opts.dataDir != null) {
        entries = historyFromDataDir(opts.dataDir, id)
      } else {
        entries = await withClient(opts, client => client.history(id))
      }
      out.event('history', { id, entries })
      const start = entries[0]?.at ?? 0
      out.table(entries, [
        { header: 'when', value: e => formatTime(e.at) },
        { header: '+', value: e => e.at === start ? '' : `+${formatMs(e.at - start)}`, align: 'right' },
        { header: 'event', value: e => e.event },
        { header: 'attempt', value: e => e.attempt, align: 'right' },
        { header: 'worker', value: e => e.worker ?? e.workerId },
        { header: 'detail', value: e => [e.error, e.detail, e.durationMs != null ? `took ${formatMs(e.durationMs)}` : undefined].filter(Boolean).join('; ').slice(0, 80) }
      ])
    })

  return [submit, status, tasks, cancel, retry, history]
}

/** A task's history from a data directory (the admin must be stopped: it holds the journal). */
function historyFromDataDir (dataDir: string, id: string): HistoryEntry[] {
  try {
    return historyInDataDir(dataDir, id)
  } catch (err) {
    if ((err as Error).name === JournalInUseError.name) throw new UsageError(`the admin using ${dataDir} is running: ask it with --admin <its address> instead of --data-dir`)
    throw err
  }
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
