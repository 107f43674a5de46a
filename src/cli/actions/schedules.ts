import { UsageError } from '../exit-codes.js'
import { formatMs, formatTime, type Output } from '../output.js'
import { printable } from '../../util/printable.js'
import { loadTaskDocument } from '../../tasks/load.js'
import { scheduleInput } from '../../tasks/schedules.js'
import { withClient, type ClientOptions } from './client.js'
import type { ScheduleView } from '../../core/schedules.js'

export interface AddOptions extends ClientOptions {
  file?: string
  cron?: string
  timezone?: string
  every?: number
  task?: string
  catchUp?: 'none' | 'last'
}

export async function runList (opts: ClientOptions): Promise<void> {
  await withClient(opts, async (client, out) => {
    const schedules = await client.schedules()
    out.event('schedules', { schedules })
    printSchedules(out, schedules)
    out.say(`${schedules.length} ${schedules.length === 1 ? 'schedule' : 'schedules'}${schedules.some(s => s.paused) ? `, ${schedules.filter(s => s.paused).length} paused` : ''}`)
  })
}

/** A schedule from the command line, or a task file's schedules: checked here, then added all or none. */
export async function runAdd (name: string | undefined, opts: AddOptions): Promise<void> {
  let schedules: unknown
  if (opts.file != null) {
    if (name != null || opts.cron != null || opts.every != null || opts.task != null) throw new UsageError('give --file, or a name with --cron or --every and --task, not both')
    const document = await loadTaskDocument(opts.file, { isKnown: () => true })
    if (document.schedules.length === 0) throw new UsageError(`${opts.file} has no "schedules" section: give its tasks to taskmesh submit`)
    schedules = document.schedules.map(scheduleInput)
  } else {
    if (name == null) throw new UsageError('name the schedule (taskmesh schedules add NAME --every 60 --task \'{"type": "report"}\'), or give --file')
    if (opts.task == null) throw new UsageError('give --task: the task each firing submits, as JSON, such as \'{"type": "report"}\'')
    let task: unknown
    try {
      task = JSON.parse(opts.task)
    } catch (err) {
      throw new UsageError(`--task is not JSON: ${(err as Error).message}`)
    }
    schedules = { name, task, ...(opts.cron != null ? { cron: opts.cron } : {}), ...(opts.timezone != null ? { timezone: opts.timezone } : {}), ...(opts.every != null ? { every: opts.every } : {}), ...(opts.catchUp != null ? { catch_up: opts.catchUp } : {}) }
  }
  await withClient(opts, async (client, out) => {
    const added = await client.addSchedules(schedules)
    out.event('schedules:added', added)
    for (const s of added.schedules) out.say(`schedule ${printable(s.name)}: ${when(s)}; next ${next(s)}`)
  })
}

export async function runPause (name: string, paused: boolean, opts: ClientOptions): Promise<void> {
  await withClient(opts, async (client, out) => {
    const s = paused ? await client.pauseSchedule(name) : await client.resumeSchedule(name)
    out.event(paused ? 'schedule:paused' : 'schedule:resumed', { schedule: s })
    out.say(paused ? `schedule ${printable(s.name)} paused: its slots pass without a task until \`taskmesh schedules resume ${printable(s.name)}\`` : `schedule ${printable(s.name)} resumed; next ${next(s)}`)
  })
}

export async function runRemove (name: string, opts: ClientOptions): Promise<void> {
  await withClient(opts, async (client, out) => {
    const { removed } = await client.removeSchedule(name)
    out.event('schedule:removed', { name: removed })
    out.say(`schedule ${printable(removed)} removed; the tasks it submitted stay`)
  })
}

function printSchedules (out: Output, schedules: readonly ScheduleView[]): void {
  out.table(schedules, [
    { header: 'schedule', value: s => s.name },
    { header: 'when', value: when },
    { header: 'task type', value: s => s.task.type },
    { header: 'next', value: next },
    { header: 'last task', value: s => s.lastTask ?? '' },
    { header: 'catch up', value: s => s.catchUp ?? 'none' },
    { header: 'problem', value: s => s.lastError ?? '', wrap: 60 }
  ])
}

function when (s: ScheduleView): string {
  return s.cron != null ? `cron ${s.cron}${s.timezone != null ? ` (${s.timezone})` : ' (UTC)'}` : `every ${formatMs(s.everyMs)}`
}

function next (s: ScheduleView): string {
  return s.paused ? 'paused' : s.nextAt != null ? formatTime(s.nextAt) : 'never'
}
