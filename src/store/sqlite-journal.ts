import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database, { type Database as DB, type Statement } from 'better-sqlite3'
import { StoreError } from '../errors.js'
import type { DurableEvent } from '../core/events.js'
import type { Journal } from './journal.js'

export const JOURNAL_FILE = 'journal.db'
const SCHEMA_VERSION = '1'

export interface SqliteJournalOptions {
  /**
   * `full` syncs every batch to disk before the admin acts on it (survives power loss); `normal` leaves
   * the last batches to the operating system (survives the admin being killed, not a power cut).
   * @default 'full'
   */
  sync?: 'full' | 'normal'
}

/**
 * The journal in an embedded SQLite database (WAL mode). One row per event; each `append` is one
 * transaction, so a crash leaves the journal ending at a batch boundary, never inside one. The database is
 * locked for the admin that opened it: a second admin on the same data directory is refused.
 */
export class SqliteJournal implements Journal {
  readonly file: string
  private readonly db: DB
  private readonly insert: Statement<[string, string | null, number, string]>
  private readonly appendBatch: (events: readonly DurableEvent[]) => void

  constructor (file: string, options: SqliteJournalOptions = {}) {
    this.file = file
    try {
      mkdirSync(dirname(file), { recursive: true })
      this.db = new Database(file, { timeout: 0 })
      this.db.pragma('journal_mode = WAL')
      this.db.pragma(`synchronous = ${options.sync === 'normal' ? 'NORMAL' : 'FULL'}`)
      // held from the first write until close: one admin per journal
      this.db.pragma('locking_mode = EXCLUSIVE')
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS events (
          seq INTEGER PRIMARY KEY,
          type TEXT NOT NULL,
          task_id TEXT,
          at INTEGER NOT NULL,
          body TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS events_by_task ON events (task_id);
      `)
      const version = this.db.prepare<[], { value: string }>('SELECT value FROM meta WHERE key = \'schema\'').get()?.value
      if (version != null && version !== SCHEMA_VERSION) {
        throw new StoreError(`journal ${file} has schema version ${version}; this taskmesh reads version ${SCHEMA_VERSION}`)
      }
      this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (\'schema\', ?)').run(SCHEMA_VERSION)
    } catch (err) {
      throw describe(err, file)
    }
    this.insert = this.db.prepare('INSERT INTO events (type, task_id, at, body) VALUES (?, ?, ?, ?)')
    this.appendBatch = this.db.transaction((events: readonly DurableEvent[]) => {
      for (const e of events) this.insert.run(e.type, 'taskId' in e ? e.taskId : e.type === 'submitted' ? e.task.id : null, e.at, JSON.stringify(e))
    })
  }

  * load (): Iterable<DurableEvent> {
    const rows = this.db.prepare<[], { body: string, seq: number }>('SELECT seq, body FROM events ORDER BY seq').iterate()
    for (const row of rows) {
      try {
        yield JSON.parse(row.body) as DurableEvent
      } catch (err) {
        throw new StoreError(`journal ${this.file}: event ${row.seq} is not readable (${(err as Error).message}); restore the file from a backup or move it away to start empty`)
      }
    }
  }

  append (events: readonly DurableEvent[]): void {
    if (events.length === 0) return
    try {
      this.appendBatch(events)
    } catch (err) {
      throw describe(err, this.file)
    }
  }

  /** Events recorded for one task, oldest first (what `taskmesh history` reads without an admin). */
  eventsOf (taskId: string): DurableEvent[] {
    return this.db.prepare<[string], { body: string }>('SELECT body FROM events WHERE task_id = ? ORDER BY seq').all(taskId).map(r => JSON.parse(r.body) as DurableEvent)
  }

  get size (): number {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events').get()!.n
  }

  close (): void {
    if (this.db.open) this.db.close()
  }
}

function describe (err: unknown, file: string): StoreError {
  if (err instanceof StoreError) return err
  const code = (err as { code?: string }).code
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new StoreError(`journal ${file} is in use by another admin; stop it, or give this admin its own --data-dir`)
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new StoreError(`journal ${file} is not a taskmesh journal or is damaged; move it away to start empty`)
  }
  return new StoreError(`journal ${file}: ${(err as Error).message}`)
}
