import { DEFAULT_GRAPH_TASKS, MAX_GRAPH_TASKS } from './constants.js'
import type { SchedulerView } from '../core/view.js'
import type { TaskState } from '../core/task.js'

export interface GraphView {
  nodes: Array<{ id: string, label: string, state: TaskState, worker?: string }>
  edges: Array<{ from: string, to: string }>
  /** More tasks exist than were drawn. */
  truncated: boolean
}

/** The dependency graph with each task's state, for drawing: the first `limit` tasks in submission order. */
export function graphView (view: SchedulerView, limit: number): GraphView {
  const max = Number.isInteger(limit) && limit > 0 ? Math.min(limit, MAX_GRAPH_TASKS) : DEFAULT_GRAPH_TASKS
  const nodes: GraphView['nodes'] = []
  const deps: Array<[string, readonly string[]]> = []
  for (const task of view.listTasks()) {
    if (nodes.length === max) break
    nodes.push({ id: task.id, label: task.spec.description !== '' ? `${task.id}: ${task.spec.description}` : task.id, state: task.state, ...(task.worker != null ? { worker: task.worker } : {}) })
    deps.push([task.id, task.spec.dependsOn])
  }
  const drawn = new Set(nodes.map(n => n.id))
  const edges = deps.flatMap(([id, on]) => on.filter(d => drawn.has(d)).map(d => ({ from: d, to: id })))
  return { nodes, edges, truncated: view.summary().total > nodes.length }
}
