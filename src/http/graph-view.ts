import { DEFAULT_GRAPH_TASKS, MAX_GRAPH_SCAN, MAX_GRAPH_TASKS } from './constants.js'
import type { SchedulerView } from '../core/view.js'
import type { TaskState } from '../core/task.js'
import type { TaskSnapshot } from '../core/snapshots.js'

export interface GraphView {
  /** The task drawn with its neighbours only, when asked for one. */
  around?: string
  nodes: Array<{ id: string, label: string, state: TaskState, worker?: string }>
  edges: Array<{ from: string, to: string }>
  /** More tasks exist than were drawn. */
  truncated: boolean
}

/**
 * The dependency graph with each task's state, for drawing: the first `limit` tasks in submission order,
 * or, `around` a task, that task with what it depends on and what depends on it (up to `limit` of them).
 */
export function graphView (view: SchedulerView, limit: number, around?: string): GraphView {
  const max = Number.isInteger(limit) && limit > 0 ? Math.min(limit, MAX_GRAPH_TASKS) : DEFAULT_GRAPH_TASKS
  const nodes: GraphView['nodes'] = []
  const deps: Array<[string, readonly string[]]> = []
  const add = (task: TaskSnapshot): void => {
    nodes.push({ id: task.id, label: task.spec.description !== '' ? `${task.id}: ${task.spec.description}` : task.id, state: task.state, ...(task.worker != null ? { worker: task.worker } : {}) })
    deps.push([task.id, task.spec.dependsOn])
  }
  let left = 0
  if (around != null) {
    // the task, what it depends on, and what depends on it (read from its record, not by a walk of all tasks)
    const task = view.getTask(around)
    add(task)
    const neighbours = [...task.spec.dependsOn.filter(dep => view.has(dep)), ...(view.dependentsOf(around) ?? archivedDependents(view, around, max))]
    for (const id of neighbours) {
      if (nodes.length === max) break
      add(view.getTask(id))
    }
    left = 1 + neighbours.length - nodes.length
  } else {
    for (const task of view.listTasks()) {
      if (nodes.length === max) break
      add(task)
    }
  }
  const drawn = new Set(nodes.map(n => n.id))
  const edges = deps.flatMap(([id, on]) => on.filter(d => drawn.has(d)).map(d => ({ from: d, to: id })))
  return { ...(around != null ? { around } : {}), nodes, edges, truncated: around != null ? left > 0 : view.summary().total > nodes.length }
}

/**
 * The tasks depending on an archived one (its record, which listed them, left memory with it): found by
 * reading the tasks in submission order, at most {@link MAX_GRAPH_SCAN} of them, and at most `max` kept.
 */
function archivedDependents (view: SchedulerView, taskId: string, max: number): string[] {
  const found: string[] = []
  let read = 0
  for (const task of view.listTasks()) {
    if (++read > MAX_GRAPH_SCAN || found.length > max) break
    if (task.spec.dependsOn.includes(taskId)) found.push(task.id)
  }
  return found
}
