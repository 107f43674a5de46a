import { taskView, type TaskRow, type TaskView } from '../../admin/task-views.js'
import { isFinal, type JsonValue, type TaskState } from '../../core/task.js'
import { JournalInUseError } from '../../errors.js'
import { taskInDatabase, taskInDataDir, type TaskRecordView } from '../../store/history.js'
import { printable } from '../../util/printable.js'
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js'
import { count, formatMs, formatTime, Output } from '../output.js'
import { OUTPUT_PREVIEW_CHARS, REASON_WRAP } from '../constants.js'
import { whileConnected, withClient } from './client.js'
import type { AdminClient } from '../../client/admin-client.js'
import type { ClientOptions } from './client.js'

export type ResultOptions = ClientOptions & JournalOptions & { wait?: boolean }

export type TasksOptions = ClientOptions & { state?: TaskState | 'final', offset: number, limit: number, output?: boolean, search?: string }

export interface JournalOptions {
  dataDir?: string
  databaseUrl?: string
}

export async function runTasks (opts: TasksOptions): Promise<void> {
  await withClient(opts, async (client, out) => {
    const page = await client.tasks({ ...(opts.state != null ? { state: opts.state } : {}), offset: opts.offset, limit: opts.limit, ...(opts.output === true ? { output: true } : {}), ...(opts.search != null ? { search: opts.search } : {}) })
    // outputs too large to share one answer come one by one (one request at a time: an admin answers a
    // client that asks for more than it reads by letting it go), for a script that wants them whole
    if (opts.output === true && out.json) {
      const rows: TaskRow[] = []
      for (const t of page.tasks) rows.push(await whole(client, t))
      page.tasks = rows
    }
    out.event('tasks', page)
    out.table(page.tasks, [
      { header: 'task', value: t => t.id },
      { header: 'state', value: t => t.state },
      { header: 'priority', value: t => t.priority, align: 'right' },
      { header: 'difficulty', value: t => t.difficulty, align: 'right' },
      { header: 'worker', value: t => t.worker },
      { header: 'attempts', value: t => t.attempts, align: 'right' },
      ...(opts.output === true ? [{ header: 'output', value: (t: TaskRow) => t.outputLeftOut === true ? `(${t.outputBytes != null ? count(t.outputBytes, 'byte') : 'left out'}: taskmesh result ${t.id})` : preview(t.output) }] : []),
      { header: 'error or why it waits', value: t => t.error ?? t.waitingFor, wrap: REASON_WRAP }
    ])
    out.say(`${page.tasks.length} of ${page.total}${opts.state != null ? ` ${opts.state}` : ''} tasks${page.offset > 0 ? ` from ${page.offset}` : ''}`)
  })
}

export async function runHistory (id: string, opts: ClientOptions & JournalOptions): Promise<void> {
  const out = new Output({ json: opts.json === true })
  const task = await readTask(id, opts)
  out.event('history', { id, state: task.state, entries: task.history, ...(task.output !== undefined ? { output: task.output } : {}), ...(task.error != null ? { error: task.error } : {}) })
  const start = task.history[0]?.at ?? 0
  out.table(task.history, [
    { header: 'when', value: e => formatTime(e.at) },
    { header: '+', value: e => e.at === start ? '' : `+${formatMs(e.at - start)}`, align: 'right' },
    { header: 'event', value: e => e.event },
    { header: 'attempt', value: e => e.attempt, align: 'right' },
    { header: 'worker', value: e => e.worker ?? e.workerId },
    { header: 'detail', value: e => [e.error, e.detail, e.durationMs != null ? `took ${formatMs(e.durationMs)}` : undefined].filter(Boolean).join('; '), wrap: REASON_WRAP }
  ])
  out.say(printable(standing(task)))
  if (task.output !== undefined) out.say(`output: ${printable(preview(task.output))}${JSON.stringify(task.output).length > OUTPUT_PREVIEW_CHARS ? ` (all of it: taskmesh result ${printable(id)})` : ''}`)
}

export async function runResult (id: string, opts: ResultOptions): Promise<void> {
  if (opts.wait === true && opts.admin == null) throw new UsageError('--wait needs a running admin: give --admin')
  const out = new Output({ json: opts.json === true })
  const task = opts.wait === true ? await withClient(opts, async client => await finalTask(client, id)) : await readTask(id, opts)
  out.event('result', { id, state: task.state, ...(task.output !== undefined ? { output: task.output } : {}), ...(task.error != null ? { error: task.error } : {}) })
  if (task.state === 'succeeded') {
    if (task.output !== undefined) out.data(typeof task.output === 'string' ? task.output : JSON.stringify(task.output, null, 2))
    process.exitCode = EXIT_OK
    return
  }
  // stdout holds only results: what went wrong is said on stderr
  if (!out.json) process.stderr.write(`${printable(standing(task))}${isFinal(task.state) ? '' : '; --wait waits for it'}\n`)
  process.exitCode = EXIT_FAILED
}

/** The task from wherever the options point: a running admin, a data directory, or a database. */
async function readTask (id: string, opts: ClientOptions & JournalOptions): Promise<TaskView> {
  let record: TaskRecordView
  if (opts.databaseUrl != null) record = await taskInDatabase(opts.databaseUrl, id)
  else if (opts.dataDir != null) record = fromDataDir(opts.dataDir, id)
  else return await withClient(opts, async client => await client.task(id))
  return taskView(record.task, record.history)
}

/** A task from a data directory (the admin must be stopped: it holds the journal). */
function fromDataDir (dataDir: string, id: string): TaskRecordView {
  try {
    return taskInDataDir(dataDir, id)
  } catch (err) {
    if ((err as Error).name === JournalInUseError.name) throw new UsageError(`the admin using ${dataDir} is running: ask it with --admin <its address> instead of --data-dir`)
    throw err
  }
}

/** The task once it is final: watched from before it is read, so its end cannot slip by. */
async function finalTask (client: AdminClient, id: string): Promise<TaskView> {
  let wake = (): void => {}
  const ended = new Promise<void>(resolve => { wake = resolve })
  client.watch(e => { if (e.event === 'task:completed' && e.detail.id === id) wake() })
  const now = await client.task(id)
  if (isFinal(now.state)) return now
  await whileConnected(client, ended)
  return await client.task(id)
}

/** A row whose output was left out of its page, with the output asked for on its own. */
async function whole (client: AdminClient, row: TaskRow): Promise<TaskRow> {
  if (row.outputLeftOut !== true) return row
  const { output } = await client.task(row.id)
  const rest: TaskRow = { ...row }
  delete rest.outputLeftOut
  delete rest.outputBytes
  return output !== undefined ? { ...rest, output } : rest
}

/** How a task stands, in one line: final with its outcome, or where it is now. */
function standing (task: TaskView): string {
  const attempts = count(task.attempts, 'attempt')
  switch (task.state) {
    case 'succeeded': return `task ${task.id} succeeded${task.worker != null ? ` on ${task.worker}` : ''} (${attempts})`
    case 'failed': return `task ${task.id} failed for good after ${attempts}: ${task.error ?? 'no error given'}`
    case 'cancelled': return `task ${task.id} was cancelled: ${task.error ?? 'no reason given'}`
    case 'skipped': return `task ${task.id} was skipped: ${task.error ?? 'a task it depends on did not succeed'}`
    case 'running': return `task ${task.id} is running (attempt ${task.attempts}${task.worker != null ? ` on ${task.worker}` : ''}): no result yet`
    case 'delayed': return task.attempts === 0
      ? `task ${task.id} waits to start${task.retryAt != null ? ` at ${formatTime(task.retryAt)}` : ''} (its run_at or delay): no result yet`
      : `task ${task.id} waits to be retried${task.retryAt != null ? ` at ${formatTime(task.retryAt)}` : ''} (${attempts} so far): no result yet`
    case 'ready': return `task ${task.id} is ready, waiting for a worker${task.waitingFor != null ? ` (${task.waitingFor})` : ''}: no result yet`
    case 'waiting': return `task ${task.id} waits for the tasks it depends on (${task.dependsOn.join(', ')}): no result yet`
  }
}

/** An output shortened for one line: a text as it is, other values as JSON. */
function preview (output: JsonValue | undefined): string {
  if (output === undefined) return ''
  const text = typeof output === 'string' ? output : JSON.stringify(output)
  return text.length > OUTPUT_PREVIEW_CHARS ? `${text.slice(0, OUTPUT_PREVIEW_CHARS - 1)}…` : text
}
