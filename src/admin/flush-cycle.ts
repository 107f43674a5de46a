import { StoreError } from '../errors.js'
import { isDurable, type SchedulerEvent } from '../core/events.js'
import { announce } from './announcer.js'
import { deliver } from './outbox.js'
import type { PullWorkers } from './pull-workers.js'
import type { ArchivedTask } from '../core/snapshots.js'
import { sameCounts, type TaskCounts } from '../core/ledger.js'
import type { Scheduler } from '../core/scheduler.js'
import type { Journal } from '../store/journal.js'
import type { AdminEvents } from './events.js'
import type { Reply, WorkerProtocol } from './worker-protocol.js'
import type { Logger, TypedEventEmitter } from '@libp2p/interface'

export interface FlushCycleInit {
  scheduler: Scheduler
  journal: Journal
  workers: WorkerProtocol
  /** Agents that pull work over HTTP or MCP. */
  pull?: PullWorkers
  /** Where public events are dispatched: the admin service. */
  events: TypedEventEmitter<AdminEvents>
  clock: () => number
  log: Logger
}

/**
 * The admin's heartbeat. Whenever something changed, once at the end of the event-loop turn:
 *
 * 1. **decide**: time passes in the scheduler (timeouts, retry delays, lease expiries), then it assigns;
 * 2. **journal**: every durable event of the turn, in one write;
 * 3. **send**: the replies that waited for that write (registrations, result acknowledgements) and the
 *    frames its events imply (assignments, cancellations), one send per worker;
 * 4. **announce**: public events, progress, and "done".
 *
 * Nothing leaves the admin before the journal has it. A journal that writes asynchronously holds steps 3
 * and 4 of its batch until the write is done; the next batch is decided meanwhile and written after it.
 */
export class FlushCycle {
  private readonly init: FlushCycleInit
  /** Assign nothing new (a graceful stop). */
  draining = false
  private started = false
  private halted = false
  private queued = false
  private writing = false
  private again = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt = Infinity
  private wasDone = false
  private lastCounts: TaskCounts | undefined
  private readonly waiters: Array<() => void> = []

  constructor (init: FlushCycleInit) {
    this.init = init
  }

  /**
   * Resolves once nothing decided is left unwritten: no batch being written, none waiting (an asynchronous
   * journal, such as PostgreSQL's, may still be writing when the admin stops), or the cycle has halted.
   */
  async settled (): Promise<void> {
    while (!this.halted && (this.writing || this.queued || this.init.scheduler.untaken > 0)) {
      if (!this.writing && !this.queued) {
        this.run()
        continue
      }
      // woken when a run or a write ends
      await new Promise<void>(resolve => { this.waiters.push(resolve) })
    }
  }

  /** Wakes whoever waits in `settled()`. */
  private turned (): void {
    for (const wake of this.waiters.splice(0)) wake()
  }

  /** Time may pass and assignment may begin. */
  start (): void {
    this.started = true
  }

  /** No more decisions in time; a last run records and sends what was decided. */
  stop (): void {
    this.started = false
    clearTimeout(this.timer)
    this.run()
  }

  get failed (): boolean {
    return this.halted
  }

  /** Something changed: run once at the end of this event-loop turn. */
  request (): void {
    if (this.queued) return
    this.queued = true
    setImmediate(() => { this.run() })
  }

  run (): void {
    this.queued = false
    try {
      this.turn()
    } finally {
      this.turned()
    }
  }

  private turn (): void {
    if (this.halted) return
    if (this.writing) {
      this.again = true
      return
    }
    const { scheduler, workers, journal, clock } = this.init
    const now = clock()
    // 1. decide
    if (this.started) {
      scheduler.tick(now)
      if (!this.draining) scheduler.schedule(now)
    }
    const events = scheduler.takeEvents()
    const replies = workers.takeReplies()
    const archive = scheduler.takeArchived()
    // 2. journal: the turn's state changes, and the finished tasks leaving memory for the archive
    const durable = events.filter(isDurable)
    if (durable.length > 0 || archive.length > 0) {
      const began = performance.now()
      let written: void | Promise<void>
      try {
        written = journal.append({ events: durable, archive })
      } catch (err) {
        this.halt(err as Error)
        return
      }
      if (written instanceof Promise) {
        this.writing = true
        written.then(() => {
          this.writing = false
          this.journaled(durable.length, began)
          this.release(events, replies, archive, now)
          if (this.again) {
            this.again = false
            this.request()
          }
        }, err => { this.halt(err as Error) }).finally(() => { this.turned() })
        return
      }
      this.journaled(durable.length, began)
    }
    this.release(events, replies, archive, now)
  }

  /** Steps 3 and 4, once the journal has the batch; then the archived tasks leave memory. */
  private release (events: SchedulerEvent[], replies: Reply[], archived: ArchivedTask[], now: number): void {
    const { scheduler, workers, events: emitter } = this.init
    // 3. send
    deliver(events, replies, workers, scheduler.view, this.init.pull)
    // 4. announce
    announce(events, scheduler.view, emitter)
    this.progress()
    // last, so what was sent and announced about them was read from memory, not from the archive
    scheduler.archived(archived)
    this.armTimer(now)
  }

  private journaled (count: number, began: number): void {
    const emitter = this.init.events
    if (emitter.listenerCount('journal:written') > 0) {
      emitter.safeDispatchEvent('journal:written', { detail: { events: count, ms: performance.now() - began } })
    }
  }

  /** `progress` when the counts changed, `done` when every task has become final. */
  private progress (): void {
    const view = this.init.scheduler.view
    const emitter = this.init.events
    if (emitter.listenerCount('progress') > 0) {
      const summary = view.summary()
      if (this.lastCounts == null || !sameCounts(this.lastCounts, summary.counts)) {
        this.lastCounts = summary.counts
        emitter.safeDispatchEvent('progress', { detail: summary })
      }
    }
    // with an asynchronous journal, results may have come in while a batch was written: the view is ahead
    // of what is journaled and announced until those are written too, so "done" waits for them
    const done = view.isDone() && this.init.scheduler.untaken === 0
    if (done && !this.wasDone && emitter.listenerCount('done') > 0) {
      // the totals only: a row per task would make every completion cost time in proportion to history
      const { total, counts } = view.summary()
      emitter.safeDispatchEvent('done', { detail: { total, succeeded: counts.succeeded, failed: counts.failed, skipped: counts.skipped, cancelled: counts.cancelled } })
    }
    this.wasDone = done
  }

  /** A timer for the scheduler's next deadline (a timeout, a retry delay, a lease), if it is earlier. */
  private armTimer (now: number): void {
    const next = this.init.scheduler.view.nextDeadline()
    if (!this.started || next == null || next >= this.timerAt) return
    clearTimeout(this.timer)
    this.timerAt = next
    this.timer = setTimeout(() => {
      this.timerAt = Infinity
      this.run()
    }, Math.max(0, next - now))
    this.timer.unref()
  }

  /** The journal failed: nothing more is decided or sent, since nothing more could be recorded. */
  halt (err: Error): void {
    if (this.halted) return
    const error = new StoreError(`journal write failed, stopping: ${err.message}`)
    this.halted = true
    this.started = false
    clearTimeout(this.timer)
    this.init.log.error('%s', error.message)
    this.init.workers.abortAll(error)
    this.init.events.safeDispatchEvent('error', { detail: error })
  }
}
