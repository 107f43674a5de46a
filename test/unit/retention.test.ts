import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { seeded } from '../helpers/core.js'
import { Scheduler, type SchedulerOptions } from '../../src/core/scheduler.js'
import { isDurable } from '../../src/core/events.js'
import { MemoryJournal } from '../../src/store/journal.js'
import { taskSpec, type TaskSpec } from '../../src/core/task.js'
import { MAX_PURGE_PER_PASS } from '../../src/core/constants.js'

/** A scheduler on a fake clock whose turns go through a journal, as the admin's flush cycle does. */
function journaled (options: SchedulerOptions = {}, journal = new MemoryJournal()) {
  const scheduler = new Scheduler({ random: seeded(1), archive: journal.archive, ...options })
  let now = 1_000
  const purges: Array<{ count: number }> = []
  const leases = new Map<string, { workerId: string, attempt: number, token: string }>()
  const turn = (): void => {
    const events = scheduler.takeEvents()
    for (const e of events) {
      if (e.type === 'assigned') leases.set(e.taskId, e)
      if (e.type === 'purged') purges.push(e)
    }
    const archive = scheduler.takeArchived()
    const { purged } = scheduler.takeRecords()
    journal.append({ events: events.filter(isDurable), archive, purged })
    scheduler.archived(archive, purged)
  }
  const h = {
    scheduler,
    journal,
    purges,
    get now () { return now },
    advance (ms: number) { now += ms; scheduler.tick(now); turn() },
    submit (...tasks: Array<Partial<TaskSpec> & { id: string }>) { scheduler.submit(tasks.map(taskSpec), now); turn() },
    worker (name = 'w') { scheduler.registerWorker({ id: `peer-${name}`, name, skill: 10, maxConcurrent: 64 }, now); turn() },
    schedule () { scheduler.schedule(now); turn() },
    end (taskId: string, success: boolean) {
      const l = leases.get(taskId)!
      scheduler.report(l.workerId, { taskId, attempt: l.attempt, token: l.token, success, ...(success ? { output: `out-${taskId}` } : { error: 'boom' }) }, now)
      turn()
    },
    purge (filter: Parameters<Scheduler['purge']>[0]) { const n = scheduler.purge(filter, now); turn(); return n },
    has: (id: string) => scheduler.view.has(id),
    ids: () => [...scheduler.view.listTasks()].map(t => t.id)
  }
  return h
}

describe('retention', () => {
  it('drops finished tasks once they are older than the policy, from memory, the archive and the journal', () => {
    const h = journaled({ retention: { finishedMs: 10_000 } })
    h.worker()
    h.submit({ id: 'ok' }, { id: 'bad' }, { id: 'later' })
    h.schedule()
    h.end('ok', true)
    h.end('bad', false)
    h.advance(5_000)
    h.end('later', true)
    expect(h.scheduler.view.summary().total).toBe(3)
    // 'ok' went to the archive, 'bad' stayed in memory (it may be retried): both go at 10 s
    h.advance(5_001)
    expect(h.ids()).toEqual(['later'])
    expect(h.scheduler.view.summary()).toMatchObject({ total: 1, counts: { succeeded: 1, failed: 0 } })
    expect(h.purges).toEqual([expect.objectContaining({ count: 2 })])
    expect(h.journal.archive.has('ok')).toBe(false)
    // restarted on the journal: the dropped tasks stay dropped, numbering goes on after them
    const restarted = new Scheduler({ archive: h.journal.archive })
    restarted.restore(h.journal.load(), h.now)
    expect([...restarted.view.listTasks()].map(t => t.id)).toEqual(['later'])
    expect(restarted.submit([taskSpec({ id: 'next' })], h.now).added).toEqual(['next'])
    expect(restarted.view.getTask('next')).toBeDefined()
    expect([...restarted.view.listTasks()].map(t => t.id)).toEqual(['later', 'next'])
    h.advance(5_000)
    expect(h.ids()).toEqual([])
    expect(h.scheduler.view.retention()).toEqual({ policy: { finishedMs: 10_000 }, dropped: 3 })
  })

  it('keeps a finished task a live task depends on, and a failed one whose skipped dependents are kept', () => {
    const h = journaled({ retention: { finishedMs: 1_000 } })
    h.worker()
    h.submit({ id: 'a' }, { id: 'b', dependsOn: ['a'] })
    h.schedule()
    h.end('a', true)
    h.schedule()
    h.advance(5_000)
    // b runs: a stays, though archived and old
    expect(h.ids()).toEqual(['a', 'b'])
    // a new task naming an archived, old dependency keeps it too
    h.submit({ id: 'c', dependsOn: ['a'], runAt: h.now + 60_000 })
    h.end('b', true)
    h.advance(5_000)
    expect(h.ids()).toEqual(['a', 'c'])
    expect(h.scheduler.view.getTask('c').state).toBe('delayed')
    // a failed dependency and the dependent it skipped go together, or not at all
    h.submit({ id: 'f' }, { id: 's', dependsOn: ['f'] })
    h.schedule()
    h.end('f', false)
    expect(h.scheduler.view.getTask('s').state).toBe('skipped')
    expect(h.purge({ state: 'failed', before: h.now + 1 })).toBe(0)
    expect(h.ids()).toEqual(['a', 'c', 'f', 's'])
    // the dependent may go alone
    expect(h.purge({ before: h.now + 1, keep: 2 })).toBe(1)
    expect(h.ids()).toEqual(['a', 'c', 'f'])
    h.advance(2_000)
    expect(h.ids()).toEqual(['a', 'c'])
  })

  it('keeps the newest N finished tasks, dropping the oldest first', () => {
    const h = journaled({ retention: { finishedCount: 2 } })
    h.worker()
    for (const id of ['t1', 't2', 't3', 't4', 't5']) {
      h.submit({ id })
      h.schedule()
      h.advance(10)
      h.end(id, id !== 't2')
    }
    // a pass every few seconds at most
    h.advance(5_000)
    expect(h.ids()).toEqual(['t4', 't5'])
    expect(h.scheduler.view.summary().counts).toMatchObject({ succeeded: 2, failed: 0 })
  })

  it('purges on request by state, age and count, and forgets dropped results and dedup keys', () => {
    const h = journaled()
    h.worker()
    h.submit({ id: 'c1', cacheKey: 'k' }, { id: 'd1', dedupKey: 'once', dedupTtlMs: 3_600_000 }, { id: 'x' })
    h.schedule()
    h.end('c1', true)
    h.end('d1', true)
    h.end('x', false)
    h.advance(1_000)
    expect(h.purge({ state: 'failed', before: h.now })).toBe(1)
    expect(h.ids()).toEqual(['c1', 'd1'])
    expect(h.purge({ before: h.now - 5_000 })).toBe(0)
    expect(h.purge({ before: h.now })).toBe(2)
    expect(h.scheduler.view.summary().total).toBe(0)
    // the result under 'k' left with c1: a new task with that key runs; the dedup key holds nothing
    h.submit({ id: 'c2', cacheKey: 'k' })
    expect(h.scheduler.view.getTask('c2').state).toBe('ready')
    expect(h.scheduler.submit([taskSpec({ id: 'd2', dedupKey: 'once' })], h.now).added).toEqual(['d2'])
  })

  it('drops a pass at most at once, and the next pass follows at once', () => {
    const h = journaled({ retention: { finishedMs: 1 } })
    const n = MAX_PURGE_PER_PASS + 10
    h.submit(...Array.from({ length: n }, (_, i) => ({ id: `t${i}` })))
    for (const id of h.ids()) h.scheduler.cancel(id, h.now)
    h.advance(10)
    expect(h.scheduler.view.summary().total).toBe(10)
    // due at once: the next tick drops the rest
    expect(h.scheduler.view.nextDeadline()).toBe(h.now)
    h.advance(0)
    expect(h.scheduler.view.summary().total).toBe(0)
  })

  it('property: never drops a task a kept one names as a dependency; a restart holds the same tasks', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ deps: fc.array(fc.nat(30), { maxLength: 3 }), outcome: fc.constantFrom('ok', 'fail', 'run', 'cancel') }), { minLength: 1, maxLength: 30 }),
      fc.array(fc.record({ state: fc.constantFrom(undefined, 'succeeded', 'failed', 'skipped', 'cancelled' as const), age: fc.nat(3), keep: fc.option(fc.nat(10), { nil: undefined }) }), { minLength: 1, maxLength: 4 }),
      (shape, purges) => {
        const h = journaled()
        h.worker()
        shape.forEach((t, i) => {
          const deps = [...new Set(t.deps.filter(d => d < i).map(d => `t${d}`))].filter(h.has)
          h.submit({ id: `t${i}`, dependsOn: deps })
          h.schedule()
          if (h.scheduler.view.getTask(`t${i}`).state === 'running' && t.outcome !== 'run') {
            if (t.outcome === 'cancel') h.scheduler.cancel(`t${i}`, h.now)
            else h.end(`t${i}`, t.outcome === 'ok')
          }
          h.advance(100)
          h.schedule()
          if (i % 7 === 6) h.purge({ ...purges[i % purges.length]!, before: h.now - purges[i % purges.length]!.age * 100 })
        })
        for (const p of purges) {
          const before = h.scheduler.view.summary().counts
          const finished = (p.state != null ? before[p.state] : before.succeeded + before.failed + before.skipped + before.cancelled)
          h.purge({ ...(p.state != null ? { state: p.state } : {}), before: h.now - p.age * 100, ...(p.keep != null ? { keep: p.keep } : {}) })
          const after = h.scheduler.view.summary().counts
          if (p.keep != null) expect(p.state != null ? after[p.state] : after.succeeded + after.failed + after.skipped + after.cancelled).toBeGreaterThanOrEqual(Math.min(p.keep, finished))
          for (const task of h.scheduler.view.listTasks()) {
            for (const dep of task.spec.dependsOn) {
              // a dependency of a task kept in memory is kept (archived dependents need nothing)
              if (!h.journal.archive.has(task.id)) expect(h.has(dep)).toBe(true)
            }
          }
        }
        const restarted = new Scheduler({ archive: h.journal.archive })
        restarted.restore(h.journal.load(), h.now)
        expect([...restarted.view.listTasks()].map(t => `${t.id}:${t.state}`)).toEqual([...h.scheduler.view.listTasks()].map(t => `${t.id}:${t.state === 'running' ? 'running' : t.state}`))
        expect(restarted.view.summary().counts).toEqual(h.scheduler.view.summary().counts)
      }), { numRuns: 150 })
  })
})
