import { ProtocolError } from '../errors.js'
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
