import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { harness } from '../helpers/core.js'
import { isDurable } from '../../src/core/events.js'
import { Scheduler } from '../../src/core/scheduler.js'

const running = (h: ReturnType<typeof harness>, group: string): number => [...h.scheduler.view.listTasks('running')].filter(t => t.spec.group === group).length

describe('task groups: fair shares between tenants', () => {
  it('shares the workers equally between groups, however many tasks each has queued', () => {
    const h = harness()
    h.submit(...Array.from({ length: 50 }, (_, i) => ({ id: `a${i}`, group: 'A' })), ...Array.from({ length: 4 }, (_, i) => ({ id: `b${i}`, group: 'B' })))
    for (let i = 0; i < 4; i++) h.worker(`w${i}`, 10, { maxConcurrent: 1 })
    h.schedule()
    expect([running(h, 'A'), running(h, 'B')]).toEqual([2, 2])
    // a worker freed by A goes to the group with the lower share: B has 2 running as A has 1 now
    h.succeed('a0')
    h.schedule()
    expect([running(h, 'A'), running(h, 'B')]).toEqual([2, 2])
    h.succeed('b0')
    h.schedule()
    expect([running(h, 'A'), running(h, 'B')]).toEqual([2, 2])
  })

  it('by weight; within a group, priority then submission order', () => {
    const h = harness({ groupWeights: { A: 3 } })
    h.submit(...Array.from({ length: 10 }, (_, i) => ({ id: `a${i}`, group: 'A', priority: i === 9 ? 9 : 5 })), ...Array.from({ length: 10 }, (_, i) => ({ id: `b${i}`, group: 'B' })))
    for (let i = 0; i < 8; i++) h.worker(`w${i}`, 10, { maxConcurrent: 1 })
    const assigned = h.schedule().map(([id]) => id)
    expect([running(h, 'A'), running(h, 'B')]).toEqual([6, 2])
    expect(assigned.filter(id => id.startsWith('a'))).toEqual(['a9', 'a0', 'a1', 'a2', 'a3', 'a4'])
  })

  it('caps what one group runs (--group-concurrency) and says why its tasks wait; tasks without a group are a group too', () => {
    const h = harness({ groupConcurrency: 2 })
    h.submit(...Array.from({ length: 5 }, (_, i) => ({ id: `a${i}`, group: 'A' })), { id: 'loose' })
    h.worker('w', 10, { maxConcurrent: 8 })
    h.schedule()
    expect(running(h, 'A')).toBe(2)
    expect(h.state('loose')).toBe('running')
    expect(h.scheduler.view.waitingFor('a4')).toBe('group "A" runs 2, at most 2 at once (--group-concurrency)')
    h.succeed('a0')
    expect(h.schedule()).toEqual([['a2', 'w']])
  })

  it('a group named as an object\'s own properties ("constructor", "__proto__") is a group like any other', () => {
    const h = harness({ groupWeights: { A: 2 } })
    h.submit({ id: 'c', group: 'constructor' }, { id: 'p', group: '__proto__' }, { id: 'loose' })
    h.worker('w', 10, { maxConcurrent: 4 })
    expect(h.schedule().map(([id]) => id).sort()).toEqual(['c', 'loose', 'p'])
  })

  it('pauses a group, and resumes it', () => {
    const h = harness()
    h.submit({ id: 'a', group: 'A' }, { id: 'b', group: 'B' })
    h.scheduler.pause(undefined, 'quota', h.now, 'A')
    h.worker('w', 10, { maxConcurrent: 4 })
    expect(h.schedule()).toEqual([['b', 'w']])
    expect(h.scheduler.view.waitingFor('a')).toBe('paused (tasks of group "A"): quota')
    expect(h.scheduler.resume(undefined, h.now, 'A')).toBe(true)
    expect(h.schedule()).toEqual([['a', 'w']])
  })

  it('counts what each group runs again after a restart from the journal', () => {
    const h = harness({ groupConcurrency: 1 })
    h.submit({ id: 'a0', group: 'A' }, { id: 'a1', group: 'A' })
    h.worker('w', 10, { maxConcurrent: 4 })
    h.schedule()
    const restarted = new Scheduler({ groupConcurrency: 1 })
    restarted.restore(h.events.filter(isDurable), h.now)
    restarted.registerWorker({ id: 'peer-w', name: 'w', skill: 10, maxConcurrent: 4 }, h.now, [{ taskId: 'a0', attempt: 1, token: h.lease('a0').token }])
    restarted.schedule(h.now)
    expect(restarted.takeEvents().filter(e => e.type === 'assigned')).toEqual([])
    expect(restarted.view.waitingFor('a1')).toMatch(/group "A" runs 1, at most 1/)
  })

  it('property: each worker goes to a group with the lowest share among those with ready tasks, and no group runs past its cap', () => {
    fc.assert(fc.property(
      fc.record({ weights: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 4 }), cap: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }) }),
      fc.array(fc.oneof(
        fc.record({ submit: fc.nat(3), n: fc.integer({ min: 1, max: 12 }) }),
        fc.record({ workers: fc.integer({ min: 1, max: 3 }) }),
        fc.record({ finish: fc.nat(20) })
      ), { minLength: 1, maxLength: 40 }),
      ({ weights, cap }, steps) => {
        const names = weights.map((_, i) => `g${i}`)
        const h = harness({ groupWeights: Object.fromEntries(names.map((n, i) => [n, weights[i]!])), ...(cap != null ? { groupConcurrency: cap } : {}) })
        const runningOf = new Map<string, number>(names.map(n => [n, 0]))
        const readyOf = new Map<string, number>(names.map(n => [n, 0]))
        const groupOf = new Map<string, string>()
        let seq = 0
        let workers = 0
        const share = (g: string): number => runningOf.get(g)! / weights[names.indexOf(g)]!
        const pass = (): void => {
          for (const [taskId] of h.schedule()) {
            const g = groupOf.get(taskId)!
            // the group that got the worker had the lowest share among the groups that could take one
            for (const other of names) {
              if (readyOf.get(other)! > 0 && (cap == null || runningOf.get(other)! < cap)) expect(share(g)).toBeLessThanOrEqual(share(other))
            }
            runningOf.set(g, runningOf.get(g)! + 1)
            readyOf.set(g, readyOf.get(g)! - 1)
            if (cap != null) expect(runningOf.get(g)!).toBeLessThanOrEqual(cap)
          }
        }
        for (const step of steps) {
          if ('submit' in step) {
            const g = names[step.submit % names.length]!
            h.submit(...Array.from({ length: step.n }, () => { const id = `t${seq++}`; groupOf.set(id, g); return { id, group: g } }))
            readyOf.set(g, readyOf.get(g)! + step.n)
          } else if ('workers' in step) {
            for (let i = 0; i < step.workers; i++) h.worker(`w${workers++}`, 10, { maxConcurrent: 1 })
          } else {
            const list = [...h.scheduler.view.listTasks('running')]
            const task = list[step.finish % Math.max(1, list.length)]
            if (task != null) {
              h.succeed(task.id)
              runningOf.set(task.spec.group!, runningOf.get(task.spec.group!)! - 1)
            }
          }
          pass()
        }
      }), { numRuns: 200 })
  })
})
