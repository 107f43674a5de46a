import { TaskState, type ListTasksRequest, type ListTasksResponse, type Task } from '@a2a-js/sdk'
import type { TaskStore } from '@a2a-js/sdk/server'

/** A2A tasks kept for GetTask and ListTasks, at most; the oldest finished go first. */
export const MAX_A2A_TASKS = 10_000
/** Tasks a ListTasks page holds, at most (and by default). */
const MAX_PAGE = 100

const FINAL = new Set([TaskState.TASK_STATE_COMPLETED, TaskState.TASK_STATE_FAILED, TaskState.TASK_STATE_CANCELED, TaskState.TASK_STATE_REJECTED])

/**
 * The A2A side's record of its tasks (history, artifacts), bounded: past `max`, the oldest finished tasks are
 * forgotten (the taskmesh task stays in the journal, and `taskmesh history` still tells it). Pages of
 * ListTasks are newest first, at most 100 tasks, a page token being the index to go on from.
 */
export class BoundedTaskStore implements TaskStore {
  private readonly tasks = new Map<string, Task>()
  private readonly max: number

  constructor (max = MAX_A2A_TASKS) {
    this.max = max
  }

  async save (task: Task): Promise<void> {
    this.tasks.delete(task.id)
    this.tasks.set(task.id, structuredClone(task))
    if (this.tasks.size <= this.max) return
    for (const [id, t] of this.tasks) {
      if (this.tasks.size <= this.max) break
      if (t.status != null && FINAL.has(t.status.state)) this.tasks.delete(id)
    }
  }

  async load (taskId: string): Promise<Task | undefined> {
    const task = this.tasks.get(taskId)
    return task != null ? structuredClone(task) : undefined
  }

  async list (params: ListTasksRequest): Promise<ListTasksResponse> {
    let tasks = [...this.tasks.values()].reverse()
    if (params.contextId !== '') tasks = tasks.filter(t => t.contextId === params.contextId)
    if (params.status !== TaskState.TASK_STATE_UNSPECIFIED) tasks = tasks.filter(t => t.status?.state === params.status)
    const pageSize = Math.min(MAX_PAGE, Math.max(1, params.pageSize ?? MAX_PAGE))
    const from = /^\d+$/.test(params.pageToken) ? Number(params.pageToken) : 0
    const page = tasks.slice(from, from + pageSize).map(t => params.includeArtifacts === true ? structuredClone(t) : { ...structuredClone(t), artifacts: [] })
    return { tasks: page, nextPageToken: from + pageSize < tasks.length ? String(from + pageSize) : '', pageSize, totalSize: tasks.length }
  }
}
