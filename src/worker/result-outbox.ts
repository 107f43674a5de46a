import type { Lease } from '../core/options.js'
import type { TaskResult } from '../protocol/pb/tasks.js'
import type { Logger } from '@libp2p/interface'

const key = (taskId: string, attempt: number): string => `${attempt}:${taskId}`

/**
 * Results the admin has not acknowledged yet, oldest first. They are sent again whenever the worker
 * registers again (after a reconnect, or an admin restart), until acknowledged; a full outbox drops its
 * oldest, whose tasks the admin then runs again.
 */
export class ResultOutbox {
  private readonly results = new Map<string, TaskResult>()
  private readonly max: number
  private readonly log: Logger

  constructor (max: number, log: Logger) {
    this.max = max
    this.log = log
  }

  get size (): number {
    return this.results.size
  }

  has (taskId: string, attempt: number): boolean {
    return this.results.has(key(taskId, attempt))
  }

  add (result: TaskResult): void {
    this.results.set(key(result.taskId, result.attempt), result)
    for (const old of this.results.keys()) {
      if (this.results.size <= this.max) break
      this.results.delete(old)
      this.log.error('result buffer full (%d): dropped the result of %s; the admin will run that task again', this.max, old)
    }
  }

  /** The admin has it: forget it. */
  acknowledge (taskId: string, attempt: number): void {
    this.results.delete(key(taskId, attempt))
  }

  all (): IterableIterator<TaskResult> {
    return this.results.values()
  }

  /** The leases these results were for: the worker still holds them until acknowledged. */
  leases (): Lease[] {
    return [...this.results.values()].map(r => ({ taskId: r.taskId, attempt: r.attempt, token: r.token }))
  }
}
