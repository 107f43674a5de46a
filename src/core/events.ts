import type { WorkerInfo } from './registry.js'
import type { WorkerSteering } from './reputation.js'
import type { AttemptOutcome, FinalState, JsonValue, TaskSpec } from './task.js'

/**
 * What the scheduler decided, in order; `Scheduler.takeEvents()` hands them over. The durable ones are the
 * admin's journal: applying them in order to an empty scheduler rebuilds its task state exactly (see
 * `Scheduler.restore`). Notices are not journaled: workers register again after a restart, and a task's
 * completion is already in its durable events.
 */
export type SchedulerEvent = DurableEvent | Notice

export type DurableEvent =
  | PauseChanged
  | TaskDebounced
  | TaskSubmitted
  | TaskReleased
  | TaskAssigned
  | AttemptEnded
  | TaskCached
  | TaskSkipped
  | TaskCancelled
  | TaskFailed
  | TaskRetried
  | LateResult
  | WorkerSteered
  | LeaseRenewed

/** Facts for whoever acts on the scheduler's decisions, derived from the durable ones or about workers. */
export type Notice = WorkerJoined | WorkerLeft | WorkerQuarantined | AssigningStarted | TaskCompleted | LateResultUnrecorded | TasksPurged

export interface TaskSubmitted {
  type: 'submitted'
  at: number
  seq: number
  task: TaskSpec
}

/** A delayed task's backoff ended: it is ready again. Journaled because what "ready" leads to depends on the moment. */
export interface TaskReleased {
  type: 'released'
  at: number
  taskId: string
}

export interface TaskAssigned {
  type: 'assigned'
  at: number
  taskId: string
  attempt: number
  workerId: string
  workerName: string
  /** Lease token: a result counts only when it carries it. */
  token: string
  /** When the attempt times out, if the task has a timeout. */
  deadline?: number
}

export interface AttemptEnded {
  type: 'attempt-ended'
  at: number
  taskId: string
  attempt: number
  workerId: string
  outcome: Exclude<AttemptOutcome, 'cancelled'>
  output?: JsonValue
  error?: string
  durationMs?: number
  /** Present when the task will run again: the time it becomes ready. Absent on a final failure. */
  retryAt?: number
  /**
   * A lost attempt blamed on its worker, one that had delivered no result yet: it does not count toward
   * the task's limit of lost attempts.
   */
  blame?: 'worker'
}

export interface TaskCached {
  type: 'cached'
  at: number
  taskId: string
  /** The task whose result was reused. */
  from: string
  output?: JsonValue
}

export interface TaskSkipped {
  type: 'skipped'
  at: number
  taskId: string
  reason: string
}

export interface TaskCancelled {
  type: 'cancelled'
  at: number
  taskId: string
  reason: string
  /** The running attempt that was cancelled, so its worker can be told to abort it. */
  attempt?: number
  workerId?: string
}

/** A failure decided by the admin without an attempt, such as no suitable worker. */
export interface TaskFailed {
  type: 'failed'
  at: number
  taskId: string
  error: string
  errorName?: string
}

export interface TaskRetried {
  type: 'retried'
  at: number
  taskId: string
  /** Set when the task came back because a task it depends on was retried. */
  cause?: string
}

/** A result for an attempt that had already ended (timed out, lost): kept in the history, not accepted. */
export interface LateResult {
  type: 'late-result'
  at: number
  taskId: string
  attempt: number
  workerId: string
  success: boolean
}

/**
 * A result for an attempt of a task already archived: announced like a late result, but the archive is
 * final, so it stays out of the task's history.
 */
export interface LateResultUnrecorded {
  type: 'late-result-unrecorded'
  at: number
  taskId: string
  attempt: number
  workerId: string
  success: boolean
}

/**
 * An operator steered a worker (draining, offline, priority, capacity): journaled, so it lasts across the
 * worker's reconnections and the admin's restarts, until the operator changes it again.
 */
export interface WorkerSteered {
  type: 'worker-steered'
  at: number
  workerId: string
  steering: WorkerSteering
}

/**
 * An operator paused, or resumed, the start of new tasks: all of them (`scope` "all") or those of one
 * type ("type:NAME"). Journaled: a pause lasts across the admin's restarts until it is resumed.
 */
export interface PauseChanged {
  type: 'pause-changed'
  at: number
  scope: string
  paused: boolean
  reason?: string
}

/** A submit with the same dedup key replaced the payload of a task that had not started (`debounce`). */
export interface TaskDebounced {
  type: 'debounced'
  at: number
  taskId: string
  /** The id the newer submit gave, which was not added. */
  from: string
  payload?: JsonValue
}

/** No longer written (renewals are not journaled); read from older journals, and ignored. */
export interface LeaseRenewed {
  type: 'lease-renewed'
  at: number
  workerId: string
}

export interface WorkerJoined {
  type: 'worker-joined'
  at: number
  worker: WorkerInfo
}

export interface WorkerLeft {
  type: 'worker-left'
  at: number
  worker: WorkerInfo
  reason: WorkerLeftReason
}

/**
 * Why a worker left: its connection closed, it went silent past its lease, it was taken off (by an
 * operator, or an allow-list), or it kept losing work and is refused for a while.
 */
export type WorkerLeftReason = 'disconnected' | 'lease-expired' | 'unregistered' | 'quarantined'

/** A worker kept losing work: its registrations are refused until `until`. */
export interface WorkerQuarantined {
  type: 'worker-quarantined'
  at: number
  worker: WorkerInfo
  until: number
  reason: string
}

/** The expected number of workers registered: assignment begins. */
export interface AssigningStarted {
  type: 'assigning-started'
  at: number
  workers: number
}

/** Finished tasks were dropped (retention, or `taskmesh purge`): `count` of them, the oldest finished at `oldest`. */
export interface TasksPurged {
  type: 'purged'
  at: number
  count: number
  oldest: number
}

/** A task reached its final state: succeeded, failed, skipped or cancelled (`view.outcome` tells the rest). */
export interface TaskCompleted {
  type: 'completed'
  at: number
  taskId: string
  state: FinalState
}

export function isDurable (event: SchedulerEvent): event is DurableEvent {
  switch (event.type) {
    case 'worker-joined': case 'worker-left': case 'worker-quarantined': case 'assigning-started': case 'completed': case 'late-result-unrecorded': case 'purged': return false
    default: return true
  }
}
