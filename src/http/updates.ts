import { NETWORK_EVENT_NAMES, type NetworkEvents } from '../admin/events.js'
import { MAX_UPDATE_TASKS, UPDATE_INTERVAL_MS } from './constants.js'
import type { SummaryView } from '../admin/api.js'
import type { TaskState } from '../core/task.js'
import type { SchedulerView } from '../core/view.js'
import type { TypedEventTarget } from '@libp2p/interface'

/** What changed since the last update: what a dashboard needs to redraw, and no more. */
export interface DashboardUpdate {
  /** The counts, progress and admin details, as `/api/summary` gives them. */
  summary: SummaryView
  /** Tasks submitted or changed since the last update, with their state now (at most {@link MAX_UPDATE_TASKS}). */
  tasks: Record<string, TaskState>
  /** More tasks changed than `tasks` lists: read again what is on screen. */
  more: boolean
  /** A worker joined, left, or changed (its load, status, steering). */
  workers: boolean
  /** An alert fired or resolved. */
  alerts: boolean
}

const TASK_EVENTS = new Set<keyof NetworkEvents>(['task:submitted', 'task:assigned', 'task:attempt-ended', 'task:completed'])
const WORKER_EVENTS = new Set<keyof NetworkEvents>(['worker:connected', 'worker:disconnected', 'worker:quarantined', 'worker:status', 'task:assigned', 'task:attempt-ended'])
const ALERT_EVENTS = new Set<keyof NetworkEvents>(['alert:fired', 'alert:resolved'])
/** Events that change nothing a dashboard shows. */
const UNSHOWN = new Set<keyof NetworkEvents>(['journal:written', 'frame:rejected', 'task:late-result', 'error'])

/**
 * The summarised stream a dashboard follows (`/api/updates`): at most one update every
 * {@link UPDATE_INTERVAL_MS}, only when something changed, the same text for every reader. It follows the
 * admin's events only while someone reads it, and then only notes what changed; the work of an update
 * (the summary, the states) is done once per interval however busy the network and however many read.
 */
export class UpdateFeed {
  private readonly source: TypedEventTarget<NetworkEvents>
  private readonly view: SchedulerView
  private readonly summary: () => SummaryView
  private readonly intervalMs: number
  private readonly readers = new Set<(update: string) => void>()
  private removers: Array<() => void> = []
  private taskRemovers: Array<() => void> = []
  private timer: ReturnType<typeof setInterval> | undefined
  private changed = new Set<string>()
  private more = false
  private dirty = false
  private workers = false
  private alerts = false

  constructor (source: TypedEventTarget<NetworkEvents>, view: SchedulerView, summary: () => SummaryView, intervalMs = UPDATE_INTERVAL_MS) {
    this.source = source
    this.view = view
    this.summary = summary
    this.intervalMs = intervalMs
  }

  /** Calls `reader` with each update, as an SSE `update` event; the first comes at once. Returns a function that stops. */
  subscribe (reader: (update: string) => void): () => void {
    if (this.readers.size === 0) this.follow()
    this.readers.add(reader)
    reader(this.render(true))
    return () => {
      this.readers.delete(reader)
      if (this.readers.size === 0) this.unfollow()
    }
  }

  close (): void {
    this.readers.clear()
    this.unfollow()
  }

  private follow (): void {
    for (const name of NETWORK_EVENT_NAMES) {
      if (UNSHOWN.has(name) || TASK_EVENTS.has(name)) continue
      const worker = WORKER_EVENTS.has(name)
      const alert = ALERT_EVENTS.has(name)
      this.listen(this.removers, name, () => {
        this.dirty = true
        if (worker) this.workers = true
        if (alert) this.alerts = true
      })
    }
    this.followTasks()
    this.timer = setInterval(() => {
      if (!this.dirty) return
      const update = this.render(false)
      for (const reader of this.readers) reader(update)
      // after a busy interval, the tasks' events are followed again
      if (this.taskRemovers.length === 0) this.followTasks()
    }, this.intervalMs)
    this.timer.unref()
  }

  /**
   * Notes each task that changes until more than {@link MAX_UPDATE_TASKS} have: then the update can only say
   * `more`, and the task events are let go until it is sent, so a busy network pays for a few hundred of
   * them an interval, not for every one.
   */
  private followTasks (): void {
    for (const name of TASK_EVENTS) {
      const worker = WORKER_EVENTS.has(name)
      this.listen(this.taskRemovers, name, (evt: CustomEvent<{ taskId?: string, id?: string }>) => {
        this.dirty = true
        if (worker) this.workers = true
        // task:completed names its task `id` (it is the task's outcome); the others `taskId`
        const id = evt.detail.taskId ?? evt.detail.id
        if (id == null || this.changed.has(id)) return
        if (this.changed.size < MAX_UPDATE_TASKS) {
          this.changed.add(id)
          return
        }
        // busy: the workers' loads change too, surely
        this.more = true
        this.workers = true
        this.unfollowTasks()
      })
    }
  }

  private unfollowTasks (): void {
    for (const remove of this.taskRemovers) remove()
    this.taskRemovers = []
  }

  private listen (removers: Array<() => void>, name: keyof NetworkEvents, handler: (evt: CustomEvent<{ taskId?: string, id?: string }>) => void): void {
    this.source.addEventListener(name, handler as never)
    removers.push(() => { this.source.removeEventListener(name, handler as never) })
  }

  private unfollow (): void {
    clearInterval(this.timer)
    this.timer = undefined
    for (const remove of this.removers) remove()
    this.removers = []
    this.unfollowTasks()
    this.reset()
  }

  /** The update as an SSE event; the first one a reader gets says that everything is new. */
  private render (first: boolean): string {
    const tasks: Record<string, TaskState> = {}
    if (!first) {
      for (const id of this.changed) if (this.view.has(id)) tasks[id] = this.view.getTask(id).state
    }
    const update: DashboardUpdate = { summary: this.summary(), tasks, more: first || this.more, workers: first || this.workers, alerts: first || this.alerts }
    if (!first) this.reset()
    return `event: update\ndata: ${JSON.stringify(update)}\n\n`
  }

  private reset (): void {
    this.changed = new Set()
    this.more = false
    this.dirty = false
    this.workers = false
    this.alerts = false
  }
}
