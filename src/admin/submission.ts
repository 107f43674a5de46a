import { checkGraph } from '../core/graph.js'
import { ValidationError } from '../errors.js'
import { MAX_SCHEDULE_PAYLOAD_BYTES } from './constants.js'
import { graphPaths, isClosedGraph, normalizeTasks } from '../tasks/normalize.js'
import type { GraphCheckOptions } from '../core/graph.js'
import type { TaskSpec } from '../core/task.js'
import type { Scheduler } from '../core/scheduler.js'
import type { ScheduleSpec } from '../core/schedules.js'

/** Tasks submitted at run time, read and checked: what the scheduler is given, and how to name them in messages. */
export interface Submission {
  specs: TaskSpec[]
  paths: Pick<GraphCheckOptions, 'pathOf' | 'dependsOnField'>
  /** The document's `schedules`, when it has them. */
  schedules: ScheduleSpec[]
}

/**
 * Reads tasks in any task-file format for a running admin. The graph is left to the scheduler, which checks
 * it once against the tasks it holds, unless the fields already have problems: then every problem is
 * reported at once. Payloads larger than the limit are refused, by path.
 */
export function readSubmission (input: unknown, isKnown: (id: string) => boolean, maxPayloadBytes: number): Submission {
  const { specs, problems, sources, schedules } = normalizeTasks(input, { checkGraph: false })
  const paths = graphPaths(sources)
  if (problems.length > 0) {
    problems.push(...checkGraph(specs, { isKnown, ...paths }))
    throw new ValidationError(problems, { subject: 'tasks' })
  }
  checkPayloads(specs, maxPayloadBytes)
  return { specs, paths, schedules }
}

/** Payloads travel inside one frame: refuse, by path, those larger than the limit. */
export function checkPayloads (tasks: readonly TaskSpec[], max: number, where: { pathOf: (i: number) => string, subject: string, of?: string } = { pathOf: i => `tasks[${i}]`, subject: 'tasks' }): void {
  const problems = tasks.flatMap((t, i) => {
    if (t.payload === undefined) return []
    const bytes = Buffer.byteLength(JSON.stringify(t.payload))
    return bytes > max ? [{ path: `${where.pathOf(i)}.payload`, message: `is ${bytes} bytes, more than the ${max}-byte limit${where.of ?? ''}; pass a reference (a URL, a path) instead of the data` }] : []
  })
  if (problems.length > 0) throw new ValidationError(problems, { subject: where.subject })
}

/**
 * The tasks and schedules an admin is given at start (`--tasks`), once its journal is read: the schedules are
 * added (or replace those of their names, keeping where their firings stand), the tasks submitted (those
 * held are left alone). Not the tasks when retention has dropped tasks from the journal (`dropped`): one the
 * journal no longer holds may have run already. Returns false when the tasks were left out for that reason.
 */
export function submitGiven (scheduler: Scheduler, tasks: readonly TaskSpec[], schedules: readonly ScheduleSpec[], dropped: boolean, maxPayloadBytes: number, now: number): boolean {
  const leftOut = dropped && tasks.length > 0
  if (tasks.length > 0 && !leftOut) {
    checkPayloads(tasks, maxPayloadBytes)
    // a task file's graph was checked when it was read: not built again for a million tasks
    scheduler.submit(tasks, now, {}, isClosedGraph(tasks))
  }
  if (schedules.length > 0) {
    checkTemplates(schedules, maxPayloadBytes)
    scheduler.putSchedules(schedules, now)
  }
  return !leftOut
}

/** A schedule's task is kept and journaled at every firing: its payload is held to a smaller limit than a task's. */
export function checkTemplates (schedules: readonly ScheduleSpec[], maxPayloadBytes: number): void {
  checkPayloads(schedules.map(s => s.task), Math.min(maxPayloadBytes, MAX_SCHEDULE_PAYLOAD_BYTES), { pathOf: i => `schedules[${i}].task`, subject: 'schedules', of: ' of a schedule\'s task' })
}
