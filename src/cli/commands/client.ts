import { Command } from 'commander'
import { AdminClient } from '../../client/admin-client.js'
import { isFinal, type TaskState } from '../../core/task.js'
import { loadOrCreateKey } from '../../node/identity.js'
import { loadTaskFile } from '../../tasks/load.js'
import { UsageError, EXIT_FAILED, EXIT_OK } from '../exit-codes.js'
import { collect, number } from '../options.js'
import { count as plural, formatTime, Output } from '../output.js'
import { readSwarmKey } from './admin.js'
import { printWorkers } from '../report.js'
import type { TaskView } from '../../admin/api.js'
import { printable } from '../../util/printable.js'
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
        out.say(`${plural(summary.total, 'task')}, ${Math.round(summary.progress * 100)}% final: ${c.succeeded} succeeded, ${c.failed} failed, ${c.skipped} skipped, ${c.cancelled} cancelled, ${c.running} running, ${c.ready} ready, ${c.delayed} delayed, ${c.waiting} waiting on dependencies`)
        for (const { reason, tasks } of summary.blocked) out.say(`! ${tasks} ${tasks === 1 ? 'task waits' : 'tasks wait'}: ${printable(reason)}`)
        out.say('')
        printWorkers(out, workers)
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

  return [submit, status, cancel, retry]
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
