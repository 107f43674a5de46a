import { checkGraph } from '../core/graph.js'
import { ValidationError } from '../errors.js'
import { graphPaths, normalizeTasks } from '../tasks/normalize.js'
import type { GraphCheckOptions } from '../core/graph.js'
import type { TaskSpec } from '../core/task.js'

/** Tasks submitted at run time, read and checked: what the scheduler is given, and how to name them in messages. */
export interface Submission {
  specs: TaskSpec[]
  paths: Pick<GraphCheckOptions, 'pathOf' | 'dependsOnField'>
}

/**
 * Reads tasks in any task-file format for a running admin. The graph is left to the scheduler, which checks
 * it once against the tasks it holds, unless the fields already have problems: then every problem is
 * reported at once. Payloads larger than the limit are refused, by path.
 */
export function readSubmission (input: unknown, isKnown: (id: string) => boolean, maxPayloadBytes: number): Submission {
  const { specs, problems, sources } = normalizeTasks(input, { checkGraph: false })
  const paths = graphPaths(sources)
  if (problems.length > 0) {
    problems.push(...checkGraph(specs, { isKnown, ...paths }))
    throw new ValidationError(problems, { subject: 'tasks' })
  }
  checkPayloads(specs, maxPayloadBytes)
  return { specs, paths }
}

/** Payloads travel inside one frame: refuse, by path, those larger than the limit. */
export function checkPayloads (tasks: readonly TaskSpec[], max: number): void {
  const problems = tasks.flatMap((t, i) => {
    if (t.payload === undefined) return []
    const bytes = Buffer.byteLength(JSON.stringify(t.payload))
    return bytes > max ? [{ path: `tasks[${i}].payload`, message: `is ${bytes} bytes, more than the ${max}-byte limit; pass a reference (a URL, a path) instead of the data` }] : []
  })
  if (problems.length > 0) throw new ValidationError(problems, { subject: 'tasks' })
}
