import { CapabilityIndex } from './capabilities.js'
import { WorkerState, type WorkerLoad, type WorkerRegistration, type WorkerStatusUpdate } from './worker.js'
import type { Reputation, WorkerSteering, WorkerTally } from './reputation.js'

export { WorkerState, workerSnapshot, type WorkerInfo, type WorkerLoad, type WorkerRegistration, type WorkerStatusUpdate } from './worker.js'

export interface RegistryOptions {
  /** A worker reporting more CPU than this is busy: given nothing new. @default no limit */
  busyAbove?: number
  /** Attempts all unproven workers (no accepted result yet) may hold together. @default no limit */
  unprovenBudget?: number
}

/**
 * The workers the scheduler knows, with an index of those that can take work now, kept sorted by skill.
 *
 * Workers that have delivered nothing yet share one budget of attempts, whatever their names: a peer that
 * makes up identities gets the budget, not a window per identity.
 */
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
  private readonly busyAbove: number
  private readonly unprovenBudget: number
  /** Registered workers with no accepted result yet, in the order they registered, and the attempts they hold together. */
  private readonly unproven = new Set<WorkerState>()
  private unprovenHeld = 0
  /** Unproven workers that may take more now: the budget's room, given out oldest first (see `allot`). */
  private readonly allotted = new Set<WorkerState>()

  constructor (reputation: Reputation, options: RegistryOptions = {}) {
    this.reputation = reputation
    this.busyAbove = options.busyAbove ?? Infinity
    this.unprovenBudget = options.unprovenBudget ?? Infinity
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

  /** Attempts held by unproven workers together, and how many they may hold. */
  get unprovenShare (): { held: number, budget: number } {
    return { held: this.unprovenHeld, budget: this.unprovenBudget }
  }

  /** Capability sets in use. */
  get capabilityClasses (): number {
    return this.capabilities.size
  }

  /** Can the worker take one more attempt now? */
  isAvailable (worker: WorkerState): boolean {
    return worker.registered && worker.available && (worker.standing.proven || this.allotted.has(worker))
  }

  /**
   * Adds a worker, or updates one that registers again under the same id (keeping its running count). What
   * an operator set for it before (draining, offline, priority, capacity) applies again.
   */
  register (reg: WorkerRegistration, now: number): WorkerState {
    let worker = this.workers.get(reg.id)
    if (worker == null) {
      worker = new WorkerState(reg, this.reputation.of(reg.id), now)
      worker.registered = true
      this.workers.set(worker.id, worker)
      if (!worker.standing.proven) this.unproven.add(worker)
    } else {
      this.unname(worker)
      worker.take(reg)
    }
    this.applySteering(worker, worker.standing.steering ?? {})
    this.reclass(worker)
    let set = this.named.get(worker.name)
    if (set == null) this.named.set(worker.name, set = new Set())
    set.add(worker)
    this.rerank()
    this.changed(worker)
    return worker
  }

  /** An attempt of the worker ended: its tally (kept by peer id, across reconnections) counts it. */
  tally (id: string, name: string, succeeded: boolean): void {
    this.reputation.ended(id, name, succeeded)
  }

  /** The tallies changed since the last call, for the journal. */
  takeTallies (): WorkerTally[] {
    return this.reputation.takeTallies()
  }

  /** The tallies a journal kept. */
  restoreTallies (tallies: Iterable<WorkerTally>): void {
    this.reputation.restoreTallies(tallies)
  }

  unregister (id: string): WorkerState | undefined {
    const worker = this.workers.get(id)
    if (worker == null) return undefined
    this.workers.delete(id)
    worker.registered = false
    this.capabilities.release(worker.capClass)
    worker.capClass = -1
    this.allotted.delete(worker)
    this.unname(worker)
    this.removeFree(worker)
    this.rerank()
    // what it held of the budget goes to the others
    if (this.unproven.delete(worker)) {
      this.unprovenHeld -= worker.running
      this.allot()
    }
    return worker
  }

  update (worker: WorkerState, update: WorkerStatusUpdate): void {
    this.applySteering(worker, update)
    if (update.types != null) {
      worker.types = [...new Set(update.types)].sort()
      this.reclass(worker)
    }
    worker.fitCapacity()
    this.changed(worker)
  }

  /**
   * An operator's steering: remembered with what the admin knows of the worker (also when it is not
   * registered now), so it applies whenever it registers, and applied now if it is.
   */
  steer (workerId: string, steering: WorkerSteering): void {
    const standing = this.reputation.of(workerId)
    standing.steering = { ...standing.steering, ...steering }
    const worker = this.workers.get(workerId)
    if (worker != null) this.update(worker, steering)
  }

  /** Its running count follows the attempts it holds (taken back from a journal, or adopted on registering). */
  recount (worker: WorkerState): void {
    if (this.unproven.has(worker)) this.unprovenHeld += worker.held.length - worker.running
    worker.running = worker.held.length
    this.changed(worker)
  }

  /** How many new attempts the worker asks for now (an agent that pulls: its open claim). */
  setWants (worker: WorkerState, wants: number): void {
    worker.wants = wants
    this.changed(worker)
  }

  /** What the worker's latest status broadcast said (advisory); true when it became busy or free. */
  recordLoad (worker: WorkerState, load: WorkerLoad): boolean {
    worker.cpu = load.cpu
    worker.memoryBytes = load.memoryBytes
    worker.statusAt = load.at
    const busy = load.cpu > this.busyAbove
    if (busy === worker.busy) return false
    worker.busy = busy
    this.changed(worker)
    return true
  }

  /**
   * Its earned window changed: its capacity follows, and with it whether it can take work now. A worker
   * that has just delivered its first result leaves the unproven's budget, with what it holds.
   */
  refit (worker: WorkerState): void {
    worker.fitCapacity()
    if (worker.standing.proven && this.unproven.delete(worker)) {
      this.allotted.delete(worker)
      this.unprovenHeld -= worker.running
      this.allot()
    }
    this.changed(worker)
  }

  acquire (worker: WorkerState): void {
    worker.running++
    if (worker.wants !== Infinity) worker.wants = Math.max(0, worker.wants - 1)
    if (this.unproven.has(worker)) this.unprovenHeld++
    this.changed(worker)
  }

  release (worker: WorkerState): void {
    if (worker.running > 0 && this.unproven.has(worker)) this.unprovenHeld--
    worker.running = Math.max(0, worker.running - 1)
    this.changed(worker)
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

  private applySteering (worker: WorkerState, steering: WorkerSteering): void {
    if (steering.online != null) worker.online = steering.online
    if (steering.draining != null) worker.draining = steering.draining
    if (steering.priority != null) worker.priority = steering.priority
    if (steering.maxConcurrent != null) worker.maxConcurrent = Math.max(1, Math.min(worker.asked, steering.maxConcurrent))
    worker.fitCapacity()
  }

  /** Holds the capability class of what the worker offers now, giving back the one it had. */
  private reclass (worker: WorkerState): void {
    const previous = worker.capClass
    worker.capClass = this.capabilities.acquire(worker.capabilities, worker.types)
    this.capabilities.release(previous)
  }

  /** Something about the worker changed: where it stands in the free list, and for the unproven, who gets the budget's room. */
  private changed (worker: WorkerState): void {
    if (this.unproven.has(worker)) this.allot()
    this.refresh(worker)
  }

  /**
   * Gives the budget's room to the unproven workers that may take more, oldest registration first, each
   * as much as it may take. Made-up identities keep coming, each younger than the workers already waiting:
   * those get the room first, prove themselves, and leave the budget.
   */
  private allot (): void {
    if (this.unprovenBudget === Infinity) {
      for (const worker of this.unproven) this.setAllotted(worker, true)
      return
    }
    let room = this.unprovenBudget - this.unprovenHeld
    for (const worker of this.unproven) {
      const wants = worker.available ? Math.min(worker.wants, worker.capacity - worker.running) : 0
      const allotted = wants > 0 && room > 0
      if (allotted) room -= wants
      this.setAllotted(worker, allotted)
    }
  }

  private setAllotted (worker: WorkerState, allotted: boolean): void {
    if (allotted === this.allotted.has(worker)) return
    if (allotted) this.allotted.add(worker)
    else this.allotted.delete(worker)
    this.refresh(worker)
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
    if (this.isAvailable(worker)) {
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
