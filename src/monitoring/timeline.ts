import { TIMELINE_POINTS, TIMELINE_STEP_SAMPLES } from './constants.js'
import type { TaskState } from '../core/task.js'

/** The queue's states a chart draws, one line each. */
export const TIMELINE_STATES = ['waiting', 'ready', 'delayed', 'running'] as const satisfies readonly TaskState[]

/** What a chart draws over time: one array per measure, one entry per step, oldest first. */
export interface TimelineColumns {
  /** When each step ended (ms since the epoch). */
  at: number[]
  /** Tasks that became final in the step, and that per second of it. */
  finished: number[]
  finishedPerSecond: number[]
  /** Tasks in each state at the end of the step. */
  waiting: number[]
  ready: number[]
  delayed: number[]
  running: number[]
  /** How long tasks assigned in the step had waited for a worker (ms); null when none was assigned. */
  waitP50: Array<number | null>
  waitP99: Array<number | null>
  /** How long attempts that ended in the step ran on their worker (ms); null when none ended. */
  runP50: Array<number | null>
  runP99: Array<number | null>
  /** Workers online at the end of the step. */
  workers: number[]
}

interface Point {
  at: number
  finished: number
  finishedPerSecond: number
  counts: Record<(typeof TIMELINE_STATES)[number], number>
  wait: [number, number] | null
  run: [number, number] | null
  workers: number
}

/**
 * The last hour of a network, a point a step, for the dashboard's charts: a ring buffer of
 * {@link TIMELINE_POINTS} points. The caller tells it what happened (a task waited so long, an attempt ran so
 * long, a task finished) and closes each step with the counts it has then; it reads no clock itself.
 * Percentiles are exact up to {@link TIMELINE_STEP_SAMPLES} observations a step, from a uniform sample beyond.
 */
export class Timeline {
  private readonly points: Array<Point | undefined>
  private next = 0
  private size = 0
  private stepStart: number | undefined
  private finished = 0
  private readonly waits = new Sample()
  private readonly runs = new Sample()

  constructor (capacity = TIMELINE_POINTS) {
    this.points = new Array<Point | undefined>(capacity)
  }

  /** A task was assigned after waiting `ms` for a worker. */
  waited (ms: number): void { this.waits.add(ms) }
  /** An attempt ended after running `ms` on its worker. */
  ran (ms: number): void { this.runs.add(ms) }
  /** A task became final. */
  finishedOne (): void { this.finished++ }

  /**
   * Ends the step at `at` with the counts by state and the workers online then. The first call only
   * starts the first step.
   */
  step (at: number, counts: Readonly<Record<TaskState, number>>, workers: number): void {
    const start = this.stepStart
    this.stepStart = at
    if (start == null || at <= start) return
    this.points[this.next] = {
      at,
      finished: this.finished,
      finishedPerSecond: this.finished / ((at - start) / 1000),
      counts: { waiting: counts.waiting, ready: counts.ready, delayed: counts.delayed, running: counts.running },
      wait: this.waits.percentiles(),
      run: this.runs.percentiles(),
      workers
    }
    this.next = (this.next + 1) % this.points.length
    this.size = Math.min(this.size + 1, this.points.length)
    this.finished = 0
  }

  /** The points that ended after `after` (ms since the epoch; every point when not given), as columns. */
  since (after = -Infinity): TimelineColumns {
    const columns: TimelineColumns = { at: [], finished: [], finishedPerSecond: [], waiting: [], ready: [], delayed: [], running: [], waitP50: [], waitP99: [], runP50: [], runP99: [], workers: [] }
    for (let i = 0; i < this.size; i++) {
      const p = this.points[(this.next - this.size + i + this.points.length) % this.points.length]!
      if (p.at <= after) continue
      columns.at.push(p.at)
      columns.finished.push(p.finished)
      columns.finishedPerSecond.push(Math.round(p.finishedPerSecond * 100) / 100)
      for (const state of TIMELINE_STATES) columns[state].push(p.counts[state])
      columns.waitP50.push(p.wait?.[0] ?? null)
      columns.waitP99.push(p.wait?.[1] ?? null)
      columns.runP50.push(p.run?.[0] ?? null)
      columns.runP99.push(p.run?.[1] ?? null)
      columns.workers.push(p.workers)
    }
    return columns
  }
}

/** A step's durations: every one up to the limit, then a uniform sample of them (reservoir sampling). */
class Sample {
  private values: number[] = []
  private seen = 0

  add (ms: number): void {
    ms = Math.round(ms * 10) / 10
    this.seen++
    if (this.values.length < TIMELINE_STEP_SAMPLES) {
      this.values.push(ms)
      return
    }
    const slot = Math.floor(Math.random() * this.seen)
    if (slot < TIMELINE_STEP_SAMPLES) this.values[slot] = ms
  }

  /** p50 and p99 (nearest rank) of the step, and a fresh start; null when nothing was seen. */
  percentiles (): [number, number] | null {
    const values = this.values
    this.values = []
    this.seen = 0
    if (values.length === 0) return null
    values.sort((a, b) => a - b)
    const rank = (p: number): number => values[Math.max(0, Math.ceil(p / 100 * values.length) - 1)]!
    return [rank(50), rank(99)]
  }
}
