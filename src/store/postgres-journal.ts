import { hostname } from 'node:os'
import { StoreError } from '../errors.js'
import { packTask } from '../core/archive.js'
import { TempArchive } from './sqlite-archive.js'
import { ARCHIVE_LOAD_PAGE, COMPACT_AFTER, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_FAILOVER_TIMEOUT_MS, LOAD_TIMEOUT_MS, MAX_OUTAGE_MS, QUERY_TIMEOUT_MS } from './constants.js'
import { lead, StaleLeaderError, type LeaderLease, type Leadership } from './postgres-lease.js'
import { batchStatement, rateStatements } from './postgres-batch.js'
import { PgLink, type PgLinkOptions } from './postgres-link.js'
import { describe, migrate, parse } from './postgres-schema.js'
import { redactUrl } from '../util/redact-url.js'
import type { DurableEvent } from '../core/events.js'
import type { ScheduleRecord } from '../core/schedules.js'
import { announce, replicasIn, type ReplicaAddresses } from './postgres-replicas.js'
import { isEmpty, type Journal, type JournalBatch, type JournalWatcher, type OutboxMessage, type WorkerTally } from './journal.js'

export { StaleLeaderError, type Leadership } from './postgres-lease.js'
export { DEFAULT_FAILOVER_TIMEOUT_MS } from './constants.js'

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
  /**
   * Another replica leads: called once, before this one waits as a standby, with every replica's addresses
   * as they were recorded (this one's included).
   */
  onStandby?: (leader: Leadership, replicas: ReplicaAddresses[]) => void
  /** Where this replica's workers will reach it (each ending in /p2p/<peer id>): recorded for the other replicas. */
  addresses?: string[]
  /** Stops waiting as a standby. */
  signal?: AbortSignal
  /** Read the journal only (`taskmesh history`): take no lease, wait for nothing. */
  readOnly?: boolean
}


/**
 * The journal in PostgreSQL (`--database-url`): one row per event of a live task, one row per archived task,
 * one transaction per batch, so the admin acts on nothing the database does not have. The schema is created
 * and migrated on open, its version recorded. Several admins may share a database: one leads, under a lease
 * row with an epoch that it renews; the others wait as standbys and take over, with a new epoch, once the
 * lease expires. Every write is fenced by the epoch, so a leader that lost the lease (paused, cut off) can
 * write nothing more and steps down. The archive is copied at open, a page at a time, into a temporary
 * SQLite database the scheduler reads synchronously (memory stays flat however many tasks finished), and
 * each batch's archived tasks are added to it once committed.
 */
export class PostgresJournal implements Journal {
  readonly archive: TempArchive
  private readonly link: PgLink
  private readonly where: string
  private batches = 0
  /** The live tasks' events, as in the database: what `load()` gives (compacted as tasks are archived). */
  private events: DurableEvent[]
  /** Messages recorded and not delivered, as in the database. */
  private readonly pending: Map<string, OutboxMessage>
  private readonly tallied: WorkerTally[]
  private readonly starts: Array<{ key: string, at: number }>
  /** The schedules as read at open (the admin reads them once, as it starts). */
  private scheduled: ScheduleRecord[] = []
  /** Tasks archived or dropped since the events were last compacted: their events in `events` are left over. */
  private leftSinceCompaction = new Set<string>()
  /** The lease this admin writes under; undefined when read-only. */
  private readonly lease: LeaderLease | undefined
  private watcher: JournalWatcher | undefined
  /** When the database stopped answering, or the lease fell in doubt (monotonic). */
  private pausedAt: number | undefined

  private constructor (link: PgLink, where: string, events: DurableEvent[], archive: TempArchive, outbox: OutboxMessage[], tallies: WorkerTally[], starts: Array<{ key: string, at: number }>, lease: LeaderLease | undefined) {
    this.link = link
    this.archive = archive
    this.where = where
    this.events = events
    this.pending = new Map(outbox.map(m => [m.id, m]))
    this.tallied = tallies
    this.starts = starts
    this.lease = lease
  }

  static async open (url: string, options: PostgresJournalOptions = {}): Promise<PostgresJournal> {
    // every message names the database by this, never by the URL itself: it may hold a password
    const where = redactUrl(url, 'the address given by --database-url')
    const ttlMs = options.failoverTimeoutMs ?? DEFAULT_FAILOVER_TIMEOUT_MS
    // outages met while opening are waited for (a standby) or end the start; later ones go to the watcher
    const reports: { journal?: PostgresJournal } = {}
    const session = (queryTimeoutMs: number): PgLinkOptions => ({
      url,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      queryTimeoutMs,
      // a leader cut off inside a write must not keep the lease row locked against the standby taking it
      idleInTransactionTimeoutMs: ttlMs
    })
    let link: PgLink | undefined
    let leaseLink: PgLink | undefined
    let lease: LeaderLease | undefined
    const archive = new TempArchive(`the database ${where}`)
    try {
      // the journal's session says when writes wait: the lease's own outages matter only once it runs out
      link = await PgLink.connect({
        ...session(QUERY_TIMEOUT_MS),
        onOutage: err => { reports.journal?.outage(err) },
        onRecovery: () => { reports.journal?.recovery() }
      })
      await migrate(link, where)
      const replica = options.replica ?? `${hostname()}:${process.pid}`
      if (options.readOnly !== true && options.addresses != null) await announce(link, replica, options.addresses)
      if (options.readOnly !== true) {
        // the lease has a session of its own: a renewal never waits behind a large write or read
        leaseLink = await PgLink.connect(session(Math.max(1_000, ttlMs)))
        // the lease first, the journal after: a standby reads the journal only once it leads
        // what a standby says where its workers should look: every replica, as recorded now
        const known = options.onStandby != null ? await replicasIn(link) : []
        const onStandby = options.onStandby
        lease = await lead(leaseLink, replica, ttlMs, { ...(onStandby != null ? { onStandby: (leader: Leadership) => { onStandby(leader, known) } } : {}), ...(options.signal != null ? { signal: options.signal } : {}) })
        // renewed from the moment it is held, while the journal is read; what befalls it goes to the watcher
        lease.start({
          doubt: reason => { reports.journal?.doubt(reason) },
          regained: () => { reports.journal?.resumed() },
          lost: err => { reports.journal?.watcher?.failed(err) }
        })
      }
      const events = await link.query<{ seq: string, body: string }>('SELECT seq, body FROM taskmesh_events ORDER BY seq', [], LOAD_TIMEOUT_MS)
      await copyArchive(link, archive)
      // a reader (taskmesh history, result) posts nothing: the outbox is read by the admin that does
      const outbox = options.readOnly === true
        ? { rows: [] }
        : await link.query<{ id: string, target: string, event: string, body: string, at: string }>('SELECT id, target, event, body, at FROM taskmesh_outbox ORDER BY seq', [], LOAD_TIMEOUT_MS)
      const tallies = await link.query<{ id: string, name: string, completed: string, failed: string }>('SELECT id, name, completed, failed FROM taskmesh_worker_tallies', [], LOAD_TIMEOUT_MS)
      const starts = await link.query<{ key: string, at: string }>('SELECT key, at FROM taskmesh_rate_starts ORDER BY at', [], LOAD_TIMEOUT_MS)
      const schedules = await link.query<{ name: string, body: string }>('SELECT name, body FROM taskmesh_schedules ORDER BY name', [], LOAD_TIMEOUT_MS)
      // numbering goes on after the tasks retention dropped
      const purgedSeq = (await link.query<{ value: string }>('SELECT value FROM taskmesh_meta WHERE key = \'purged_seq\'')).rows[0]?.value
      reports.journal = new PostgresJournal(link, where,
        events.rows.map(r => parse(() => JSON.parse(r.body) as DurableEvent, `event ${r.seq}`, where)),
        archive,
        outbox.rows.map(r => ({ ...r, at: Number(r.at) })),
        tallies.rows.map(r => ({ id: r.id, name: r.name, completed: Number(r.completed), failed: Number(r.failed) })),
        starts.rows.map(r => ({ key: r.key, at: Number(r.at) })),
        lease)
      if (purgedSeq != null) reports.journal.archive.remove([{ id: '', seq: Number(purgedSeq) }])
      reports.journal.scheduled = schedules.rows.map(r => parse(() => JSON.parse(r.body) as ScheduleRecord, `schedule "${r.name}"`, where))
      return reports.journal
    } catch (err) {
      archive.close()
      lease?.stop()
      await leaseLink?.end()
      await link?.end()
      throw describe(err, where)
    }
  }

  /** Among replicas, the lease this admin leads under. */
  get leadership (): Leadership | undefined {
    return this.lease?.leadership
  }

  load (): Iterable<DurableEvent> {
    const left = this.leftSinceCompaction
    return left.size === 0 ? [...this.events] : this.events.filter(e => !left.has(taskIdOf(e) ?? ''))
  }

  outbox (): OutboxMessage[] {
    return [...this.pending.values()]
  }

  /** Records where this replica's workers reach it (its addresses once it listens), for the others. */
  async announce (addresses: string[]): Promise<void> {
    const leader = this.lease?.leadership
    if (leader == null) return
    // a session lost meanwhile is not the admin's end: the record is written again on the next one
    try {
      await this.link.retrying(async () => { await announce(this.link, leader.replica, addresses) }, { maxOutageMs: MAX_OUTAGE_MS })
    } catch (err) {
      throw describe(err, this.where)
    }
  }

  /** Every replica's addresses, as recorded. */
  async replicas (): Promise<ReplicaAddresses[]> {
    return await replicasIn(this.link)
  }

  /** As read when the journal opened (the admin reads them once, as it starts). */
  tallies (): WorkerTally[] {
    return this.tallied
  }

  /** As read when the journal opened. */
  rateStarts (): Array<{ key: string, at: number }> {
    return this.starts
  }

  /** As read when the journal opened. */
  schedules (): ScheduleRecord[] {
    return this.scheduled
  }

  async append (batch: JournalBatch): Promise<void> {
    if (isEmpty(batch)) return
    const lease = this.lease
    if (lease == null) throw new StoreError(`the journal in ${this.where} was opened read-only`)
    if (lease.failure != null) throw lease.failure
    // a task archived or dropped in this batch needs none of its events
    const leaving = batch.archive.length > 0 || (batch.purged?.length ?? 0) > 0 ? new Set([...batch.archive.map(t => t.id), ...(batch.purged ?? []).map(t => t.id)]) : undefined
    const kept = leaving == null ? batch.events : batch.events.filter(e => !leaving.has(taskIdOf(e) ?? ''))
    const bodies = batch.archive.map(t => JSON.stringify(packTask(t)))
    // the batch is written once: retried after a lost connection, unless its commit had gone through
    const key = `${lease.leadership.epoch}:${++this.batches}`
    try {
      // while the database is away the admin waits here: it sends nothing unjournaled
      await this.link.retrying(async attempt => {
        if (attempt > 1 && await this.committed(key)) return
        const sent = performance.now()
        // fenced: the write commits only under this admin's epoch; the row lock orders it against a takeover
        const { text, values } = batchStatement(batch, kept, bodies, key, lease.leadership.epoch, lease.ttlSeconds, taskIdOf)
        const rates = rateStatements(batch)
        if (rates.length === 0) {
          // one statement is its own transaction: one round trip, and no transaction left open between two
          // (a stale leader's statement wrote nothing, and its lock on the lease row went with it)
          const result = await this.link.query<{ fenced: number }>(text, values)
          if (result.rows[0]?.fenced !== 1) throw await lease.lost()
        } else {
          let fenced = true
          await this.link.transaction(async query => {
            const result = await query<{ fenced: number }>(text, values)
            fenced = result.rows[0]?.fenced === 1
            // rolled back at once, before asking who leads: the lease row's lock goes with it
            if (!fenced) throw new StaleLeaderError('fence')
            for (const statement of rates) await query(statement.text, statement.values)
          }).catch(async err => { throw fenced ? err : await lease.lost() })
        }
        lease.extended(sent)
      }, { maxOutageMs: MAX_OUTAGE_MS })
    } catch (err) {
      throw describe(err, this.where)
    }
    for (const e of kept) this.events.push(e)
    for (const m of batch.outbox ?? []) if (!this.pending.has(m.id)) this.pending.set(m.id, m)
    for (const id of batch.delivered ?? []) this.pending.delete(id)
    // archived, then dropped: a task both in one batch is gone, as in the database
    this.archive.add(batch.archive, bodies)
    if ((batch.purged?.length ?? 0) > 0) this.archive.remove(batch.purged!)
    if (leaving == null) return
    // the events of tasks archived or dropped are no longer needed here either: dropped once enough have piled up
    for (const id of leaving) this.leftSinceCompaction.add(id)
    if (this.leftSinceCompaction.size >= Math.max(COMPACT_AFTER, this.events.length / 8)) {
      this.events = [...this.load()]
      this.leftSinceCompaction = new Set()
    }
  }

  /** Whether the batch of this key committed (its commit may have gone through as the connection died). */
  private async committed (key: string): Promise<boolean> {
    // a locking read: a commit still in flight (its connection lost meanwhile) is waited for, not missed
    const r = await this.link.query<{ value: string }>('SELECT value FROM taskmesh_meta WHERE key = \'last_batch\' FOR SHARE')
    return r.rows[0]?.value === key
  }

  watch (watcher: JournalWatcher): void {
    this.watcher = watcher
  }

  private doubt (reason: string): void {
    this.pausedAt ??= performance.now()
    this.watcher?.paused?.({ reason, leadInDoubt: true })
  }

  /** The journal's session lost the database: writes wait. */
  private outage (err: Error): void {
    this.pausedAt ??= performance.now()
    this.watcher?.paused?.({ reason: describe(err, this.where).message, leadInDoubt: false })
  }

  private recovery (): void {
    // with the lease in doubt, only its renewal tells whether this admin resumes or steps down
    if (this.lease?.inDoubt !== true) this.resumed()
  }

  private resumed (): void {
    if (this.pausedAt == null || !this.link.reachable) return
    const ms = performance.now() - this.pausedAt
    this.pausedAt = undefined
    this.watcher?.resumed?.({ ms })
  }

  /** Event rows kept for replay. */
  async size (): Promise<number> {
    const r = await this.link.query<{ n: string }>('SELECT count(*) AS n FROM taskmesh_events')
    return Number(r.rows[0]!.n)
  }

  /** Resolves once the connection is closed; a clean stop gives the lease up, so a standby takes over at once. */
  async close (): Promise<void> {
    await this.lease?.release()
    await this.link.end()
    this.archive.close()
  }
}

function taskIdOf (e: DurableEvent): string | null {
  if ('taskId' in e) return e.taskId
  return e.type === 'submitted' ? e.task.id : null
}

/** The database's archive into `archive`, a page at a time in submission order: never all of it in memory. */
async function copyArchive (link: PgLink, archive: TempArchive): Promise<void> {
  let after: { seq: string, id: string } | undefined
  for (;;) {
    const page = await link.query<{ id: string, seq: string, state: string, cache_key: string | null, body: string }>(
      after == null
        ? 'SELECT id, seq, state, cache_key, body FROM taskmesh_archive ORDER BY seq, id LIMIT $1'
        // (seq >= first, for the index on seq: the rows after the last one read start there)
        : 'SELECT id, seq, state, cache_key, body FROM taskmesh_archive WHERE seq >= $2::bigint AND (seq, id) > ($2::bigint, $3) ORDER BY seq, id LIMIT $1',
      after == null ? [ARCHIVE_LOAD_PAGE] : [ARCHIVE_LOAD_PAGE, after.seq, after.id], LOAD_TIMEOUT_MS)
    archive.addStored(page.rows.map(r => ({ id: r.id, seq: Number(r.seq), state: r.state, cacheKey: r.cache_key, body: r.body })))
    if (page.rows.length < ARCHIVE_LOAD_PAGE) return
    after = page.rows.at(-1)!
  }
}
