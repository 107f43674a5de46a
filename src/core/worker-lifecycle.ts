import { UnknownWorkerError } from './errors.js'
import type { Attempts } from './attempts.js'
import type { Due } from './due.js'
import type { WorkerLeftReason } from './events.js'
import type { TaskLedger } from './ledger.js'
import type { NoWorkerWatch } from './no-worker.js'
import type { Lease } from './options.js'
import type { WorkerInfo, WorkerLoad, WorkerRegistration, WorkerRegistry, WorkerState, WorkerStatusUpdate } from './registry.js'
import type { Reputation, WorkerSteering } from './reputation.js'
import type { TaskRecord } from './task-record.js'

/** Whether assignment has begun, and how many registered workers it waits for (the tutorial's gate). */
export interface Gate {
  open: boolean
  readonly expected: number
}

export interface WorkerLifecycleInit {
  ledger: TaskLedger
  registry: WorkerRegistry
  reputation: Reputation
  attempts: Attempts
  noWorker: NoWorkerWatch
  gate: Gate
}

/**
 * A worker's life as the scheduler sees it: it registers (taking back the attempts it still holds), says
 * what it handles and how loaded it is, renews its leases, is steered by an operator, and leaves (its
 * attempts go back to the queue, blamed on it when it left by itself) or is taken off.
 */
export class WorkerLifecycle {
  private readonly init: WorkerLifecycleInit

  constructor (init: WorkerLifecycleInit) {
    this.init = init
  }

  /**
   * Adds a worker, or takes back one that registers again (after a reconnect or an admin restart).
   * `leases` are the attempts the worker says it holds: those the scheduler also considers current are
   * adopted, the others are returned in `revoked` so the worker can drop them. Attempts the scheduler had
   * leased to this worker that it no longer mentions are lost and go back to the queue.
   */
  register (reg: WorkerRegistration, now: number, leases: readonly Lease[] = []): { worker: WorkerInfo, revoked: Lease[] } {
    const { ledger, registry, attempts, noWorker, gate } = this.init
    const worker = registry.register(reg, now)
    const revoked: Lease[] = []
    const claimed = new Set<TaskRecord>()
    for (const lease of leases) {
      const task = ledger.tasks.get(lease.taskId)
      const current = task?.current
      if (task != null && current != null && current.attempt === lease.attempt && current.token === lease.token && current.workerId === worker.id) {
        claimed.add(task)
      } else {
        revoked.push(lease)
      }
    }
    for (const task of [...worker.held]) {
      if (!claimed.has(task)) attempts.lose(task, now, 'the worker re-registered without it', false)
    }
    // adopted attempts may have been held by a placeholder of this worker: count them again
    registry.recount(worker)
    this.renewLease(worker, now)
    noWorker.workersChanged()
    ledger.commit({ type: 'worker-joined', at: now, worker })
    if (!gate.open && registry.onlineCount() >= gate.expected) {
      gate.open = true
      ledger.commit({ type: 'assigning-started', at: now, workers: registry.onlineCount() })
    }
    return { worker, revoked }
  }

  /**
   * Removes a worker; its running attempts are lost and go back to the queue. They count against the worker
   * when it left by itself (disconnected, went silent), not when it was taken off.
   */
  unregister (workerId: string, now: number, reason: WorkerLeftReason = 'unregistered'): boolean {
    const { ledger, registry, attempts, noWorker } = this.init
    const worker = registry.get(workerId)
    if (worker == null) return false
    const why = reason === 'lease-expired' ? 'its lease expired' : reason === 'disconnected' ? 'the worker disconnected' : reason === 'quarantined' ? 'the worker was quarantined' : 'the worker was unregistered'
    const held = [...worker.held]
    for (const task of held) attempts.lose(task, now, why, false)
    // one incident, however many attempts it held: one loss against it (a quarantine it earns here needs
    // no taking off: it is leaving)
    if (held.length > 0 && (reason === 'disconnected' || reason === 'lease-expired')) attempts.blame(worker, now)
    registry.unregister(workerId)
    noWorker.workersChanged()
    ledger.commit({ type: 'worker-left', at: now, worker, reason })
    return true
  }

  /** A worker quarantined by a loss is taken off, if it is still registered. */
  takeOff (worker: WorkerState, now: number): void {
    if (worker.registered) this.unregister(worker.id, now, 'quarantined')
  }

  /** What the worker says of itself: the task types it handles now, that it is draining before it leaves. */
  update (workerId: string, update: WorkerStatusUpdate): WorkerInfo {
    const worker = this.require(workerId)
    this.init.registry.update(worker, update)
    this.init.noWorker.workersChanged()
    return worker
  }

  /**
   * An operator steers a worker: online or not, draining, priority, capacity. Unlike what a worker says of
   * itself, this lasts until the operator changes it, also when the worker registers again (journaled).
   */
  steer (workerId: string, steering: WorkerSteering, now: number): WorkerInfo {
    const worker = this.require(workerId)
    this.init.ledger.commit({ type: 'worker-steered', at: now, workerId, steering: { ...steering } })
    this.init.noWorker.workersChanged()
    return worker
  }

  /** An agent that pulls asks for `wants` new attempts (0: none until it asks again). */
  setWants (workerId: string, wants: number): void {
    this.init.registry.setWants(this.require(workerId), wants)
  }

  /**
   * What a worker's heartbeat or status broadcast says about its machine (advisory: shown, and checked by
   * alerts); true when the worker became busy or free, which changes what it is given.
   */
  recordLoad (workerId: string, load: WorkerLoad): boolean {
    const worker = this.init.registry.get(workerId)
    return worker != null && this.init.registry.recordLoad(worker, load)
  }

  /**
   * The worker is alive: all its leases are extended by the lease TTL. Not journaled: after a restart,
   * leases are counted from the restart anyway.
   */
  renew (workerId: string, now: number): void {
    const worker = this.init.registry.get(workerId)
    if (worker != null) this.renewLease(worker, now)
  }

  /** Extends a worker's leases by the lease TTL from `now`. */
  renewLease (worker: WorkerState, now: number): void {
    const first = worker.leaseExpiresAt === Infinity
    worker.leaseExpiresAt = now + this.init.ledger.leaseTtlMs
    // one pending entry per worker (added when it registers): when it comes due it looks again if the lease
    // was renewed meanwhile, so a renewal sets no new deadline
    if (first) this.init.ledger.due.add(worker.leaseExpiresAt, { kind: 'lease', worker })
  }

  /** A worker's lease came due: it expired unless renewed meanwhile (then it is looked at again then). */
  leaseDue (due: Extract<Due, { kind: 'lease' }>, now: number): void {
    const worker = due.worker
    if (this.init.registry.get(worker.id) !== worker) return
    if (worker.leaseExpiresAt > now) this.init.ledger.due.add(worker.leaseExpiresAt, due)
    else this.unregister(worker.id, now, 'lease-expired')
  }

  /** Until when a worker's registrations are refused, when it is quarantined now. */
  quarantinedUntil (workerId: string, now: number): number | undefined {
    return this.init.reputation.quarantinedUntil(workerId, now)
  }

  private require (workerId: string): WorkerState {
    const worker = this.init.registry.get(workerId)
    if (worker == null) throw new UnknownWorkerError(`unknown worker "${workerId}"`)
    return worker
  }
}
