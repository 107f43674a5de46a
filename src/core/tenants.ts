import FlatQueue from 'flatqueue'

/** Tasks without a `group` share this one. */
export const NO_GROUP = ''

/** A task group (a tenant, a user, a project): its share of the workers, and what it runs now. */
export class Tenant {
  readonly name: string
  readonly weight: number
  /** Attempts of its tasks running now. */
  running = 0
  /** In a pass: its constraint groups with ready tasks, best head first. */
  readonly heads = new FlatQueue<object>()
  /** In the pass's heap of tenants. */
  queued = false

  constructor (name: string, weight: number) {
    this.name = name
    this.weight = weight
  }

  /** What it runs for its weight: the tenant lowest in this gets the next worker. */
  get share (): number {
    return this.running / this.weight
  }
}

/**
 * The task groups and how workers are shared between them: each gets workers in proportion to its weight
 * (`group_weights`, 1 by default) among the groups with ready tasks; within a group, priority then
 * submission order, as without groups. `cap` (`--group-concurrency`) bounds what one group runs at once.
 */
export class Tenants {
  readonly cap: number
  private readonly weights: Readonly<Record<string, number>>
  private readonly byName = new Map<string, Tenant>()

  constructor (options: { cap?: number, weights?: Record<string, number> } = {}) {
    this.cap = options.cap ?? Infinity
    this.weights = options.weights ?? {}
  }

  for (name: string | undefined): Tenant {
    const key = name ?? NO_GROUP
    let tenant = this.byName.get(key)
    if (tenant == null) {
      // own names only: a group called "constructor" has no weight but its own (or 1)
      tenant = new Tenant(key, Object.hasOwn(this.weights, key) ? this.weights[key]! : 1)
      this.byName.set(key, tenant)
    }
    return tenant
  }

  /** Whether passes need to share between groups: more than one, or a cap on each. */
  get sharing (): boolean {
    return this.byName.size > 1 || this.cap !== Infinity
  }

  /** Why a ready task of this group waits, when its group runs all it may. */
  capped (name: string | undefined): string | undefined {
    const tenant = this.byName.get(name ?? NO_GROUP)
    return tenant != null && tenant.running >= this.cap ? `group "${tenant.name}" runs ${tenant.running}, at most ${this.cap} at once (--group-concurrency)` : undefined
  }
}

/**
 * A pass's constraint groups, in the order they get workers when tasks have groups: the task group with the
 * lowest share first (what it runs for its weight), then its best head by priority. The same calls as the
 * pass's plain heap. Shares only grow within a pass (each assignment adds one), so a tenant whose share grew
 * since it was queued is queued again with it when it comes up; one that runs all it may leaves the pass.
 */
export class TenantHeads<G extends { readonly tenant: Tenant }> {
  private readonly order = new FlatQueue<Tenant>()
  private readonly cap: number

  constructor (cap: number) {
    this.cap = cap
  }

  push (group: G, key: number): void {
    const tenant = group.tenant
    tenant.heads.push(group, key)
    if (!tenant.queued) {
      tenant.queued = true
      this.order.push(tenant, tenant.share)
    }
  }

  get length (): number {
    return this.top() == null ? 0 : 1
  }

  /** The best head's key: of the tenant lowest in share. */
  peekValue (): number | undefined {
    return this.top()?.heads.peekValue()
  }

  pop (): G | undefined {
    const tenant = this.top()
    if (tenant == null) return undefined
    const group = tenant.heads.pop() as G | undefined
    if (tenant.heads.length === 0) {
      this.order.pop()
      tenant.queued = false
    }
    return group
  }

  /** Empties the pass's heaps (between passes). */
  clear (): void {
    while (this.order.length > 0) {
      const tenant = this.order.pop()!
      tenant.queued = false
      tenant.heads.clear()
    }
  }

  /** The tenant lowest in share, its place brought up to date; tenants at their cap leave the pass. */
  private top (): Tenant | undefined {
    for (;;) {
      const tenant = this.order.peek()
      if (tenant == null) return undefined
      if (tenant.heads.length > 0 && tenant.running < this.cap && this.order.peekValue() === tenant.share) return tenant
      this.order.pop()
      tenant.queued = false
      if (tenant.heads.length === 0 || tenant.running >= this.cap) {
        tenant.heads.clear()
        continue
      }
      tenant.queued = true
      this.order.push(tenant, tenant.share)
    }
  }
}
