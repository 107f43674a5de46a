import { MAX_TRACKED_PEERS } from './constants.js'

/**
 * Remembers peers that send invalid data. Each invalid frame is a strike, across reconnections; a peer that
 * reaches the limit is banned for a while (its connections refused), then starts again from zero. Both maps
 * are bounded, so a flood of fresh peer ids cannot grow them without end.
 */
export class PeerGuard {
  private readonly strikes = new Map<string, number>()
  private readonly bans = new Map<string, number>()
  private readonly maxStrikes: number
  private readonly banMs: number
  private readonly clock: () => number
  private readonly maxTracked: number

  constructor (options: { maxStrikes: number, banMs: number, clock: () => number, maxTracked?: number }) {
    this.maxStrikes = options.maxStrikes
    this.banMs = options.banMs
    this.clock = options.clock
    this.maxTracked = options.maxTracked ?? MAX_TRACKED_PEERS
  }

  /** Counts `weight` strikes against a peer; returns true when that bans it. */
  strike (peerId: string, weight = 1): boolean {
    const count = (this.strikes.get(peerId) ?? 0) + weight
    this.strikes.delete(peerId)
    if (count < this.maxStrikes) {
      this.strikes.set(peerId, count)
      trim(this.strikes, this.maxTracked)
      return false
    }
    this.bans.set(peerId, this.clock() + this.banMs)
    trim(this.bans, this.maxTracked)
    return true
  }

  isBanned (peerId: string): boolean {
    const until = this.bans.get(peerId)
    if (until == null) return false
    if (until > this.clock()) return true
    this.bans.delete(peerId)
    return false
  }

  /** When a banned peer may come back, if it is banned. */
  bannedUntil (peerId: string): number | undefined {
    return this.isBanned(peerId) ? this.bans.get(peerId) : undefined
  }
}

/** Drops the oldest entries (maps iterate in insertion order). */
function trim (map: Map<string, number>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return
    map.delete(key)
  }
}
