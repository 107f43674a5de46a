import type { ScheduleRecord } from '../../src/core/schedules.js'
import { join } from 'node:path'
import { MemoryArchive } from '../../src/core/archive.js'
import { JOURNAL_FILE, SqliteJournal } from '../../src/store/sqlite-journal.js'
import type { DurableEvent } from '../../src/core/events.js'
import type { Journal, JournalBatch, OutboxMessage, WorkerTally } from '../../src/store/journal.js'

/**
 * A journal whose writes finish when the test says so: open, every write is done at once (as in memory);
 * held, each waits for `finish()` (the oldest) or `open()` (all).
 */
export class GatedJournal implements Journal {
  readonly batches: DurableEvent[][] = []
  readonly archive = new MemoryArchive()
  private held: boolean
  private readonly gates: Array<() => void> = []
  private readonly watchers: Array<{ done(): boolean, resolve(): void }> = []

  constructor (options: { held?: boolean } = {}) {
    this.held = options.held ?? true
  }

  load (): DurableEvent[] { return [] }
  outbox (): OutboxMessage[] { return [] }
  tallies (): WorkerTally[] { return [] }
  rateStarts (): Array<{ key: string, at: number }> { return [] }
  schedules (): ScheduleRecord[] { return [] }
  close (): void {}

  append (batch: JournalBatch): void | Promise<void> {
    this.batches.push([...batch.events])
    this.archive.add(batch.archive)
    if (!this.held) return
    const written = new Promise<void>(resolve => this.gates.push(resolve))
    this.wake()
    return written
  }

  /** Writes from now on wait. */
  hold (): void {
    this.held = true
  }

  /** Every write waiting is done, and those after it are done at once. */
  open (): void {
    this.held = false
    for (const gate of this.gates.splice(0)) gate()
  }

  /** The oldest write waiting is done. */
  finish (): void {
    this.gates.shift()!()
  }

  /** Resolves once the n-th write has begun. */
  async begun (n: number): Promise<void> {
    await this.until(() => this.batches.length >= n)
  }

  /** Resolves once `n` writes are waiting. */
  async waiting (n = 1): Promise<void> {
    await this.until(() => this.gates.length >= n)
  }

  private async until (done: () => boolean): Promise<void> {
    if (done()) return
    await new Promise<void>(resolve => this.watchers.push({ done, resolve }))
  }

  private wake (): void {
    for (const w of this.watchers.splice(0)) {
      if (w.done()) w.resolve()
      else this.watchers.push(w)
    }
  }
}

/**
 * Per task, how many times the admin's journal in `dataDir` accepted a success (exactly once is right):
 * from the events of live tasks, and the attempts recorded with each archived one.
 */
export function acceptedSuccesses (dataDir: string): Map<string, number> {
  const journal = new SqliteJournal(join(dataDir, JOURNAL_FILE))
  const accepted = new Map<string, number>()
  try {
    for (const e of journal.load()) {
      if (e.type === 'attempt-ended' && e.outcome === 'succeeded') accepted.set(e.taskId, (accepted.get(e.taskId) ?? 0) + 1)
    }
    for (const task of journal.archive.list()) {
      accepted.set(task.id, (accepted.get(task.id) ?? 0) + task.attempts.filter(a => a.outcome === 'succeeded').length)
    }
  } finally {
    journal.close()
  }
  return accepted
}
