import { InvalidStateError, UnknownTaskError } from '../errors.js'
import { FIELD_LIMITS } from '../protocol/constants.js'
import type { Admission, Caller } from './admission.js'
import type { JsonValue } from '../core/task.js'
import type { ReportOutcome } from '../core/options.js'
import type { Scheduler } from '../core/scheduler.js'

/** What an agent that pulls work asks for. */
export interface ClaimRequest {
  /** Its name, unique among the agents of its door; it is shown as `http:NAME` or `mcp:NAME`. */
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
  /** `traceparent`: the W3C trace context of the admin's span for this attempt, when it traces. */
  task: { id: string, attempt: number, type: string, description: string, difficulty: number, payload: JsonValue | null, inputs: Record<string, JsonValue>, timeoutMs?: number, traceparent?: string }
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

/** Runs the flush cycle (decide, journal, send, announce) at the end of this turn. */
export interface FlushRequests {
  request(): void
}

export interface PullWorkersInit {
  scheduler: Scheduler
  admission: Admission
  cycle: FlushRequests
  clock: () => number
}

interface Pending {
  got: Claim[]
  resolve(claims: Claim[]): void
  timer: ReturnType<typeof setTimeout>
}

interface Held {
  workerId: string
  taskId: string
  attempt: number
}

/** Worker ids of pulling agents: never a peer id. */
export const PULL_PREFIX = 'pull:'

/** How a door's agents are named: what no worker on the task stream may be called. */
const NAME_PREFIX: Record<Caller['door'], string> = { http: 'http:', client: 'mcp:' }

/**
 * Agents that take work over HTTP or MCP instead of a libp2p stream. A claim admits the agent as a worker
 * (through the same admission as every worker) and asks for up to `max` attempts; it is answered once the
 * scheduler has assigned to it and the journal has the assignments, or when its wait runs out. Between
 * claims it asks for nothing, so nothing is pushed at it, and what an operator set for it stays set. Its
 * leases expire like any worker's when it stops renewing them; a result is taken once, under the claim's
 * token or from the identity that claimed.
 */
export class PullWorkers {
  private readonly init: PullWorkersInit
  private readonly pending = new Map<string, Pending>()
  private readonly held = new Map<string, Held>()
  /** Claim tokens by worker and task, for answers that name the agent and the task. */
  private readonly byTask = new Map<string, string>()

  constructor (init: PullWorkersInit) {
    this.init = init
  }

  has (workerId: string): boolean {
    return workerId.startsWith(PULL_PREFIX)
  }

  /** The scheduler's id and the shown name of `agent` calling through `door`. */
  static identity (door: Caller['door'], agent: string): { workerId: string, name: string } {
    return { workerId: `${PULL_PREFIX}${door}:${agent}`, name: NAME_PREFIX[door] + agent }
  }

  async claim (caller: Caller, req: ClaimRequest): Promise<{ worker: string, claims: Claim[] }> {
    const { scheduler, admission, clock } = this.init
    const { workerId, name } = PullWorkers.identity(caller.door, req.agent)
    const applicant = { door: caller.door, workerId, name, ...(caller.peerId != null ? { peerId: caller.peerId } : {}) }
    admission.check(applicant)
    if (this.pending.has(workerId)) throw new InvalidStateError(`agent "${name}" already has a claim waiting; send one claim at a time`)
    const now = clock()
    const registered = scheduler.view.worker(workerId)
    if (registered == null) {
      scheduler.registerWorker({
        id: workerId,
        name,
        skill: req.skill ?? 0,
        capabilities: req.capabilities ?? [],
        ...(req.types != null ? { types: req.types } : {}),
        maxConcurrent: FIELD_LIMITS.maxConcurrent
      }, now)
      admission.admit(applicant)
    } else if (req.types != null && !sameNames(registered.types, req.types)) {
      scheduler.updateWorker(workerId, { types: req.types })
    }
    scheduler.renewLeases(workerId, now)
    scheduler.setWants(workerId, req.max)
    const claims = await new Promise<Claim[]>(resolve => {
      const finish = (got: Claim[]): void => {
        clearTimeout(entry.timer)
        this.pending.delete(workerId)
        req.signal?.removeEventListener('abort', onAbort)
        // nothing more is pushed at it until it asks again
        if (scheduler.view.worker(workerId) != null) scheduler.setWants(workerId, 0)
        resolve(got)
      }
      const onAbort = (): void => { finish(entry.got) }
      const entry: Pending = { got: [], resolve: finish, timer: setTimeout(() => { finish(entry.got) }, req.waitMs) }
      this.pending.set(workerId, entry)
      req.signal?.addEventListener('abort', onAbort, { once: true })
      this.init.cycle.request()
    })
    return { worker: name, claims }
  }

  /** Keeps the agent's leases (all of them: it is one worker) for another lease TTL. */
  heartbeat (caller: Caller, ref: ClaimRef): { leaseTtlMs: number } {
    const held = this.held.get(this.tokenOf(caller, ref))
    if (held == null) throw new UnknownTaskError('no task is claimed under that reference: it was answered already, or its lease ended')
    this.init.scheduler.renewLeases(held.workerId, this.init.clock())
    return { leaseTtlMs: this.init.scheduler.leaseTtlMs }
  }

  /** Ends a claimed attempt: what became of it (the caller waits for the journal before answering). */
  finish (caller: Caller, ref: ClaimRef, outcome: ClaimOutcome): ReportOutcome {
    const token = this.tokenOf(caller, ref)
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
    this.init.cycle.request()
    return result
  }

  /** An operator disconnects the agent, or the allow-list no longer has it: its claims end, its attempts go back. */
  evict (workerId: string): void {
    this.pending.get(workerId)?.resolve([])
    this.init.scheduler.unregisterWorker(workerId, this.init.clock(), 'unregistered')
    this.init.cycle.request()
  }

  /** The agents registered now. */
  agents (): string[] {
    return this.init.scheduler.view.workers().filter(w => this.has(w.id)).map(w => w.id)
  }

  // ---------------------------------------------------------------- from the flush cycle's delivery

  assigned (workerId: string, token: string, task: Claim['task']): void {
    const claim: Claim = { token, task, leaseTtlMs: this.init.scheduler.leaseTtlMs }
    this.held.set(token, { workerId, taskId: task.id, attempt: task.attempt })
    this.byTask.set(`${workerId}\u0000${task.id}`, token)
    this.pending.get(workerId)?.got.push(claim)
  }

  /** An attempt ended (timed out, cancelled, taken back, or answered): its token is void. */
  ended (taskId: string, attempt: number, workerId: string): void {
    const token = this.byTask.get(`${workerId}\u0000${taskId}`)
    if (token != null && this.held.get(token)?.attempt === attempt) this.forget(token)
  }

  left (workerId: string): void {
    for (const [token, held] of this.held) if (held.workerId === workerId) this.forget(token)
  }

  /** A delivery is over (the journal had its batch): answer the claims that got work. */
  delivered (): void {
    for (const entry of this.pending.values()) if (entry.got.length > 0) entry.resolve(entry.got)
  }

  /** The admin stops: waiting claims are answered with what they have. */
  close (): void {
    for (const entry of [...this.pending.values()]) entry.resolve(entry.got)
  }

  /**
   * The token of a claim: as given, or found from the agent's name and the task id, which only the identity
   * that claimed may use (both are public: the task list and the event stream show them).
   */
  private tokenOf (caller: Caller, ref: ClaimRef): string {
    if ('token' in ref) return ref.token
    const { workerId, name } = PullWorkers.identity(caller.door, ref.agent)
    if (!this.init.admission.owns(workerId, caller.peerId)) {
      throw new InvalidStateError(`task "${ref.taskId}" is not claimed by agent "${name}" from this client: answer with the claim's token, or from the identity that claimed it`)
    }
    return this.byTask.get(`${workerId}\u0000${ref.taskId}`) ?? ''
  }

  private forget (token: string): void {
    const held = this.held.get(token)
    if (held == null) return
    this.held.delete(token)
    this.byTask.delete(`${held.workerId}\u0000${held.taskId}`)
  }
}

function sameNames (a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (a == null) return false
  const set = new Set(b)
  return a.length === set.size && a.every(n => set.has(n))
}
