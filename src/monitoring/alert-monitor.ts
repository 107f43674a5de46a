import { TypedEventEmitter } from '@libp2p/interface'
import { evaluateAlerts, type AlertCondition, type AlertThresholds } from './alerts.js'
import { DEFAULT_MONITORING_INTERVAL_MS } from './constants.js'
import type { AlertDetail, AlertEvents } from '../admin/events.js'
import type { AdminHandle } from '../admin/handle.js'

export interface AlertMonitorOptions {
  thresholds: AlertThresholds
  /** How often the thresholds are evaluated; also the failure-rate window. @default 60000 */
  intervalMs?: number
}

/**
 * Evaluates the alert thresholds over an admin every monitoring interval. A condition that starts to hold
 * is announced as `alert:fired` (logged, streamed, shown, exported as a metric); one that stops holding
 * as `alert:resolved`. Both are this monitor's own events.
 */
export class AlertMonitor extends TypedEventEmitter<AlertEvents> {
  private readonly admin: AdminHandle
  private readonly options: AlertMonitorOptions
  private readonly firingNow = new Map<string, AlertDetail>()
  private ended: Array<{ at: number, failed: boolean }> = []
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly onEnded = (evt: CustomEvent<{ outcome: string }>): void => {
    if (evt.detail.outcome === 'lost') return
    this.ended.push({ at: Date.now(), failed: evt.detail.outcome !== 'succeeded' })
  }

  /** A task an alert is about moved on (finished, or got its worker): look again now, not at the next interval. */
  private readonly onTaskMoved = (evt: CustomEvent<{ id?: string, taskId?: string }>): void => {
    const id = evt.detail.id ?? evt.detail.taskId
    for (const alert of this.firingNow.values()) {
      if (alert.subject === id) {
        this.evaluate()
        return
      }
    }
  }

  constructor (admin: AdminHandle, options: AlertMonitorOptions) {
    super()
    this.admin = admin
    this.options = options
  }

  get intervalMs (): number {
    return this.options.intervalMs ?? DEFAULT_MONITORING_INTERVAL_MS
  }

  start (): void {
    if (this.timer != null) return
    this.admin.addEventListener('task:attempt-ended', this.onEnded)
    this.admin.addEventListener('task:completed', this.onTaskMoved)
    this.admin.addEventListener('task:assigned', this.onTaskMoved)
    this.timer = setInterval(() => { this.evaluate() }, this.intervalMs)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
    this.admin.removeEventListener('task:attempt-ended', this.onEnded)
    this.admin.removeEventListener('task:completed', this.onTaskMoved)
    this.admin.removeEventListener('task:assigned', this.onTaskMoved)
  }

  /** Alerts firing now, oldest first. */
  firing (): AlertDetail[] {
    return [...this.firingNow.values()]
  }

  /** Evaluates now (the timer calls this every interval). */
  evaluate (now = Date.now()): void {
    this.ended = this.ended.filter(e => e.at > now - this.intervalMs)
    const conditions = evaluateAlerts(this.options.thresholds, this.snapshot(now))
    const holding = new Map<string, AlertCondition>(conditions.map(c => [c.key, c]))
    for (const [key, alert] of this.firingNow) {
      if (holding.has(key)) continue
      this.firingNow.delete(key)
      this.safeDispatchEvent('alert:resolved', { detail: alert })
    }
    for (const [key, c] of holding) {
      const current = this.firingNow.get(key)
      const detail: AlertDetail = { name: c.name, message: c.message, value: c.value, threshold: c.threshold, since: current?.since ?? now, ...(c.subject != null ? { subject: c.subject } : {}) }
      this.firingNow.set(key, detail)
      if (current == null) this.safeDispatchEvent('alert:fired', { detail })
    }
  }

  private snapshot (now: number): Parameters<typeof evaluateAlerts>[1] {
    const running: Array<{ taskId: string, worker: string, since: number }> = []
    const waiting: Array<{ taskId: string, since: number }> = []
    const t = this.options.thresholds
    if (t.taskDuration != null) {
      for (const task of this.admin.view.listTasks('running')) {
        const attempt = task.attempts[task.attempts.length - 1]
        if (attempt != null) running.push({ taskId: task.id, worker: attempt.workerName, since: attempt.assignedAt })
      }
    }
    if (t.dependencyWait != null) {
      for (const task of this.admin.view.listTasks('waiting')) waiting.push({ taskId: task.id, since: task.submittedAt })
    }
    const workers = t.resourceUsage == null
      ? []
      : this.admin.view.workers().map(w => w.cpu != null ? { name: w.name, cpu: w.cpu } : { name: w.name })
    return { now, running, waiting, ended: this.ended, workers }
  }
}
