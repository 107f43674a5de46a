import { setTimeout as sleep } from 'node:timers/promises'
import { StoreError } from '../errors.js'
import type { PgLink } from './postgres-link.js'

/** Which replica leads, under which epoch (each takeover adds one). */
export interface Leadership {
  replica: string
  epoch: number
}

/** A journal write refused because another replica took the lead: this admin must stop. */
export class StaleLeaderError extends StoreError {
  static override name = 'StaleLeaderError'
}

export interface LeaseWatcher {
  /** The lease ran out without a renewal (the database unreachable, or this process paused): a standby may lead now. */
  doubt(reason: string): void
  /** Renewed after a doubt: nobody took over, this replica still leads. */
  regained(): void
  /** Another replica leads: this one must write nothing more. */
  lost(err: StaleLeaderError): void
}

const RENEW = 'UPDATE taskmesh_leader SET expires_at = now() + make_interval(secs => $2) WHERE id = 1 AND epoch = $1 RETURNING epoch'

/**
 * The leader's lease: one row with an epoch and an expiry, compared with the database's clock, so replicas
 * need no clock of their own to agree. The leader renews it three times per failover timeout; every journal
 * write renews it too, in the write's transaction, and commits only under this leader's epoch (the fence).
 *
 * The leader keeps its own, conservative view of the expiry: the time a successful renewal was *sent*, plus
 * the timeout. Once that passes unrenewed, a standby may have taken over, so the lease is in doubt: the admin
 * lets its workers go (they follow whichever replica leads) until a renewal says whether it still leads.
 */
export class LeaderLease {
  readonly leadership: Leadership
  private readonly link: PgLink
  private readonly ttlMs: number
  private validUntil: number
  private doubted = false
  private renewing = false
  private timer: ReturnType<typeof setInterval> | undefined
  private watcher: LeaseWatcher | undefined
  /** Set once another replica leads: every later write fails with it. */
  failure: StaleLeaderError | undefined

  constructor (link: PgLink, leadership: Leadership, ttlMs: number, takenAt: number) {
    this.link = link
    this.leadership = leadership
    this.ttlMs = ttlMs
    this.validUntil = takenAt + ttlMs
  }

  get inDoubt (): boolean {
    return this.doubted
  }

  /** Renews the lease three times per timeout from now on, telling `watcher` what befalls it. */
  start (watcher: LeaseWatcher): void {
    this.watcher = watcher
    this.timer ??= setInterval(() => { this.tick() }, Math.max(50, Math.floor(this.ttlMs / 3)))
    this.timer.unref()
  }

  /** A statement sent at `sentAt` (monotonic, `performance.now()`) renewed the lease and committed. */
  extended (sentAt: number): void {
    this.validUntil = Math.max(this.validUntil, sentAt + this.ttlMs)
    if (!this.doubted) return
    this.doubted = false
    this.watcher?.regained()
  }

  /**
   * How long a renewal makes the lease last, in seconds. A journal batch renews the lease under its epoch
   * in the statement that writes it (`batchStatement`): its fence.
   */
  get ttlSeconds (): number {
    return this.ttlMs / 1000
  }

  /** Gives the lease up (a clean stop), so a standby takes over at once, and closes its session. */
  async release (): Promise<void> {
    this.stop()
    // unreachable: the lease runs out by itself
    if (this.failure == null && this.link.reachable) {
      await this.link.query('UPDATE taskmesh_leader SET expires_at = now() WHERE id = 1 AND epoch = $1', [this.leadership.epoch], 2_000).catch(() => {})
    }
    await this.link.end()
  }

  stop (): void {
    clearInterval(this.timer)
  }

  private tick (): void {
    if (this.failure != null) return
    if (!this.doubted && performance.now() > this.validUntil) {
      this.doubted = true
      this.watcher?.doubt(`its lease (${this.ttlMs / 1000} s) ran out before it could be renewed`)
    }
    if (!this.renewing) void this.renew()
  }

  private async renew (): Promise<void> {
    this.renewing = true
    const sent = performance.now()
    try {
      // on the lease's own session, which waits no longer than the lease: a later renewal is no use
      const r = await this.link.query(RENEW, [this.leadership.epoch, this.ttlMs / 1000])
      if (r.rowCount === 1) this.extended(sent)
      else this.watcher?.lost(await this.lost())
    } catch {
      // the database is away: the link reports the outage; the lease falls in doubt once it runs out
    } finally {
      this.renewing = false
    }
  }

  /** What happened: the error every later write fails with. */
  async lost (): Promise<StaleLeaderError> {
    if (this.failure != null) return this.failure
    this.stop()
    const now = await this.link.query<{ holder: string, epoch: string }>('SELECT holder, epoch FROM taskmesh_leader WHERE id = 1').catch(() => undefined)
    const leader = now?.rows[0]
    this.failure = new StaleLeaderError(`this admin lost the lead (epoch ${this.leadership.epoch})${leader != null ? ` to ${leader.holder} (epoch ${leader.epoch})` : ''}: it stopped renewing its lease in time (paused, or cut off from the database); stepping down`)
    return this.failure
  }
}

export interface LeadOptions {
  /** Another replica leads: called once, before this one waits as a standby. */
  onStandby?: (leader: Leadership) => void
  /** Stops waiting as a standby. */
  signal?: AbortSignal
}

/**
 * Takes the leader's lease, or waits as a standby until it expires, whatever the wait; a database that goes
 * away meanwhile is waited for too. Returns the lease, held from the moment the taking statement was sent.
 */
export async function lead (link: PgLink, replica: string, ttlMs: number, options: LeadOptions): Promise<LeaderLease> {
  let told = false
  for (;;) {
    const sent = performance.now()
    const retry = { maxOutageMs: Infinity, ...(options.signal != null ? { signal: options.signal } : {}) }
    const taken = await link.retrying(async () => await link.query<{ epoch: string }>(`
      INSERT INTO taskmesh_leader (id, epoch, holder, expires_at) VALUES (1, 1, $1, now() + make_interval(secs => $2))
      ON CONFLICT (id) DO UPDATE SET epoch = taskmesh_leader.epoch + 1, holder = $1, expires_at = now() + make_interval(secs => $2)
      WHERE taskmesh_leader.expires_at < now()
      RETURNING epoch`, [replica, ttlMs / 1000]), retry)
    if (taken.rowCount === 1) return new LeaderLease(link, { replica, epoch: Number(taken.rows[0]!.epoch) }, ttlMs, sent)
    if (!told) {
      const leader = (await link.retrying(async () => await link.query<{ holder: string, epoch: string }>('SELECT holder, epoch FROM taskmesh_leader WHERE id = 1'), retry)).rows[0]
      options.onStandby?.({ replica: leader?.holder ?? '?', epoch: Number(leader?.epoch ?? 0) })
      told = true
    }
    options.signal?.throwIfAborted()
    await sleep(Math.max(25, Math.floor(ttlMs / 10)), undefined, options.signal != null ? { signal: options.signal } : {})
  }
}
