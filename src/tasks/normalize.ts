import { checkGraph, type GraphCheckOptions } from '../core/graph.js'
import { ValidationError, type Problem } from '../errors.js'
import { isRecord } from '../util/records.js'
import { expandCollaborative, type Source } from './collaborative.js'
import { depsFieldOf, read } from './fields.js'
import { ALIASES, COLLABORATIVE } from './formats.js'
import { readTask } from './read-task.js'
import { readSchedules } from './schedules.js'
import type { TaskSpec } from '../core/task.js'
import type { ScheduleSpec } from '../core/schedules.js'

export { LIMITS } from './constants.js'
export type { TaskInput } from './formats.js'

export interface NormalizeResult {
  specs: TaskSpec[]
  problems: Problem[]
  /** Where each spec came from in the input, for messages about the graph (see {@link graphPaths}). */
  sources: Source[]
  /** The document's recurring tasks (`schedules`), when it has them. */
  schedules: ScheduleSpec[]
}

/**
 * Turns task input (a list, `{ tasks: [...] }`, or one task) into task specs, checking every field and the
 * dependency graph. All problems are returned together, each with its path; `specs` is only meaningful
 * when there are none.
 */
export interface NormalizeOptions {
  /** Ids that exist already (on the admin): new tasks may depend on them. */
  isKnown?: (id: string) => boolean
  /**
   * Check the dependency graph too. An admin leaves it to its scheduler, which checks it against the tasks
   * it holds, once. @default true
   */
  checkGraph?: boolean
}

export function normalizeTasks (input: unknown, options: NormalizeOptions = {}): NormalizeResult {
  const problems: Problem[] = []
  const specs: TaskSpec[] = []
  const sources: Source[] = []
  let schedules: ScheduleSpec[] = []
  /** Collaborative task ids, and the final steps each stands for. */
  const groups = new Map<string, { path: string, steps: string[] }>()
  let list: unknown[]
  if (Array.isArray(input)) {
    list = input
  } else if (isRecord(input) && (Array.isArray(input.tasks) || input.schedules !== undefined)) {
    list = input.tasks === undefined ? [] : Array.isArray(input.tasks) ? input.tasks : []
    if (input.tasks !== undefined && !Array.isArray(input.tasks)) problems.push({ path: 'tasks', message: 'must be a list of tasks' })
    if (input.schedules !== undefined) schedules = readSchedules(input.schedules, problems)
    for (const key of Object.keys(input)) if (key !== 'tasks' && key !== 'schedules') problems.push({ path: key, message: 'unknown top-level field (expected "tasks" and "schedules")' })
  } else if (isRecord(input)) {
    list = [input]
  } else {
    return { specs, sources, schedules, problems: [{ path: '', message: 'expected a list of tasks, or an object with a "tasks" list' }] }
  }
  if (list.length === 0 && schedules.length === 0 && problems.length === 0) problems.push({ path: 'tasks', message: 'no tasks' })

  list.forEach((raw, i) => {
    const path = `tasks[${i}]`
    if (!isRecord(raw)) {
      problems.push({ path, message: 'must be an object' })
      return
    }
    if (raw.type === COLLABORATIVE || read(raw, ALIASES.steps) !== undefined) {
      expandCollaborative(raw, path, { specs, sources, problems, groups })
    } else {
      const spec = readTask(raw, path, problems)
      if (spec != null) {
        specs.push(spec)
        sources.push({ path, depsField: depsFieldOf(raw) })
      }
    }
  })

  for (const [id, group] of groups) {
    if (specs.some(s => s.id === id)) problems.push({ path: `${group.path}.task_id`, message: `duplicate id "${id}": a collaborative task and a task share it` })
  }
  for (const spec of specs) {
    if (spec.dependsOn.some(d => groups.has(d))) spec.dependsOn = [...new Set(spec.dependsOn.flatMap(d => groups.get(d)?.steps ?? [d]))]
  }
  if (options.checkGraph !== false) {
    problems.push(...checkGraph(specs, { ...(options.isKnown != null ? { isKnown: options.isKnown } : {}), ...graphPaths(sources) }))
  }
  return { specs, problems, sources, schedules }
}

/** How the graph's problems name a task and its dependency field: as the input wrote them. */
export function graphPaths (sources: readonly Source[]): Pick<GraphCheckOptions, 'pathOf' | 'dependsOnField'> {
  return {
    pathOf: i => sources[i]?.path ?? `tasks[${i}]`,
    dependsOnField: i => sources[i]?.depsField ?? 'depends_on'
  }
}

/** Marks a list of specs this module found valid (see {@link ValidTasks}). */
const VALID: unique symbol = Symbol('taskmesh.validTasks')
/** Marks valid specs whose graph was checked closed: every dependency among themselves. */
const CLOSED: unique symbol = Symbol('taskmesh.closedGraph')

/**
 * Task specs that passed validation as a whole, frozen so nothing can be added or replaced afterwards: what
 * takes tasks (a task manager, the admin service) uses them as they are instead of checking them again.
 */
export type ValidTasks = readonly TaskSpec[] & { readonly [VALID]: true }

export function isValidTasks (input: unknown): input is ValidTasks {
  return Array.isArray(input) && (input as Partial<ValidTasks>)[VALID] === true && Object.isFrozen(input)
}

/**
 * Valid tasks checked as a graph of their own: no duplicate ids, no cycles, and every dependency among them.
 * Whoever holds other tasks finds the same (a dependency on its tasks is never needed), so it need not
 * build the graph again.
 */
export function isClosedGraph (input: readonly TaskSpec[]): boolean {
  return isValidTasks(input) && (input as { [CLOSED]?: true })[CLOSED] === true
}

/** Task specs from input in any accepted format; throws a ValidationError listing every problem. */
export function toTaskSpecs (input: unknown, options: NormalizeOptions & { subject?: string } = {}): ValidTasks {
  if (isValidTasks(input) && options.isKnown == null) return input
  const { specs, problems } = normalizeTasks(input, options)
  if (problems.length > 0) throw new ValidationError(problems, { subject: options.subject ?? 'tasks' })
  return validated(specs, closedBy(options))
}

/** Whether `normalizeTasks` with these options checks a closed graph. */
export function closedBy (options: NormalizeOptions): boolean {
  return options.isKnown == null && options.checkGraph !== false
}

/**
 * Seals a list of specs that passed `normalizeTasks` with no problems: the list and each spec are frozen
 * (what was checked stays so). `closed` when the graph was checked with no outside ids (see {@link isClosedGraph}).
 */
export function validated (specs: TaskSpec[], closed: boolean): ValidTasks {
  for (const spec of specs) {
    Object.freeze(spec.dependsOn)
    Object.freeze(spec)
  }
  Object.defineProperty(specs, VALID, { value: true })
  if (closed) Object.defineProperty(specs, CLOSED, { value: true })
  return Object.freeze(specs) as unknown as ValidTasks
}
