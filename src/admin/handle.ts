import type { ReportOutcome, SubmitResult, Summary } from '../core/options.js'
import type { Claim, ClaimOutcome, ClaimRef, ClaimRequest } from './pull-workers.js'
import type { Caller } from './admission.js'
import type { WorkerInfo } from '../core/registry.js'
import type { WorkerSteering } from '../core/reputation.js'
import type { SchedulerView } from '../core/view.js'
import type { FinalState } from '../core/task.js'
import type { AdminEvents } from './events.js'
import type { ScheduleCommands } from './schedule-commands.js'
import type { AbortOptions, TypedEventTarget } from '@libp2p/interface'

/** The configured id and name of an admin, shown in summaries, on the dashboard and in metrics. */
export interface AdminLabels {
  id?: string
  name?: string
}

/** Writes to the journal wait for its store (see `journal:paused`). */
export interface JournalPause {
  since: number
  reason: string
  leadInDoubt: boolean
}

/**
 * The admin as the parts that serve people and programs see it (the client protocol, HTTP, MCP, metrics,
 * alerts): who it is, what it knows (read-only), what it may be asked to do, and its events. They depend
 * on this, never on the service that implements it.
 */
export interface AdminHandle extends TypedEventTarget<AdminEvents> {
  readonly peerId: string
  readonly network: string
  readonly labels: AdminLabels
  /** Among replicas sharing a PostgreSQL journal, the one leading (this admin) and its epoch. */
  readonly leadership?: { replica: string, epoch: number }
  /** The journal's store does not answer (PostgreSQL): since when (epoch ms), why, and whether the lead is in doubt. */
  readonly journalPause?: JournalPause
  /** Tasks, histories, workers and counts, read-only. */
  readonly view: SchedulerView
  /**
   * Resolves once every change made so far is journaled (and sent): only then is it acknowledged to whoever
   * asked. Rejects with a JournalUnavailableError when the journal does not confirm it in time, or a
   * StoreError when it cannot be written.
   */
  recorded(): Promise<void>
  /** Adds tasks in any task-file format (with its `schedules`); ids already held are left alone and reported in `existing`. */
  submit(tasks: unknown): SubmitResult & { schedules?: string[] }
  /** The recurring tasks: list, add, pause, resume, remove. */
  readonly schedules: ScheduleCommands
  /** Stops a task (a running attempt is aborted, dependents skipped); false when it was already final. */
  cancel(taskId: string, reason?: string): boolean
  /** Puts a failed, cancelled or skipped task back, with its skipped dependents. */
  retry(taskId: string): void
  /** Starts nothing new of `type` (of any type without one) until resumed; running tasks go on. */
  pause(type?: string, reason?: string, group?: string): void
  /** Undoes `pause(type)` (or of `group`); false when that was not paused. */
  resume(type?: string, group?: string): boolean
  /**
   * Drops finished tasks (in `state`, finished over `olderThanMs` ago, beyond the newest `keep`), from memory
   * and the journal, the oldest first and a pass's worth at most (`MAX_PURGE_PER_PASS`): returns how many.
   * A task something kept still depends on stays.
   */
  purge(filter: PurgeRequest): number
  /**
   * Takes a worker (peer id or name) offline or back, drains it, or changes its priority or capacity; it
   * lasts until changed again, also when the worker reconnects.
   */
  updateWorker(worker: string, update: WorkerSteering): WorkerInfo
  /** Disconnects a worker (peer id or name); its running attempts go back to the queue. */
  disconnectWorker(worker: string, options?: AbortOptions): Promise<void>
  /** An agent that pulls asks for work (long poll); resolves with its name as a worker and the tasks it may run. */
  claim(caller: Caller, request: ClaimRequest): Promise<{ worker: string, claims: Claim[] }>
  /** Keeps a pulling agent's leases. */
  heartbeatClaim(caller: Caller, ref: ClaimRef): { leaseTtlMs: number }
  /** Ends a claimed attempt with its result or error, once journaled: what became of it. */
  finishClaim(caller: Caller, ref: ClaimRef, outcome: ClaimOutcome): Promise<ReportOutcome>
}

/** Which finished tasks `purge` drops. */
export interface PurgeRequest {
  state?: FinalState
  olderThanMs?: number
  keep?: number
}

/** What a restarted admin found in its journal; `tasksNotSubmitted`: retention had dropped tasks, so those given at start were not submitted again. */
export type Restored = Summary & { assigning: boolean, tasksNotSubmitted?: true }
