import { StoreError } from '../errors.js'
import { isDurable, type SchedulerEvent } from '../core/events.js'
import { deliver, type AssignmentTracing } from './delivery.js'
import type { Admission } from './admission.js'
import type { Announcer } from './announcer.js'
import type { PullWorkers } from './pull-workers.js'
import type { ArchivedTask } from '../core/snapshots.js'
import type { PurgedTask } from '../core/archive.js'
import type { Scheduler } from '../core/scheduler.js'
import { isEmpty, type Journal, type OutboxMessage } from '../store/journal.js'
import type { SchedulerView } from '../core/view.js'
import type { Reply, WorkerProtocol } from './worker-protocol.js'

/**
 * What other systems (webhooks) are told: messages the events of a batch cause, recorded in that batch, so
 * an admin restarted before they were delivered still delivers them; and deliveries, recorded in the next.
 */
export interface OutboxSource {
  /** The messages these events cause, decided with them. */
  messages(events: readonly SchedulerEvent[], view: SchedulerView): OutboxMessage[]
  /** The ids of messages delivered (or given up on) since the last batch: recorded as such in this one. */
  takeDelivered(): string[]
  /** The batch holding these messages is written: they may go. */
  recorded(messages: readonly OutboxMessage[]): void
}

export interface FlushCycleInit {
  scheduler: Scheduler
  journal: Journal
  workers: WorkerProtocol
  /** Agents that pull work over HTTP or MCP. */
  pull: PullWorkers
  /** Told when a worker leaves, so its id and name are free again. */
  admission: Admission
  /** Where what happened is announced. */
  announcer: Announcer
  /** Webhooks, when the admin has any. */
  outbox?: OutboxSource
  /** Traces, when the admin exports them. */
  tracing?: AssignmentTracing
  clock: () => number
}

/** The longest wait Node's timers take as given. */
const MAX_TIMER_MS = 2 ** 31 - 1

interface Barrier {
  resolve(): void
  reject(err: Error): void
}

/**
 * The admin's heartbeat. Whenever something changed, once at the end of the event-loop turn:
 *
 * 1. **decide**: time passes in the scheduler (timeouts, retry delays, lease expiries), then it assigns;
 * 2. **journal**: every durable event of the turn, in one write, with the webhooks' messages they cause;
 * 3. **send**: the replies that waited for that write (registrations, result acknowledgements) and the
 *    frames its events imply (assignments, cancellations), one send per worker; the webhooks' messages;
 * 4. **announce**: public events, progress, and "done";
 * 5. **archive**: the finished tasks the batch wrote to the archive leave memory.
 *
 * Nothing leaves the admin before the journal has it: not a frame, not an event, not an answer to a
 * request (see {@link FlushCycle.recorded}). A journal that writes asynchronously holds steps 3 to 5 of its
 * batch until the write is done; the next batch is decided meanwhile and written after it.
 */
export class FlushCycle {
  private readonly init: FlushCycleInit
  /** Assign nothing new (a graceful stop). */
  draining = false
  private started = false
  private halted: Error | undefined
  private queued = false
  private writing = false
  private again = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt = Infinity
  private readonly waiters: Array<() => void> = []
  /** Callers waiting for what was decided before they asked: the next batch. */
  private waiting: Barrier[] = []
  /** Callers waiting for the batch being written (an asynchronous journal). */
  private writingFor: Barrier[] = []

  constructor (init: FlushCycleInit) {
    this.init = init
  }

  /**
   * Resolves once nothing decided is left unwritten: no batch being written, none waiting (an asynchronous
   * journal, such as PostgreSQL's, may still be writing when the admin stops), or the cycle has halted.
   */
  async settled (): Promise<void> {
    while (this.halted == null && (this.writing || this.queued || this.init.scheduler.untaken > 0)) {
      if (!this.writing && !this.queued) {
        this.run()
        continue
      }
      // woken when a run or a write ends
      await new Promise<void>(resolve => { this.waiters.push(resolve) })
    }
  }

  /**
   * Resolves once everything decided before this call is journaled and sent: when a change made for someone
   * outside may be acknowledged to them. Rejects with the journal's error if it cannot be written.
   */
  async recorded (): Promise<void> {
    if (this.halted != null) throw this.halted
    await new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve, reject })
      this.request()
    })
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
    return this.halted != null
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
    if (this.halted != null) return
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
    const outbox = this.init.outbox?.messages(events, scheduler.view) ?? []
    const delivered = this.init.outbox?.takeDelivered() ?? []
    // the workers' tallies its attempt endings changed
    const { tallies, rateStarts, purged, schedules } = scheduler.takeRecords()
    const barriers = this.waiting
    this.waiting = []
    // 2. journal: the turn's state changes, the finished tasks leaving memory for the archive, and the
    // messages for other systems these changes cause, and the workers' tallies
    const durable = events.filter(isDurable)
    const batch = { events: durable, archive, outbox, delivered, tallies, rateStarts, purged, schedules }
    if (!isEmpty(batch)) {
      const began = performance.now()
      let written: void | Promise<void>
      try {
        written = journal.append(batch)
      } catch (err) {
        this.waiting.unshift(...barriers)
        this.halt(err as Error)
        return
      }
      if (written instanceof Promise) {
        this.writing = true
        this.writingFor = barriers
        written.then(() => {
          this.writing = false
          this.writingFor = []
          this.init.announcer.journalWritten(durable.length, performance.now() - began)
          this.release(events, replies, archive, barriers, now, outbox, purged)
          if (this.again) {
            this.again = false
            this.request()
          }
        }, err => { this.halt(err as Error) }).finally(() => { this.turned() })
        return
      }
      this.init.announcer.journalWritten(durable.length, performance.now() - began)
    }
    this.release(events, replies, archive, barriers, now, outbox, purged)
  }

  /** Steps 3 to 5, once the journal has the batch. */
  private release (events: SchedulerEvent[], replies: Reply[], archived: ArchivedTask[], barriers: Barrier[], now: number, outbox: OutboxMessage[], purged: PurgedTask[]): void {
    const { scheduler, workers, pull, admission, announcer } = this.init
    // 3. send
    deliver(events, replies, workers, scheduler.view, pull, admission, this.init.tracing)
    for (const b of barriers) b.resolve()
    if (outbox.length > 0) this.init.outbox?.recorded(outbox)
    // 4. announce
    announcer.batch(events, scheduler.view)
    const done = announcer.progress(scheduler.view, scheduler.untaken)
    // workers hear it too: one run for a batch may leave (taskmesh worker --exit-when-done)
    workers.released(replies, done, scheduler.view, scheduler.untaken)
    // 5. archive: last, so what was sent and announced about them was read from memory, not from the archive;
    // the tasks the journal dropped leave memory likewise
    scheduler.archived(archived, purged)
    this.armTimer(now)
  }

  /** Wakes whoever waits in `settled()`. */
  private turned (): void {
    for (const wake of this.waiters.splice(0)) wake()
  }

  /** A timer for the scheduler's next deadline (a timeout, a retry delay, a lease), if it is earlier. */
  private armTimer (now: number): void {
    const next = this.init.scheduler.view.nextDeadline()
    if (!this.started || next == null || next >= this.timerAt) return
    clearTimeout(this.timer)
    this.timerAt = next
    // a deadline years away (a task's timeout may be any number) would overflow Node's timer into 1 ms
    this.timer = setTimeout(() => {
      this.timerAt = Infinity
      this.run()
    }, Math.min(MAX_TIMER_MS, Math.max(0, next - now)))
    this.timer.unref()
  }

  /** The journal failed: nothing more is decided or sent, since nothing more could be recorded. */
  halt (err: Error): void {
    if (this.halted != null) return
    const error = new StoreError(`journal write failed, stopping: ${err.message}`)
    this.halted = error
    this.started = false
    clearTimeout(this.timer)
    for (const b of [...this.writingFor, ...this.waiting]) b.reject(error)
    this.writingFor = []
    this.waiting = []
    this.init.workers.abortAll(error)
    this.init.announcer.failed(error)
  }
}
