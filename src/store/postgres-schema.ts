import { StoreError } from '../errors.js'
import { isConnectionLoss, type PgLink } from './postgres-link.js'

/**
 * 1: events of live tasks, an archive of finished ones (as SQLite's version 2), the leader's lease. 2: and an
 * outbox of webhook messages. 3: and the workers' tallies, and where each replica is reached. 4: and the
 * schedules, and the highest submission number retention dropped.
 */
const SCHEMA_VERSION = 4

/** Creates what is missing of the schema, and refuses a database a newer taskmesh wrote. */
export async function migrate (link: PgLink, where: string): Promise<void> {
  await link.query(`
    CREATE TABLE IF NOT EXISTS taskmesh_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS taskmesh_events (seq BIGSERIAL PRIMARY KEY, task_id TEXT, body TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS taskmesh_events_by_task ON taskmesh_events (task_id);
    CREATE TABLE IF NOT EXISTS taskmesh_archive (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, state TEXT NOT NULL, cache_key TEXT, body TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS taskmesh_archive_by_seq ON taskmesh_archive (seq);
    CREATE TABLE IF NOT EXISTS taskmesh_leader (id INT PRIMARY KEY CHECK (id = 1), epoch BIGINT NOT NULL, holder TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL);
    CREATE TABLE IF NOT EXISTS taskmesh_outbox (seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, target TEXT NOT NULL, event TEXT NOT NULL, body TEXT NOT NULL, at BIGINT NOT NULL);
    CREATE TABLE IF NOT EXISTS taskmesh_worker_tallies (id TEXT PRIMARY KEY, name TEXT NOT NULL, completed BIGINT NOT NULL, failed BIGINT NOT NULL);
    CREATE TABLE IF NOT EXISTS taskmesh_rate_starts (key TEXT NOT NULL, at BIGINT NOT NULL);
    CREATE INDEX IF NOT EXISTS taskmesh_rate_starts_by_key ON taskmesh_rate_starts (key, at);
    CREATE TABLE IF NOT EXISTS taskmesh_schedules (name TEXT PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS taskmesh_replicas (replica TEXT PRIMARY KEY, addresses TEXT NOT NULL, seen_at TIMESTAMPTZ NOT NULL);
  `)
  const version = (await link.query<{ value: string }>('SELECT value FROM taskmesh_meta WHERE key = \'schema\'')).rows[0]?.value
  if (version != null && Number(version) > SCHEMA_VERSION) {
    throw new StoreError(`the database ${where} has taskmesh schema version ${version}; this taskmesh reads versions up to ${SCHEMA_VERSION}: run a newer taskmesh`)
  }
  await link.query('INSERT INTO taskmesh_meta (key, value) VALUES (\'schema\', $1) ON CONFLICT (key) DO UPDATE SET value = $1', [String(SCHEMA_VERSION)])
}

export function parse<T> (read: () => T, what: string, where: string): T {
  try {
    return read()
  } catch (err) {
    throw new StoreError(`the database ${where}: ${what} is not readable (${(err as Error).message}); restore it from a backup`)
  }
}

/** An error of the database as people read it, naming the database by `where` (never by its URL). */
export function describe (err: unknown, where: string): StoreError {
  if (err instanceof StoreError) return err
  if ((err as Error).name === 'AbortError') return new StoreError('stopped while waiting as a standby')
  const e = err as Error & { code?: string }
  if (e.code === 'ECONNREFUSED') return new StoreError(`cannot reach PostgreSQL at ${where}: nothing listens there (is the server running, on that host and port?)`)
  if (e.code === '28P01' || e.code === '28000') return new StoreError(`PostgreSQL at ${where} refused the login: ${e.message}; check the user and password in --database-url`)
  if (['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(e.code ?? '') || /timeout/i.test(e.message)) return new StoreError(`cannot reach PostgreSQL at ${where}: no answer (${e.message}); is the network to it up?`)
  if (isConnectionLoss(err)) return new StoreError(`lost the connection to PostgreSQL at ${where} (${e.message})`)
  if (e.code === '3D000') return new StoreError(`PostgreSQL at ${where}: ${e.message}; create it (createdb) or name another in --database-url`)
  return new StoreError(`PostgreSQL at ${where}: ${e.message}`)
}
