import { isFinal } from '../core/task.js'
import type { Scheduler } from '../core/scheduler.js'
import type { TaskSnapshot } from '../core/task-record.js'
import type { RunSummary, TaskOutcome } from './events.js'

/** A final task as one summary row. */
export function taskOutcome (task: TaskSnapshot): TaskOutcome {
  const last = task.attempts[task.attempts.length - 1]
  const outcome: TaskOutcome = {
    id: task.id,
    description: task.spec.description,
    type: task.spec.type,
    difficulty: task.spec.difficulty,
    status: task.state as TaskOutcome['status'],
    attempts: task.attempts.length
  }
  if (task.worker != null) outcome.worker = task.worker
  if (task.output !== undefined) outcome.output = task.output
  if (task.error != null) outcome.error = task.error
  if (last?.durationMs != null) outcome.durationMs = last.durationMs
  return outcome
}

/** Every final task, in submission order, with totals by state. */
export function runSummary (scheduler: Scheduler): RunSummary {
  const { total, counts } = scheduler.summary()
  const tasks: TaskOutcome[] = []
  for (const task of scheduler.listTasks()) {
    if (isFinal(task.state)) tasks.push(taskOutcome(task))
  }
  return { total, succeeded: counts.succeeded, failed: counts.failed, skipped: counts.skipped, cancelled: counts.cancelled, tasks }
}
