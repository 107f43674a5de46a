import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { StoreError } from '../errors.js'
import { MemoryArchive, packTask, unpackTask, type PackedTask } from '../core/archive.js'
import type { ArchivedTask } from '../core/snapshots.js'
import type { DurableEvent } from '../core/events.js'
import type { Journal, JournalBatch } from './journal.js'

/** How long a write waits for a database that went away before the admin gives up. */
const MAX_OUTAGE_MS = 5 * 60_000
const RECONNECT_FIRST_MS = 100
const RECONNECT_MAX_MS = 5_000

/** Errors that mean the connection is gone, not that the statement was wrong. */
function isConnectionLoss (err: unknown): boolean {
  const e = err as { code?: string, message?: string }
  return ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08003', '08006'].includes(e.code ?? '') ||
    /Connection terminated|connection error|not queryable|Client was closed/i.test(e.message ?? '')
}

/** Archived tasks whose events, piled up in memory, are dropped in one go. */
const COMPACT_AFTER = 1024
/** How long a leader's lease lasts without renewal, by default. */
export const DEFAULT_FAILOVER_TIMEOUT_MS = 5_000
/** 1: events of live tasks, an archive of finished ones (as SQLite's version 2), the leader's lease. */
const SCHEMA_VERSION = 1
export interface PostgresJournalOptions {
  /** How long connecting may take. @default 10000 */
  connectTimeoutMs?: number
  /**
   * How long the leader's lease lasts without a renewal: a standby takes over this long after the leader
   * stopped renewing (it renews three times as often). @default 5000
   */
  failoverTimeoutMs?: number
  /** This admin's name among the replicas, shown as the leader. @default the host name and process id */
  replica?: string
  /** Another replica leads: called once, before this one waits as a standby. */
  onStandby?: (leader: { replica: string, epoch: number }) => void
  /** Stops waiting as a standby. */
  signal?: AbortSignal
  /** Read the journal only (`taskmesh history`): take no lease, wait for nothing. */
  readOnly?: boolean
}

/** Which replica leads, under which epoch (each takeover adds one). */
export interface Leadership {
  replica: string
  epoch: number
}

/** A journal write refused because another replica took the lead: this admin must stop. */
export class StaleLeaderError extends StoreError {
  static override name = 'StaleLeaderError'
}

/**
 * The journal in PostgreSQL (`--database-url`): one row per event of a live task, one row per archived task,
 * one transaction per batch, so the admin acts on nothing the database does not have. The schema is created
 * and migrated on open, its version recorded. Several admins may share a database: one leads, under a lease
 * row with an epoch that it renews; the others wait as standbys and take over, with a new epoch, once the
 * lease expires. Every write is fenced by the epoch, so a leader that lost the lease (paused, cut off) can
 * write nothing more and steps down. The archive is read once at open and then kept in memory as well (the
 * scheduler reads it synchronously).
 */
export class PostgresJournal implements Journal {
  readonly archive = new MemoryArchive()
  private client: pg.Client
  private readonly where: string
  private readonly url: string
  private readonly connectTimeoutMs: number
  /** The connection was lost: the next write reconnects first. */
  private broken = false
  private batches = 0
  /** The live tasks' events, as in the database: what `load()` gives (compacted as tasks are archived). */
  private events: DurableEvent[]
  private archivedSinceCompaction = 0
  private failed: Error | undefined
  /** The lease this admin writes under; undefined when read-only. */
  readonly leadership: Leadership | undefined
  private readonly ttlMs: number
  private renewal: ReturnType<typeof setInterval> | undefined
  private onFailure: ((err: Error) => void) | undefined

  private constructor (client: pg.Client, url: string, connectTimeoutMs: number, events: DurableEvent[], archived: ArchivedTask[], leadership: Leadership | undefined, ttlMs: number) {
    this.client = client
    this.url = url
    this.connectTimeoutMs = connectTimeoutMs
    this.where = redact(url)
    this.events = events
    this.ttlMs = ttlMs
    this.leadership = leadership
    this.archive.add(archived)
    // a lost connection (the server restarted, the network failed) is taken up again by the next write
    client.on('error', () => { this.broken = true })
    if (leadership != null) {
      // renewed three times per lease; a renewal that finds another epoch means a standby took over
      this.renewal = setInterval(() => { void this.renew() }, Math.max(50, Math.floor(ttlMs / 3)))
      this.renewal.unref()
    }
  }

  static async open (url: string, options: PostgresJournalOptions = {}): Promise<PostgresJournal> {
    const where = redact(url)
    const ttlMs = options.failoverTimeoutMs ?? DEFAULT_FAILOVER_TIMEOUT_MS
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000 })
    client.on('error', () => {})
    try {
      await client.connect()
      await migrate(client, where)
      // the lease first, the journal after: a standby reads the journal only once it leads
      const leadership = options.readOnly === true ? undefined : await lead(client, options.replica ?? `${hostname()}:${process.pid}`, ttlMs, options)
      const events = await client.query<{ seq: string, body: string }>('SELECT seq, body FROM taskmesh_events ORDER BY seq')
      const archive = await client.query<{ id: string, body: string }>('SELECT id, body FROM taskmesh_archive ORDER BY seq')
      return new PostgresJournal(client, url, options.connectTimeoutMs ?? 10_000,
        events.rows.map(r => parse(() => JSON.parse(r.body) as DurableEvent, `event ${r.seq}`, where)),
        archive.rows.map(r => parse(() => unpackTask(r.id, JSON.parse(r.body) as PackedTask), `archived task "${r.id}"`, where)),
        leadership, ttlMs)
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
    if (this.leadership == null) throw new StoreError(`the journal in ${this.where} was opened read-only`)
    // a task archived in this batch needs none of its events
    const archived = batch.archive.length > 0 ? new Set(batch.archive.map(t => t.id)) : undefined
    const kept = archived == null ? batch.events : batch.events.filter(e => !archived.has(taskIdOf(e) ?? ''))
    // the batch is written once: retried after a lost connection, unless its commit had gone through
    const key = `${this.leadership.epoch}:${++this.batches}`
    const started = Date.now()
    for (let attempt = 1; ; attempt++) {
      try {
        if (this.broken) await this.reconnect()
        if (attempt > 1 && await this.committed(key)) break
        await this.write(kept, batch, archived, key)
        break
      } catch (err) {
        const failure = describe(err, this.where)
        if (failure instanceof StaleLeaderError) this.failed = failure
        if (failure instanceof StaleLeaderError || !isConnectionLoss(err) || Date.now() - started > MAX_OUTAGE_MS) throw failure
        // the database is away: the admin pauses here (it sends nothing unjournaled) and tries again
        this.broken = true
        await sleep(Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** Math.min(attempt - 1, 10)))
      }
    }
    for (const e of kept) this.events.push(e)
    if (batch.archive.length === 0) return
    this.archive.add(batch.archive)
    // the archived tasks' events are no longer needed here either: dropped once enough have piled up
    this.archivedSinceCompaction += batch.archive.length
    if (this.archivedSinceCompaction >= Math.max(COMPACT_AFTER, this.events.length / 8)) {
      this.events = [...this.load()]
      this.archivedSinceCompaction = 0
    }
  }

  /** One batch in one transaction, fenced by this admin's epoch, marked with its key. */
  private async write (kept: readonly DurableEvent[], batch: JournalBatch, archived: Set<string> | undefined, key: string): Promise<void> {
    const client = this.client
    try {
      await client.query('BEGIN')
      // fenced: the write commits only under this admin's epoch; the row lock orders it against a takeover
      const mine = await client.query('UPDATE taskmesh_leader SET expires_at = now() + make_interval(secs => $2) WHERE id = 1 AND epoch = $1 RETURNING epoch', [this.leadership!.epoch, this.ttlMs / 1000])
      if (mine.rowCount !== 1) throw await this.lost()
      await client.query('INSERT INTO taskmesh_meta (key, value) VALUES (\'last_batch\', $1) ON CONFLICT (key) DO UPDATE SET value = $1', [key])
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
      throw err
    }
  }

  /** Whether the batch of this key committed (its commit may have gone through as the connection died). */
  private async committed (key: string): Promise<boolean> {
    const r = await this.client.query<{ value: string }>('SELECT value FROM taskmesh_meta WHERE key = \'last_batch\'')
    return r.rows[0]?.value === key
  }

  private async reconnect (): Promise<void> {
    await this.client.end().catch(() => {})
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: this.connectTimeoutMs })
    client.on('error', () => { this.broken = true })
    await client.connect()
    this.client = client
    this.broken = false
  }

  watch (onFailure: (err: Error) => void): void {
    this.onFailure = onFailure
  }

  /** Event rows kept for replay. */
  async size (): Promise<number> {
    const r = await this.client.query<{ n: string }>('SELECT count(*) AS n FROM taskmesh_events')
    return Number(r.rows[0]!.n)
  }

  /** Resolves once the connection is closed; a clean stop gives the lease up, so a standby takes over at once. */
  async close (): Promise<void> {
    clearInterval(this.renewal)
    if (this.leadership != null && this.failed == null) await this.client.query('UPDATE taskmesh_leader SET expires_at = now() WHERE id = 1 AND epoch = $1', [this.leadership.epoch]).catch(() => {})
    await this.client.end().catch(() => {})
  }

  private async renew (): Promise<void> {
    if (this.failed != null || this.leadership == null || this.broken) return
    try {
      const r = await this.client.query('UPDATE taskmesh_leader SET expires_at = now() + make_interval(secs => $2) WHERE id = 1 AND epoch = $1 RETURNING epoch', [this.leadership.epoch, this.ttlMs / 1000])
      if (r.rowCount !== 1) {
        this.failed = await this.lost()
        this.onFailure?.(this.failed)
      }
    } catch {
      // the next write says what is wrong with the connection
    }
  }

  private async lost (): Promise<StaleLeaderError> {
    const now = await this.client.query<{ holder: string, epoch: string }>('SELECT holder, epoch FROM taskmesh_leader WHERE id = 1').catch(() => undefined)
    const leader = now?.rows[0]
    clearInterval(this.renewal)
    return new StaleLeaderError(`this admin lost the lead (epoch ${this.leadership!.epoch})${leader != null ? ` to ${leader.holder} (epoch ${leader.epoch})` : ''}: it stopped renewing its lease in time (paused, or cut off from the database); stepping down`)
  }
}

/**
 * Takes the leader's lease, or waits as a standby until it expires: a lease row with an epoch, compared with
 * the database's clock, so replicas need no clock of their own to agree.
 */
async function lead (client: pg.Client, replica: string, ttlMs: number, options: PostgresJournalOptions): Promise<Leadership> {
  let told = false
  for (;;) {
    const taken = await client.query<{ epoch: string }>(`
      INSERT INTO taskmesh_leader (id, epoch, holder, expires_at) VALUES (1, 1, $1, now() + make_interval(secs => $2))
      ON CONFLICT (id) DO UPDATE SET epoch = taskmesh_leader.epoch + 1, holder = $1, expires_at = now() + make_interval(secs => $2)
      WHERE taskmesh_leader.expires_at < now()
      RETURNING epoch`, [replica, ttlMs / 1000])
    if (taken.rowCount === 1) return { replica, epoch: Number(taken.rows[0]!.epoch) }
    if (!told) {
      const leader = (await client.query<{ holder: string, epoch: string }>('SELECT holder, epoch FROM taskmesh_leader WHERE id = 1')).rows[0]
      options.onStandby?.({ replica: leader?.holder ?? '?', epoch: Number(leader?.epoch ?? 0) })
      told = true
    }
    options.signal?.throwIfAborted()
    await sleep(Math.max(25, Math.floor(ttlMs / 10)), undefined, options.signal != null ? { signal: options.signal } : {})
  }
}

async function migrate (client: pg.Client, where: string): Promise<void> {
  await client.query(`
    CREATE TABLE IF NOT EXISTS taskmesh_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS taskmesh_events (seq BIGSERIAL PRIMARY KEY, task_id TEXT, body TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS taskmesh_events_by_task ON taskmesh_events (task_id);
    CREATE TABLE IF NOT EXISTS taskmesh_archive (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, state TEXT NOT NULL, cache_key TEXT, body TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS taskmesh_archive_by_seq ON taskmesh_archive (seq);
    CREATE TABLE IF NOT EXISTS taskmesh_leader (id INT PRIMARY KEY CHECK (id = 1), epoch BIGINT NOT NULL, holder TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL);
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
  if ((err as Error).name === 'AbortError') return new StoreError('stopped while waiting as a standby')
  const e = err as Error & { code?: string }
  if (e.code === 'ECONNREFUSED') return new StoreError(`cannot reach PostgreSQL at ${where}: nothing listens there (is the server running, on that host and port?)`)
  if (e.code === '28P01' || e.code === '28000') return new StoreError(`PostgreSQL at ${where} refused the login: ${e.message}; check the user and password in --database-url`)
  if (e.code === '3D000') return new StoreError(`PostgreSQL at ${where}: ${e.message}; create it (createdb) or name another in --database-url`)
  return new StoreError(`PostgreSQL at ${where}: ${e.message}`)
}
