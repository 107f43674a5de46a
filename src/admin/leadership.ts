import { JournalUnavailableError, ProtocolError } from '../errors.js'
import type { Announcer } from './announcer.js'
import type { JournalPause } from './handle.js'
import type { ConnectionManager } from '@libp2p/interface-internal'

export interface LeadershipInit {
  connectionManager: Pick<ConnectionManager, 'getConnections'>
  announcer: Announcer
  clock: () => number
}

/**
 * What the admin does while its journal's store (PostgreSQL) does not answer. Writes wait, so nothing
 * unjournaled leaves. Once the lease ran out unrenewed a standby may lead: the lead is in doubt, every peer
 * is let go and refused, so workers and clients go to whichever replica leads, until a renewal says this
 * one still does (or the journal fails, and the admin steps down).
 */
export class Leadership {
  private readonly init: LeadershipInit
  /** Writes wait for the journal's store: since when, and why. */
  pause: JournalPause | undefined
  /** The lease ran out unrenewed: every connection is refused until the journal resumes or fails. */
  inDoubt = false

  constructor (init: LeadershipInit) {
    this.init = init
  }

  paused (detail: { reason: string, leadInDoubt: boolean }): void {
    this.pause = { since: this.pause?.since ?? this.init.clock(), reason: detail.reason, leadInDoubt: detail.leadInDoubt || this.inDoubt }
    this.init.announcer.journalPaused(detail)
    if (!detail.leadInDoubt || this.inDoubt) return
    this.inDoubt = true
    for (const connection of this.init.connectionManager.getConnections()) {
      connection.abort(new ProtocolError('this admin replica cannot tell whether it still leads (its database does not answer); try another replica'))
    }
  }

  resumed (detail: { ms: number }): void {
    this.inDoubt = false
    this.pause = undefined
    this.init.announcer.journalResumed(detail)
  }
}

/**
 * Resolves once `cycle` has journaled and sent every change made so far: when a change may be acknowledged
 * to whoever asked. Past `timeoutMs` (a database that does not answer) it rejects with a
 * JournalUnavailableError saying what became of the change, and why when the journal is paused.
 */
export async function acknowledged (cycle: { recorded(): Promise<void> }, pause: () => JournalPause | undefined, timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const paused = pause()
      reject(new JournalUnavailableError(`not confirmed: the journal did not record this change within ${timeoutMs / 1000} s${paused != null ? ` (its database does not answer since ${new Date(paused.since).toISOString()}: ${paused.reason})` : ''}; it is recorded once the journal answers, unless this admin stops first: look it up before sending it again`))
    }, timeoutMs)
  })
  try {
    await Promise.race([cycle.recorded(), late])
  } finally {
    clearTimeout(timer)
  }
}
