import type { Summary } from '../core/scheduler.js'
import type { AttemptOutcome, JsonValue, TaskState } from '../core/task.js'
import type { WorkerStatus } from '../status/status-channel.js'

/** A worker as the admin knows it. */
export interface WorkerDetails {
  peerId: string
  name: string
  skill: number
  capabilities: string[]
  maxConcurrent: number
}

/** A task in its final state: one row of the run summary. */
export interface TaskOutcome {
  id: string
  description: string
  type: string
  difficulty: number
  status: Extract<TaskState, 'succeeded' | 'failed' | 'skipped' | 'cancelled'>
  /** Name of the worker of the last attempt. */
  worker?: string
  attempts: number
  output?: JsonValue
  error?: string
  /** Duration of the last attempt on its worker. */
  durationMs?: number
}

export interface RunSummary {
  total: number
  succeeded: number
  failed: number
  skipped: number
  cancelled: number
  tasks: TaskOutcome[]
}

export interface TaskAssignedDetail {
  taskId: string
  type: string
  attempt: number
  worker: string
  peerId: string
  /** How long the task waited for a worker, from when it became ready. */
  queuedMs: number
}

export interface AttemptEndedDetail {
  taskId: string
  type: string
  attempt: number
  worker: string
  peerId: string
  outcome: AttemptOutcome
  error?: string
  durationMs?: number
  /** Set when the task will run again. */
  retryAt?: number
}

/** A result for an attempt that had already ended (timed out, lost): recorded in the history, not accepted. */
export interface LateResultDetail {
  taskId: string
  attempt: number
  peerId: string
  success: boolean
}

/** A condition of the alert thresholds holds (or, resolved, no longer does). */
export interface AlertDetail {
  /** The threshold: task_duration, failure_rate, dependency_wait or resource_usage. */
  name: string
  /** What it is about (a task id, a worker name), when it is about one thing. */
  subject?: string
  message: string
  value: number
  threshold: number
  /** When it started to fire. */
  since: number
}

export interface FrameRejectedDetail {
  peerId: string
  reason: string
}

/** Events of the admin service and of `TaskManager`. */
export interface AdminEvents {
  'worker:connected': CustomEvent<WorkerDetails>
  'worker:disconnected': CustomEvent<WorkerDetails & { reason: string }>
  'worker:status': CustomEvent<WorkerStatus>
  'assigning:started': CustomEvent<{ workers: number }>
  'task:submitted': CustomEvent<{ taskId: string }>
  'task:assigned': CustomEvent<TaskAssignedDetail>
  'task:attempt-ended': CustomEvent<AttemptEndedDetail>
  'task:completed': CustomEvent<TaskOutcome>
  'task:late-result': CustomEvent<LateResultDetail>
  'progress': CustomEvent<Summary>
  'done': CustomEvent<RunSummary>
  'frame:rejected': CustomEvent<FrameRejectedDetail>
  /** A batch of state changes reached the journal. */
  'journal:written': CustomEvent<{ events: number, ms: number }>
  'alert:fired': CustomEvent<AlertDetail>
  'alert:resolved': CustomEvent<AlertDetail>
  /** A peer sent too much invalid data: disconnected, and its connections refused until `until`. */
  'peer:banned': CustomEvent<{ peerId: string, until: number, reason: string }>
  'error': CustomEvent<Error>
}

export const ADMIN_EVENT_NAMES: ReadonlyArray<keyof AdminEvents> = [
  'worker:connected', 'worker:disconnected', 'worker:status', 'assigning:started', 'task:submitted',
  'task:assigned', 'task:attempt-ended', 'task:completed', 'task:late-result', 'progress', 'done', 'frame:rejected',
  'peer:banned', 'journal:written', 'alert:fired', 'alert:resolved', 'error'
]
