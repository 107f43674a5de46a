import { fits } from './resources.js'
import type { ConstraintGroup, ReadyQueue } from './ready-queue.js'
import type { WorkerRegistry, WorkerState } from './registry.js'
import type { TaskRecord } from './task-record.js'
import type { Pauses } from './pauses.js'
import { TenantHeads, type Tenants } from './tenants.js'

export interface PassActions {
  /** Give the task to the worker (the scheduler records the assignment). */
  assign(task: TaskRecord, worker: WorkerState, group: ConstraintGroup): void
  /** No free worker can take this group's tasks in this pass. */
  blocked(group: ConstraintGroup): void
  /** The group's rate limit allows no start now: try again at `until`. */
  limited(group: ConstraintGroup, until: number): void
}

/**
 * One scheduling pass: ready tasks to free workers, highest priority first, hard constraints first, then
 * the strategy. The hot loop of the scheduler, with its indexes: free workers sorted by skill, eligibility
 * as one byte per capability class, and what a pass learns about which groups it cannot serve.
 */
export class AssignmentPass {
  private readonly registry: WorkerRegistry
  private readonly ready: ReadyQueue
  /** Scheduling passes so far; `blockedPass[k] === passes` marks `skillLeft[k]` as learned in this pass. */
  private passes = 0
  private readonly blockedPass: number[] = []
  private readonly skillLeft: number[] = []
  /** Per requirement and pass: highest skill among free workers holding it (NaN when none). */
  private readonly freeSkillPass: number[] = []
  private readonly freeSkill: number[] = []

  private readonly pauses: Pauses
  private readonly tenants: Tenants
  /** The pass's order when tasks have groups: shared between them (see `TenantHeads`). */
  private readonly byTenant: TenantHeads<ConstraintGroup>

  constructor (registry: WorkerRegistry, ready: ReadyQueue, pauses: Pauses, tenants: Tenants) {
    this.registry = registry
    this.ready = ready
    this.pauses = pauses
    this.tenants = tenants
    this.byTenant = new TenantHeads(tenants.cap)
  }

  /** Runs a pass at `now`; returns the number of assignments. */
  run (actions: PassActions, now: number): number {
    const pass = ++this.passes
    const heads = this.ready.heads(group => this.servable(group, pass), this.tenants.sharing ? this.byTenant : undefined)
    // Within a pass the free workers only get fewer. So when a group finds no worker, the highest skill
    // among free workers holding its capabilities is all that group's capabilities can get for the rest of
    // the pass: groups needing more step aside unscanned. (Only for compare strategies: a select strategy
    // may decline a worker it could have taken.)
    let assigned = 0
    while (heads.length > 0 && this.registry.free.length > 0) {
      const key = heads.peekValue()!
      const group = heads.pop()!
      // (a group needing resources is left out: a worker too full for one of its tasks may fit another group's)
      const shortcut = group.pin == null && group.strategy.select == null && group.resources == null
      // NaN (nobody holds the capabilities) fails the comparison, so it blocks every such group
      if (shortcut && this.blockedPass[group.blockKey] === pass && !(group.minSkill <= this.skillLeft[group.blockKey]!)) {
        actions.blocked(group)
        continue
      }
      const task = group.head()
      if (task == null) continue
      if (task.orderKey !== key) {
        // stale entries were dropped: the group's place in line has changed
        heads.push(group, task.orderKey)
        continue
      }
      // paused by an operator (a group's tasks share their type): it waits to be resumed, whatever the workers
      if (this.pauses.size > 0 && this.pauses.holding(task.spec) != null) continue
      // its rate limit allows no start now: the group waits for the window, whatever the workers
      if (group.rate != null && !group.rate.allows(now)) {
        group.rate.limited = true
        actions.limited(group, group.rate.nextAllowed())
        continue
      }
      const worker = this.pick(group, task)
      if (worker == null) {
        if (shortcut) {
          this.blockedPass[group.blockKey] = pass
          this.skillLeft[group.blockKey] = this.highestCapableSkill(group)
        }
        actions.blocked(group)
        continue
      }
      group.take()
      actions.assign(task, worker, group)
      assigned++
      const next = group.heap.peek()
      if (next != null) heads.push(group, next)
    }
    return assigned
  }

  /**
   * The worker for a task: one that has delivered before, if the task was lost on one that had not and a
   * proven worker is free to take it. A made-up identity that takes work and vanishes, under a new name each
   * time, would otherwise be handed the same task again and again (skill fit prefers its skill of 0).
   */
  private pick (group: ConstraintGroup, task: TaskRecord): WorkerState | undefined {
    if (task.unprovenLosses > 0) return this.scan(group, task, true) ?? this.scan(group, task, false)
    return this.scan(group, task, false)
  }

  private scan (group: ConstraintGroup, task: TaskRecord, provenOnly: boolean): WorkerState | undefined {
    const strategy = group.strategy
    const capable = this.registry.satisfiedBy(group.requirement)
    const minSkill = group.minSkill
    let candidates: WorkerState[]
    let start = 0
    if (group.pin != null) {
      candidates = [...(this.registry.withName(group.pin) ?? [])].filter(w => this.registry.isAvailable(w))
    } else {
      // the free list is sorted by skill: start at the first worker skilled enough
      candidates = this.registry.free
      if (minSkill !== -Infinity) start = this.registry.freeFrom(minSkill)
    }
    if (strategy.select == null) {
      // the hot loop of the scheduler: eligibility is one byte and one number per worker
      const compare = strategy.compare!
      const lowestSkillWins = strategy.prefersLowerSkill === true && group.pin == null
      const spec = task.spec
      const need = group.resources
      let best: WorkerState | undefined
      for (let i = start; i < candidates.length; i++) {
        const w = candidates[i]!
        if (capable[w.capClass] !== 1 || w.skill < minSkill) continue
        if (need !== undefined && !fits(need, w.resources, w.resourcesHeld)) continue
        if (provenOnly && !w.standing.proven) continue
        // skill is the strategy's first key and skills only grow from here: the rest cannot win
        if (lowestSkillWins && best !== undefined && w.skill > best.skill) break
        if (best === undefined || compare(w, best, spec) < 0) best = w
      }
      return best
    }
    const eligible: WorkerState[] = []
    for (let i = start; i < candidates.length; i++) {
      const w = candidates[i]!
      if (capable[w.capClass] === 1 && w.skill >= minSkill && (group.resources == null || fits(group.resources, w.resources, w.resourcesHeld)) && (!provenOnly || w.standing.proven)) eligible.push(w)
    }
    if (eligible.length === 0) return undefined
    const chosen = strategy.select(task.spec, eligible)
    const id = typeof chosen === 'string' ? chosen : chosen?.id
    // a strategy may only choose among the candidates it was given
    return eligible.find(w => w.id === id)
  }

  /** The highest skill among free workers holding the group's capabilities (NaN when none does). */
  highestCapableSkill (group: ConstraintGroup): number {
    const capable = this.registry.satisfiedBy(group.requirement)
    const free = this.registry.free
    // sorted by skill: the first capable worker from the top has the highest skill
    for (let i = free.length - 1; i >= 0; i--) {
      if (capable[free[i]!.capClass] === 1) return free[i]!.skill
    }
    return NaN
  }

  /**
   * Can any free worker take tasks of this group at the start of a pass? Groups that cannot stay out of
   * the pass. Answered from one scan of the free workers per capability requirement and pass.
   */
  private servable (group: ConstraintGroup, pass: number): boolean {
    if (group.pin != null) {
      for (const w of this.registry.withName(group.pin) ?? []) {
        if (this.registry.isAvailable(w) && this.registry.satisfies(group.requirement, w) && w.skill >= group.minSkill) return true
      }
      return false
    }
    const r = group.requirement
    if (this.freeSkillPass[r] !== pass) {
      this.freeSkillPass[r] = pass
      this.freeSkill[r] = this.highestCapableSkill(group)
    }
    // NaN (nobody capable) fails every comparison
    return group.minSkill <= this.freeSkill[r]!
  }

}
