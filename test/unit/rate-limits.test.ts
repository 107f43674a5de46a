import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { harness } from '../helpers/core.js'
import { Scheduler } from '../../src/core/scheduler.js'
import { taskSpec } from '../../src/core/task.js'
import { isDurable, type DurableEvent } from '../../src/core/events.js'

describe('rate limits', () => {
  it('starts at most N per period across workers, says why the rest wait, and starts more as the window slides', () => {
    const h = harness({ rateLimits: [{ key: 'summarize', limit: 2, periodMs: 1_000 }] })
    h.worker('a', 10, { maxConcurrent: 4 })
    h.worker('b', 10, { maxConcurrent: 4 })
    h.submit(...Array.from({ length: 5 }, (_, i) => ({ id: `s${i}`, type: 'summarize' })), { id: 'other' })
    expect(h.schedule().map(([t]) => t).sort()).toEqual(['other', 's0', 's1'])
    expect(h.scheduler.view.waitingFor('s2')).toBe('rate limit "summarize": 2 per 1 s')
    h.advance(999)
    expect(h.schedule()).toEqual([])
    h.advance(1)
    expect(h.schedule().map(([t]) => t)).toEqual(['s2', 's3'])
    expect(h.scheduler.view.waitingFor('s4')).toBe('rate limit "summarize": 2 per 1 s')
  })

  it('counts a task by its rate_limit_key when it names one', () => {
    const h = harness({ rateLimits: [{ key: 'openai', limit: 1, periodMs: 60_000 }] })
    h.worker('w', 10, { maxConcurrent: 4 })
    h.submit({ id: 'embed', type: 'embed', rateLimitKey: 'openai' }, { id: 'chat', type: 'chat', rateLimitKey: 'openai' }, { id: 'free', type: 'embed' })
    expect(h.schedule().map(([t]) => t).sort()).toEqual(['embed', 'free'])
    expect(h.scheduler.view.waitingFor('chat')).toBe('rate limit "openai": 1 per 60 s')
  })

  it('a rate_limit_key with no limit of its own leaves a task under its type\'s', () => {
    const h = harness({ rateLimits: [{ key: 'summarize', limit: 1, periodMs: 60_000 }] })
    h.worker('w', 10, { maxConcurrent: 4 })
    h.submit({ id: 'a', type: 'summarize' }, { id: 'dodge', type: 'summarize', rateLimitKey: 'made-up' })
    expect(h.schedule().map(([t]) => t)).toEqual(['a'])
    expect(h.scheduler.view.waitingFor('dodge')).toBe('rate limit "summarize": 1 per 60 s')
  })

  it('never starts more than the limit in any window, with random arrivals, workers joining and leaving, and restarts', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('submit' as const), n: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ kind: fc.constant('join' as const), slots: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('leave' as const) }),
      fc.record({ kind: fc.constant('finish' as const) }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 700 }) }),
      fc.record({ kind: fc.constant('restart' as const) })
    )
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 100, max: 1_000 }), fc.array(step, { maxLength: 60 }), (limit, periodMs, steps) => {
      const options = { rateLimits: [{ key: 'limited', limit, periodMs }] }
      let scheduler = new Scheduler(options)
      let journal: DurableEvent[] = []
      let rateStarts: Array<{ key: string, at: number }> = []
      let now = 1_000
      let ids = 0
      let workers = 0
      const online: string[] = []
      const starts: number[] = []
      const pass = (): void => {
        scheduler.tick(now)
        scheduler.schedule(now)
        for (const e of scheduler.takeEvents()) {
          if (isDurable(e)) journal.push(e)
          if (e.type === 'assigned') starts.push(e.at)
        }
        // what a journal keeps of the windows, as the flush cycle hands it over
        for (const r of scheduler.takeRecords().rateStarts) rateStarts = [...rateStarts.filter(x => x.key !== r.key || x.at >= r.keepFrom), ...r.starts.map(at => ({ key: r.key, at }))]
      }
      for (const s of steps) {
        if (s.kind === 'submit') scheduler.submit(Array.from({ length: s.n }, () => taskSpec({ id: `t${ids++}`, type: 'limited' })), now)
        if (s.kind === 'join') { const id = `w${workers++}`; scheduler.registerWorker({ id, name: id, skill: 1, maxConcurrent: s.slots }, now); online.push(id) }
        if (s.kind === 'leave' && online.length > 0) scheduler.unregisterWorker(online.shift()!, now)
        if (s.kind === 'finish') {
          for (const id of online) for (const l of scheduler.view.leasesOf(id)) scheduler.report(id, { taskId: l.taskId, attempt: l.attempt, token: l.token, success: true }, now)
        }
        if (s.kind === 'wait') now += s.ms
        if (s.kind === 'restart') {
          // a new admin from the journal: the starts it replays count in its window
          scheduler = new Scheduler(options)
          // the journal's events, minus those of finished tasks (archived, their events compacted away), and its starts
          const finished = new Set(journal.flatMap(e => e.type === 'attempt-ended' && e.outcome === 'succeeded' ? [e.taskId] : []))
          journal = journal.filter(e => !('taskId' in e && finished.has(e.taskId)) && !(e.type === 'submitted' && finished.has(e.task.id)))
          scheduler.restore(journal, now, { rateStarts })
          for (const id of online) scheduler.registerWorker({ id, name: id, skill: 1, maxConcurrent: 4 }, now)
        }
        pass()
      }
      starts.sort((a, b) => a - b)
      for (let i = limit; i < starts.length; i++) expect(starts[i]! - starts[i - limit]!).toBeGreaterThanOrEqual(periodMs)
    }), { numRuns: 200 })
  })

  it('refuses limits that cannot hold, naming them', () => {
    expect(() => new Scheduler({ rateLimits: [{ key: 'a', limit: 0, periodMs: 1000 }, { key: 'a', limit: 1, periodMs: 0 }] })).toThrow(expect.objectContaining({
      problems: [
        { path: 'rateLimits[0].limit', message: 'must be a whole number from 1 to 1000000' },
        { path: 'rateLimits[1].key', message: '"a" has a limit already: give each key one' },
        { path: 'rateLimits[1].periodMs', message: 'must be a number of ms, at least 1' }
      ]
    }))
  })
})
