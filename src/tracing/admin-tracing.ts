import { MAX_TRACED_TASKS } from './constants.js'
import type { SpanHandle, Tracer } from './tracer.js'
import type { AdminEvents } from '../admin/events.js'
import type { AdminHandle } from '../admin/handle.js'
import type { AssignmentTracing } from '../admin/delivery.js'

/**
 * An admin's spans, one trace per task: `task` from its submission to its final state, with `queued` (ready
 * until assigned) and `attempt` (assigned until its end is journaled) for each attempt. The worker's `run`
 * span continues the attempt's trace from the context its assignment carries ({@link assigned}). Spans
 * begin and end as the admin's events say, which it sends once the journal has them: each ends with a
 * `journaled` event. At most {@link MAX_TRACED_TASKS} tasks are traced at once.
 */
export class AdminTracing implements AssignmentTracing {
  private readonly tracer: Tracer
  private readonly tasks = new Map<string, SpanHandle>()
  /** Open attempt spans, by task and attempt. */
  private readonly attempts = new Map<string, Map<number, SpanHandle>>()
  private admin: AdminHandle | undefined
  private readonly removers: Array<() => void> = []

  constructor (tracer: Tracer) {
    this.tracer = tracer
  }

  /** Follows the admin's events from now on (it exists only after the hook was given to it). */
  follow (admin: AdminHandle): void {
    this.admin = admin
    this.on('task:submitted', ({ taskId }) => { this.task(taskId)?.event('journaled', { 'taskmesh.what': 'submitted' }) })
    this.on('task:attempt-ended', d => {
      const open = this.attempts.get(d.taskId)
      const span = open?.get(d.attempt)
      if (span == null) return
      open!.delete(d.attempt)
      if (open!.size === 0) this.attempts.delete(d.taskId)
      span.event('journaled', { 'taskmesh.what': d.outcome })
      span.end({ attributes: { 'taskmesh.outcome': d.outcome, ...(d.durationMs != null ? { 'taskmesh.duration_ms': d.durationMs } : {}) }, ...(d.outcome !== 'succeeded' ? { error: d.error ?? d.outcome } : {}) })
    })
    this.on('task:completed', d => {
      // an attempt still open ended with its task (a running task cancelled has no attempt-ended of its own)
      for (const open of this.attempts.get(d.id)?.values() ?? []) open.end({ attributes: { 'taskmesh.outcome': d.status }, error: d.error ?? d.status })
      this.attempts.delete(d.id)
      const span = this.tasks.get(d.id)
      if (span == null) return
      this.tasks.delete(d.id)
      span.event('journaled', { 'taskmesh.what': d.status })
      span.end({ attributes: { 'taskmesh.status': d.status, 'taskmesh.attempts': d.attempts }, ...(d.status !== 'succeeded' ? { error: d.error ?? d.status } : {}) })
    })
  }

  /** An attempt leaves for its worker (its assignment is journaled): its trace context, to send with it. */
  assigned (taskId: string, attempt: number, worker: string): string | undefined {
    const task = this.task(taskId)
    if (task == null) return undefined
    const now = Date.now()
    const readyAt = this.admin?.view.attempt(taskId, attempt)?.readyAt
    this.tracer.start('queued', { parent: task, ...(readyAt != null && readyAt <= now ? { startTime: readyAt } : {}) }).end({ endTime: now })
    const span = this.tracer.start('attempt', { parent: task, startTime: now, attributes: { 'taskmesh.task.id': taskId, 'taskmesh.attempt': attempt, 'taskmesh.worker': worker } })
    let open = this.attempts.get(taskId)
    if (open == null) this.attempts.set(taskId, open = new Map())
    open.set(attempt, span)
    return span.traceparent
  }

  /** Exports what is left and stops the tracer. */
  async shutdown (): Promise<void> {
    await this.tracer.shutdown()
  }

  /** Ends what is still open, marked unfinished, so it is exported before the admin stops. */
  stop (): void {
    for (const remove of this.removers) remove()
    for (const span of [...[...this.attempts.values()].flatMap(open => [...open.values()]), ...this.tasks.values()]) span.end({ attributes: { 'taskmesh.unfinished': true } })
    this.attempts.clear()
    this.tasks.clear()
  }

  /**
   * The task's span, begun when it has none: at its submission, as its history says (a task given at the
   * start, or held before a restart, is first seen assigned).
   */
  private task (taskId: string): SpanHandle | undefined {
    let span = this.tasks.get(taskId)
    if (span == null && this.tasks.size < MAX_TRACED_TASKS && this.admin?.view.has(taskId) === true) {
      const view = this.admin.view
      const submittedAt = view.history(taskId)[0]?.at
      span = this.tracer.start('task', { ...(submittedAt != null ? { startTime: submittedAt } : {}), attributes: { 'taskmesh.task.id': taskId, 'taskmesh.task.type': view.spec(taskId).type } })
      this.tasks.set(taskId, span)
    }
    return span
  }

  private on<K extends keyof AdminEvents> (name: K, fn: (detail: AdminEvents[K]['detail']) => void): void {
    const admin = this.admin!
    const handler = (evt: CustomEvent): void => { fn(evt.detail) }
    admin.addEventListener(name, handler as never)
    this.removers.push(() => { admin.removeEventListener(name, handler as never) })
  }
}
