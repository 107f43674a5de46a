import { hold, type Resources } from './resources.js'
import type { Standing, WorkerSteering } from './reputation.js'
import type { TaskRecord } from './task-record.js'

export interface WorkerRegistration {
  /** Peer id of the worker (or any unique id when the registry is used without a network). */
  id: string
  name: string
  skill: number
  capabilities?: readonly string[]
  /** Task types it has handlers for; it is given no other. Undefined: any type (library use). */
  types?: readonly string[]
  /** Attempts the worker asks to run at once; it starts with fewer and earns up to this many. */
  maxConcurrent?: number
  /** Higher is preferred by the `priority` strategy. */
  priority?: number
  /** What it offers to the tasks it runs at once (cores, bytes of memory, devices); undefined: nothing declared. */
  resources?: Resources
  /** How its connection reaches the admin: `direct`, or `relayed` through a circuit relay. */
  via?: WorkerVia
}

/** How a worker's connection reaches the admin; pull workers (HTTP, MCP) have none of their own. */
export type WorkerVia = 'direct' | 'relayed'

/**
 * What the admin knows of a worker: its registration, its load and record, and what its latest status
 * broadcast said. The scheduler's strategies read it live; events, the API and the dashboard get copies
 * ({@link workerSnapshot}).
 */
export interface WorkerInfo {
  /** Peer id. */
  readonly id: string
  readonly name: string
  readonly skill: number
  readonly capabilities: readonly string[]
  /** Task types it handles; undefined when it takes any. */
  readonly types?: readonly string[]
  /** Attempts it may run at once: what it asked for, or less where an operator lowered it. */
  readonly maxConcurrent: number
  /** Attempts it asked to run at once when it registered. */
  readonly asked: number
  /** Attempts it may hold now: what it asked for, within what it has earned (see `Reputation`). */
  readonly capacity: number
  readonly priority: number
  readonly running: number
  readonly online: boolean
  readonly draining: boolean
  /** Its latest heartbeat reported more CPU than the admin's `avoidBusyCpu`: it is given nothing new. */
  readonly busy: boolean
  /** Attempts that succeeded, and that failed or timed out, on this worker. */
  readonly completed: number
  readonly failed: number
  /** Attempts lost with it, over all its registrations: disconnected or silent while holding work. */
  readonly losses: number
  /**
   * It has delivered an accepted result (over all its registrations). Until then it is on probation: its
   * attempts are bounded in time, and it shares one budget of attempts with the other unproven workers.
   */
  readonly proven: boolean
  /** Share of its ended attempts that succeeded, once it has ended any. */
  readonly successRate?: number
  readonly registeredAt: number
  /** Position in name order among registered workers, when registered. */
  readonly rank?: number
  /** What it declared it offers (cpu, memory, gpu, ...), when it declared any. */
  readonly resources?: Resources
  /** What its running attempts hold of those resources now. */
  readonly resourcesHeld: Readonly<Record<string, number>>
  /** Share of a CPU core its process used, from its latest status broadcast. */
  readonly cpu?: number
  /** Resident memory of its process, from its latest status broadcast. */
  readonly memoryBytes?: number
  /** When that status broadcast was sent. */
  readonly statusAt?: number
  /** How its connection reaches the admin, for a worker on the task stream. */
  readonly via?: WorkerVia
}

export interface WorkerStatusUpdate extends WorkerSteering {
  /** The task types it handles now (a handler was added). */
  types?: readonly string[]
}

/** What a worker's status broadcast says about its machine (advisory). */
export interface WorkerLoad {
  cpu: number
  memoryBytes: number
  at: number
}

/** A plain copy of what is known of a worker, safe to keep and to send as JSON. */
export function workerSnapshot (w: WorkerInfo): WorkerInfo {
  const copy: { -readonly [K in keyof WorkerInfo]: WorkerInfo[K] } = {
    id: w.id,
    name: w.name,
    skill: w.skill,
    capabilities: [...w.capabilities],
    maxConcurrent: w.maxConcurrent,
    asked: w.asked,
    capacity: w.capacity,
    priority: w.priority,
    running: w.running,
    online: w.online,
    draining: w.draining,
    busy: w.busy,
    completed: w.completed,
    failed: w.failed,
    losses: w.losses,
    proven: w.proven,
    registeredAt: w.registeredAt,
    resourcesHeld: { ...w.resourcesHeld }
  }
  if (w.types != null) copy.types = [...w.types]
  if (w.successRate != null) copy.successRate = w.successRate
  if (w.cpu != null) copy.cpu = w.cpu
  if (w.memoryBytes != null) copy.memoryBytes = w.memoryBytes
  if (w.statusAt != null) copy.statusAt = w.statusAt
  if (w.resources != null) copy.resources = { ...w.resources }
  if (w.via != null) copy.via = w.via
  return copy
}

/** Mutable worker record. Only the scheduler changes it; everyone else sees {@link WorkerInfo}. */
export class WorkerState implements WorkerInfo {
  /** Tasks whose current attempt is leased to this worker (each knows its place: `heldIndex`). */
  readonly held: TaskRecord[] = []
  readonly id: string
  /** What the admin has learned of it, kept across its registrations. */
  readonly standing: Standing
  name = ''
  skill = 0
  capabilities: readonly string[] = []
  types: readonly string[] | undefined
  maxConcurrent = 1
  asked = 1
  /** Kept equal to the smaller of `maxConcurrent` and the window it has earned (`fitCapacity`). */
  capacity = 1
  priority = 0
  resources: Resources | undefined
  readonly resourcesHeld: Record<string, number> = {}
  running = 0
  online = true
  draining = false
  busy = false
  registeredAt: number
  cpu: number | undefined
  memoryBytes: number | undefined
  statusAt: number | undefined
  via: WorkerVia | undefined
  /** Interned capability set, held while registered (-1: none). */
  capClass = -1
  /** Tie-break order: by name, then id, so decisions do not depend on who connected first. */
  sortKey = ''
  /** Position of `sortKey` among all registered workers: the same order, as an integer. */
  rank = 0
  /** In the registry's free list. */
  isFree = false
  /** The scheduler considers every lease of this worker expired after this time. */
  leaseExpiresAt = Infinity
  /** In its registry (a removed worker object may still be referenced by its old leases' records). */
  registered = false
  /**
   * New attempts it asks for now: unbounded for a worker that is pushed work, the size of its open claim for
   * an agent that pulls (none between claims). Each assignment takes one.
   */
  wants = Infinity

  constructor (reg: WorkerRegistration, standing: Standing, now: number) {
    this.id = reg.id
    this.standing = standing
    this.registeredAt = now
    this.take(reg)
  }

  /** Takes a registration: the first, or a new one after a reconnect (its record is kept). */
  take (reg: WorkerRegistration): void {
    this.name = reg.name
    this.skill = reg.skill
    this.capabilities = normalizeNames(reg.capabilities) ?? []
    this.types = normalizeNames(reg.types)
    this.maxConcurrent = Math.max(1, reg.maxConcurrent ?? 1)
    this.asked = this.maxConcurrent
    this.fitCapacity()
    this.priority = reg.priority ?? 0
    this.resources = reg.resources
    this.via = reg.via
    this.sortKey = `${reg.name}\u0000${reg.id}`
    this.online = true
    this.draining = false
  }

  get losses (): number {
    return this.standing.losses
  }

  /** Attempts that succeeded on it, across its reconnections and the admin's restarts. */
  get completed (): number {
    return this.standing.completed
  }

  /** Attempts that failed or timed out on it. */
  get failed (): number {
    return this.standing.failed
  }

  get proven (): boolean {
    return this.standing.proven
  }

  /** Brings `capacity` back to the smaller of what it asked for and what it has earned. */
  fitCapacity (): void {
    this.capacity = Math.min(this.maxConcurrent, this.standing.window)
  }

  get successRate (): number | undefined {
    const ended = this.completed + this.failed
    return ended === 0 ? undefined : this.completed / ended
  }

  hold (task: TaskRecord): void {
    task.heldIndex = this.held.length
    this.held.push(task)
    const need = task.spec.resources
    if (need != null) hold(this.resourcesHeld, need, 1)
  }

  unhold (task: TaskRecord): void {
    const i = task.heldIndex
    if (i === -1 || this.held[i] !== task) return
    const last = this.held.pop()!
    if (last !== task) {
      this.held[i] = last
      last.heldIndex = i
    }
    task.heldIndex = -1
    const need = task.spec.resources
    if (need != null) hold(this.resourcesHeld, need, -1)
  }

  get load (): number {
    return this.running / this.capacity
  }

  /** Can take one more attempt now, as far as it alone decides (the registry also weighs the unproven's budget). */
  get available (): boolean {
    return this.online && !this.draining && !this.busy && this.running < this.capacity && this.wants > 0
  }
}

/** Names as a sorted list without repeats, so equal sets look equal. */
function normalizeNames (names: readonly string[] | undefined): readonly string[] | undefined {
  return names == null ? undefined : [...new Set(names)].sort()
}
