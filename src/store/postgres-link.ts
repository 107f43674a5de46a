import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { backoffDelay } from '../core/backoff.js'
import { ConnectionLostError } from '../errors.js'
import { CLOSE_TIMEOUT_MS, RECONNECT_BACKOFF } from './constants.js'

/**
 * Errors that mean the connection is gone (or hangs), not that the statement was wrong: ours by name, the
 * system's and the server's by code, and node-postgres's own, which carry neither, by their wording.
 */
export function isConnectionLoss (err: unknown): boolean {
  const e = err as { name?: string, code?: string, message?: string }
  return e.name === ConnectionLostError.name ||
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', '57P01', '57P02', '57P03', '08000', '08003', '08006'].includes(e.code ?? '') ||
    /Connection terminated|connection error|not queryable|Client was closed|Query read timeout|timeout expired/i.test(e.message ?? '')
}

export interface PgLinkOptions {
  url: string
  /** How long connecting may take. */
  connectTimeoutMs: number
  /** A statement not answered within this long counts as a lost connection (a network cut gives no error). */
  queryTimeoutMs: number
  /**
   * The server ends this session when a transaction of it waits this long for its next statement: a client
   * cut off mid-transaction would otherwise hold its row locks (the leader's lease row) until the server's
   * TCP keep-alive gives up, hours later.
   */
  idleInTransactionTimeoutMs?: number
  /** The database stopped answering: told once per outage, with the first error. */
  onOutage?: (err: Error) => void
  /** The database answers again after an outage. */
  onRecovery?: () => void
}

/**
 * One session with PostgreSQL that survives the server's restarts and network cuts: a statement that
 * finds the connection lost (or unanswered past the query timeout) marks it broken and fails; the next
 * statement connects again first. Outages and recoveries are reported once each.
 */
export class PgLink {
  private client: pg.Client
  private readonly options: PgLinkOptions
  private broken = false
  private reconnecting: Promise<void> | undefined
  /** An outage was reported and the database has not answered since. */
  private down = false
  private closed = false

  private constructor (client: pg.Client, options: PgLinkOptions) {
    this.client = client
    this.options = options
  }

  /** Connects once; the caller says what a failure here means (the admin does not start). */
  static async connect (options: PgLinkOptions): Promise<PgLink> {
    const link = new PgLink(newClient(options), options)
    // the server ended the session (a restart, a terminated backend): an outage, however short
    link.client.on('error', err => { if (!link.closed) link.lost(err) })
    try {
      await link.client.connect()
    } catch (err) {
      await link.client.end().catch(() => {})
      throw err
    }
    return link
  }

  /** One statement on the session; a lost connection is reported and rethrown (see {@link retrying}). */
  async query<R extends pg.QueryResultRow = any> (text: string, values?: unknown[], queryTimeoutMs?: number): Promise<pg.QueryResult<R>> {
    if (this.broken) await this.reconnect().catch(err => { this.failed(err) })
    return await this.run<R>(this.client, text, values, queryTimeoutMs)
  }

  /**
   * Runs `work` inside one transaction, rolled back when it throws. Every statement goes to the session the
   * transaction began on: should that session break meanwhile, the statements fail rather than commit
   * piecemeal on a new one.
   */
  async transaction (work: (query: <R extends pg.QueryResultRow = any>(text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>) => Promise<void>): Promise<void> {
    if (this.broken) await this.reconnect().catch(err => { this.failed(err) })
    const client = this.client
    await this.run(client, 'BEGIN')
    try {
      await work(async (text, values) => await this.run(client, text, values))
      await this.run(client, 'COMMIT')
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    }
  }

  private async run<R extends pg.QueryResultRow = any> (client: pg.Client, text: string, values?: unknown[], queryTimeoutMs?: number): Promise<pg.QueryResult<R>> {
    // a statement of a session already replaced fails as a lost connection (its caller tries again), but the
    // database is not away: only the current session's failures are outages
    if (client !== this.client) throw new ConnectionLostError('the session was replaced')
    try {
      const result = await client.query<R>({ text, values, query_timeout: queryTimeoutMs ?? this.options.queryTimeoutMs } as pg.QueryConfig)
      if (client === this.client) this.recovered()
      return result
    } catch (err) {
      if (client !== this.client) throw err
      this.failed(err)
    }
  }

  /** Reports a lost connection, and rethrows. */
  private failed (err: unknown): never {
    if (isConnectionLoss(err)) this.lost(err as Error)
    throw err
  }

  /**
   * Runs `work` until it gets through, waiting with backoff (`RECONNECT_BACKOFF`) while the database is
   * away; any other error, an abort or an outage longer than `maxOutageMs` ends it.
   */
  async retrying<T> (work: (attempt: number) => Promise<T>, options: { maxOutageMs: number, signal?: AbortSignal }): Promise<T> {
    const started = performance.now()
    for (let attempt = 1; ; attempt++) {
      try {
        return await work(attempt)
      } catch (err) {
        if (!isConnectionLoss(err) || this.closed || performance.now() - started > options.maxOutageMs) throw err
        await sleep(backoffDelay(RECONNECT_BACKOFF, attempt + 1, Math.random), undefined, options.signal != null ? { signal: options.signal } : {})
      }
    }
  }

  /** Whether the database answered the last statement (false during an outage). */
  get reachable (): boolean {
    return !this.down
  }

  /** Closes the session; one the network no longer carries is dropped after a second rather than waited for. */
  async end (): Promise<void> {
    this.closed = true
    const client = this.client
    const timer = setTimeout(() => { drop(client) }, CLOSE_TIMEOUT_MS)
    await client.end().catch(() => {})
    clearTimeout(timer)
  }

  private lost (err: Error): void {
    this.broken = true
    if (this.down) return
    this.down = true
    this.options.onOutage?.(err)
    void this.heal()
  }

  /** After an outage, connects again in the background until the database answers, so its return is known without waiting for the next statement. */
  private async heal (): Promise<void> {
    for (let attempt = 1; this.down && !this.closed; attempt++) {
      try {
        if (this.broken) await this.reconnect()
        this.recovered()
        return
      } catch {
        await sleep(backoffDelay(RECONNECT_BACKOFF, attempt + 1, Math.random))
      }
    }
  }

  private recovered (): void {
    if (!this.down) return
    this.down = false
    this.options.onRecovery?.()
  }

  /** A new session in place of the broken one; concurrent callers share the attempt. */
  private async reconnect (): Promise<void> {
    this.reconnecting ??= (async () => {
      // the broken session is dropped, not ended politely: over a cut network, a polite end never finishes
      drop(this.client)
      const client = newClient(this.options)
      client.on('error', err => { if (this.client === client && !this.closed) this.lost(err) })
      try {
        await client.connect()
      } catch (err) {
        await client.end().catch(() => {})
        throw err
      }
      this.client = client
      this.broken = false
    })().finally(() => { this.reconnecting = undefined })
    await this.reconnecting
  }
}

function newClient (options: PgLinkOptions): pg.Client {
  const client = new pg.Client({
    connectionString: options.url,
    connectionTimeoutMillis: options.connectTimeoutMs,
    keepAlive: true,
    ...(options.idleInTransactionTimeoutMs != null ? { idle_in_transaction_session_timeout: Math.max(1, Math.round(options.idleInTransactionTimeoutMs)) } : {})
  })
  client.on('error', () => {})
  return client
}

/** Closes a session's socket at once, whatever the server would have said. */
function drop (client: pg.Client): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy()
}
