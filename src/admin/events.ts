import type { Summary } from '../core/options.js'
import type { WorkerInfo } from '../core/registry.js'
import type { TaskOutcome } from '../core/snapshots.js'
import type { AttemptOutcome } from '../core/task.js'

export type { TaskOutcome } from '../core/snapshots.js'
export type { RunSummary } from './summary.js'

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
  /** Name of the worker that sent it. */
  worker: string
  success: boolean
}

export interface DoneDetail {
  total: number
  succeeded: number
  failed: number
  skipped: number
  cancelled: number
}

export interface FrameRejectedDetail {
  peerId: string
  reason: string
}

/** Events of the admin service. Every task and worker event is dispatched after the journal has it. */
export interface AdminEvents {
  'worker:connected': CustomEvent<WorkerInfo>
  'worker:disconnected': CustomEvent<WorkerInfo & { reason: string }>
  /** A worker kept losing work (disconnected or silent while holding it): it is refused until `until`. */
  'worker:quarantined': CustomEvent<WorkerInfo & { until: number, reason: string }>
  /** A status broadcast of a registered worker arrived (its CPU and memory are now on its record). */
  'worker:status': CustomEvent<WorkerInfo>
  'assigning:started': CustomEvent<{ workers: number }>
  /** An operator paused (or resumed) new starts: of every task (`scope` "all") or of a type ("type:NAME"). */
  'pause:changed': CustomEvent<{ scope: string, paused: boolean, reason?: string }>
  'task:submitted': CustomEvent<{ taskId: string }>
  'task:assigned': CustomEvent<TaskAssignedDetail>
  'task:attempt-ended': CustomEvent<AttemptEndedDetail>
  'task:completed': CustomEvent<TaskOutcome>
  'task:late-result': CustomEvent<LateResultDetail>
  /** Finished tasks were dropped (retention, or a purge): `count` of them, the oldest finished at `oldest`. */
  'tasks:purged': CustomEvent<{ count: number, oldest: number }>
  'progress': CustomEvent<Summary>
  /**
   * Every task is final (again): the totals by state. `whenDone()` gives the whole run summary, with a row
   * per task, which takes time in proportion to the tasks held.
   */
  'done': CustomEvent<DoneDetail>
  'frame:rejected': CustomEvent<FrameRejectedDetail>
  /** A batch of state changes reached the journal. */
  'journal:written': CustomEvent<{ events: number, ms: number }>
  /**
   * The journal's store (PostgreSQL) stopped answering: assignments and acknowledgements wait for it. With
   * `leadInDoubt`, this replica's lease ran out unrenewed: it let its workers go and refuses connections
   * until it knows whether it still leads.
   */
  'journal:paused': CustomEvent<{ reason: string, leadInDoubt: boolean }>
  /** The journal's store answers again (`ms` after the pause began), and this replica still leads. */
  'journal:resumed': CustomEvent<{ ms: number }>
  /** A peer sent too much invalid data: disconnected, and its connections refused until `until`. */
  'peer:banned': CustomEvent<{ peerId: string, until: number, reason: string }>
  'error': CustomEvent<Error>
}

/**
 * Every admin event, once. The compiler checks this record against `AdminEvents`: an event added there and
 * not here (it would never be routed or streamed) does not compile.
 */
const ADMIN_EVENTS: Record<keyof AdminEvents, true> = {
  'worker:connected': true,
  'worker:disconnected': true,
  'worker:quarantined': true,
  'worker:status': true,
  'assigning:started': true,
  'pause:changed': true,
  'task:submitted': true,
  'task:assigned': true,
  'task:attempt-ended': true,
  'task:completed': true,
  'task:late-result': true,
  'tasks:purged': true,
  progress: true,
  done: true,
  'frame:rejected': true,
  'journal:written': true,
  'journal:paused': true,
  'journal:resumed': true,
  'peer:banned': true,
  error: true
}

export const ADMIN_EVENT_NAMES = Object.keys(ADMIN_EVENTS) as ReadonlyArray<keyof AdminEvents>

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

/** Events of the alert monitor, which watches an admin (see `src/monitoring`). */
export interface AlertEvents {
  'alert:fired': CustomEvent<AlertDetail>
  'alert:resolved': CustomEvent<AlertDetail>
}

const ALERT_EVENTS: Record<keyof AlertEvents, true> = { 'alert:fired': true, 'alert:resolved': true }

export const ALERT_EVENT_NAMES = Object.keys(ALERT_EVENTS) as ReadonlyArray<keyof AlertEvents>

/** A webhook's delivery given up (after its tries, or dropped: its receiver gone from the options, too many waiting). */
export interface WebhookFailedDetail {
  /** The receiver's origin: its path is left out, as it may hold a secret (chat webhooks' do). */
  receiver: string
  /** The event it carried, and its id. */
  event: string
  id: string
  tries: number
  reason: string
}

/** Events of the webhooks, which post an admin's events to other systems (see `src/webhooks`). */
export interface WebhookEvents {
  /** A receiver took a message (answered 2xx), on the `tries`-th try. */
  'webhook:delivered': CustomEvent<{ receiver: string, event: string, id: string, tries: number }>
  'webhook:failed': CustomEvent<WebhookFailedDetail>
}

const WEBHOOK_EVENTS: Record<keyof WebhookEvents, true> = { 'webhook:delivered': true, 'webhook:failed': true }

export const WEBHOOK_EVENT_NAMES = Object.keys(WEBHOOK_EVENTS) as ReadonlyArray<keyof WebhookEvents>

/** Everything a watcher of a running network hears: the admin's events, its alerts and its webhooks' failures. */
export type NetworkEvents = AdminEvents & AlertEvents & WebhookEvents

export const NETWORK_EVENT_NAMES: ReadonlyArray<keyof NetworkEvents> = [...ADMIN_EVENT_NAMES, ...ALERT_EVENT_NAMES, ...WEBHOOK_EVENT_NAMES]
