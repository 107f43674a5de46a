import { CapabilityIndex } from './capabilities.js'
import { WorkerState, type WorkerLoad, type WorkerRegistration, type WorkerStatusUpdate } from './worker.js'
import type { Reputation } from './reputation.js'

export { WorkerState, workerSnapshot, type WorkerInfo, type WorkerLoad, type WorkerRegistration, type WorkerStatusUpdate } from './worker.js'

/** The workers the scheduler knows, with an index of those that can take work now, kept sorted by skill. */
export class WorkerRegistry {
  private readonly workers = new Map<string, WorkerState>()
  private readonly named = new Map<string, Set<WorkerState>>()
  /**
   * Workers that can take one more attempt now, sorted by skill (lowest first). Skill is a threshold for
   * skill-aware strategies, so a scan starts at the first worker skilled enough instead of walking past
   * the ones that are not (who are often the idle ones).
   */
  readonly free: WorkerState[] = []
  private readonly capabilities = new CapabilityIndex()
  private readonly reputation: Reputation
  /** A worker reporting more CPU than this is busy: given nothing new. */
  private readonly busyAbove: number

  constructor (reputation: Reputation, busyAbove = Infinity) {
    this.reputation = reputation
    this.busyAbove = busyAbove
  }

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
      worker = new WorkerState(reg, this.reputation.of(reg.id), now)
      worker.registered = true
      this.workers.set(worker.id, worker)
    } else {
      this.unname(worker)
      worker.take(reg)
    }
    worker.capClass = this.capabilities.classId(worker.capabilities, worker.types)
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
    if (update.maxConcurrent != null) worker.maxConcurrent = Math.max(1, Math.min(worker.asked, update.maxConcurrent))
    if (update.types != null) {
      worker.types = [...new Set(update.types)].sort()
      worker.capClass = this.capabilities.classId(worker.capabilities, worker.types)
    }
    worker.fitCapacity()
    this.refresh(worker)
  }

  /** What the worker's latest status broadcast said (advisory). */
  recordLoad (worker: WorkerState, load: WorkerLoad): void {
    worker.cpu = load.cpu
    worker.memoryBytes = load.memoryBytes
    worker.statusAt = load.at
    const busy = load.cpu > this.busyAbove
    if (busy !== worker.busy) {
      worker.busy = busy
      this.refresh(worker)
    }
  }

  /** Its earned window changed: its capacity follows, and with it whether it can take work now. */
  refit (worker: WorkerState): void {
    worker.fitCapacity()
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
  requirementId (requires: readonly string[], type?: string): number {
    return this.capabilities.requirementId(requires, type)
  }

  /** For an interned requirement, one byte per capability class: 1 when the class holds every required capability. */
  satisfiedBy (requirement: number): Uint8Array {
    return this.capabilities.satisfiedBy(requirement)
  }

  /** Does the worker hold every capability of the interned requirement? */
  satisfies (requirement: number, worker: WorkerState): boolean {
    return this.capabilities.satisfiedBy(requirement)[worker.capClass] === 1
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
