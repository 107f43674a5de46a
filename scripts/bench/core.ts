import { Scheduler } from '../../src/core/scheduler.js'
import { taskSpec, type TaskSpec } from '../../src/core/task.js'
import { parseTasks } from '../../src/tasks/load.js'
import { mulberry32 } from '../../src/simulation/scenario.js'
import type { SchedulerEvent } from '../../src/core/events.js'

const CAPS = ['gpu', 'db', 'ml', 'net']

export interface CoreBenchResult {
  tasks: number
  workers: number
  strategy: string
  resultsPerPass: number
  decisions: number
  /** Assignments per second of time spent in `schedule()`. */
  decisionsPerSecond: number
  /** Assign and record the result: what a saturated admin does per task, without the network. */
  cyclesPerSecond: number
  submitMs: number
  /**
   * Heap after a full GC per task queued (its spec, id and record, and the scheduler's indexes), before any
   * worker registers; NaN when the process was started without --expose-gc.
   */
  queuedHeapBytes: number
}

/**
 * The pure scheduler alone, at steady state: `tasks` tasks (random priorities, difficulties 0..10 and
 * required capabilities) over `workers` simulated workers of capacity 4 (random skills and capabilities).
 * Results of random running attempts arrive `resultsPerPass` at a time, as an admin receives them within
 * one event-loop turn, and each batch is followed by a scheduling pass, until every task is done.
 */
export function coreBench (options: { tasks: number, workers: number, strategy: string, resultsPerPass?: number }): CoreBenchResult {
  const batch = options.resultsPerPass ?? 64
  const random = mulberry32(7)
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  const specs: TaskSpec[] = new Array(options.tasks)
  for (let i = 0; i < options.tasks; i++) {
    specs[i] = taskSpec({
      id: `t${i}`,
      priority: 1 + Math.floor(random() * 10),
      difficulty: Math.floor(random() * 11),
      requires: CAPS.filter(() => random() < 0.15)
    })
  }
  const scheduler = new Scheduler({ strategy: options.strategy, random })
  const running: Array<Extract<SchedulerEvent, { type: 'assigned' }>> = []
  const collect = (): void => { for (const e of scheduler.takeEvents()) if (e.type === 'assigned') running.push(e) }
  let t = performance.now()
  scheduler.submit(specs, 0)
  scheduler.takeEvents()
  const submitMs = performance.now() - t
  // the harness's own list of the specs is not the scheduler's memory
  specs.length = 0
  gc?.()
  const queuedHeapBytes = gc != null ? (process.memoryUsage().heapUsed - heapBefore) / options.tasks : NaN
  for (let w = 0; w < options.workers; w++) {
    // worker 0 can do anything, so no task waits forever
    scheduler.registerWorker({
      id: `w${w}`,
      name: `w${w}`,
      skill: w === 0 ? 10 : Math.floor(random() * 11),
      capabilities: w === 0 ? CAPS : CAPS.filter(() => random() < 0.5),
      maxConcurrent: 4
    }, 0)
  }
  let scheduleMs = 0
  let decisions = 0
  let now = 1
  const started = performance.now()
  while (!scheduler.view.isDone()) {
    const before = running.length
    t = performance.now()
    scheduler.schedule(now)
    collect()
    scheduleMs += performance.now() - t
    decisions += running.length - before
    for (let k = 0; k < batch && running.length > 0; k++) {
      const i = Math.floor(random() * running.length)
      const a = running[i]!
      running[i] = running[running.length - 1]!
      running.pop()
      scheduler.report(a.workerId, { taskId: a.taskId, attempt: a.attempt, token: a.token, success: true }, now)
    }
    scheduler.takeEvents()
    now++
  }
  const totalMs = performance.now() - started
  return {
    tasks: options.tasks,
    workers: options.workers,
    strategy: options.strategy,
    resultsPerPass: batch,
    decisions,
    decisionsPerSecond: decisions / (scheduleMs / 1000),
    cyclesPerSecond: decisions / (totalMs / 1000),
    submitMs,
    queuedHeapBytes
  }
}

/** Parsing and validating a task file of `tasks` tasks with dependencies, as `taskmesh admin --tasks` does. */
export function validationBench (tasks: number): { tasks: number, edges: number, bytes: number, ms: number } {
  const random = mulberry32(11)
  const list = []
  let edges = 0
  for (let i = 0; i < tasks; i++) {
    const deps = i === 0 ? [] : Array.from({ length: Math.floor(random() * 4) }, () => `task-${Math.floor(random() * i)}`)
    edges += deps.length
    list.push({ task_id: `task-${i}`, description: `step ${i}`, difficulty: Math.floor(random() * 10), priority: 1 + Math.floor(random() * 10), depends_on: deps })
  }
  const text = JSON.stringify(list)
  const t = performance.now()
  parseTasks(text, { format: 'json' })
  return { tasks, edges, bytes: text.length, ms: performance.now() - t }
}
