import { workerSnapshot } from '../core/registry.js'
import type { SchedulerEvent } from '../core/events.js'
import type { SchedulerView } from '../core/view.js'
import type { AdminEvents } from './events.js'
import type { TypedEventEmitter } from '@libp2p/interface'

/**
 * Turns a batch of scheduler events, once journaled, into the admin's public events. An event nobody
 * listens to is not built: under load, most are not.
 */
export function announce (events: readonly SchedulerEvent[], view: SchedulerView, emitter: TypedEventEmitter<AdminEvents>): void {
  const listening = <K extends keyof AdminEvents>(name: K): boolean => emitter.listenerCount(name) > 0
  const emit = <K extends keyof AdminEvents>(name: K, detail: AdminEvents[K]['detail']): void => {
    emitter.safeDispatchEvent(name, { detail })
  }
  for (const e of events) {
    switch (e.type) {
      case 'submitted':
        if (listening('task:submitted')) emit('task:submitted', { taskId: e.task.id })
        break
      case 'assigned':
        if (listening('task:assigned')) {
          const readyAt = view.attempt(e.taskId, e.attempt)?.readyAt
          emit('task:assigned', { taskId: e.taskId, type: view.spec(e.taskId).type, attempt: e.attempt, worker: e.workerName, peerId: e.workerId, queuedMs: readyAt != null ? Math.max(0, e.at - readyAt) : 0 })
        }
        break
      case 'attempt-ended':
        if (listening('task:attempt-ended')) {
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
          emit('task:attempt-ended', detail)
        }
        break
      case 'completed':
        if (listening('task:completed')) emit('task:completed', view.outcome(e.taskId, e.state))
        break
      case 'late-result':
      case 'late-result-unrecorded':
        if (listening('task:late-result')) {
          emit('task:late-result', { taskId: e.taskId, attempt: e.attempt, peerId: e.workerId, worker: view.attempt(e.taskId, e.attempt)?.workerName ?? '', success: e.success })
        }
        break
      case 'worker-joined':
        if (listening('worker:connected')) emit('worker:connected', workerSnapshot(e.worker))
        break
      case 'worker-left':
        if (listening('worker:disconnected')) emit('worker:disconnected', { ...workerSnapshot(e.worker), reason: e.reason })
        break
      case 'worker-quarantined':
        if (listening('worker:quarantined')) emit('worker:quarantined', { ...workerSnapshot(e.worker), until: e.until, reason: e.reason })
        break
      case 'assigning-started':
        if (listening('assigning:started')) emit('assigning:started', { workers: e.workers })
        break
    }
  }
}
