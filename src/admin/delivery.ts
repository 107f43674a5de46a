import { ProtocolError } from '../errors.js'
import { encodeJson } from '../protocol/json.js'
import type { SchedulerEvent } from '../core/events.js'
import type { SchedulerView } from '../core/view.js'
import type { Reply, WorkerProtocol } from './worker-protocol.js'
import type { WorkerSession } from './worker-session.js'
import type { Frame } from '../protocol/pb/tasks.js'
import type { PullWorkers } from './pull-workers.js'
import type { Admission } from './admission.js'

/** Traces attempts (see `tracing/admin-tracing.ts`): the context an assignment carries to its worker. */
export interface AssignmentTracing {
  assigned(taskId: string, attempt: number, worker: string): string | undefined
}

/**
 * What leaves for workers once the journal has a batch: the replies that waited for it (registrations,
 * result acknowledgements) and the frames its events imply (an assignment, a cancellation), then one send
 * per worker.
 */
export function deliver (events: readonly SchedulerEvent[], replies: readonly Reply[], workers: WorkerProtocol, view: SchedulerView, pull?: PullWorkers, admission?: Admission, tracing?: AssignmentTracing): void {
  const touched = new Set<WorkerSession>()
  const send = (session: WorkerSession | undefined, frame: Frame): void => {
    if (session == null) return
    session.write(frame)
    touched.add(session)
  }
  // replies first: a worker hears that it is registered before it hears of its first assignment
  for (const { session, frame } of replies) send(session, frame)
  for (const e of events) {
    switch (e.type) {
      case 'assigned': {
        const spec = view.spec(e.taskId)
        const traceparent = tracing?.assigned(e.taskId, e.attempt, view.worker(e.workerId)?.name ?? e.workerId)
        // an agent that pulls gets it as the answer to its claim
        if (pull?.has(e.workerId) === true) {
          pull.assigned(e.workerId, e.token, { id: e.taskId, attempt: e.attempt, type: spec.type, description: spec.description, difficulty: spec.difficulty, payload: spec.payload ?? null, inputs: view.inputsOf(e.taskId), ...(spec.timeoutMs != null ? { timeoutMs: spec.timeoutMs } : {}), ...(traceparent != null ? { traceparent } : {}) })
          break
        }
        send(workers.session(e.workerId), {
          assignment: {
            taskId: e.taskId,
            attempt: e.attempt,
            token: e.token,
            description: spec.description,
            type: spec.type,
            difficulty: spec.difficulty,
            payload: encodeJson(spec.payload),
            inputs: spec.dependsOn.length > 0 ? encodeJson(view.inputsOf(e.taskId)) : new Uint8Array(0),
            timeoutMs: spec.timeoutMs ?? 0,
            traceparent: traceparent ?? ''
          }
        })
        break
      }
      case 'attempt-ended':
        pull?.ended(e.taskId, e.attempt, e.workerId)
        // a worker still connected is told to drop what it no longer holds (timed out, taken back)
        if (e.outcome === 'timed-out' || e.outcome === 'lost') send(workers.session(e.workerId), { cancel: { taskId: e.taskId, attempt: e.attempt, reason: e.error ?? e.outcome } })
        break
      case 'cancelled':
        if (e.attempt != null && e.workerId != null) pull?.ended(e.taskId, e.attempt, e.workerId)
        if (e.workerId != null && e.attempt != null) send(workers.session(e.workerId), { cancel: { taskId: e.taskId, attempt: e.attempt, reason: e.reason } })
        break
      case 'worker-left':
        admission?.left(e.worker.id)
        pull?.left(e.worker.id)
        // a worker that went silent without closing its connection: drop it; it reconnects if it is alive
        if (e.reason === 'lease-expired') workers.drop(e.worker.id, new ProtocolError('lease expired: no heartbeat in time'))
        // a quarantined one is dropped too; when it reconnects, its refusal says when it may come back
        if (e.reason === 'quarantined') workers.drop(e.worker.id, new ProtocolError('quarantined: it kept losing the work it was given'))
        break
    }
  }
  for (const session of touched) session.flush()
  pull?.delivered()
}
