import { isRecord } from '../util/records.js'
import { depsFieldOf, read, readId, readStringList, checkFields } from './fields.js'
import { ALIASES } from './formats.js'
import { readTask } from './read-task.js'
import type { TaskSpec } from '../core/task.js'
import type { Problem } from '../errors.js'

/** Where a task came from in the input, for messages. */
export interface Source {
  path: string
  /** Field name the task used for its dependencies, for messages. */
  depsField: string
}

/**
 * A collaborative task becomes its steps. Each step depends on the steps of the stage before it; a step
 * marked `parallel: true` joins the current stage instead of starting a new one; explicit `depends_on`
 * inside a step replaces the implicit order. Other tasks may depend on the collaborative task's id: that
 * stands for all its steps that no other step depends on.
 */
export interface Expansion {
  specs: TaskSpec[]
  sources: Source[]
  problems: Problem[]
  groups: Map<string, { path: string, steps: string[] }>
}

export function expandCollaborative (raw: Record<string, unknown>, path: string, { specs, sources, problems, groups }: Expansion): void {
  const parentId = readId(raw, path, problems)
  const steps = read(raw, ALIASES.steps)
  if (!Array.isArray(steps) || steps.length === 0) {
    problems.push({ path: `${path}.steps`, message: 'a collaborative task needs a non-empty list of steps' })
    return
  }
  checkFields(raw, path, problems)
  // the parent's settings are defaults for its steps
  const inherited: Record<string, unknown> = {}
  for (const name of ['priority', 'timeout', 'timeout_ms', 'timeoutMs', 'retry_policy', 'retryPolicy', 'requires', 'required_capabilities', 'agent', 'worker', 'strategy']) {
    if (raw[name] !== undefined) inherited[name] = raw[name]
  }
  const parentDeps = readStringList(raw, ALIASES.dependsOn, `${path}.${depsFieldOf(raw)}`, problems)
  let stage: string[] = []
  let stageDeps: string[] = parentDeps
  const stepIds: string[] = []
  const dependedOn = new Set<string>()

  steps.forEach((rawStep, j) => {
    const stepPath = `${path}.steps[${j}]`
    if (!isRecord(rawStep)) {
      problems.push({ path: stepPath, message: 'must be an object' })
      return
    }
    const step: Record<string, unknown> = { ...inherited, ...rawStep }
    if (read(step, ALIASES.id) === undefined && parentId != null) step.task_id = `${parentId}.step${j + 1}`
    const parallel = read(rawStep, ALIASES.parallel)
    if (parallel !== undefined && typeof parallel !== 'boolean') problems.push({ path: `${stepPath}.parallel`, message: 'must be true or false' })
    if (parallel !== true || j === 0) {
      if (j > 0) stageDeps = stage
      stage = []
    }
    const explicit = read(rawStep, ALIASES.dependsOn) !== undefined
    const spec = readTask(step, stepPath, problems)
    if (spec == null) return
    if (!explicit) spec.dependsOn = [...stageDeps]
    stage.push(spec.id)
    stepIds.push(spec.id)
    for (const d of spec.dependsOn) dependedOn.add(d)
    specs.push(spec)
    sources.push({ path: stepPath, depsField: depsFieldOf(rawStep) })
  })
  if (parentId != null) groups.set(parentId, { path, steps: stepIds.filter(id => !dependedOn.has(id)) })
}
