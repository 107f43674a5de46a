import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { harness } from '../helpers/core.js'
import { Scheduler } from '../../src/core/scheduler.js'
import { isDurable, type DurableEvent } from '../../src/core/events.js'
import { normalizeTasks as readTasks } from '../../src/tasks/normalize.js'

describe('delayed tasks (run_at, delay)', () => {
  it('waits until its time, says until when, and starts at the first tick after it', () => {
    const h = harness()
    h.worker('w', 10, { maxConcurrent: 4 })
    h.submit({ id: 'later', delayMs: 500 }, { id: 'at', runAt: 1_000 + 200 }, { id: 'past', runAt: 10 })
    expect([h.state('later'), h.state('at'), h.state('past')]).toEqual(['delayed', 'delayed', 'ready'])
    expect(h.scheduler.view.waitingFor('later')).toBe(`not before ${new Date(1_500).toISOString()}`)
    expect(h.scheduler.view.history('later')).toEqual([
      expect.objectContaining({ event: 'submitted' }),
      expect.objectContaining({ event: 'delayed', retryAt: 1_500, detail: `until ${new Date(1_500).toISOString()}` })
    ])
    expect(h.schedule()).toEqual([['past', 'w']])
    h.advance(199)
    expect(h.schedule()).toEqual([])
    h.advance(1)
    expect(h.schedule()).toEqual([['at', 'w']])
    h.advance(300)
    expect(h.schedule()).toEqual([['later', 'w']])
    // the delay counted from its submission, not from when it was first seen ready
    expect(h.scheduler.view.getTask('later').attempts[0]!.assignedAt).toBe(1_500)
  })

  it('with dependencies: delayed when they succeed before its time, ready at once when after it', () => {
    const h = harness()
    h.worker('w', 10, { maxConcurrent: 4 })
    h.submit({ id: 'a' }, { id: 'early', dependsOn: ['a'], delayMs: 1_000 }, { id: 'b' }, { id: 'late', dependsOn: ['b'], delayMs: 100 })
    h.schedule()
    h.succeed('a')
    expect(h.state('early')).toBe('delayed')
    h.advance(200)
    h.succeed('b')
    expect(h.state('late')).toBe('ready')
    h.advance(800)
    expect(h.schedule().map(([t]) => t).sort()).toEqual(['early', 'late'])
  })

  it('a retry after a delayed first attempt backs off as usual; the history tells the two apart', () => {
    const h = harness()
    h.worker('w')
    h.submit({ id: 't', delayMs: 100, retry: { maxAttempts: 2, backoff: 'fixed', initialDelayMs: 50, maxDelayMs: 50, jitter: 0 } })
    h.advance(100)
    h.schedule()
    h.fail('t')
    expect(h.state('t')).toBe('delayed')
    expect(h.scheduler.view.waitingFor('t')).toBe(`retry at ${new Date(1_150).toISOString()}`)
    h.advance(50)
    expect(h.schedule()).toEqual([['t', 'w']])
  })

  it('restored from its journal at any moment, a delayed task starts once, at its time', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1_200 }), fc.integer({ min: 1, max: 1_000 }), (crashAfter, delayMs) => {
      const h = harness()
      h.worker('w')
      h.submit({ id: 'd', delayMs })
      // time passes in steps until the crash; the journal is every durable event so far
      for (let t = 0; t < crashAfter; t += 100) { h.advance(Math.min(100, crashAfter - t)); h.schedule() }
      const journal: DurableEvent[] = h.events.filter(isDurable)
      const restarted = new Scheduler()
      restarted.restore(journal, h.now)
      restarted.registerWorker({ id: 'peer-w', name: 'w', skill: 10 }, h.now)
      const at = 1_000 + delayMs
      const assigned: Array<{ at: number, attempt: number }> = journal.flatMap(e => e.type === 'assigned' ? [{ at: e.at, attempt: e.attempt }] : [])
      for (let now = h.now; now <= at + 200; now += 50) {
        restarted.tick(now)
        restarted.schedule(now)
        for (const e of restarted.takeEvents()) if (e.type === 'assigned') assigned.push({ at: e.at, attempt: e.attempt })
      }
      // started once (a worker back without its lease loses that attempt, which runs again as attempt 2), never early
      expect(assigned.filter(a => a.attempt === 1)).toHaveLength(1)
      for (const a of assigned) expect(a.at).toBeGreaterThanOrEqual(at)
    }), { numRuns: 60 })
  })

  it('reads run_at as an ISO 8601 time or ms since the epoch, delay in seconds, and refuses both at once', () => {
    const { specs } = readTasks([{ id: 'iso', run_at: '2026-12-05T10:00:00Z' }, { id: 'ms', run_at: 1_796_000_000_000 }, { id: 'd', delay: 1.5 }, { id: 'dm', delay_ms: 20 }])
    expect(specs.map(s => [s.id, s.runAt, s.delayMs])).toEqual([['iso', Date.parse('2026-12-05T10:00:00Z'), undefined], ['ms', 1_796_000_000_000, undefined], ['d', undefined, 1_500], ['dm', undefined, 20]])
    const bad = readTasks([{ id: 'both', run_at: 5, delay: 1 }, { id: 'time', run_at: '10:00' }, { id: 'neg', delay: -1 }, { id: 'far', delay: 400 * 86_400 }, { id: 'y10k', run_at: 1e16 }, { id: 'backoff', retry_policy: { max_attempts: 2, initial_delay: 1e12 } }])
    const when = 'must be an ISO 8601 time such as 2026-12-05T10:00:00Z, or ms since the epoch, before the year 10000'
    expect(bad.problems.map(p => [p.path, p.message])).toEqual([
      ['tasks[0].run_at', 'give run_at or delay, not both'],
      ['tasks[1].run_at', when],
      ['tasks[2].delay', 'must be 0..31622400'],
      ['tasks[3].delay', 'must be 0..31622400'],
      // a time a Date cannot hold, or a backoff of centuries, would break every listing that shows the task
      ['tasks[4].run_at', when],
      ['tasks[5].retry_policy.initial_delay', 'must be 0..31622400']
    ])
  })
})
