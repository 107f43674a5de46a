import type { AdminService } from '../admin/admin-service.js'
import type { TaskState } from '../core/task.js'

export interface GraphView {
  nodes: Array<{ id: string, label: string, state: TaskState, worker?: string }>
  edges: Array<{ from: string, to: string }>
  /** More tasks exist than were drawn. */
  truncated: boolean
}

/** The dependency graph with each task's state, for drawing: the first `limit` tasks in submission order. */
export function graphView (admin: AdminService, limit: number): GraphView {
  const max = Number.isInteger(limit) && limit > 0 ? Math.min(limit, 5000) : 500
  const nodes: GraphView['nodes'] = []
  const deps: Array<[string, readonly string[]]> = []
  for (const task of admin.scheduler.listTasks()) {
    if (nodes.length === max) break
    nodes.push({ id: task.id, label: task.spec.description !== '' ? `${task.id}: ${task.spec.description}` : task.id, state: task.state, ...(task.worker != null ? { worker: task.worker } : {}) })
    deps.push([task.id, task.spec.dependsOn])
  }
  const drawn = new Set(nodes.map(n => n.id))
  const edges = deps.flatMap(([id, on]) => on.filter(d => drawn.has(d)).map(d => ({ from: d, to: id })))
  return { nodes, edges, truncated: admin.summary().total > nodes.length }
}
