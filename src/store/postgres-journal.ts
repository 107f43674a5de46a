import pg from 'pg'
import { StoreError } from '../errors.js'
import { MemoryArchive, packTask, unpackTask, type PackedTask } from '../core/archive.js'
import type { ArchivedTask } from '../core/snapshots.js'
import type { DurableEvent } from '../core/events.js'
import type { Journal, JournalBatch } from './journal.js'

/** 1: events of live tasks, an archive of finished ones (as SQLite's version 2). */
const SCHEMA_VERSION = 1
/** The advisory lock that keeps a database to one admin at a time (any constant; "taskmesh" in ASCII). */
const ADMIN_LOCK = 0x7461736b6d657368n

export interface PostgresJournalOptions {
  /** How long connecting may take. @default 10000 */
  connectTimeoutMs?: number
}

/**
 * The journal in PostgreSQL (`--database-url`): one row per event of a live task, one row per archived task,
 * one transaction per batch, so the admin acts on nothing the database does not have. The schema is created
 * and migrated on open, its version recorded. An admin holds an advisory lock on its session for as long as
 * it runs: a second admin on the same database is refused. The archive is read once at open and then kept
 * in memory as well (the scheduler reads it synchronously).
 */
export class PostgresJournal implements Journal {
  readonly archive = new MemoryArchive()
  private readonly client: pg.Client
  private readonly where: string
  private readonly events: DurableEvent[]
  private failed: Error | undefined

  private constructor (client: pg.Client, where: string, events: DurableEvent[], archived: ArchivedTask[]) {
    this.client = client
    this.where = where
    this.events = events
    this.archive.add(archived)
    // a lost connection fails the next write: the admin stops assigning and says why
    client.on('error', err => { this.failed = describe(err, where) })
  }

  static async open (url: string, options: PostgresJournalOptions = {}): Promise<PostgresJournal> {
    const where = redact(url)
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000 })
    client.on('error', () => {})
    try {
      await client.connect()
      const locked = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [ADMIN_LOCK.toString()])
      if (locked.rows[0]?.locked !== true) throw new StoreError(`the database ${where} is in use by another admin; stop it, or give this admin its own database`)
      await migrate(client, where)
      const events = await client.query<{ seq: string, body: string }>('SELECT seq, body FROM taskmesh_events ORDER BY seq')
      const archive = await client.query<{ id: string, body: string }>('SELECT id, body FROM taskmesh_archive ORDER BY seq')
      return new PostgresJournal(client, where,
        events.rows.map(r => parse(() => JSON.parse(r.body) as DurableEvent, `event ${r.seq}`, where)),
        archive.rows.map(r => parse(() => unpackTask(r.id, JSON.parse(r.body) as PackedTask), `archived task "${r.id}"`, where)))
    } catch (err) {
      await client.end().catch(() => {})
      throw describe(err, where)
    }
  }

  load (): Iterable<DurableEvent> {
    return this.events.filter(e => !this.archive.has(taskIdOf(e) ?? ''))
  }

  async append (batch: JournalBatch): Promise<void> {
    if (batch.events.length === 0 && batch.archive.length === 0) return
    if (this.failed != null) throw this.failed
    // a task archived in this batch needs none of its events
    const archived = batch.archive.length > 0 ? new Set(batch.archive.map(t => t.id)) : undefined
    const kept = archived == null ? batch.events : batch.events.filter(e => !archived.has(taskIdOf(e) ?? ''))
    const client = this.client
    try {
      await client.query('BEGIN')
      if (kept.length > 0) {
        await client.query(
          'INSERT INTO taskmesh_events (task_id, body) SELECT task_id, body FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(task_id, body, n) ORDER BY n',
          [kept.map(e => taskIdOf(e)), kept.map(e => JSON.stringify(e))])
      }
      if (batch.archive.length > 0) {
        await client.query(
          'INSERT INTO taskmesh_archive (id, seq, state, cache_key, body) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[]) ON CONFLICT (id) DO NOTHING',
          [batch.archive.map(t => t.id), batch.archive.map(t => t.seq), batch.archive.map(t => t.state), batch.archive.map(t => t.spec.cacheKey ?? null), batch.archive.map(t => JSON.stringify(packTask(t)))])
        await client.query('DELETE FROM taskmesh_events WHERE task_id = ANY($1::text[])', [[...archived!]])
      }
      await client.query('COMMIT')
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw describe(err, this.where)
    }
    this.events.push(...kept)
    if (batch.archive.length > 0) this.archive.add(batch.archive)
  }

  /** Event rows kept for replay. */
  async size (): Promise<number> {
    const r = await this.client.query<{ n: string }>('SELECT count(*) AS n FROM taskmesh_events')
    return Number(r.rows[0]!.n)
  }

  close (): void {
    void this.client.end().catch(() => {})
  }
}

async function migrate (client: pg.Client, where: string): Promise<void> {
  await client.query(`
    CREATE TABLE IF NOT EXISTS taskmesh_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS taskmesh_events (seq BIGSERIAL PRIMARY KEY, task_id TEXT, body TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS taskmesh_events_by_task ON taskmesh_events (task_id);
    CREATE TABLE IF NOT EXISTS taskmesh_archive (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, state TEXT NOT NULL, cache_key TEXT, body TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS taskmesh_archive_by_seq ON taskmesh_archive (seq);
  `)
  const version = (await client.query<{ value: string }>('SELECT value FROM taskmesh_meta WHERE key = \'schema\'')).rows[0]?.value
  if (version != null && Number(version) > SCHEMA_VERSION) {
    throw new StoreError(`the database ${where} has taskmesh schema version ${version}; this taskmesh reads versions up to ${SCHEMA_VERSION}: run a newer taskmesh`)
  }
  await client.query('INSERT INTO taskmesh_meta (key, value) VALUES (\'schema\', $1) ON CONFLICT (key) DO UPDATE SET value = $1', [String(SCHEMA_VERSION)])
}

function parse<T> (read: () => T, what: string, where: string): T {
  try {
    return read()
  } catch (err) {
    throw new StoreError(`the database ${where}: ${what} is not readable (${(err as Error).message}); restore it from a backup`)
  }
}

function taskIdOf (e: DurableEvent): string | null {
  if ('taskId' in e) return e.taskId
  return e.type === 'submitted' ? e.task.id : null
}

/** The URL without its password, for messages. */
function redact (url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return 'given by --database-url'
  }
}

function describe (err: unknown, where: string): StoreError {
  if (err instanceof StoreError) return err
  const e = err as Error & { code?: string }
  if (e.code === 'ECONNREFUSED') return new StoreError(`cannot reach PostgreSQL at ${where}: nothing listens there (is the server running, on that host and port?)`)
  if (e.code === '28P01' || e.code === '28000') return new StoreError(`PostgreSQL at ${where} refused the login: ${e.message}; check the user and password in --database-url`)
  if (e.code === '3D000') return new StoreError(`PostgreSQL at ${where}: ${e.message}; create it (createdb) or name another in --database-url`)
  return new StoreError(`PostgreSQL at ${where}: ${e.message}`)
}
