/** CPU time used so far by the parts of a system under test, in µs (undefined where it cannot be read). */
export interface CpuSample {
  /** The coordinator: taskmesh's admin, or Redis for BullMQ. */
  coordinator?: number
  /** The worker processes together. */
  workers?: number
}

export interface ThroughputFigures {
  tasks: number
  /** Over the whole run, from the first assignment (or job taken) to the last result. */
  tasksPerSecond: number
  /** Between 20% and 80% of the tasks done: warm-up and the tail left out. */
  steadyPerSecond: number
  /** CPU per task in that steady window. */
  coordinatorUsPerTask?: number
  workersUsPerTask?: number
  elapsedMs: number
}

/**
 * Follows a run's completions and keeps what the figures need: when it began and ended, and the time,
 * count and CPU at the first moments 20% and 80% of the tasks were done.
 */
export class SteadyWindow {
  private readonly total: number
  private readonly sample: () => CpuSample
  private begin?: number
  private end?: number
  private low?: { at: number, count: number, cpu: CpuSample }
  private high?: { at: number, count: number, cpu: CpuSample }

  constructor (total: number, sample: () => CpuSample) {
    this.total = total
    this.sample = sample
  }

  started (at = performance.now()): void {
    this.begin ??= at
  }

  /** `count` tasks are done now. */
  progress (count: number, at = performance.now()): void {
    if (this.low == null && count >= this.total * 0.2) this.low = { at, count, cpu: this.sample() }
    if (this.high == null && count >= this.total * 0.8) this.high = { at, count, cpu: this.sample() }
    if (count >= this.total) this.end ??= at
  }

  figures (): ThroughputFigures {
    if (this.begin == null || this.end == null || this.low == null || this.high == null) throw new Error('the run did not finish')
    const elapsedMs = this.end - this.begin
    const steadyTasks = this.high.count - this.low.count
    const perTask = (a?: number, b?: number): number | undefined => a != null && b != null ? (b - a) / steadyTasks : undefined
    const figures: ThroughputFigures = {
      tasks: this.total,
      tasksPerSecond: this.total / (elapsedMs / 1000),
      steadyPerSecond: steadyTasks / ((this.high.at - this.low.at) / 1000),
      elapsedMs
    }
    const coordinator = perTask(this.low.cpu.coordinator, this.high.cpu.coordinator)
    const workers = perTask(this.low.cpu.workers, this.high.cpu.workers)
    if (coordinator != null) figures.coordinatorUsPerTask = coordinator
    if (workers != null) figures.workersUsPerTask = workers
    return figures
  }
}
