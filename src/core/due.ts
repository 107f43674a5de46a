import FlatQueue from 'flatqueue'
import type { ConstraintGroup } from './ready-queue.js'
import type { WorkerState } from './registry.js'
import type { TaskRecord } from './task-record.js'

/** Something the scheduler must do at a given time; each checks, when it comes due, that it still applies. */
export type Due =
  | { kind: 'timeout', task: TaskRecord, attempt: number }
  | { kind: 'probation', task: TaskRecord, attempt: number }
  | { kind: 'retry', task: TaskRecord, at: number }
  | { kind: 'lease', worker: WorkerState }
  | { kind: 'no-worker', group: ConstraintGroup }
  /** A rate limit's window has room again: only wakes a scheduling pass. */
  | { kind: 'rate' }
  /** Retention's next look for finished tasks to drop. */
  | { kind: 'retention' }
  /** A schedule's next slot: fired by the tick. */
  | { kind: 'schedule' }

/**
 * What comes due when (timeouts, backoff delays, lease expiries, probations, no-worker grace periods), in
 * one min-heap. Entries are never removed early: whoever pops one checks that it still applies, which keeps
 * every update O(log n).
 */
export class DueHeap {
  private readonly heap = new FlatQueue<Due>()

  add (at: number, item: Due): void {
    this.heap.push(item, at)
  }

  /** When the earliest comes due, or undefined when nothing will. */
  next (): number | undefined {
    return this.heap.peekValue()
  }

  /** Removes and returns what is due at `now`, earliest first. */
  due (now: number): Due[] {
    const out: Due[] = []
    while (this.heap.length > 0 && this.heap.peekValue()! <= now) out.push(this.heap.pop()!)
    return out
  }

  get size (): number {
    return this.heap.length
  }
}
