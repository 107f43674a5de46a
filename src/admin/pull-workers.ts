import { InvalidStateError, UnknownTaskError, ValidationError } from '../errors.js'
import { FIELD_LIMITS } from '../protocol/constants.js'
import type { JsonValue } from '../core/task.js'
import type { ReportOutcome } from '../core/options.js'
import type { Scheduler } from '../core/scheduler.js'

/** What an agent that pulls work asks for. */
export interface ClaimRequest {
  /** Its name: a worker like any other, shown as pulling. */
  agent: string
  /** Task types it handles; any when left out. */
  types?: string[]
  capabilities?: string[]
  skill?: number
  /** Tasks it wants at most. */
  max: number
  /** How long to wait for work when none is ready (long poll). */
  waitMs: number
  signal?: AbortSignal
}

/** One task handed to a pulling agent: the lease token ends it (result, error) or keeps it (heartbeat). */
export interface Claim {
  token: string
  task: { id: string, attempt: number, type: string, description: string, difficulty: number, payload: JsonValue | null, inputs: Record<string, JsonValue>, timeoutMs?: number }
  /** Renew within this long (heartbeat, or another claim), or the task is taken back. */
  leaseTtlMs: number
}

export interface ClaimOutcome {
  success: boolean
  output?: JsonValue
  error?: string
  unrecoverable?: boolean
}

/** A claim by its token, or by the agent's name and the task id (as the distribution document reports results). */
export type ClaimRef = { token: string } | { agent: string, taskId: string }

export interface PullWorkersInit {
  scheduler: Scheduler
  clock: () => number
  /** Run the flush cycle (decide, journal, send, announce) soon. */
  requestFlush: () => void
  /** A connected (libp2p) worker with this name, when there is one: names stay unique. */
  connectedNamed: (name: string) => string | undefined
}

interface Pending {
  agent: string
  got: Claim[]
  resolve(claims: Claim[]): void
  timer: ReturnType<typeof setTimeout>
}

interface Held {
  workerId: string
  agent: string
  taskId: string
  attempt: number
}

/** Worker ids of pulling agents: never a peer id. */
export const PULL_PREFIX = 'pull:'

/**
 * Agents that take work over HTTP or MCP instead of a libp2p stream. A claim registers the agent as a worker
 * with room for what it asks, and is answered once the scheduler has assigned to it and the journal has the
 * assignments (or when its wait runs out); between claims it is draining, so nothing is pushed at it. Its
 * leases expire like any worker's when it stops renewing them, and a result is accepted once, under its token.
 */
export class PullWorkers {
  private readonly init: PullWorkersInit
  private readonly pending = new Map<string, Pending>()
  private readonly held = new Map<string, Held>()
  private readonly byTask = new Map<string, string>()
  /** Results accepted, waiting for the batch that records them: resolved when it is delivered (so journaled). */
  private readonly journaled = new Map<string, () => void>()

  constructor (init: PullWorkersInit) {
    this.init = init
  }

  has (workerId: string): boolean {
    return workerId.startsWith(PULL_PREFIX)
  }

  async claim (req: ClaimRequest): Promise<Claim[]> {
    const { scheduler, clock } = this.init
    const id = PULL_PREFIX + req.agent
    if (this.pending.has(id)) throw new InvalidStateError(`agent "${req.agent}" already has a claim waiting; send one claim at a time`)
    const rival = this.init.connectedNamed(req.agent)
    if (rival != null) throw new InvalidStateError(`the name "${req.agent}" is taken by a connected worker (${rival}); claim under another agent name`)
    const now = clock()
    const held = scheduler.view.worker(id)?.running ?? 0
    if (scheduler.view.worker(id) == null) {
      scheduler.registerWorker({
        id,
        name: req.agent,
        skill: req.skill ?? 0,
        capabilities: req.capabilities ?? [],
        ...(req.types != null ? { types: req.types } : {}),
        maxConcurrent: FIELD_LIMITS.maxConcurrent
      }, now)
    }
    scheduler.renewLeases(id, now)
    scheduler.updateWorker(id, { draining: false, maxConcurrent: Math.min(FIELD_LIMITS.maxConcurrent, held + req.max) })
    return await new Promise<Claim[]>(resolve => {
      const finish = (got: Claim[]): void => {
        clearTimeout(entry.timer)
        this.pending.delete(id)
        req.signal?.removeEventListener('abort', onAbort)
        // nothing more is pushed at it until it asks again
        if (scheduler.view.worker(id) != null) scheduler.updateWorker(id, { draining: true })
        resolve(got)
      }
      const onAbort = (): void => { finish(entry.got) }
      const entry: Pending = { agent: req.agent, got: [], resolve: finish, timer: setTimeout(() => { finish(entry.got) }, req.waitMs) }
      this.pending.set(id, entry)
      req.signal?.addEventListener('abort', onAbort, { once: true })
      this.init.requestFlush()
    })
  }

  /** Keeps the agent's leases (all of them: it is one worker) for another lease TTL. */
  heartbeat (ref: ClaimRef): { leaseTtlMs: number } {
    const held = this.find(ref)
    this.init.scheduler.renewLeases(held.workerId, this.init.clock())
    return { leaseTtlMs: this.init.scheduler.leaseTtlMs }
  }

  /** Ends a claimed attempt; resolves once the journal has it, with what became of it. */
  async finish (ref: ClaimRef, outcome: ClaimOutcome): Promise<ReportOutcome> {
    const token = this.tokenOf(ref)
    const held = this.held.get(token)
    if (held == null) throw new InvalidStateError(`no task is claimed under ${'token' in ref ? 'this token' : `agent "${ref.agent}" and task "${ref.taskId}"`}: it was answered already, or its lease ended (it expired, or the task was cancelled) and it went back to the queue`)
    const result = this.init.scheduler.report(held.workerId, {
      taskId: held.taskId,
      attempt: held.attempt,
      token,
      success: outcome.success,
      ...(outcome.output !== undefined ? { output: outcome.output } : {}),
      ...(outcome.error != null ? { error: outcome.error } : {}),
      ...(outcome.unrecoverable === true ? { unrecoverable: true } : {})
    }, this.init.clock())
    this.forget(token)
    // an accepted result is answered once the batch holding its attempt's end has been written (not merely
    // the batch being written now, which may have started before it); other outcomes recorded nothing
    if (result === 'accepted') {
      await new Promise<void>(resolve => {
        this.journaled.set(`${held.taskId}\u0000${held.attempt}`, resolve)
        this.init.requestFlush()
      })
    }
    return result
  }

  // ---------------------------------------------------------------- from the flush cycle's delivery

  assigned (workerId: string, token: string, task: Claim['task']): void {
    const claim: Claim = { token, task, leaseTtlMs: this.init.scheduler.leaseTtlMs }
    const entry = this.pending.get(workerId)
    const agent = workerId.slice(PULL_PREFIX.length)
    this.held.set(claim.token, { workerId, agent, taskId: claim.task.id, attempt: claim.task.attempt })
    this.byTask.set(`${agent}\u0000${claim.task.id}`, claim.token)
    entry?.got.push(claim)
  }

  /**
   * An attempt ended, in a batch now journaled: a result waiting for that is answered; if the agent had not
   * answered (timed out, cancelled, taken back), its token is void.
   */
  ended (taskId: string, attempt: number): void {
    const key = `${taskId}\u0000${attempt}`
    this.journaled.get(key)?.()
    this.journaled.delete(key)
    for (const [token, held] of this.held) {
      if (held.taskId === taskId && held.attempt === attempt) this.forget(token)
    }
  }

  left (workerId: string): void {
    for (const [token, held] of this.held) if (held.workerId === workerId) this.forget(token)
  }

  /** A delivery is over (the journal had its batch): answer the claims that got work. */
  delivered (): void {
    for (const entry of this.pending.values()) if (entry.got.length > 0) entry.resolve(entry.got)
  }

  /** The admin stops: waiting claims are answered with what they have, and waiting results let go. */
  close (): void {
    for (const entry of [...this.pending.values()]) entry.resolve(entry.got)
    for (const resolve of this.journaled.values()) resolve()
    this.journaled.clear()
  }

  private find (ref: ClaimRef): Held {
    const held = this.held.get(this.tokenOf(ref))
    if (held == null) throw new UnknownTaskError('no task is claimed under that reference: it was answered already, or its lease ended')
    return held
  }

  private tokenOf (ref: ClaimRef): string {
    if ('token' in ref) {
      if (typeof ref.token !== 'string' || ref.token === '') throw new ValidationError([{ path: 'token', message: 'missing: give the token of the claim' }], { subject: 'request' })
      return ref.token
    }
    return this.byTask.get(`${ref.agent}\u0000${ref.taskId}`) ?? ''
  }

  private forget (token: string): void {
    const held = this.held.get(token)
    if (held == null) return
    this.held.delete(token)
    this.byTask.delete(`${held.agent}\u0000${held.taskId}`)
  }
}
