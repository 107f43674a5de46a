import type { ArchivedTask, TaskOutcome, TaskSnapshot } from './snapshots.js'
import type { FinalState } from './task.js'

/**
 * Where archived tasks are read from: the journal's archive, read on demand. Reads are synchronous and
 * cheap (an indexed lookup), so the scheduler can consult it while it decides.
 */
export interface TaskArchive {
  get(id: string): ArchivedTask | undefined
  has(id: string): boolean
  /** Archived tasks in submission order, after `afterSeq`, optionally only those in one state. */
  list(options?: { state?: FinalState, afterSeq?: number }): Iterable<ArchivedTask>
  /** How many there are. */
  readonly size: number
  /** The highest submission number archived, -1 when none: numbering goes on after it. */
  readonly lastSeq: number
  /** The archived tasks that have a cache key: results other tasks with that key may reuse. */
  cached(): Iterable<ArchivedTask>
}

/** An archive in memory: for a scheduler used on its own, and an admin without a data directory. */
export class MemoryArchive implements TaskArchive {
  private readonly tasks = new Map<string, ArchivedTask>()
  lastSeq = -1

  get size (): number {
    return this.tasks.size
  }

  add (tasks: Iterable<ArchivedTask>): void {
    for (const task of tasks) {
      this.tasks.set(task.id, task)
      this.lastSeq = Math.max(this.lastSeq, task.seq)
    }
  }

  get (id: string): ArchivedTask | undefined {
    return this.tasks.get(id)
  }

  has (id: string): boolean {
    return this.tasks.has(id)
  }

  * list (options: { state?: FinalState, afterSeq?: number } = {}): Iterable<ArchivedTask> {
    // added in the order they finished: sorted by submission when listed
    const sorted = [...this.tasks.values()].sort((a, b) => a.seq - b.seq)
    for (const task of sorted) {
      if (task.seq <= (options.afterSeq ?? -1)) continue
      if (options.state == null || task.state === options.state) yield task
    }
  }

  * cached (): Iterable<ArchivedTask> {
    for (const task of this.tasks.values()) if (task.spec.cacheKey != null) yield task
  }
}

/** An archived task as callers see a task. */
export function archivedSnapshot (task: ArchivedTask): TaskSnapshot {
  const snapshot: TaskSnapshot = {
    id: task.id,
    spec: task.spec,
    state: task.state,
    attempts: task.attempts.map(a => ({ ...a })),
    submittedAt: task.submittedAt,
    finishedAt: task.finishedAt
  }
  const last = task.attempts.at(-1)
  if (last != null) snapshot.worker = last.workerName
  if (task.output !== undefined) snapshot.output = task.output
  if (task.error != null) snapshot.error = task.error
  return snapshot
}

/** An archived task as a row of the run summary. */
export function archivedOutcome (task: ArchivedTask): TaskOutcome {
  const last = task.attempts.at(-1)
  const outcome: TaskOutcome = { id: task.id, description: task.spec.description, type: task.spec.type, difficulty: task.spec.difficulty, status: task.state, attempts: task.attempts.length }
  if (last != null) outcome.worker = last.workerName
  if (task.output !== undefined) outcome.output = task.output
  if (task.error != null) outcome.error = task.error
  if (last?.durationMs != null) outcome.durationMs = last.durationMs
  return outcome
}
