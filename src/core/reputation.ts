import { DEFAULT_INITIAL_WINDOW, DEFAULT_MAX_WINDOW, MAX_STANDINGS, QUARANTINE_AFTER_LOSSES, QUARANTINE_BASE_MS, QUARANTINE_MAX_MS, LOSS_MEMORY_MS } from './constants.js'

/** What an operator may change about a worker. It lasts until the operator changes it, across reconnections. */
export interface WorkerSteering {
  online?: boolean
  draining?: boolean
  priority?: number
  /** Lowers (or restores) what it may run at once; never above what it asked for when it registered. */
  maxConcurrent?: number
}

/** What a worker's attempts came to: kept across its reconnections, and journaled across the admin's restarts. */
export interface WorkerTally {
  /** Its peer id (or `http:NAME` for an agent that pulls). */
  id: string
  name: string
  /** Attempts that succeeded. */
  completed: number
  /** Attempts that failed or timed out. */
  failed: number
}

export interface ReputationOptions {
  /** Concurrent attempts a newly registered worker may hold (never more than it asks for). @default 2 */
  initialWindow?: number
  /** Most concurrent attempts any worker may earn. @default 256 */
  maxWindow?: number
}

/**
 * What the admin has learned about one worker (by peer id), kept across its reconnections: how many
 * attempts it may hold, what it delivered, what it lost.
 */
export class Standing {
  /** Concurrent attempts it has earned: grows by one with each accepted result, halves with each loss. */
  window: number
  /** Accepted results: a worker with none is unproven. */
  accepted = 0
  /** Attempts lost with it (disconnected holding work, lease expired, held far too long). */
  losses = 0
  /** When its recent losses happened, within the loss memory. */
  recentLosses: number[] = []
  /** Quarantines so far: each lasts twice the one before. */
  quarantines = 0
  /** Its registrations are refused until then. */
  quarantinedUntil = 0
  /** What an operator set (draining, offline, priority, capacity): applied again whenever it registers. */
  steering: WorkerSteering | undefined
  /** Attempts that succeeded, and that failed or timed out, on this worker ({@link WorkerTally}). */
  completed = 0
  failed = 0

  constructor (window: number) {
    this.window = window
  }

  get proven (): boolean {
    return this.accepted > 0
  }
}

/**
 * Earned capacity and blame. A worker starts with a small window of concurrent attempts that grows as it
 * returns accepted results and shrinks when it loses work, the way TCP's slow start grows a congestion
 * window; one that keeps losing work is quarantined, for longer each time. Bounded: the oldest standings
 * without a quarantine are forgotten first, so a flood of fresh peer ids cannot grow it without end.
 */
export class Reputation {
  readonly initialWindow: number
  readonly maxWindow: number
  private readonly standings = new Map<string, Standing>()
  /** Workers whose tallies changed since the last {@link takeTallies}, with the name they had. */
  private readonly tallied = new Map<string, string>()

  constructor (options: ReputationOptions = {}) {
    this.maxWindow = Math.max(1, options.maxWindow ?? DEFAULT_MAX_WINDOW)
    this.initialWindow = Math.max(1, Math.min(this.maxWindow, options.initialWindow ?? DEFAULT_INITIAL_WINDOW))
  }

  of (workerId: string): Standing {
    let standing = this.standings.get(workerId)
    if (standing == null) {
      standing = new Standing(this.initialWindow)
      this.standings.set(workerId, standing)
      if (this.standings.size > MAX_STANDINGS) this.forget()
    }
    return standing
  }

  /** The worker delivered an accepted result. */
  accepted (standing: Standing): void {
    standing.accepted++
    if (standing.window < this.maxWindow) standing.window++
  }

  /** An attempt of the worker ended: succeeded, or failed (timed out included). */
  ended (workerId: string, name: string, succeeded: boolean): void {
    const standing = this.of(workerId)
    if (succeeded) standing.completed++
    else standing.failed++
    this.tallied.set(workerId, name)
  }

  /** The tallies that changed since the last call: what the next journal batch records. */
  takeTallies (): WorkerTally[] {
    if (this.tallied.size === 0) return []
    const tallies: WorkerTally[] = []
    for (const [id, name] of this.tallied) {
      const standing = this.standings.get(id)
      if (standing != null) tallies.push({ id, name, completed: standing.completed, failed: standing.failed })
    }
    this.tallied.clear()
    return tallies
  }

  /** The tallies a journal kept, as the admin starts again. */
  restoreTallies (tallies: Iterable<WorkerTally>): void {
    for (const t of tallies) {
      const standing = this.of(t.id)
      standing.completed = t.completed
      standing.failed = t.failed
    }
  }

  /** The worker lost an attempt. Returns true when that quarantines it. */
  lost (standing: Standing, now: number): boolean {
    standing.losses++
    standing.window = Math.max(1, Math.floor(standing.window / 2))
    standing.recentLosses = standing.recentLosses.filter(at => at > now - LOSS_MEMORY_MS)
    standing.recentLosses.push(now)
    if (standing.recentLosses.length < QUARANTINE_AFTER_LOSSES) return false
    standing.recentLosses = []
    standing.quarantinedUntil = now + Math.min(QUARANTINE_MAX_MS, QUARANTINE_BASE_MS * 2 ** Math.min(standing.quarantines, 20))
    standing.quarantines++
    return true
  }

  /** Until when the worker's registrations are refused, if they are now. */
  quarantinedUntil (workerId: string, now: number): number | undefined {
    const until = this.standings.get(workerId)?.quarantinedUntil ?? 0
    return until > now ? until : undefined
  }

  /** Forgets standings, oldest first, sparing quarantined and steered ones while any other can go. */
  private forget (): void {
    const target = MAX_STANDINGS - Math.ceil(MAX_STANDINGS / 10)
    for (const [id, standing] of this.standings) {
      if (this.standings.size <= target) return
      if (standing.quarantines === 0 && standing.steering == null) this.standings.delete(id)
    }
    for (const id of this.standings.keys()) {
      if (this.standings.size <= target) return
      this.standings.delete(id)
    }
  }
}
