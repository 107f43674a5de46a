import type { TaskOutcome } from '../core/snapshots.js'
import type { SchedulerView } from '../core/view.js'

/** Every final task with totals by state: what a run ends with. */
export interface RunSummary {
  total: number
  succeeded: number
  failed: number
  skipped: number
  cancelled: number
  tasks: TaskOutcome[]
}

/** Every final task, in submission order, with totals by state. */
export function runSummary (view: SchedulerView): RunSummary {
  const { total, counts } = view.summary()
  const tasks = [...view.outcomes()]
  return { total, succeeded: counts.succeeded, failed: counts.failed, skipped: counts.skipped, cancelled: counts.cancelled, tasks }
}
