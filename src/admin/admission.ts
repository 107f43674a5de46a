import { AuthorizationError, RegistrationRefusedError } from '../errors.js'
import { PeerGuard } from './peer-guard.js'
import { FULL_RETRY_AFTER_MS, PULL_NAME_PREFIXES } from './constants.js'
import type { Announcer } from './announcer.js'
import type { Scheduler } from '../core/scheduler.js'

/** The ways a worker reaches the admin: the task stream, or pulling over the client protocol (MCP) or HTTP. */
export type Door = 'libp2p' | 'client' | 'http'

/** Who calls through a door that is not the task stream, as far as the admin can tell. */
export interface Caller {
  door: Exclude<Door, 'libp2p'>
  /** The peer id it proved: a client's (Noise), or an HTTP agent's signed token; none for an anonymous HTTP caller. */
  peerId?: string
}

/** A worker asking to hold work, whatever its door. */
export interface Applicant {
  door: Door
  /** Its id for the scheduler: a peer id on the task stream, `pull:<door>:<agent>` for an agent that pulls. */
  workerId: string
  /** The name it is shown and pinned by. */
  name: string
  /** The peer id it proved (the Noise handshake, or an HTTP agent's signed token); none for an anonymous agent. */
  peerId?: string
}

export interface AdmissionInit {
  scheduler: Scheduler
  /** Workers admitted at once, whatever their door. */
  maxWorkers: number
  /** Strikes before a ban, and how long a ban lasts. */
  maxStrikes: number
  banMs: number
  clock: () => number
  /** Where strikes and bans are reported. */
  announcer: Announcer
  /** Returns true when a peer may hold work, or the reason it may not. @default everyone may */
  authorizeWorker?: (peerId: string) => true | string
}

/** Who owns a worker id: the peer id that proved it, or nobody in particular. */
const ANONYMOUS = 'anonymous'

/**
 * One place decides whether a worker may hold work, whatever its door: the allow-list, bans earned with
 * invalid data, quarantine, the number of workers, and who owns a name. A name belongs to the identity
 * holding it until its worker leaves; names of agents that pull start with their door (`http:`, `mcp:`),
 * which no worker on the task stream may take, so neither kind can squat the other's. What an admitted
 * worker may then hold (its earned window, the budget the unproven share, probation) is the scheduler's.
 */
export class Admission {
  private readonly init: AdmissionInit
  private readonly guard: PeerGuard
  /** Admitted workers, by id, with who owns each. */
  private readonly owners = new Map<string, string>()

  constructor (init: AdmissionInit) {
    this.init = init
    this.guard = new PeerGuard({ maxStrikes: init.maxStrikes, banMs: init.banMs, clock: init.clock })
  }

  /** Workers admitted now. */
  get size (): number {
    return this.owners.size
  }

  /** Throws why the applicant may not hold work (it is not admitted by this), or returns. */
  check (applicant: Applicant): void {
    const { scheduler, clock } = this.init
    const identity = applicant.peerId ?? applicant.workerId
    const banned = this.guard.bannedUntil(identity)
    if (banned != null) throw new RegistrationRefusedError(`banned for ${Math.ceil((banned - clock()) / 1000)} s more: too much invalid data`, { retryAfterMs: banned - clock() })
    if (this.init.authorizeWorker != null) {
      if (applicant.peerId == null) throw new AuthorizationError('this admin takes work only from the workers on its allow-list: an agent that pulls over HTTP proves its identity with a token (taskmesh agent-token --key AGENT_KEY --admin ADMIN_ADDRESS, sent as the taskmesh-agent header), and its peer id goes on the list')
      const allowed = this.init.authorizeWorker(applicant.peerId)
      if (allowed !== true) throw new AuthorizationError(`peer ${applicant.peerId} may not join as a worker: ${allowed}`)
    }
    const until = scheduler.quarantinedUntil(applicant.workerId, clock())
    if (until != null) {
      // an honest worker waits as told; one that comes back early earns a strike each time, then a ban
      this.strike(identity, 'came back while quarantined', 1)
      throw new RegistrationRefusedError(`this worker is quarantined for ${Math.ceil((until - clock()) / 1000)} s more: it kept losing the work it was given (disconnected or silent while holding it)`, { retryAfterMs: until - clock() })
    }
    this.checkName(applicant)
    if (!this.owners.has(applicant.workerId) && this.owners.size >= this.init.maxWorkers) {
      // a slot frees when a worker leaves: the applicant comes back later rather than giving up
      throw new RegistrationRefusedError(`the admin already has ${this.owners.size} workers, its limit (--max-workers): trying again in ${FULL_RETRY_AFTER_MS / 1000} s`, { retryAfterMs: FULL_RETRY_AFTER_MS })
    }
  }

  /** The applicant passed `check` and holds its worker id from now on. */
  admit (applicant: Applicant): void {
    this.owners.set(applicant.workerId, applicant.peerId ?? ANONYMOUS)
  }

  /** Its worker left: its id and name are free again. */
  left (workerId: string): void {
    this.owners.delete(workerId)
  }

  /** Does this caller own the worker (it claimed under it)? An anonymous owner is anyone anonymous. */
  owns (workerId: string, peerId: string | undefined): boolean {
    const owner = this.owners.get(workerId)
    return owner != null && owner === (peerId ?? ANONYMOUS)
  }

  /** After an allow-list changed: the admitted workers whose identity it no longer allows. */
  disallowed (): string[] {
    const authorize = this.init.authorizeWorker
    if (authorize == null) return []
    return [...this.owners].filter(([, owner]) => owner === ANONYMOUS || authorize(owner) !== true).map(([id]) => id)
  }

  /**
   * Something invalid from an identity (a peer id, or an anonymous agent's worker id): reported, and counted
   * as `weight` strikes. True when that bans it; the caller then drops its connection.
   */
  strike (identity: string, reason: string, weight: number): boolean {
    const { announcer, clock, banMs } = this.init
    announcer.rejected(identity, reason)
    if (!this.guard.strike(identity, weight)) return false
    announcer.banned(identity, clock() + banMs, reason)
    return true
  }

  /** How long a ban lasts. */
  get banMs (): number {
    return this.init.banMs
  }

  isBanned (identity: string): boolean {
    return this.guard.isBanned(identity)
  }

  private checkName (applicant: Applicant): void {
    const { name, workerId } = applicant
    if (applicant.door === 'libp2p') {
      const reserved = PULL_NAME_PREFIXES.find(p => name.startsWith(p))
      if (reserved != null) throw new RegistrationRefusedError(`names starting with "${reserved}" are those of agents that pull work; start this worker with another --name`)
      const rival = this.init.scheduler.view.workers().find(w => w.name === name && w.id !== workerId && this.owners.has(w.id))
      if (rival != null) throw new RegistrationRefusedError(`the name "${name}" is taken by another connected worker (${rival.id}); start this one with another --name`)
      return
    }
    const owner = this.owners.get(workerId)
    if (owner != null && owner !== (applicant.peerId ?? ANONYMOUS)) {
      throw new RegistrationRefusedError(`the name "${name}" is held by another agent (${owner === ANONYMOUS ? 'one without an identity' : `peer ${owner}`}) until its claims end; claim under another agent name`)
    }
  }
}
