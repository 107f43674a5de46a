import TinyQueue from 'tinyqueue'
import { taskOrder, type TaskRecord } from './task-record.js'
import type { Strategy } from './strategies/index.js'

/**
 * Ready tasks that share every hard constraint (required capabilities, pin, strategy, and difficulty when the
 * strategy is skill-aware). If one of them finds no worker in a scheduling pass, none of them can, so the
 * whole group steps aside and tasks of other groups behind it in priority still get workers.
 */
export class ConstraintGroup {
  readonly key: string
  readonly requirement: number
  readonly pin: string | undefined
  readonly difficulty: number
  readonly strategy: Strategy
  readonly heap = new TinyQueue<TaskRecord>([], taskOrder)
  /** Since when no registered worker could run these tasks (only tracked when the admin fails such tasks). */
  noWorkerSince: number | undefined

  constructor (key: string, requirement: number, pin: string | undefined, difficulty: number, strategy: Strategy) {
    this.key = key
    this.requirement = requirement
    this.pin = pin
    this.difficulty = difficulty
    this.strategy = strategy
  }

  /** The best ready task, dropping entries of tasks that left the ready state since they were queued. */
  head (): TaskRecord | undefined {
    for (;;) {
      const top = this.heap.peek()
      if (top == null || top.state === 'ready') return top
      this.heap.pop()
      top.queued = false
    }
  }

  take (): TaskRecord {
    const task = this.heap.pop()!
    task.queued = false
    return task
  }
}

/** The ready queue: one heap per constraint group, chosen among by the group heads. */
export class ReadyQueue {
  readonly groups = new Map<string, ConstraintGroup>()

  /** Queues a task; a task is in at most one heap once, so re-queueing after a lazy removal is free. */
  push (group: ConstraintGroup, task: TaskRecord): void {
    if (!this.groups.has(group.key)) this.groups.set(group.key, group)
    if (!task.queued) {
      task.queued = true
      group.heap.push(task)
    }
  }

  /** Groups with a ready task, ordered by their best task; empty groups are dropped on the way. */
  heads (): TinyQueue<ConstraintGroup> {
    const live: ConstraintGroup[] = []
    for (const group of this.groups.values()) {
      if (group.head() == null) this.groups.delete(group.key)
      else live.push(group)
    }
    return new TinyQueue(live, (a, b) => taskOrder(a.heap.peek()!, b.heap.peek()!))
  }
}
