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
}

export interface WorkerStatusUpdate {
  online?: boolean
  draining?: boolean
  priority?: number
  maxConcurrent?: number
}

/** Mutable worker record. Only the scheduler changes it; everyone else sees {@link WorkerInfo}. */
export class WorkerState implements WorkerInfo {
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
  /** Position in the registry's free list, -1 when not in it. */
  freeIndex = -1
  /** The scheduler considers every lease of this worker expired after this time. */
  leaseExpiresAt = Infinity

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
  /** Workers that can take one more attempt now, in no particular order. */
  readonly free: WorkerState[] = []
  private readonly classes = new Map<string, number>()
  private readonly classCaps: Array<ReadonlySet<string>> = []
  private readonly requirements = new Map<string, number>()
  private readonly requirementCaps: string[][] = []
  /** satisfies[req][class]: 0 unknown, 1 yes, 2 no */
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
    this.refresh(worker)
    return worker
  }

  unregister (id: string): WorkerState | undefined {
    const worker = this.workers.get(id)
    if (worker == null) return undefined
    this.workers.delete(id)
    this.unname(worker)
    this.removeFree(worker)
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
      this.satisfiesMemo.push(new Uint8Array(Math.max(8, this.classCaps.length)))
    }
    return id
  }

  /** Does the worker hold every capability of the interned requirement? */
  satisfies (requirement: number, worker: WorkerState): boolean {
    let row = this.satisfiesMemo[requirement]!
    if (worker.capClass >= row.length) {
      const grown = new Uint8Array(Math.max(row.length * 2, worker.capClass + 1))
      grown.set(row)
      this.satisfiesMemo[requirement] = row = grown
    }
    const known = row[worker.capClass]
    if (known !== 0) return known === 1
    const caps = this.classCaps[worker.capClass]!
    const ok = this.requirementCaps[requirement]!.every(c => caps.has(c))
    row[worker.capClass] = ok ? 1 : 2
    return ok
  }

  private internClass (caps: ReadonlySet<string>): number {
    const key = [...caps].sort().join('\u0000')
    let id = this.classes.get(key)
    if (id == null) {
      id = this.classCaps.length
      this.classes.set(key, id)
      this.classCaps.push(caps)
    }
    return id
  }

  private unname (worker: WorkerState): void {
    const set = this.named.get(worker.name)
    set?.delete(worker)
    if (set?.size === 0) this.named.delete(worker.name)
  }

  /** Keeps the free list equal to the set of available workers. */
  private refresh (worker: WorkerState): void {
    const inRegistry = this.workers.get(worker.id) === worker
    if (inRegistry && worker.available) {
      if (worker.freeIndex === -1) {
        worker.freeIndex = this.free.length
        this.free.push(worker)
      }
    } else {
      this.removeFree(worker)
    }
  }

  private removeFree (worker: WorkerState): void {
    const i = worker.freeIndex
    if (i === -1) return
    const last = this.free.pop()!
    if (last !== worker) {
      this.free[i] = last
      last.freeIndex = i
    }
    worker.freeIndex = -1
  }
}
