import type { DurableEvent } from '../core/events.js'

/**
 * The admin's durable record: every task state change, in order. Replaying it into an empty scheduler
 * rebuilds the admin's state after a restart. Implementations: {@link MemoryJournal} for tests and
 * library use without a data directory, `SqliteJournal` for `--data-dir`.
 */
export interface Journal {
  /** The events recorded so far, in the order they were appended. */
  load(): Iterable<DurableEvent>
  /**
   * Records a batch durably, all or nothing: before returning, or before the returned promise resolves
   * (the admin sends nothing that depends on the batch until then, and writes one batch at a time).
   */
  append(events: readonly DurableEvent[]): void | Promise<void>
  close(): void
}

export class MemoryJournal implements Journal {
  private readonly events: DurableEvent[] = []

  load (): Iterable<DurableEvent> {
    return this.events.slice()
  }

  append (events: readonly DurableEvent[]): void {
    for (const e of events) this.events.push(e)
  }

  close (): void {}

  get size (): number {
    return this.events.length
  }
}
