import type { DurableEvent } from '../core/events.js'
import type { JournalBatch } from './journal.js'

/** Every write waits for the fence and does nothing without it (Postgres runs each of them anyway). */
const IF_FENCED = 'EXISTS (SELECT FROM fence)'
const FENCED = `WHERE ${IF_FENCED}`

/** A statement and its parameters, for node-postgres. */
export interface Statement {
  text: string
  values: unknown[]
}

/**
 * A journal batch as one statement: the fence (the leader's row renewed under its epoch, which takes the
 * row's lock) and every write, each a data-modifying CTE, so that a batch is one statement, and one round
 * trip: a statement is its own transaction. Every write is conditional on the fence's row, so a stale
 * leader's statement writes and locks nothing but that row; it answers `fenced`, the rows the fence
 * renewed: anything but 1 means another admin leads (inside a transaction, the caller rolls it back). Rows of
 * one table are written in key order (tallies, schedules), so two leaders' batches cannot deadlock. Writes to
 * one table never touch the same row twice (a task's events are not inserted in the batch that archives or
 * drops it), as Postgres requires of CTEs that all see one snapshot. Rate-limit starts, rare, are left to
 * statements of their own (`rateStatements`), in one transaction with this one.
 */
/** `kept`: the batch's events without those of tasks it archives or drops; `bodies`: its archived tasks packed (`packTask`), as JSON. */
export function batchStatement (batch: JournalBatch, kept: readonly DurableEvent[], bodies: readonly string[], key: string, epoch: number, ttlSeconds: number, taskIdOf: (e: DurableEvent) => string | null): Statement {
  const values: unknown[] = []
  const p = (value: unknown): string => {
    values.push(value)
    return `$${values.length}`
  }
  const ctes: string[] = [
    `fence AS (UPDATE taskmesh_leader SET expires_at = now() + make_interval(secs => ${p(ttlSeconds)}::double precision) WHERE id = 1 AND epoch = ${p(epoch)}::bigint RETURNING epoch)`,
    `last AS (INSERT INTO taskmesh_meta (key, value) SELECT 'last_batch', ${p(key)}::text ${FENCED} ON CONFLICT (key) DO UPDATE SET value = excluded.value)`
  ]
  if (kept.length > 0) {
    ctes.push(`events AS (INSERT INTO taskmesh_events (task_id, body) SELECT task_id, body FROM unnest(${p(kept.map(taskIdOf))}::text[], ${p(kept.map(e => JSON.stringify(e)))}::text[]) WITH ORDINALITY AS t(task_id, body, n) ${FENCED} ORDER BY n)`)
  }
  // the events of tasks leaving the events table: archived now, or dropped
  const purged = batch.purged ?? []
  const dropped = new Set(purged.map(t => t.id))
  const gone = [...batch.archive.map(t => t.id), ...dropped]
  // a task archived and dropped in one batch is not archived at all
  const archived = batch.archive.flatMap((t, i) => dropped.has(t.id) ? [] : [i])
  if (archived.length > 0) {
    const a = archived.map(i => batch.archive[i]!)
    ctes.push(`archive AS (INSERT INTO taskmesh_archive (id, seq, state, cache_key, body) SELECT * FROM unnest(${p(a.map(t => t.id))}::text[], ${p(a.map(t => t.seq))}::bigint[], ${p(a.map(t => t.state))}::text[], ${p(a.map(t => t.spec.cacheKey ?? null))}::text[], ${p(archived.map(i => bodies[i]!))}::text[]) AS t ${FENCED} ON CONFLICT (id) DO NOTHING)`)
  }
  if (gone.length > 0) ctes.push(`gone AS (DELETE FROM taskmesh_events WHERE task_id = ANY(${p(gone)}::text[]) AND ${IF_FENCED})`)
  if (purged.length > 0) {
    ctes.push(`dropped AS (DELETE FROM taskmesh_archive WHERE id = ANY(${p(purged.map(t => t.id))}::text[]) AND ${IF_FENCED})`)
    ctes.push(`purged AS (INSERT INTO taskmesh_meta (key, value) SELECT 'purged_seq', ${p(String(purged.reduce((m, t) => Math.max(m, t.seq), -1)))}::text ${FENCED} ON CONFLICT (key) DO UPDATE SET value = GREATEST(taskmesh_meta.value::bigint, excluded.value::bigint)::text)`)
  }
  // a message delivered in the batch that queues it is not queued at all
  const delivered = new Set(batch.delivered ?? [])
  const outbox = (batch.outbox ?? []).filter(m => !delivered.has(m.id))
  if (outbox.length > 0) {
    ctes.push(`outbox AS (INSERT INTO taskmesh_outbox (id, target, event, body, at) SELECT id, target, event, body, at FROM unnest(${p(outbox.map(m => m.id))}::text[], ${p(outbox.map(m => m.target))}::text[], ${p(outbox.map(m => m.event))}::text[], ${p(outbox.map(m => m.body))}::text[], ${p(outbox.map(m => m.at))}::bigint[]) WITH ORDINALITY AS t(id, target, event, body, at, n) ${FENCED} ORDER BY n ON CONFLICT (id) DO NOTHING)`)
  }
  if (delivered.size > 0) ctes.push(`delivered AS (DELETE FROM taskmesh_outbox WHERE id = ANY(${p([...delivered])}::text[]) AND ${IF_FENCED})`)
  // a schedule put and removed in one batch is removed
  const removed = new Set(batch.schedules?.removed ?? [])
  const schedules = (batch.schedules?.put ?? []).filter(s => !removed.has(s.name)).sort((x, y) => x.name < y.name ? -1 : x.name > y.name ? 1 : 0)
  if (schedules.length > 0) {
    ctes.push(`schedules AS (INSERT INTO taskmesh_schedules (name, body) SELECT * FROM unnest(${p(schedules.map(s => s.name))}::text[], ${p(schedules.map(s => JSON.stringify(s)))}::text[]) AS t ${FENCED} ON CONFLICT (name) DO UPDATE SET body = excluded.body)`)
  }
  if (removed.size > 0) ctes.push(`unscheduled AS (DELETE FROM taskmesh_schedules WHERE name = ANY(${p([...removed])}::text[]) AND ${IF_FENCED})`)
  const tallies = [...(batch.tallies ?? [])].sort((x, y) => x.id < y.id ? -1 : x.id > y.id ? 1 : 0)
  if (tallies.length > 0) {
    ctes.push(`tallies AS (INSERT INTO taskmesh_worker_tallies (id, name, completed, failed) SELECT * FROM unnest(${p(tallies.map(t => t.id))}::text[], ${p(tallies.map(t => t.name))}::text[], ${p(tallies.map(t => t.completed))}::bigint[], ${p(tallies.map(t => t.failed))}::bigint[]) AS t ${FENCED} ON CONFLICT (id) DO UPDATE SET name = excluded.name, completed = excluded.completed, failed = excluded.failed)`)
  }
  return { text: `WITH ${ctes.join(',\n')}\nSELECT count(*)::int AS fenced FROM fence`, values }
}

/** The batch's rate-limit starts: per key, the starts that left its window go, the new ones come. */
export function rateStatements (batch: JournalBatch): Statement[] {
  const out: Statement[] = []
  for (const r of batch.rateStarts ?? []) {
    if (r.keepFrom > -Infinity) out.push({ text: 'DELETE FROM taskmesh_rate_starts WHERE key = $1 AND at < $2', values: [r.key, r.keepFrom] })
    out.push({ text: 'INSERT INTO taskmesh_rate_starts (key, at) SELECT $1, unnest($2::bigint[])', values: [r.key, r.starts] })
  }
  return out
}
