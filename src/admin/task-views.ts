import { PAGE_OUTPUT_BYTES } from './constants.js'
import type { JsonValue, TaskState } from '../core/task.js'
import type { HistoryEntry, TaskSnapshot } from '../core/snapshots.js'

/** A task as lists show it. */
export interface TaskRow {
  id: string
  description: string
  type: string
  /** Its task group, when it has one. */
  group?: string
  state: TaskState
  priority: number
  difficulty: number
  dependsOn: string[]
  /** The worker running it, or the one whose attempt ended it; none while it waits for another attempt. */
  worker?: string
  attempts: number
  error?: string
  submittedAt: number
  finishedAt?: number
  /** Why a ready task has no worker when it is more than waiting its turn. */
  waitingFor?: string
  /** Asked for with a page (`output: true`): the task's output, when it has one and it fits the page. */
  output?: JsonValue
  /** An output left out of a page: ask for the task itself. `outputBytes` says its size when it was measured. */
  outputLeftOut?: true
  outputBytes?: number
}

/** A task with everything known about it. */
export interface TaskView extends TaskRow {
  requires: string[]
  /** The strategy it names, when it names one (else the admin's). */
  strategy?: string
  /** What an attempt holds on its worker (cpu, memory, gpu, ...), when it declares any. */
  resources?: Record<string, number>
  timeoutMs?: number
  retryAt?: number
  history: HistoryEntry[]
}

/** States in which a task's last worker is no longer its worker: it waits for another attempt. */
const BETWEEN_ATTEMPTS: ReadonlySet<TaskState> = new Set(['waiting', 'ready', 'delayed'])

export function taskRow (task: TaskSnapshot, waitingFor?: string): TaskRow {
  const row: TaskRow = {
    id: task.id,
    description: task.spec.description,
    type: task.spec.type,
    state: task.state,
    priority: task.spec.priority,
    difficulty: task.spec.difficulty,
    dependsOn: task.spec.dependsOn,
    attempts: task.attempts.length,
    submittedAt: task.submittedAt
  }
  if (task.spec.group != null) row.group = task.spec.group
  if (task.worker != null && !BETWEEN_ATTEMPTS.has(task.state)) row.worker = task.worker
  if (task.error != null) row.error = task.error
  if (task.finishedAt != null) row.finishedAt = task.finishedAt
  if (waitingFor != null) row.waitingFor = waitingFor
  return row
}

export function taskView (task: TaskSnapshot, history: HistoryEntry[], waitingFor?: string): TaskView {
  const view: TaskView = { ...taskRow(task, waitingFor), requires: task.spec.requires, history }
  if (task.spec.strategy != null) view.strategy = task.spec.strategy
  if (task.spec.resources != null) view.resources = { ...task.spec.resources }
  if (task.spec.timeoutMs != null) view.timeoutMs = task.spec.timeoutMs
  if (task.output !== undefined) view.output = task.output
  if (task.retryAt != null) view.retryAt = task.retryAt
  return view
}

/**
 * Adds their outputs (`outputs[i]` is row i's) to a page's rows, in order, while they fit in `budget` bytes
 * together; from the first that does not fit on, rows say their output was left out, so a page stays one
 * answer, made in bounded time, however large outputs are.
 */
export function withOutputs (rows: TaskRow[], outputs: ReadonlyArray<JsonValue | undefined>, budget = PAGE_OUTPUT_BYTES): TaskRow[] {
  let left = budget
  return rows.map((row, i) => {
    const output = outputs[i]
    if (output === undefined) return row
    // once the budget is spent, the rest are not even measured: a page costs at most about its budget
    if (left <= 0) return { ...row, outputLeftOut: true as const }
    const bytes = Buffer.byteLength(JSON.stringify(output))
    if (bytes > left) {
      left = 0
      return { ...row, outputLeftOut: true as const, outputBytes: bytes }
    }
    left -= bytes
    return { ...row, output }
  })
}
