import type { TaskState } from './task.js'

/** Tasks by state. */
export type TaskCounts = Record<TaskState, number>

export function noCounts (): TaskCounts {
  return { waiting: 0, ready: 0, delayed: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 }
}

export function sameCounts (a: TaskCounts, b: TaskCounts): boolean {
  return a.waiting === b.waiting && a.ready === b.ready && a.delayed === b.delayed && a.running === b.running &&
    a.succeeded === b.succeeded && a.failed === b.failed && a.skipped === b.skipped && a.cancelled === b.cancelled
}
