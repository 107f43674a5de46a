import FlatQueue from 'flatqueue'
import { MAX_STRATEGIES } from './constants.js'
import { KeyHeap } from './key-heap.js'
import { resourceKey, type Resources } from './resources.js'
import { seqOf, type TaskRecord } from './task-record.js'
import type { WorkerRegistry } from './registry.js'
import type { Strategy } from './strategies/index.js'
import type { StrategyRegistry } from './strategy-registry.js'
import type { TaskSpec } from './task.js'
import type { RateLimits, RateWindow } from './rate-limits.js'
import type { Tenant, TenantHeads, Tenants } from './tenants.js'
import type { SeqIndex } from './seq-index.js'

/** The constraint groups of a pass, best first: a plain heap, or one that shares workers between task groups. */
export type Heads = Pick<FlatQueue<ConstraintGroup>, 'length' | 'peekValue' | 'pop' | 'push' | 'clear'>

/**
 * Ready tasks that share every hard constraint (required capabilities, pin, strategy, resources needed, and
 * difficulty when the strategy is skill-aware). If one of them finds no worker in a scheduling pass, none of them can, so the
 * whole group steps aside and tasks of other groups behind it in priority still get workers.
 */
export class ConstraintGroup {
  readonly key: string
  readonly requirement: number
  readonly pin: string | undefined
  readonly difficulty: number
  readonly strategy: Strategy
  /** What each of its tasks holds on its worker while it runs; undefined when they need nothing declared. */
  readonly resources: Resources | undefined
  /** Order keys of the group's queued tasks; `tasks` finds a record by its submission number. */
  readonly heap = new KeyHeap()
  private readonly tasks: Pick<SeqIndex<TaskRecord>, 'at'>
  /** Lowest skill a worker needs: the difficulty for skill-aware strategies, no bound otherwise. */
  readonly minSkill: number
  /** Groups with the same key differ only in `minSkill`; see `Scheduler.schedule`. */
  readonly blockKey: number
  /** Since when no registered worker could run these tasks (only tracked when the admin fails such tasks). */
  noWorkerSince: number | undefined
  /** Its tasks in the ready state now (the heap may also hold entries of tasks that have left it). */
  readyCount = 0
  /** The rate limit its tasks' starts count against, if any. */
  readonly rate: RateWindow | undefined
  /** The task group (tenant) its tasks belong to: workers are shared between these. */
  readonly tenant: Tenant

  constructor (key: string, requirement: number, pin: string | undefined, difficulty: number, strategy: Strategy, strategySlot: number, tasks: Pick<SeqIndex<TaskRecord>, 'at'>, tenant: Tenant, resources?: Resources, rate?: RateWindow) {
    this.tasks = tasks
    this.tenant = tenant
    this.rate = rate
    this.resources = resources
    this.key = key
    this.requirement = requirement
    this.pin = pin
    this.difficulty = difficulty
    this.strategy = strategy
    this.minSkill = strategy.skillAware ? difficulty : -Infinity
    this.blockKey = requirement * MAX_STRATEGIES + strategySlot
  }

  /** The best ready task, dropping entries of tasks that left the ready state since they were queued. */
  head (): TaskRecord | undefined {
    for (;;) {
      const key = this.heap.peek()
      if (key == null) return undefined
      const top = this.tasks.at(seqOf(key))
      if (top?.state === 'ready') return top
      this.heap.pop()
      // a task archived since it was queued has no record here any more
      if (top != null) top.queued = false
    }
  }

  take (): TaskRecord {
    const task = this.tasks.at(seqOf(this.heap.pop()!))!
    task.queued = false
    return task
  }

  /** The best queued task, stale or not (for messages). */
  peekAny (): TaskRecord | undefined {
    const key = this.heap.peek()
    return key == null ? undefined : this.tasks.at(seqOf(key))
  }
}

/** The ready queue: one heap per constraint group, chosen among by the group heads. */
export class ReadyQueue {
  readonly groups = new Map<string, ConstraintGroup>()
  /** Reused by every pass: clearing keeps its arrays, so a pass allocates nothing here. */
  private readonly order = new FlatQueue<ConstraintGroup>()
  /** The last group found, and for what: valid while that group is among `groups` (it is once pushed to). */
  private last: { spec: TaskSpec, strategy: Strategy, rate: RateWindow | undefined, group: ConstraintGroup } | undefined

  /** The group of tasks sharing this task's hard constraints, made when it is the first of its kind. */
  groupFor (spec: TaskSpec, strategies: StrategyRegistry, registry: WorkerRegistry, tasks: Pick<SeqIndex<TaskRecord>, 'at'>, tenants: Tenants, rates?: RateLimits): { group: ConstraintGroup, created: boolean } {
    const strategy = strategies.for(spec)
    // tasks under a rate limit are grouped by it: a group is held back as one
    const rate = rates?.for(spec)
    // the tasks of a file mostly share their group, one after another: no key is built for those
    const last = this.last
    if (last != null && last.strategy === strategy && last.rate === rate && sameConstraints(last.spec, spec, strategy.skillAware) && this.groups.get(last.group.key) === last.group) {
      return { group: last.group, created: false }
    }
    const requirement = registry.requirementId(spec.requires, spec.type)
    const difficulty = strategy.skillAware ? spec.difficulty : 0
    // and by task group: workers are shared between groups
    const key = `${requirement}\u0000${spec.worker ?? ''}\u0000${difficulty}\u0000${strategy.name}\u0000${resourceKey(spec.resources)}\u0000${rate?.key ?? ''}\u0000${spec.group ?? ''}`
    const existing = this.groups.get(key)
    const group = existing ?? new ConstraintGroup(key, requirement, spec.worker, difficulty, strategy, strategies.slot(strategy), tasks, tenants.for(spec.group), spec.resources, rate)
    this.last = { spec, strategy, rate, group }
    return { group, created: existing == null }
  }

  /** Queues a task; a task is in at most one heap once, so re-queueing after a lazy removal is free. */
  push (group: ConstraintGroup, task: TaskRecord): void {
    if (!this.groups.has(group.key)) this.groups.set(group.key, group)
    if (!task.queued) {
      task.queued = true
      group.heap.push(task.orderKey)
    }
  }

  /**
   * Groups with queued entries that some free worker could serve, ordered by their best entry's key.
   * Entries are not checked here (that would touch every group's task record); whoever pops a group
   * checks its head with `head()`.
   */
  heads (servable: (group: ConstraintGroup) => boolean, byTenant?: TenantHeads<ConstraintGroup>): Heads {
    const heads: Heads = byTenant ?? this.order
    heads.clear()
    for (const group of this.groups.values()) {
      const key = group.heap.peek()
      if (key == null) this.groups.delete(group.key)
      else if (servable(group)) heads.push(group, key)
    }
    return heads
  }
}

/**
 * Do two tasks share every hard constraint the group key holds (strategy and rate limit aside)? By identity
 * for lists and resources: a task file's tasks without them share one frozen empty list.
 */
function sameConstraints (a: TaskSpec, b: TaskSpec, skillAware: boolean): boolean {
  return a.requires === b.requires && a.type === b.type && a.worker === b.worker && a.resources === b.resources &&
    a.group === b.group && (!skillAware || a.difficulty === b.difficulty)
}
