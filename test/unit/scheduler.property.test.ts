import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Scheduler } from '../../src/core/scheduler.js'
import { MemoryArchive } from '../../src/core/archive.js'
import { isDurable, type DurableEvent, type SchedulerEvent } from '../../src/core/events.js'
import { BUILT_IN_STRATEGIES, createStrategy, type Strategy } from '../../src/core/strategies/index.js'
import { isFinal, taskSpec, type TaskSpec } from '../../src/core/task.js'
import type { WorkerInfo } from '../../src/core/registry.js'
import { seeded } from '../helpers/core.js'

const CAPS = ['gpu', 'db'] as const

interface WorkerModel { name: string, skill: number, capabilities: string[], capacity: number }

const taskArb = (i: number) => fc.record({
  priority: fc.integer({ min: 1, max: 10 }),
  // a narrow range makes equal skills and difficulties common: the edge cases of the scheduling pass
  difficulty: fc.integer({ min: 0, max: 5 }),
  requires: fc.subarray([...CAPS]),
  deps: fc.subarray(Array.from({ length: i }, (_, j) => j), { maxLength: Math.min(3, i) }),
  maxAttempts: fc.integer({ min: 1, max: 3 }),
  timeoutMs: fc.option(fc.integer({ min: 10, max: 500 }), { nil: undefined }),
  cacheKey: fc.option(fc.constantFrom('k1', 'k2'), { nil: undefined })
})

const workloadArb = fc.integer({ min: 1, max: 25 }).chain(n =>
  fc.tuple(...Array.from({ length: n }, (_, i) => taskArb(i))).map(raw => raw.map((t, i): TaskSpec => taskSpec({
    id: `t${i}`,
    priority: t.priority,
    difficulty: t.difficulty,
    requires: t.requires,
    dependsOn: t.deps.map(d => `t${d}`),
    retry: { maxAttempts: t.maxAttempts, backoff: 'exponential', initialDelayMs: 20, maxDelayMs: 200, jitter: 0.5 },
    ...(t.timeoutMs != null ? { timeoutMs: t.timeoutMs } : {}),
    ...(t.cacheKey != null ? { cacheKey: t.cacheKey } : {})
  }))))

const workerArb = fc.array(fc.record({
  skill: fc.integer({ min: 0, max: 5 }),
  capabilities: fc.subarray([...CAPS]),
  capacity: fc.integer({ min: 1, max: 3 })
}), { minLength: 1, maxLength: 8 }).map(ws => ws.map((w, i): WorkerModel => ({ name: `w${i}`, ...w })))

type Op =
  | { op: 'schedule' }
  | { op: 'finish', pick: number, success: boolean }
  | { op: 'advance', ms: number }
  | { op: 'leave', worker: number }
  | { op: 'join', worker: number }
  | { op: 'cancel', task: number }
  | { op: 'renew' }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ op: 'schedule' as const }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('finish' as const), pick: fc.nat(), success: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 600 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('leave' as const), worker: fc.nat({ max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('join' as const), worker: fc.nat({ max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), task: fc.nat({ max: 24 }) }) },
  { weight: 2, arbitrary: fc.constant({ op: 'renew' as const }) }
)

describe('scheduler properties', () => {
  it('hold for random workloads, workers, strategies and event orders', () => {
    fc.assert(fc.property(
      workloadArb, workerArb, fc.constantFrom(...BUILT_IN_STRATEGIES), fc.array(opArb, { maxLength: 120 }), fc.integer(),
      (specs, workers, strategy, ops, seed) => {
        const capacityOf = new Map<string, number>()
        const workerModel = new Map<string, WorkerModel>()
        const order = new Map(specs.map((s, i) => [s.id, i]))
        const base = createStrategy(strategy, { random: seeded(seed) })
        const skillAware = base.skillAware
        const canTake = (w: WorkerModel, t: TaskSpec): boolean =>
          t.requires.every(c => w.capabilities.includes(c)) && (!skillAware || w.skill >= t.difficulty)
        const isBetter = (a: TaskSpec, b: TaskSpec): boolean =>
          a.priority > b.priority || (a.priority === b.priority && order.get(a.id)! < order.get(b.id)!)
        // every decision is checked as it is made, through the strategy's hook, with the state of that moment
        const checked: Strategy = {
          ...base,
          assigned: (task, worker) => {
            // no task starts before its dependencies succeeded
            for (const dep of task.dependsOn) expect(sched.view.getTask(dep).state).toBe('succeeded')
            // the choice is the one a naive scan of every worker makes: the strategy's best eligible free
            // worker (the scheduler's indexes and shortcuts may not change a decision)
            const compare = base.compare
            if (compare != null && task.worker == null) {
              const before = (w: WorkerInfo): WorkerInfo => ({ ...w, rank: w.rank, proven: w.proven, running: w.id === worker.id ? w.running - 1 : w.running })
              const chosen = before(worker)
              // a task lost on an unproven worker goes to a proven one when one can take it
              const provenFirst = sched.view.getTask(task.id).attempts.some(a => a.outcome === 'lost' && a.blame === 'worker') && chosen.proven
              for (const other of sched.view.workers().map(before)) {
                if (other.id === chosen.id || !other.online || other.draining || other.running >= other.capacity) continue
                if (provenFirst && !other.proven) continue
                if (!canTake(workerModel.get(other.id)!, task)) continue
                expect(compare(chosen, other, task)).toBeLessThanOrEqual(0)
              }
            }
            base.assigned?.(task, worker)
          }
        }
        const sched = new Scheduler({ strategy: checked, random: seeded(seed), leaseTtlMs: 1000, maxLostAttempts: 1000 })
        const byId = new Map(specs.map(s => [s.id, s]))
        const finals = new Map<string, number>()
        const running = new Map<string, Set<string>>() // worker id -> task ids, from events alone
        const lastAttempt = new Map<string, Extract<SchedulerEvent, { type: 'assigned' }>>()
        let now = 0
        const enterFinal = (id: string): void => { finals.set(id, (finals.get(id) ?? 0) + 1) }

        // what the scheduler decided, in the order it hands it over
        const take = (): void => {
          for (const e of sched.takeEvents()) {
            switch (e.type) {
              case 'assigned': {
                lastAttempt.set(e.taskId, e)
                const set = running.get(e.workerId) ?? new Set()
                running.set(e.workerId, set.add(e.taskId))
                // a worker never runs more than its limit, by the events alone
                expect(set.size).toBeLessThanOrEqual(capacityOf.get(e.workerId)!)
                break
              }
              case 'attempt-ended':
                running.get(e.workerId)?.delete(e.taskId)
                if (e.outcome === 'succeeded' || e.retryAt == null) enterFinal(e.taskId)
                break
              case 'cancelled':
                if (e.workerId != null) running.get(e.workerId)?.delete(e.taskId)
                enterFinal(e.taskId)
                break
              case 'cached': case 'skipped': case 'failed':
                enterFinal(e.taskId)
                break
            }
          }
        }

        const join = (w: WorkerModel): void => {
          capacityOf.set(`id-${w.name}`, w.capacity)
          workerModel.set(`id-${w.name}`, w)
          sched.registerWorker({ id: `id-${w.name}`, name: w.name, skill: w.skill, capabilities: w.capabilities, maxConcurrent: w.capacity }, now)
        }
        const schedule = (): void => {
          take()
          const before = new Map(lastAttempt)
          sched.schedule(now)
          take()
          const fresh = [...lastAttempt.values()].filter(a => before.get(a.taskId) !== a)
          // priority order holds among ready tasks a worker can take: a task left ready was not
          // takeable by any worker that received a worse task in this pass
          for (const left of sched.view.listTasks('ready')) {
            for (const a of fresh) {
              if (isBetter(left.spec, byId.get(a.taskId)!)) expect(canTake(workerModel.get(a.workerId)!, left.spec)).toBe(false)
            }
          }
        }

        sched.submit(specs, now)
        workers.forEach(join)
        for (const op of ops) {
          take()
          switch (op.op) {
            case 'schedule': schedule(); break
            case 'finish': {
              const live = [...lastAttempt.values()].filter(a => sched.view.getTask(a.taskId).state === 'running' && sched.view.getTask(a.taskId).attempts.length === a.attempt)
              const a = live[op.pick % Math.max(1, live.length)]
              if (a != null) sched.report(a.workerId, { taskId: a.taskId, attempt: a.attempt, token: a.token, success: op.success, output: a.taskId }, now)
              break
            }
            case 'advance': now += op.ms; sched.tick(now); break
            case 'leave': sched.unregisterWorker(`id-w${op.worker}`, now, 'disconnected'); break
            case 'join': { const w = workers[op.worker % workers.length]!; if (sched.view.worker(`id-${w.name}`) == null) join(w); break }
            case 'cancel': { const t = specs[op.task % specs.length]!; sched.cancel(t.id, now); break }
            case 'renew': for (const w of sched.view.workers()) sched.renewLeases(w.id, now); break
          }
        }

        // drain: a worker that can do anything finishes all that is left
        join({ name: 'finisher', skill: 100, capabilities: [...CAPS], capacity: 1000 })
        for (let round = 0; round < 200 && !sched.view.isDone(); round++) {
          for (const w of sched.view.workers()) sched.renewLeases(w.id, now)
          schedule()
          for (const a of [...lastAttempt.values()]) {
            const t = sched.view.getTask(a.taskId)
            if (t.state === 'running' && t.attempts.length === a.attempt) sched.report(a.workerId, { taskId: a.taskId, attempt: a.attempt, token: a.token, success: true }, now)
          }
          now += 250
          sched.tick(now)
        }
        take()

        // each task reaches exactly one final state
        for (const s of specs) {
          expect(isFinal(sched.view.getTask(s.id).state)).toBe(true)
          expect(finals.get(s.id)).toBe(1)
        }
        // a task that did not succeed has only skipped (or cancelled) dependents
        for (const s of specs) {
          const state = sched.view.getTask(s.id).state
          if (state === 'succeeded') continue
          for (const d of specs.filter(x => x.dependsOn.includes(s.id))) {
            expect(['skipped', 'cancelled']).toContain(sched.view.getTask(d.id).state)
          }
        }
        expect(sched.view.summary().progress).toBe(1)
      }
    ), { numRuns: 1000 })
  })

  it('restoring the durable events left and the archive rebuilds the same task states', () => {
    fc.assert(fc.property(workloadArb, fc.array(fc.boolean(), { maxLength: 60 }), fc.integer(), (specs, outcomes, seed) => {
      const archive = new MemoryArchive()
      const sched = new Scheduler({ random: seeded(seed), archive })
      const journal: SchedulerEvent[] = []
      // as the admin does: the batch's events, then its finished tasks into the archive
      const take = (): void => {
        journal.push(...sched.takeEvents())
        const archived = sched.takeArchived()
        archive.add(archived)
        sched.archived(archived)
      }
      sched.submit(specs, 0)
      sched.registerWorker({ id: 'w', name: 'w', skill: 100, capabilities: [...CAPS], maxConcurrent: 4 }, 0)
      let now = 0
      for (const success of outcomes) {
        sched.schedule(now)
        take()
        const a = [...journal].reverse().find(e => e.type === 'assigned' && sched.view.getTask(e.taskId).state === 'running')
        if (a?.type === 'assigned') sched.report('w', { taskId: a.taskId, attempt: a.attempt, token: a.token, success, output: now }, now)
        now += 1000
        sched.tick(now)
      }
      take()
      const restored = new Scheduler({ random: seeded(seed), archive })
      // an archived task's events are gone from the journal
      const subject = (e: DurableEvent): string => e.type === 'submitted' ? e.task.id : 'taskId' in e ? e.taskId : ''
      restored.restore(journal.filter(isDurable).filter(e => !archive.has(subject(e))), now)
      // workers differ on purpose: the restored scheduler knows 'w' only as an offline placeholder
      const { workers: _a, ...was } = sched.view.summary()
      const { workers: _b, ...now2 } = restored.view.summary()
      expect(now2).toEqual(was)
      for (const s of specs) {
        const a = sched.view.getTask(s.id)
        const b = restored.view.getTask(s.id)
        expect(b.state).toBe(a.state)
        expect(b.output).toEqual(a.output)
        expect(b.attempts).toEqual(a.attempts)
      }
    }), { numRuns: 200 })
  })
})
