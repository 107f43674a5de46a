import { MemoryArchive, type FinishedTask, type OldestOptions, type PurgedTask } from '../core/archive.js'
import { TempArchive } from './sqlite-archive.js'
import { TIDY_AFTER_REMOVED } from '../core/constants.js'
import { MEMORY_ARCHIVE_LIMIT } from './constants.js'
import type { ArchivedTask } from '../core/snapshots.js'
import type { FinalState } from '../core/task.js'
import type { WritableArchive } from './journal.js'

/**
 * The archive of an admin without a data directory: the newest finished tasks in memory, up to `limit`;
 * beyond it the earliest archived move to a temporary archive on local disk (`TempArchive`, created on the
 * first move), as many as arrive, so memory stays flat however long the admin runs, and a run of fewer
 * tasks never touches the disk. Reads see both as one archive.
 */
export class SpillingArchive implements WritableArchive {
  private readonly hot = new MemoryArchive()
  private cold: TempArchive | undefined
  private readonly limit: number
  /** The tasks in memory in the order they came, from `head` on: the earliest move first. Slots before `head` are emptied. */
  private arrivals: Array<ArchivedTask | undefined> = []
  private head = 0

  constructor (limit = MEMORY_ARCHIVE_LIMIT) {
    this.limit = limit
  }

  get size (): number {
    return this.hot.size + (this.cold?.size ?? 0)
  }

  get lastSeq (): number {
    return Math.max(this.hot.lastSeq, this.cold?.lastSeq ?? -1)
  }

  get dropped (): boolean {
    return this.hot.dropped || this.cold?.dropped === true
  }

  add (tasks: readonly ArchivedTask[]): void {
    this.hot.add(tasks)
    for (const task of tasks) this.arrivals.push(task)
    if (this.hot.size > this.limit) this.spill(this.hot.size - this.limit)
  }

  remove (tasks: readonly PurgedTask[]): void {
    this.hot.remove(tasks)
    this.cold?.remove(tasks)
    // retention keeps memory below the limit: what it dropped leaves the arrivals too, not only at the next move
    if (this.arrivals.length - this.head > 2 * this.hot.size + 1024) {
      this.arrivals = this.arrivals.slice(this.head).filter(t => this.hot.get(t!.id) === t)
      this.head = 0
    }
  }

  get (id: string): ArchivedTask | undefined {
    return this.hot.get(id) ?? this.cold?.get(id)
  }

  has (id: string): boolean {
    return this.hot.has(id) || this.cold?.has(id) === true
  }

  list (options: { state?: FinalState, afterSeq?: number } = {}): Iterable<ArchivedTask> {
    return this.cold == null ? this.hot.list(options) : merged(this.cold.list(options), this.hot.list(options), (a, b) => a.seq - b.seq)
  }

  * cached (): Iterable<ArchivedTask> {
    yield * this.hot.cached()
    if (this.cold != null) yield * this.cold.cached()
  }

  * oldest (options: OldestOptions): Iterable<FinishedTask> {
    if (this.cold == null) return yield * this.hot.oldest(options)
    let n = 0
    for (const task of merged(this.cold.oldest(options), this.hot.oldest(options), (a, b) => a.finishedAt - b.finishedAt || a.seq - b.seq)) {
      if (n++ >= options.limit) return
      yield task
    }
  }

  close (): void {
    this.cold?.close()
  }

  /** Moves the `count` earliest archived tasks still here to the disk. */
  private spill (count: number): void {
    const moving: ArchivedTask[] = []
    while (moving.length < count && this.head < this.arrivals.length) {
      const task = this.arrivals[this.head]!
      // a task that moved is held by the disk only: its slot lets go of it now, not when the array is cut
      this.arrivals[this.head++] = undefined
      // dropped meanwhile, or offered twice: only the record held here moves
      if (this.hot.get(task.id) === task) moving.push(task)
    }
    // cut in place and often: the list stays near the number of tasks in memory, not up to twice it
    if (this.head > Math.max(TIDY_AFTER_REMOVED, this.hot.size / 16)) {
      this.arrivals.splice(0, this.head)
      this.head = 0
    }
    this.cold ??= new TempArchive('the admin\'s temporary archive of finished tasks')
    this.cold.add(moving)
    this.hot.evict(moving.map(t => t.id))
  }
}

/** Two sorted sequences as one, in `order`. */
function * merged<T> (a: Iterable<T>, b: Iterable<T>, order: (x: T, y: T) => number): Generator<T> {
  const ia = a[Symbol.iterator]()
  const ib = b[Symbol.iterator]()
  let x = ia.next()
  let y = ib.next()
  try {
    while (x.done !== true || y.done !== true) {
      if (y.done === true || (x.done !== true && order(x.value, y.value) <= 0)) {
        yield x.value as T
        x = ia.next()
      } else {
        yield y.value
        y = ib.next()
      }
    }
  } finally {
    // left early: the disk's listing is closed too
    ia.return?.()
    ib.return?.()
  }
}
