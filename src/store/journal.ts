import { MemoryArchive, type PurgedTask, type TaskArchive } from '../core/archive.js'
import { COMPACT_AFTER } from './constants.js'
import type { ArchivedTask } from '../core/snapshots.js'
import type { DurableEvent } from '../core/events.js'
import type { WorkerTally } from '../core/reputation.js'
import type { RateStarts } from '../core/rate-limits.js'
import type { ScheduleRecord } from '../core/schedules.js'

export type { WorkerTally } from '../core/reputation.js'

/** What one flush of the admin records: the state changes of a turn, and the finished tasks leaving memory. */
export interface JournalBatch {
  events: readonly DurableEvent[]
  /** Tasks to archive: from now on read from the archive; their events are no longer needed. */
  archive: readonly ArchivedTask[]
  /** Messages for other systems (webhooks) that this batch's events cause: kept until delivered. */
  outbox?: readonly OutboxMessage[]
  /** Messages of earlier batches now delivered (or given up on): no longer kept. */
  delivered?: readonly string[]
  /** Workers' tallies changed by this batch's events: each replaces the one kept for that worker. */
  tallies?: readonly WorkerTally[]
  /** Rate-limited starts of this batch, by limit; each limit's starts before `keepFrom` are no longer needed. */
  rateStarts?: readonly RateStarts[]
  /** Finished tasks retention dropped: their archive records and events go (numbering goes on after them). */
  purged?: readonly PurgedTask[]
  /** Schedules added or changed (each replaces the one of its name: where its firings stand), and removed. */
  schedules?: { put: readonly ScheduleRecord[], removed: readonly string[] }
}

/**
 * A message for another system, such as a webhook's POST, recorded in the same batch as the events that
 * cause it, so that an admin restarted before it was delivered still delivers it.
 */
export interface OutboxMessage {
  /** Unique among messages: one recorded twice is kept once. */
  id: string
  /** Where it goes (a webhook's URL). */
  target: string
  /** The event it carries, such as `task:completed`. */
  event: string
  /** The body, as it is sent. */
  body: string
  at: number
}

/** A batch with nothing to record. */
export function isEmpty (batch: JournalBatch): boolean {
  return batch.events.length === 0 && batch.archive.length === 0 && (batch.outbox?.length ?? 0) === 0 && (batch.delivered?.length ?? 0) === 0 && (batch.tallies?.length ?? 0) === 0 && (batch.rateStarts?.length ?? 0) === 0 && (batch.purged?.length ?? 0) === 0 && (batch.schedules?.put.length ?? 0) === 0 && (batch.schedules?.removed.length ?? 0) === 0
}

/**
 * The admin's durable record. Two parts: the events of the live tasks, in order, which replayed into an
 * empty scheduler rebuild its state after a restart; and the archive of finished tasks, one record each,
 * read on demand. A task's events are replaced by its archive record in the batch that archives it, so
 * a restart replays live state, not history. Implementations: {@link MemoryJournal} for tests and library
 * use without a data directory, `SqliteJournal` for `--data-dir`.
 */
export interface Journal {
  /** The events to replay, in the order they were appended: those of the tasks not archived. */
  load(): Iterable<DurableEvent>
  /**
   * Records a batch durably, all or nothing: before returning, or before the returned promise resolves
   * (the admin sends nothing that depends on the batch until then, and writes one batch at a time).
   */
  append(batch: JournalBatch): void | Promise<void>
  /** The finished tasks that left memory. */
  readonly archive: TaskArchive
  /** The messages recorded and not delivered yet, oldest first. */
  outbox(): OutboxMessage[]
  /** The workers' tallies, as last recorded: what `taskmesh workers` counts after a restart. */
  tallies(): WorkerTally[]
  /** The rate limits' recent starts, oldest first: what the windows held. */
  rateStarts(): Array<{ key: string, at: number }>
  /** The schedules, as last recorded. */
  schedules(): ScheduleRecord[]
  /** Among replicas sharing a database, the lease this admin leads under. */
  readonly leadership?: { replica: string, epoch: number }
  /** Tells `watcher` what happens to the journal between writes (see {@link JournalWatcher}). */
  watch?(watcher: JournalWatcher): void
  /** May return a promise (a connection closing). */
  close(): void | Promise<void>
}

/** What a journal that lives elsewhere (PostgreSQL) tells the admin between writes. */
export interface JournalWatcher {
  /**
   * The journal can no longer be written although nothing is being written now (a replica that lost its
   * lead while idle): the admin stops at once rather than at its next write.
   */
  failed(err: Error): void
  /**
   * The store stopped answering: writes, and with them assignments and acknowledgements, wait. With
   * `leadInDoubt`, this replica's lease ran out unrenewed, so a standby may lead now: the admin lets its
   * workers go and refuses connections until a renewal says whether it still leads.
   */
  paused?(detail: { reason: string, leadInDoubt: boolean }): void
  /** The store answers again, `ms` after the pause began, and this replica still leads. */
  resumed?(detail: { ms: number }): void
}

/** An archive a journal writes to as well as reads (the memory journal's). */
export interface WritableArchive extends TaskArchive {
  add(tasks: readonly ArchivedTask[]): void
  remove(tasks: readonly PurgedTask[]): void
  close?(): void
}

export interface MemoryJournalOptions {
  /**
   * Where archived tasks go: an admin without a data directory gives one that moves the earlier ones to a
   * temporary file (`SpillingArchive`), so its memory does not grow with the tasks that finished. @default in memory
   */
  archive?: WritableArchive
  /**
   * Keep the events, so `load()` can rebuild a scheduler from them. An admin with nothing to restart from
   * keeps only the archive. @default true
   */
  replayable?: boolean
}

export class MemoryJournal implements Journal {
  readonly archive: WritableArchive
  private events: DurableEvent[] = []
  private readonly pending = new Map<string, OutboxMessage>()
  private readonly tallied = new Map<string, WorkerTally>()
  private readonly starts = new Map<string, number[]>()
  private readonly scheduled = new Map<string, ScheduleRecord>()
  private readonly replayable: boolean
  private archivedSinceCompaction = 0

  constructor (options: MemoryJournalOptions = {}) {
    this.replayable = options.replayable ?? true
    this.archive = options.archive ?? new MemoryArchive()
  }

  load (): Iterable<DurableEvent> {
    return this.events.filter(e => !this.archive.has(subjectOf(e)))
  }

  outbox (): OutboxMessage[] {
    return [...this.pending.values()]
  }

  tallies (): WorkerTally[] {
    return [...this.tallied.values()]
  }

  rateStarts (): Array<{ key: string, at: number }> {
    return [...this.starts].flatMap(([key, ats]) => ats.map(at => ({ key, at }))).sort((a, b) => a.at - b.at)
  }

  schedules (): ScheduleRecord[] {
    return [...this.scheduled.values()]
  }

  append (batch: JournalBatch): void {
    for (const s of batch.schedules?.put ?? []) this.scheduled.set(s.name, s)
    for (const name of batch.schedules?.removed ?? []) this.scheduled.delete(name)
    for (const t of batch.tallies ?? []) this.tallied.set(t.id, t)
    for (const r of batch.rateStarts ?? []) this.starts.set(r.key, [...(this.starts.get(r.key) ?? []).filter(at => at >= r.keepFrom), ...r.starts])
    for (const m of batch.outbox ?? []) if (!this.pending.has(m.id)) this.pending.set(m.id, m)
    for (const id of batch.delivered ?? []) this.pending.delete(id)
    const purged = batch.purged ?? []
    if (this.replayable) {
      // a task archived or dropped in this batch needs none of its events
      const leaving = batch.archive.length > 0 || purged.length > 0 ? new Set([...batch.archive.map(t => t.id), ...purged.map(t => t.id)]) : undefined
      for (const e of batch.events) if (leaving == null || !leaving.has(subjectOf(e))) this.events.push(e)
    }
    // archived, then dropped: a task both in one batch is gone, as if the two had come in turn
    if (batch.archive.length > 0) this.archive.add(batch.archive)
    if (purged.length > 0) {
      this.archive.remove(purged)
      const dropped = new Set(purged.map(t => t.id))
      this.events = this.events.filter(e => !dropped.has(subjectOf(e)))
    }
    if (batch.archive.length === 0) return
    // the archived tasks' events are no longer needed: drop them once enough have piled up
    this.archivedSinceCompaction += batch.archive.length
    // amortized: compacting walks every event kept, so it waits until a good share of them can go
    if (this.replayable && this.archivedSinceCompaction >= Math.max(COMPACT_AFTER, this.events.length / 8)) {
      this.events = [...this.load()]
      this.archivedSinceCompaction = 0
    }
  }

  close (): void {
    this.archive.close?.()
  }

  /** Events kept for replay. */
  get size (): number {
    return this.events.length
  }
}

/** The task an event is about ('' for none). */
function subjectOf (e: DurableEvent): string {
  return e.type === 'submitted' ? e.task.id : 'taskId' in e ? e.taskId : ''
}
