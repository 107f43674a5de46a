/**
 * What callers read about tasks: copies, safe to keep, the same whether a task is in memory or archived.
 */
import type { AttemptOutcome, FinalState, JsonValue, TaskSpec, TaskState } from './task.js'

/** One assignment of a task to a worker, and how it ended. */
export interface Attempt {
  attempt: number
  workerId: string
  workerName: string
  assignedAt: number
  deadline?: number
  endedAt?: number
  outcome?: AttemptOutcome
  error?: string
  durationMs?: number
  /**
   * A lost attempt blamed on its worker, one with no accepted result yet: it did not count against the
   * task, and the task's next attempt goes to a worker that has delivered before, when one can take it.
   */
  blame?: 'worker'
}

/** A line of a task's history (`taskmesh history ID`). */
export interface HistoryEntry {
  at: number
  event: 'submitted' | 'delayed' | 'debounced' | 'assigned' | AttemptOutcome | 'retry-scheduled' | 'skipped' | 'failed' | 'retried' | 'cached' | 'late-result'
  attempt?: number
  worker?: string
  workerId?: string
  error?: string
  durationMs?: number
  /** For `retry-scheduled` and `delayed`: when the next attempt may start. */
  retryAt?: number
  detail?: string
}

/** A task as callers see it: a copy, safe to keep. */
export interface TaskSnapshot {
  id: string
  spec: TaskSpec
  state: TaskState
  /** Name of the worker of the latest attempt. */
  worker?: string
  attempts: Attempt[]
  output?: JsonValue
  error?: string
  submittedAt: number
  finishedAt?: number
  /** When a delayed task becomes ready again. */
  retryAt?: number
  /** When the task last became ready to run. */
  readyAt?: number
}

/** A task in its final state: one row of the run summary, and the detail of `task:completed`. */
export interface TaskOutcome {
  id: string
  description: string
  type: string
  difficulty: number
  status: FinalState
  /** Name of the worker of the last attempt. */
  worker?: string
  attempts: number
  output?: JsonValue
  error?: string
  /** Duration of the last attempt on its worker. */
  durationMs?: number
}

/**
 * A finished task out of memory: what its queries, its history and the tasks that depend on it later
 * need, in one record. A task is archived once it has succeeded and every task depending on it has
 * finished; failed, cancelled and skipped tasks stay in memory, where they may be retried.
 */
export interface ArchivedTask {
  id: string
  /** Submission number: archived tasks are listed in submission order with the live ones. */
  seq: number
  state: FinalState
  spec: TaskSpec
  output?: JsonValue
  error?: string
  attempts: Attempt[]
  /**
   * Its whole history, as `taskmesh history` shows it, when its attempts do not tell it all (a retry, a
   * cached result, a late result); `archivedHistory` gives it in every case.
   */
  history?: HistoryEntry[]
  submittedAt: number
  finishedAt: number
}
