import { isFinal } from './task.js'
import type { TaskRecord } from './task-record.js'

/**
 * Counts a task's dependencies that have not succeeded into its `pending` (and, the first time, makes it
 * their dependent); returns one that ended otherwise, if any. A dependency not in memory is archived,
 * which it is only once it has succeeded: `archived` hears of each (a replay needs to).
 */
export function countDependencies (task: TaskRecord, tasks: ReadonlyMap<string, TaskRecord>, first: boolean, archived?: (depId: string) => void): TaskRecord | undefined {
  task.pending = 0
  let ended: TaskRecord | undefined
  for (const depId of task.spec.dependsOn) {
    const dep = tasks.get(depId)
    if (dep == null) {
      archived?.(depId)
      continue
    }
    if (first) (dep.dependents ??= []).push(task)
    dep.openDependents++
    if (dep.state === 'succeeded') continue
    task.pending++
    if (isFinal(dep.state)) ended ??= dep
  }
  return ended
}
