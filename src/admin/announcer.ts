import { workerSnapshot, type WorkerInfo } from '../core/registry.js'
import { sameCounts, type TaskCounts } from '../core/counts.js'
import type { SchedulerEvent } from '../core/events.js'
import type { SchedulerView } from '../core/view.js'
import type { AdminEvents, DoneDetail } from './events.js'
import type { Logger, TypedEventEmitter } from '@libp2p/interface'

/**
 * Where the admin's parts say what happened: turns decisions, once journaled, into the admin's public
 * events, and reports what peers did wrong. The parts depend on this, not on the service that users
 * listen to. An event nobody listens to is not built: under load, most are not.
 */
export class Announcer {
  private readonly emitter: TypedEventEmitter<AdminEvents>
  private readonly log: Logger
  private wasDone = false
  private lastCounts: TaskCounts | undefined

  constructor (emitter: TypedEventEmitter<AdminEvents>, log: Logger) {
    this.emitter = emitter
    this.log = log
  }

  /** A batch of scheduler events, once journaled. */
  batch (events: readonly SchedulerEvent[], view: SchedulerView): void {
    for (const e of events) {
      switch (e.type) {
        case 'submitted':
          if (this.listening('task:submitted')) this.emit('task:submitted', { taskId: e.task.id })
          break
        case 'assigned':
          if (this.listening('task:assigned')) {
            const readyAt = view.attempt(e.taskId, e.attempt)?.readyAt
            this.emit('task:assigned', { taskId: e.taskId, type: view.spec(e.taskId).type, attempt: e.attempt, worker: e.workerName, peerId: e.workerId, queuedMs: readyAt != null ? Math.max(0, e.at - readyAt) : 0 })
          }
          break
        case 'attempt-ended':
          if (this.listening('task:attempt-ended')) {
            const detail: AdminEvents['task:attempt-ended']['detail'] = {
              taskId: e.taskId,
              type: view.spec(e.taskId).type,
              attempt: e.attempt,
              worker: view.attempt(e.taskId, e.attempt)?.workerName ?? '',
              peerId: e.workerId,
              outcome: e.outcome
            }
            if (e.error != null) detail.error = e.error
            if (e.durationMs != null) detail.durationMs = e.durationMs
            if (e.retryAt != null) detail.retryAt = e.retryAt
            this.emit('task:attempt-ended', detail)
          }
          break
        case 'completed':
          if (this.listening('task:completed')) this.emit('task:completed', view.outcome(e.taskId, e.state))
          break
        case 'late-result':
        case 'late-result-unrecorded':
          if (this.listening('task:late-result')) {
            this.emit('task:late-result', { taskId: e.taskId, attempt: e.attempt, peerId: e.workerId, worker: view.attempt(e.taskId, e.attempt)?.workerName ?? '', success: e.success })
          }
          break
        case 'worker-joined':
          if (this.listening('worker:connected')) this.emit('worker:connected', workerSnapshot(e.worker))
          break
        case 'worker-left':
          if (this.listening('worker:disconnected')) this.emit('worker:disconnected', { ...workerSnapshot(e.worker), reason: e.reason })
          break
        case 'worker-quarantined':
          if (this.listening('worker:quarantined')) this.emit('worker:quarantined', { ...workerSnapshot(e.worker), until: e.until, reason: e.reason })
          break
        case 'assigning-started':
          if (this.listening('assigning:started')) this.emit('assigning:started', { workers: e.workers })
          break
        case 'purged':
          if (this.listening('tasks:purged')) this.emit('tasks:purged', { count: e.count, oldest: e.oldest })
          break
        case 'pause-changed':
          if (this.listening('pause:changed')) this.emit('pause:changed', { scope: e.scope, paused: e.paused, ...(e.reason != null ? { reason: e.reason } : {}) })
          break
      }
    }
  }

  /**
   * `progress` when the counts changed, `done` when every task has become final. With an asynchronous
   * journal, results may have come in while a batch was written (`untaken` decisions): the view is then
   * ahead of what is journaled and announced, so "done" waits for them. Returns the totals when every task
   * has just become final, for the workers to hear too.
   */
  progress (view: SchedulerView, untaken: number): DoneDetail | undefined {
    if (this.listening('progress')) {
      const summary = view.summary()
      if (this.lastCounts == null || !sameCounts(this.lastCounts, summary.counts)) {
        this.lastCounts = summary.counts
        this.emit('progress', summary)
      }
    }
    const done = view.isDone() && untaken === 0
    const became = done && !this.wasDone
    this.wasDone = done
    if (!became) return undefined
    // the totals only: a row per task would make every completion cost time in proportion to history
    const detail = doneDetail(view)
    if (this.listening('done')) this.emit('done', detail)
    return detail
  }

  journalWritten (events: number, ms: number): void {
    if (this.listening('journal:written')) this.emit('journal:written', { events, ms })
  }

  /** A worker's heartbeat or status broadcast said how loaded its machine is. */
  workerStatus (worker: WorkerInfo): void {
    if (this.listening('worker:status')) this.emit('worker:status', workerSnapshot(worker))
  }

  /** A peer sent something invalid, or was refused. */
  rejected (peerId: string, reason: string): void {
    this.log.error('rejected %s: %s', peerId, reason)
    this.emit('frame:rejected', { peerId, reason })
  }

  banned (peerId: string, until: number, reason: string): void {
    this.log.error('banned %s until %d: too much invalid data', peerId, until)
    this.emit('peer:banned', { peerId, until, reason })
  }

  journalPaused (detail: AdminEvents['journal:paused']['detail']): void {
    this.log.error('journal paused: %s', detail.reason)
    this.emit('journal:paused', detail)
  }

  journalResumed (detail: AdminEvents['journal:resumed']['detail']): void {
    this.log('journal resumed after %d ms', Math.round(detail.ms))
    this.emit('journal:resumed', detail)
  }

  /** The admin cannot go on (its journal failed). */
  failed (error: Error): void {
    this.log.error('%s', error.message)
    this.emit('error', error)
  }

  private listening (name: keyof AdminEvents): boolean {
    return this.emitter.listenerCount(name) > 0
  }

  private emit<K extends keyof AdminEvents> (name: K, detail: AdminEvents[K]['detail']): void {
    this.emitter.safeDispatchEvent(name, { detail })
  }
}

/** The totals of a network whose every task is final. */
export function doneDetail (view: SchedulerView): DoneDetail {
  const { total, counts } = view.summary()
  return { total, succeeded: counts.succeeded, failed: counts.failed, skipped: counts.skipped, cancelled: counts.cancelled }
}
