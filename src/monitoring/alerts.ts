/**
 * The alert thresholds of the task manager's configuration (`alert_thresholds`), evaluated over a snapshot
 * of the admin. Pure: the caller gathers the snapshot and decides when to evaluate.
 */
import { MIN_ATTEMPTS_FOR_FAILURE_RATE } from './constants.js'

export interface AlertThresholds {
  /** Seconds one attempt may run. */
  taskDuration?: number
  /** Share (0..1) of the attempts ended in the last window that may fail. */
  failureRate?: number
  /** Seconds a task may wait for its dependencies. */
  dependencyWait?: number
  /** Share (0..1) of one CPU core a worker may use, as its status broadcasts report. */
  resourceUsage?: number
}

export interface AlertSnapshot {
  now: number
  running: ReadonlyArray<{ taskId: string, worker: string, since: number }>
  /** Tasks waiting for their dependencies, and since when. */
  waiting: ReadonlyArray<{ taskId: string, since: number }>
  /** Attempts that ended in the failure-rate window (lost attempts are the worker's fault, not the task's). */
  ended: ReadonlyArray<{ failed: boolean }>
  workers: ReadonlyArray<{ name: string, cpu?: number }>
}

export const ALERT_NAMES = ['task_duration', 'failure_rate', 'dependency_wait', 'resource_usage'] as const
export type AlertName = typeof ALERT_NAMES[number]

/** A condition that holds now. `key` identifies it across evaluations. */
export interface AlertCondition {
  key: string
  name: AlertName
  subject?: string
  message: string
  value: number
  threshold: number
}


export function evaluateAlerts (t: AlertThresholds, s: AlertSnapshot): AlertCondition[] {
  const out: AlertCondition[] = []
  if (t.taskDuration != null) {
    for (const r of s.running) {
      const seconds = (s.now - r.since) / 1000
      if (seconds > t.taskDuration) {
        out.push({ key: `task_duration:${r.taskId}`, name: 'task_duration', subject: r.taskId, value: seconds, threshold: t.taskDuration, message: `task ${r.taskId} has run on ${r.worker} for ${duration(seconds)}, more than ${t.taskDuration} s` })
      }
    }
  }
  if (t.dependencyWait != null) {
    for (const w of s.waiting) {
      const seconds = (s.now - w.since) / 1000
      if (seconds > t.dependencyWait) {
        out.push({ key: `dependency_wait:${w.taskId}`, name: 'dependency_wait', subject: w.taskId, value: seconds, threshold: t.dependencyWait, message: `task ${w.taskId} has waited ${duration(seconds)} for its dependencies, more than ${t.dependencyWait} s` })
      }
    }
  }
  if (t.failureRate != null && s.ended.length >= MIN_ATTEMPTS_FOR_FAILURE_RATE) {
    const rate = s.ended.filter(e => e.failed).length / s.ended.length
    if (rate > t.failureRate) {
      out.push({ key: 'failure_rate', name: 'failure_rate', value: rate, threshold: t.failureRate, message: `${Math.round(rate * 100)}% of the last ${s.ended.length} attempts failed, more than ${Math.round(t.failureRate * 100)}%` })
    }
  }
  if (t.resourceUsage != null) {
    for (const w of s.workers) {
      if (w.cpu != null && w.cpu > t.resourceUsage) {
        out.push({ key: `resource_usage:${w.name}`, name: 'resource_usage', subject: w.name, value: w.cpu, threshold: t.resourceUsage, message: `worker ${w.name} uses ${Math.round(w.cpu * 100)}% of a CPU core, more than ${Math.round(t.resourceUsage * 100)}%` })
      }
    }
  }
  return out
}

/** `61 s`, or `1.4 s` below ten seconds, where whole seconds would read as no more than the threshold. */
function duration (seconds: number): string {
  return seconds < 10 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds)} s`
}
