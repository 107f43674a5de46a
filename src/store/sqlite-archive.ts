import Database, { type Database as DB, type Statement } from 'better-sqlite3'
import { StoreError } from '../errors.js'
import { RETRY_WRITE_MS } from './constants.js'
import { packTask, unpackTask, type FinishedTask, type OldestOptions, type PackedTask, type PurgedTask, type TaskArchive } from '../core/archive.js'
import type { ArchivedTask } from '../core/snapshots.js'
import type { FinalState } from '../core/task.js'

/**
 * The archive's tables, as the SQLite journal has them since its version 5 (`finished_at` added by its
 * migration to older files) and as a temporary archive creates them.
 */
export const ARCHIVE_TABLES = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS archive (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    state TEXT NOT NULL,
    cache_key TEXT,
    body TEXT NOT NULL,
    finished_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS archive_by_seq ON archive (seq);
  CREATE INDEX IF NOT EXISTS archive_by_cache_key ON archive (cache_key) WHERE cache_key IS NOT NULL;
`
/** Created once `finished_at` is there (a file older than version 5 gets the column first). */
export const ARCHIVE_BY_FINISH = 'CREATE INDEX IF NOT EXISTS archive_by_finish ON archive (finished_at, seq)'

/** The archive of finished tasks in the journal's database: read on demand, by indexed lookups. */
export class SqliteArchive implements TaskArchive {
  lastSeq: number
  dropped = false
  /** What errors name (the journal's file, or what holds the archive), and what to do about a record not readable. */
  private readonly where: string
  private readonly remedy: string
  private readonly byId: Statement<[string], { body: string }>
  private readonly exists: Statement<[string], { one: number }>
  private readonly insert: Statement<[string, number, string, string | null, string, number]>
  private readonly drop: Statement<[string]>
  private readonly keepSeq: Statement<[string]>
  protected readonly db: DB
  /** Archived tasks in the database. */
  protected count = 0

  constructor (db: DB, where: string, remedy: string) {
    this.db = db
    this.where = where
    this.remedy = remedy
    this.lastSeq = -1
    this.recount()
    this.byId = db.prepare('SELECT body FROM archive WHERE id = ?')
    this.exists = db.prepare('SELECT 1 AS one FROM archive WHERE id = ?')
    // a task is archived once; were it offered again, the first record stands
    this.insert = db.prepare('INSERT OR IGNORE INTO archive (id, seq, state, cache_key, body, finished_at) VALUES (?, ?, ?, ?, ?, ?)')
    this.drop = db.prepare('DELETE FROM archive WHERE id = ?')
    this.keepSeq = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (\'purged_seq\', ?)')
  }

  get size (): number {
    return this.count
  }

  recount (): void {
    const stats = this.db.prepare<[], { n: number, last: number | null }>('SELECT count(*) AS n, max(seq) AS last FROM archive').get()!
    const purged = this.db.prepare<[], { value: string }>('SELECT value FROM meta WHERE key = \'purged_seq\'').get()?.value
    this.count = stats.n
    this.lastSeq = Math.max(stats.last ?? -1, purged != null ? Number(purged) : -1)
    this.dropped = purged != null
  }

  put (task: ArchivedTask, body = JSON.stringify(packTask(task))): void {
    if (this.insert.run(task.id, task.seq, task.state, task.spec.cacheKey ?? null, body, task.finishedAt).changes > 0) this.count++
    this.lastSeq = Math.max(this.lastSeq, task.seq)
  }

  /** Retention dropped these tasks: numbering still goes on after theirs, across restarts. */
  remove (tasks: readonly PurgedTask[]): void {
    for (const task of tasks) {
      if (this.drop.run(task.id).changes > 0) this.count--
      this.lastSeq = Math.max(this.lastSeq, task.seq)
    }
    this.keepSeq.run(String(this.lastSeq))
    this.dropped = true
  }

  * oldest (options: OldestOptions): Iterable<FinishedTask> {
    const rows = this.db.prepare<[number, string | null, string | null, number], FinishedTask & { cacheKey: string | null }>(
      'SELECT id, seq, state, finished_at AS finishedAt, cache_key AS cacheKey FROM archive WHERE finished_at < ? AND (? IS NULL OR state = ?) ORDER BY finished_at, seq LIMIT ?'
    ).all(options.before ?? Number.MAX_SAFE_INTEGER, options.state ?? null, options.state ?? null, options.limit)
    for (const { cacheKey, ...task } of rows) yield cacheKey != null ? { ...task, cacheKey } : task
  }

  get (id: string): ArchivedTask | undefined {
    const row = this.byId.get(id)
    return row == null ? undefined : this.parse(row.body, id)
  }

  has (id: string): boolean {
    return this.exists.get(id) != null
  }

  * list (options: { state?: FinalState, afterSeq?: number } = {}): Iterable<ArchivedTask> {
    const rows = options.state != null
      ? this.db.prepare<[number, string], { id: string, body: string }>('SELECT id, body FROM archive WHERE seq > ? AND state = ? ORDER BY seq').iterate(options.afterSeq ?? -1, options.state)
      : this.db.prepare<[number], { id: string, body: string }>('SELECT id, body FROM archive WHERE seq > ? ORDER BY seq').iterate(options.afterSeq ?? -1)
    for (const row of rows) yield this.parse(row.body, row.id)
  }

  * cached (): Iterable<ArchivedTask> {
    for (const row of this.db.prepare<[], { id: string, body: string }>('SELECT id, body FROM archive WHERE cache_key IS NOT NULL ORDER BY seq').iterate()) yield this.parse(row.body, row.id)
  }

  private parse (body: string, id: string): ArchivedTask {
    try {
      return unpackTask(id, JSON.parse(body) as PackedTask)
    } catch (err) {
      throw new StoreError(`${this.where}: archived task "${id}" is not readable (${(err as Error).message}); ${this.remedy}`)
    }
  }
}

/** An archived task as the journals store it: its record packed as JSON, and the columns it is found by. */
export interface StoredTask {
  id: string
  seq: number
  state: string
  cacheKey: string | null
  /** `packTask`'s record, as JSON. */
  body: string
}

/**
 * An archive in a private temporary SQLite database, which SQLite deletes when it is closed or the process
 * ends: finished tasks out of memory for a journal kept elsewhere (PostgreSQL), read as the SQLite journal
 * reads its own, from a page cache of bounded size. Nothing in it needs to survive a crash: the journal
 * that owns it fills it again as it opens. Tasks added are written on the next turn of the event loop (while
 * the journal waits for its database), or before anything lists the archive, whichever comes first.
 */
export class TempArchive extends SqliteArchive {
  private readonly load: (rows: readonly StoredTask[]) => void
  private readonly write: (tasks: Iterable<readonly [ArchivedTask, string | undefined]>) => void
  /** Added, not written yet, by id. */
  private pending = new Map<string, readonly [ArchivedTask, string | undefined]>()
  /** Listings under way: SQLite writes nothing while one of its statements is being stepped through. */
  private reading = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  /** What errors name. */
  private readonly what: string
  private readonly writeSoon = (): void => {
    this.timer = undefined
    try {
      this.flush()
    } catch {
      // kept, and tried again: reads by id find the tasks pending meanwhile
    }
    if (this.pending.size > 0 && this.db.open) {
      this.timer = setTimeout(this.writeSoon, RETRY_WRITE_MS)
      this.timer.unref()
    }
  }

  /** `what` names the archive's source in errors. */
  constructor (what: string) {
    const db = new Database('')
    // a cache, not a record: no sync, and a rollback journal in memory (a write that fails is undone whole)
    db.pragma('journal_mode = MEMORY')
    db.pragma('synchronous = OFF')
    db.exec(ARCHIVE_TABLES)
    db.exec(ARCHIVE_BY_FINISH)
    super(db, what, 'restore it from a backup')
    this.what = what
    const insert: Statement<[string, number, string, string | null, string, string]> = db.prepare('INSERT OR IGNORE INTO archive (id, seq, state, cache_key, body, finished_at) VALUES (?, ?, ?, ?, ?, json_extract(?, \'$.finishedAt\'))')
    this.load = db.transaction((rows: readonly StoredTask[]) => {
      for (const r of rows) {
        try {
          if (insert.run(r.id, r.seq, r.state, r.cacheKey, r.body, r.body).changes > 0) this.count++
        } catch (err) {
          throw new StoreError(`${what}: archived task "${r.id}" is not readable (${(err as Error).message}); restore it from a backup`)
        }
        this.lastSeq = Math.max(this.lastSeq, r.seq)
      }
    })
    this.write = db.transaction((tasks: Iterable<readonly [ArchivedTask, string | undefined]>) => {
      for (const [task, body] of tasks) this.put(task, body)
    })
  }

  /** Tasks as the journal stores them, read back. */
  addStored (rows: readonly StoredTask[]): void {
    this.flush()
    this.load(rows)
  }

  /** Tasks the journal has archived: from now on read from here. `bodies`: their records packed, if at hand. */
  add (tasks: readonly ArchivedTask[], bodies?: readonly string[]): void {
    if (tasks.length === 0 || !this.db.open) return
    if (this.pending.size === 0 && this.timer == null) setImmediate(this.writeSoon)
    tasks.forEach((task, i) => {
      // archived once: were it offered again, the first record stands
      if (!this.pending.has(task.id)) this.pending.set(task.id, [task, bodies?.[i]])
      this.lastSeq = Math.max(this.lastSeq, task.seq)
    })
  }

  /**
   * Writes what was added, unless a listing is under way (then it is written after). A write that fails
   * (the temporary directory full) is undone whole: the tasks stay pending, found by id (not listed until
   * written), and are tried again.
   */
  flush (): void {
    if (this.pending.size === 0 || this.reading > 0 || !this.db.open) return
    try {
      this.write(this.pending.values())
    } catch (err) {
      this.recount()
      throw new StoreError(`${this.what}: cannot write finished tasks to its temporary file (${(err as Error).message}); is the temporary directory (TMPDIR) full?`)
    }
    this.pending = new Map()
  }

  /** `flush`, for reads: what cannot be written yet stays pending, and reads by id find it there. */
  private flushForRead (): void {
    try {
      this.flush()
    } catch {
      // tried again shortly (writeSoon)
    }
  }

  override get size (): number {
    this.flushForRead()
    // what is still pending (a listing under way) and not in the database yet
    let extra = 0
    for (const id of this.pending.keys()) if (!super.has(id)) extra++
    return this.count + extra
  }

  override remove (tasks: readonly PurgedTask[]): void {
    this.flushForRead()
    for (const task of tasks) this.pending.delete(task.id)
    super.remove(tasks)
  }

  override get (id: string): ArchivedTask | undefined {
    this.flushForRead()
    return super.get(id) ?? this.pending.get(id)?.[0]
  }

  override has (id: string): boolean {
    this.flushForRead()
    return super.has(id) || this.pending.has(id)
  }

  override * oldest (options: OldestOptions): Iterable<FinishedTask> {
    yield * this.reads(() => super.oldest(options))
  }

  override * list (options: { state?: FinalState, afterSeq?: number } = {}): Iterable<ArchivedTask> {
    yield * this.reads(() => super.list(options))
  }

  override * cached (): Iterable<ArchivedTask> {
    yield * this.reads(() => super.cached())
  }

  close (): void {
    clearTimeout(this.timer)
    this.pending.clear()
    if (this.db.open) this.db.close()
  }

  /** A listing: what was added is written first, and nothing is written while it is stepped through. */
  private * reads<T> (listing: () => Iterable<T>): Iterable<T> {
    this.flushForRead()
    this.reading++
    try {
      yield * listing()
    } finally {
      this.reading--
    }
  }
}
