import { checkSchedule, type CatchUp, type ScheduleSpec } from '../core/schedules.js'
import { ValidationError, type Problem } from '../errors.js'
import { isRecord } from '../util/records.js'
import { read } from './fields.js'
import { ALIASES } from './formats.js'
import { readTask } from './read-task.js'

/** A schedule's name: it starts every id its firings submit (`NAME@2026-12-05T10:00:00Z`). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/
const FIELDS = ['name', 'cron', 'timezone', 'every', 'catch_up', 'task']

/**
 * The `schedules` of a task document (or a list of schedules, or one): each read into a spec, every field
 * checked, problems with their path (`schedules[2].cron`). A schedule's `task` takes any task field but its
 * id, which each firing derives from the name and the slot.
 */
export function readSchedules (input: unknown, problems: Problem[], base = 'schedules'): ScheduleSpec[] {
  const list = Array.isArray(input) ? input : [input]
  const specs: ScheduleSpec[] = []
  const names = new Map<string, number>()
  list.forEach((raw, i) => {
    const path = Array.isArray(input) ? `${base}[${i}]` : base
    if (!isRecord(raw)) {
      problems.push({ path, message: 'must be an object such as {"name": "tick", "every": 60, "task": {"type": "report"}}' })
      return
    }
    const before = problems.length
    for (const key of Object.keys(raw)) if (!FIELDS.includes(key)) problems.push({ path: `${path}.${key}`, message: `unknown field; a schedule has ${FIELDS.join(', ')}` })
    const name = raw.name
    if (typeof name !== 'string' || !NAME.test(name)) {
      problems.push({ path: `${path}.name`, message: 'missing or not a name: 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit' })
    } else if (names.has(name)) {
      problems.push({ path: `${path}.name`, message: `"${name}" is the name of ${base}[${names.get(name)!}] too: give each schedule its own` })
    } else {
      names.set(name, i)
    }
    const spec: Partial<ScheduleSpec> = { name: name as string }
    if (raw.cron !== undefined) {
      if (typeof raw.cron !== 'string' || raw.cron.length > 200) problems.push({ path: `${path}.cron`, message: 'must be a cron expression such as "0 10 * * *"' })
      else spec.cron = raw.cron
    }
    if (raw.timezone !== undefined) {
      if (typeof raw.timezone !== 'string' || raw.timezone.length > 64) problems.push({ path: `${path}.timezone`, message: 'must be an IANA time zone such as Europe/Paris' })
      else spec.timezone = raw.timezone
    }
    if (raw.every !== undefined) {
      if (typeof raw.every !== 'number' || !Number.isFinite(raw.every)) problems.push({ path: `${path}.every`, message: 'must be a number of seconds' })
      else spec.everyMs = Math.round(raw.every * 1000)
    }
    if (raw.catch_up !== undefined) spec.catchUp = raw.catch_up as CatchUp
    if (!isRecord(raw.task)) {
      problems.push({ path: `${path}.task`, message: 'missing: the task each firing submits, such as {"type": "report"}' })
    } else if (read(raw.task, ALIASES.id) !== undefined) {
      problems.push({ path: `${path}.task.id`, message: 'each firing\'s task id is the schedule\'s name and its slot (tick@2026-12-05T10:00:00Z): leave id out' })
    } else {
      const task = readTask({ ...raw.task, id: 'template' }, `${path}.task`, problems)
      if (task != null) spec.task = task
    }
    // the timing is checked whatever else is wrong: every problem is said at once
    try {
      checkSchedule(spec as ScheduleSpec, path)
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      problems.push(...err.problems)
    }
    if (problems.length === before) specs.push(spec as ScheduleSpec)
  })
  return specs
}

/** A schedule as a task file writes it, from its spec: what a client sends for the admin to read again. */
export function scheduleInput (spec: ScheduleSpec): Record<string, unknown> {
  const { id: _id, ...task } = spec.task
  return {
    name: spec.name,
    ...(spec.cron != null ? { cron: spec.cron } : {}),
    ...(spec.timezone != null ? { timezone: spec.timezone } : {}),
    ...(spec.everyMs != null ? { every: spec.everyMs / 1000 } : {}),
    ...(spec.catchUp != null ? { catch_up: spec.catchUp } : {}),
    task
  }
}
