import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database, { type Database as DB, type Statement } from 'better-sqlite3'
import { JournalInUseError, StoreError } from '../errors.js'
import { ARCHIVE_BY_FINISH, ARCHIVE_TABLES, SqliteArchive } from './sqlite-archive.js'
import type { DurableEvent } from '../core/events.js'
import type { ScheduleRecord } from '../core/schedules.js'
import { isEmpty, type Journal, type JournalBatch, type OutboxMessage, type WorkerTally } from './journal.js'

export const JOURNAL_FILE = 'journal.db'
/**
 * 1: events only. 2: events of live tasks, and an archive of finished ones. 3: and an outbox of webhook
 * messages. 4: and the workers' tallies and the rate limits' recent starts. 5: and when each archived task
 * finished (retention drops the oldest), the highest submission number dropped, and the schedules.
 */
const SCHEMA_VERSION = '5'
const READABLE_VERSIONS = new Set(['1', '2', '3', '4', '5'])

export interface SqliteJournalOptions {
  /**
   * `full` syncs every batch to disk before the admin acts on it (survives power loss); `normal` leaves
   * the last batches to the operating system (survives the admin being killed, not a power cut).
   * @default 'full'
   */
  sync?: 'full' | 'normal'
}

/**
 * The journal in an embedded SQLite database (WAL mode): one row per event of a live task, one row per
 * archived task. Each `append` is one transaction, so a crash leaves the journal ending at a batch
 * boundary, never inside one; a task's events are deleted in the transaction that archives it. The
 * database is locked for the admin that opened it: a second admin on the same data directory is refused.
 */
export class SqliteJournal implements Journal {
  readonly file: string
  readonly archive: SqliteArchive
  private readonly db: DB
  private readonly write: (batch: JournalBatch) => void

  constructor (file: string, options: SqliteJournalOptions = {}) {
    this.file = file
    try {
      mkdirSync(dirname(file), { recursive: true })
      this.db = new Database(file, { timeout: 0 })
      this.db.pragma('journal_mode = WAL')
      this.db.pragma(`synchronous = ${options.sync === 'normal' ? 'NORMAL' : 'FULL'}`)
      // held from the first write until close: one admin per journal
      this.db.pragma('locking_mode = EXCLUSIVE')
      this.migrate()
    } catch (err) {
      throw describe(err, file)
    }
    const archive = new SqliteArchive(this.db, `journal ${file}`, 'restore the file from a backup')
    this.archive = archive
    const insert: Statement<[string, string | null, number, string]> = this.db.prepare('INSERT INTO events (type, task_id, at, body) VALUES (?, ?, ?, ?)')
    const dropEvents: Statement<[string]> = this.db.prepare('DELETE FROM events WHERE task_id = ?')
    // a message recorded twice (an event seen again) is kept once
    const enqueue: Statement<[string, string, string, string, number]> = this.db.prepare('INSERT OR IGNORE INTO outbox (id, target, event, body, at) VALUES (?, ?, ?, ?, ?)')
    const dequeue: Statement<[string]> = this.db.prepare('DELETE FROM outbox WHERE id = ?')
    const startAdd: Statement<[string, number]> = this.db.prepare('INSERT INTO rate_starts (key, at) VALUES (?, ?)')
    const startDrop: Statement<[string, number]> = this.db.prepare('DELETE FROM rate_starts WHERE key = ? AND at < ?')
    const tally: Statement<[string, string, number, number]> = this.db.prepare('INSERT INTO worker_tallies (id, name, completed, failed) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, completed = excluded.completed, failed = excluded.failed')
    const schedule: Statement<[string, string]> = this.db.prepare('INSERT OR REPLACE INTO schedules (name, body) VALUES (?, ?)')
    const unschedule: Statement<[string]> = this.db.prepare('DELETE FROM schedules WHERE name = ?')
    this.write = this.db.transaction((batch: JournalBatch) => {
      for (const s of batch.schedules?.put ?? []) schedule.run(s.name, JSON.stringify(s))
      for (const name of batch.schedules?.removed ?? []) unschedule.run(name)
      for (const m of batch.outbox ?? []) enqueue.run(m.id, m.target, m.event, m.body, m.at)
      for (const t of batch.tallies ?? []) tally.run(t.id, t.name, t.completed, t.failed)
      for (const r of batch.rateStarts ?? []) {
        if (r.keepFrom > -Infinity) startDrop.run(r.key, r.keepFrom)
        for (const at of r.starts) startAdd.run(r.key, at)
      }
      for (const id of batch.delivered ?? []) dequeue.run(id)
      // a task archived in this batch needs none of its events: those of this batch are not written,
      // those of earlier ones are dropped
      const archived = batch.archive.length > 0 ? new Set(batch.archive.map(t => t.id)) : undefined
      for (const e of batch.events) {
        const taskId = taskIdOf(e)
        if (taskId != null && archived?.has(taskId) === true) continue
        insert.run(e.type, taskId, e.at, JSON.stringify(e))
      }
      for (const task of batch.archive) {
        archive.put(task)
        dropEvents.run(task.id)
      }
      // dropped by retention: its archive record, or its events if it was never archived
      if ((batch.purged?.length ?? 0) > 0) {
        archive.remove(batch.purged!)
        for (const task of batch.purged!) dropEvents.run(task.id)
      }
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

  outbox (): OutboxMessage[] {
    return this.db.prepare<[], OutboxMessage>('SELECT id, target, event, body, at FROM outbox ORDER BY seq').all()
  }

  tallies (): WorkerTally[] {
    return this.db.prepare<[], WorkerTally>('SELECT id, name, completed, failed FROM worker_tallies').all()
  }

  rateStarts (): Array<{ key: string, at: number }> {
    return this.db.prepare<[], { key: string, at: number }>('SELECT key, at FROM rate_starts ORDER BY at').all()
  }

  schedules (): ScheduleRecord[] {
    return this.db.prepare<[], { name: string, body: string }>('SELECT name, body FROM schedules ORDER BY name').all().map(r => {
      try {
        return JSON.parse(r.body) as ScheduleRecord
      } catch (err) {
        throw new StoreError(`journal ${this.file}: schedule "${r.name}" is not readable (${(err as Error).message}); restore the file from a backup`)
      }
    })
  }

  append (batch: JournalBatch): void {
    if (isEmpty(batch)) return
    try {
      this.write(batch)
    } catch (err) {
      // rolled back: what the archive counted inside the transaction is read again
      this.archive.recount()
      throw describe(err, this.file)
    }
  }

  /** Events recorded for one task not archived yet, oldest first. */
  eventsOf (taskId: string): DurableEvent[] {
    return this.db.prepare<[string], { body: string }>('SELECT body FROM events WHERE task_id = ? ORDER BY seq').all(taskId).map(r => JSON.parse(r.body) as DurableEvent)
  }

  /** Event rows kept for replay. */
  get size (): number {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events').get()!.n
  }

  close (): void {
    if (this.db.open) this.db.close()
  }

  private migrate (): void {
    this.db.exec(ARCHIVE_TABLES)
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY,
        type TEXT NOT NULL,
        task_id TEXT,
        at INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS events_by_task ON events (task_id);
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        target TEXT NOT NULL,
        event TEXT NOT NULL,
        body TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS worker_tallies (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        completed INTEGER NOT NULL,
        failed INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS rate_starts (key TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS schedules (name TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS rate_starts_by_key ON rate_starts (key, at);
    `)
    // version 5: when each archived task finished, filled in from its record for those archived before
    const columns = this.db.prepare<[], { name: string }>('PRAGMA table_info(archive)').all()
    if (!columns.some(c => c.name === 'finished_at')) {
      this.db.exec(`
        ALTER TABLE archive ADD COLUMN finished_at INTEGER;
        UPDATE archive SET finished_at = json_extract(body, '$.finishedAt');
      `)
    }
    this.db.exec(ARCHIVE_BY_FINISH)
    const version = this.db.prepare<[], { value: string }>('SELECT value FROM meta WHERE key = \'schema\'').get()?.value
    if (version != null && !READABLE_VERSIONS.has(version)) {
      throw new StoreError(`journal ${this.file} has schema version ${version}; this taskmesh reads versions ${[...READABLE_VERSIONS].join(', ')}`)
    }
    // version 1 had the events alone: the archive starts empty, and fills as the admin archives finished tasks
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (\'schema\', ?)').run(SCHEMA_VERSION)
  }
}

function taskIdOf (e: DurableEvent): string | null {
  if ('taskId' in e) return e.taskId
  return e.type === 'submitted' ? e.task.id : null
}

function describe (err: unknown, file: string): StoreError {
  if (err instanceof StoreError) return err
  const code = (err as { code?: string }).code
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new JournalInUseError(`journal ${file} is in use by another admin; stop it, or give this admin its own --data-dir`)
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new StoreError(`journal ${file} is not a taskmesh journal or is damaged; move it away to start empty`)
  }
  return new StoreError(`journal ${file}: ${(err as Error).message}`)
}
