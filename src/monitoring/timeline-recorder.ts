import { TIMELINE_STEP_MS } from './constants.js'
import { Timeline } from './timeline.js'
import type { AdminEvents } from '../admin/events.js'
import type { AdminHandle } from '../admin/handle.js'

/**
 * Keeps an admin's {@link Timeline} for the dashboard's charts: follows its events (waits, run times, tasks
 * that became final) and closes a step every `stepMs` with the counts then. `stop()` lets the admin go.
 */
export class TimelineRecorder {
  readonly timeline: Timeline
  private readonly admin: AdminHandle
  private readonly removers: Array<() => void> = []
  private readonly timer: ReturnType<typeof setInterval>

  constructor (admin: AdminHandle, options: { stepMs?: number, points?: number } = {}) {
    this.admin = admin
    const timeline = this.timeline = new Timeline(options.points)
    this.on('task:assigned', d => { timeline.waited(d.queuedMs) })
    // a lost attempt's duration is how long the admin waited for it, not how long it ran
    this.on('task:attempt-ended', d => { if (d.durationMs != null && d.outcome !== 'lost') timeline.ran(d.durationMs) })
    this.on('task:completed', () => { timeline.finishedOne() })
    const step = (): void => {
      const summary = admin.view.summary()
      timeline.step(Date.now(), summary.counts, summary.workers)
    }
    step()
    this.timer = setInterval(step, options.stepMs ?? TIMELINE_STEP_MS)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
    for (const remove of this.removers) remove()
  }

  private on<K extends keyof AdminEvents> (name: K, fn: (detail: AdminEvents[K]['detail']) => void): void {
    const handler = (evt: CustomEvent): void => { fn(evt.detail) }
    this.admin.addEventListener(name, handler as never)
    this.removers.push(() => { this.admin.removeEventListener(name, handler as never) })
  }
}
