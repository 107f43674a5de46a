import { Scheduler, type SchedulerOptions } from '../../src/core/scheduler.js'
import { taskSpec, type TaskSpec } from '../../src/core/task.js'
import { mulberry32 } from '../../src/simulation/scenario.js'
import type { SchedulerEvent } from '../../src/core/events.js'

/** A deterministic PRNG, so tests that involve jitter or learning are reproducible. */
export const seeded = mulberry32

/** A scheduler on a fake clock that keeps every event it hands over. */
export function harness (options: SchedulerOptions = {}) {
  const scheduler = new Scheduler({ random: seeded(1), ...options })
  const log: SchedulerEvent[] = []
  let now = 1_000
  return {
    scheduler,
    /** Every event so far, in order. */
    get events () {
      log.push(...scheduler.takeEvents())
      return log
    },
    get now () { return now },
    advance (ms: number) { now += ms; scheduler.tick(now) },
    submit (...tasks: Array<Partial<TaskSpec> & { id: string }>) { return scheduler.submit(tasks.map(taskSpec), now) },
    worker (name: string, skill = 10, extra: { capabilities?: string[], maxConcurrent?: number, priority?: number, resources?: Record<string, number> } = {}) {
      return scheduler.registerWorker({ id: `peer-${name}`, name, skill, ...extra }, now).worker
    },
    /** Runs a scheduling pass and returns the new assignments as `taskId -> worker name`. */
    schedule (): Array<[string, string]> {
      const before = this.events.length
      scheduler.schedule(now)
      return this.events.slice(before).flatMap(e => e.type === 'assigned' ? [[e.taskId, e.workerName] as [string, string]] : [])
    },
    /** The lease of a task's current attempt, as its worker would hold it. */
    lease (taskId: string) {
      const e = [...this.events].reverse().find(ev => ev.type === 'assigned' && ev.taskId === taskId)
      if (e?.type !== 'assigned') throw new Error(`task ${taskId} was never assigned`)
      return e
    },
    succeed (taskId: string, output: unknown = `out-${taskId}`) {
      const l = this.lease(taskId)
      return scheduler.report(l.workerId, { taskId, attempt: l.attempt, token: l.token, success: true, output: output as never }, now)
    },
    fail (taskId: string, error = 'boom') {
      const l = this.lease(taskId)
      return scheduler.report(l.workerId, { taskId, attempt: l.attempt, token: l.token, success: false, error }, now)
    },
    state (taskId: string) { return scheduler.view.getTask(taskId).state }
  }
}
