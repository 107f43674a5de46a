import type { TaskRecord } from './task-record.js'

/**
 * The workers the scheduler knows, with an index of those that can take work now. Capability sets and
 * requirement sets are interned to small integers so "does this worker hold every capability this task
 * needs" is one array lookup after the first time a pair is seen.
 */

export interface WorkerRegistration {
  /** Peer id of the worker (or any unique id when the registry is used without a network). */
  id: string
  name: string
  skill: number
  capabilities?: readonly string[]
  /** Attempts the worker runs at once. */
  maxConcurrent?: number
  /** Higher is preferred by the `priority` strategy. */
  priority?: number
}

/** What strategies and callers may read about a worker. */
export interface WorkerInfo {
  readonly id: string
  readonly name: string
  readonly skill: number
  readonly capabilities: ReadonlySet<string>
  readonly capacity: number
  readonly priority: number
  readonly running: number
  readonly online: boolean
  readonly draining: boolean
  readonly completed: number
  readonly failed: number
  readonly registeredAt: number
  /** Position in name order among registered workers, when registered. */
  readonly rank?: number
}

export interface WorkerStatusUpdate {
  online?: boolean
  draining?: boolean
  priority?: number
  maxConcurrent?: number
}

/** Mutable worker record. Only the scheduler changes it; everyone else sees {@link WorkerInfo}. */
export class WorkerState implements WorkerInfo {
  /** Tasks whose current attempt is leased to this worker (each knows its place: `heldIndex`). */
  readonly held: TaskRecord[] = []
  readonly id: string
  name: string
  skill: number
  capabilities: ReadonlySet<string>
  capacity: number
  priority: number
  running = 0
  online = true
  draining = false
  completed = 0
  failed = 0
  registeredAt: number
  /** Interned capability set. */
  capClass = 0
  /** Tie-break order: by name, then id, so decisions do not depend on who connected first. */
  sortKey: string
  /** Position of `sortKey` among all registered workers: the same order, as an integer. */
  rank = 0
  /** In the registry's free list. */
  isFree = false
  /** The scheduler considers every lease of this worker expired after this time. */
  leaseExpiresAt = Infinity
  /** In its registry (a removed worker object may still be referenced by its old leases' records). */
  registered = false

  constructor (reg: WorkerRegistration, now: number) {
    this.id = reg.id
    this.name = reg.name
    this.skill = reg.skill
    this.capabilities = new Set(reg.capabilities ?? [])
    this.capacity = Math.max(1, reg.maxConcurrent ?? 1)
    this.priority = reg.priority ?? 0
    this.registeredAt = now
    this.sortKey = `${reg.name}\u0000${reg.id}`
  }

  hold (task: TaskRecord): void {
    task.heldIndex = this.held.length
    this.held.push(task)
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
  }

  get load (): number {
    return this.running / this.capacity
  }

  /** Can take one more attempt now. */
  get available (): boolean {
    return this.online && !this.draining && this.running < this.capacity
  }
}

export class WorkerRegistry {
  private readonly workers = new Map<string, WorkerState>()
  private readonly named = new Map<string, Set<WorkerState>>()
  /**
   * Workers that can take one more attempt now, sorted by skill (lowest first). Skill is a threshold for
   * skill-aware strategies, so a scan starts at the first worker skilled enough instead of walking past
   * the ones that are not (who are often the idle ones).
   */
  readonly free: WorkerState[] = []
  private readonly classes = new Map<string, number>()
  private readonly classCaps: Array<ReadonlySet<string>> = []
  private readonly requirements = new Map<string, number>()
  private readonly requirementCaps: string[][] = []
  /** satisfiesMemo[requirement][class] is 1 when the class holds every required capability */
  private readonly satisfiesMemo: Uint8Array[] = []

  get size (): number {
    return this.workers.size
  }

  get (id: string): WorkerState | undefined {
    return this.workers.get(id)
  }

  withName (name: string): ReadonlySet<WorkerState> | undefined {
    return this.named.get(name)
  }

  all (): IterableIterator<WorkerState> {
    return this.workers.values()
  }

  onlineCount (): number {
    let n = 0
    for (const w of this.workers.values()) if (w.online) n++
    return n
  }

  /** Adds a worker, or updates one that registers again under the same id (keeping its running count). */
  register (reg: WorkerRegistration, now: number): WorkerState {
    let worker = this.workers.get(reg.id)
    if (worker == null) {
      worker = new WorkerState(reg, now)
      worker.registered = true
      this.workers.set(worker.id, worker)
    } else {
      this.unname(worker)
      worker.name = reg.name
      worker.skill = reg.skill
      worker.capabilities = new Set(reg.capabilities ?? [])
      worker.capacity = Math.max(1, reg.maxConcurrent ?? 1)
      worker.priority = reg.priority ?? 0
      worker.sortKey = `${reg.name}\u0000${reg.id}`
      worker.online = true
      worker.draining = false
    }
    worker.capClass = this.internClass(worker.capabilities)
    let set = this.named.get(worker.name)
    if (set == null) this.named.set(worker.name, set = new Set())
    set.add(worker)
    this.rerank()
    this.refresh(worker)
    return worker
  }

  unregister (id: string): WorkerState | undefined {
    const worker = this.workers.get(id)
    if (worker == null) return undefined
    this.workers.delete(id)
    worker.registered = false
    this.unname(worker)
    this.removeFree(worker)
    this.rerank()
    return worker
  }

  update (worker: WorkerState, update: WorkerStatusUpdate): void {
    if (update.online != null) worker.online = update.online
    if (update.draining != null) worker.draining = update.draining
    if (update.priority != null) worker.priority = update.priority
    if (update.maxConcurrent != null) worker.capacity = Math.max(1, update.maxConcurrent)
    this.refresh(worker)
  }

  acquire (worker: WorkerState): void {
    worker.running++
    this.refresh(worker)
  }

  release (worker: WorkerState): void {
    worker.running = Math.max(0, worker.running - 1)
    this.refresh(worker)
  }

  /** Interned id of a set of required capabilities. */
  requirementId (requires: readonly string[]): number {
    const key = requires.length === 0 ? '' : [...new Set(requires)].sort().join('\u0000')
    let id = this.requirements.get(key)
    if (id == null) {
      id = this.requirementCaps.length
      this.requirements.set(key, id)
      this.requirementCaps.push(key === '' ? [] : key.split('\u0000'))
      this.satisfiesMemo.push(new Uint8Array(0))
      this.fillRow(id)
    }
    return id
  }

  /**
   * For an interned requirement, one byte per capability class: 1 when the class holds every required
   * capability. Always complete for the classes that exist, so a scheduling pass reads it without checks.
   */
  satisfiedBy (requirement: number): Uint8Array {
    return this.satisfiesMemo[requirement]!
  }

  /** Does the worker hold every capability of the interned requirement? */
  satisfies (requirement: number, worker: WorkerState): boolean {
    return this.satisfiesMemo[requirement]![worker.capClass] === 1
  }

  private fillRow (requirement: number): void {
    const needs = this.requirementCaps[requirement]!
    const row = new Uint8Array(Math.max(8, this.classCaps.length * 2))
    this.classCaps.forEach((caps, c) => { row[c] = needs.every(n => caps.has(n)) ? 1 : 0 })
    this.satisfiesMemo[requirement] = row
  }

  private internClass (caps: ReadonlySet<string>): number {
    const key = [...caps].sort().join('\u0000')
    let id = this.classes.get(key)
    if (id == null) {
      id = this.classCaps.length
      this.classes.set(key, id)
      this.classCaps.push(caps)
      // a new class is rare (a worker with a new set of capabilities): extend every requirement's row
      for (let r = 0; r < this.requirementCaps.length; r++) {
        if (id >= this.satisfiesMemo[r]!.length) this.fillRow(r)
        else this.satisfiesMemo[r]![id] = this.requirementCaps[r]!.every(n => caps.has(n)) ? 1 : 0
      }
    }
    return id
  }

  /** Ranks follow name order; recomputed on the rare register and unregister so decisions compare integers. */
  private rerank (): void {
    const sorted = [...this.workers.values()].sort((a, b) => a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0)
    sorted.forEach((w, i) => { w.rank = i })
  }

  private unname (worker: WorkerState): void {
    const set = this.named.get(worker.name)
    set?.delete(worker)
    if (set?.size === 0) this.named.delete(worker.name)
  }

  /** Keeps the free list equal to the set of available workers. */
  private refresh (worker: WorkerState): void {
    if (worker.registered && worker.available) {
      if (!worker.isFree) {
        this.free.splice(this.freeFrom(worker.skill, true), 0, worker)
        worker.isFree = true
      }
    } else {
      this.removeFree(worker)
    }
  }

  /**
   * Index of the first free worker with skill >= `skill` (or, with `after`, > `skill`): where a scan for
   * that minimum starts.
   */
  freeFrom (skill: number, after = false): number {
    const free = this.free
    let lo = 0
    let hi = free.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      const s = free[mid]!.skill
      if (s < skill || (after && s === skill)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private removeFree (worker: WorkerState): void {
    if (!worker.isFree) return
    let i = this.freeFrom(worker.skill)
    while (this.free[i] !== worker) i++
    this.free.splice(i, 1)
    worker.isFree = false
  }
}
