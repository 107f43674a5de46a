import { describe, expect, it } from 'vitest'
import { harness } from '../helpers/core.js'
import { Scheduler } from '../../src/core/scheduler.js'
import { isDurable, type DurableEvent } from '../../src/core/events.js'

describe('pauses', () => {
  it('a paused type starts nothing new, says why, lets running tasks finish, and starts again once resumed', () => {
    const h = harness()
    h.worker('w', 10, { maxConcurrent: 8 })
    h.submit({ id: 'r', type: 'report' })
    expect(h.schedule()).toEqual([['r', 'w']])
    h.scheduler.pause('report', 'maintenance', h.now)
    h.submit({ id: 'r2', type: 'report' }, { id: 'other', type: 'simulate' })
    expect(h.schedule()).toEqual([['other', 'w']])
    expect(h.scheduler.view.waitingFor('r2')).toBe('paused (tasks of type "report"): maintenance')
    h.succeed('r')
    expect(h.state('r')).toBe('succeeded')
    expect(h.scheduler.resume('report', h.now)).toBe(true)
    expect(h.scheduler.resume('report', h.now)).toBe(false)
    expect(h.schedule()).toEqual([['r2', 'w']])
  })

  it('a pause of everything holds every type, and lasts across a restart from the journal until resumed', () => {
    const h = harness()
    h.worker('w', 10, { maxConcurrent: 8 })
    h.scheduler.pause(undefined, undefined, h.now)
    h.submit({ id: 'a' }, { id: 'b', type: 'report' })
    expect(h.schedule()).toEqual([])
    expect(h.scheduler.view.pauses()).toEqual([{ scope: 'all', since: 1_000 }])
    const journal: DurableEvent[] = h.events.filter(isDurable)
    const restarted = new Scheduler()
    restarted.restore(journal, h.now)
    restarted.registerWorker({ id: 'peer-w', name: 'w', skill: 10, maxConcurrent: 8 }, h.now)
    restarted.schedule(h.now)
    expect(restarted.takeEvents().filter(e => e.type === 'assigned')).toEqual([])
    expect(restarted.view.waitingFor('b')).toBe('paused (every task)')
    restarted.resume(undefined, h.now)
    restarted.schedule(h.now)
    expect(restarted.takeEvents().filter(e => e.type === 'assigned').map(e => e.type === 'assigned' ? e.taskId : '').sort()).toEqual(['a', 'b'])
  })

  it('pausing what is paused changes only its reason; the pause keeps its start', () => {
    const h = harness()
    h.scheduler.pause('x', 'one', h.now)
    h.advance(500)
    h.scheduler.pause('x', 'one', h.now)
    h.scheduler.pause('x', 'two', h.now)
    expect(h.scheduler.view.pauses()).toEqual([{ scope: 'type:x', since: 1_000, reason: 'two' }])
    expect(h.events.filter(e => e.type === 'pause-changed')).toHaveLength(2)
  })

  it('--on-no-worker fail leaves paused tasks alone: a pause for maintenance, with the workers gone, fails nothing', () => {
    const h = harness({ onNoWorker: 'fail', noWorkerGraceMs: 100 })
    h.scheduler.pause(undefined, 'maintenance', h.now)
    h.submit({ id: 'a' })
    h.schedule()
    h.advance(1_000)
    h.schedule()
    expect(h.state('a')).toBe('ready')
    // resumed with still no worker: then the grace period runs, and it fails
    h.scheduler.resume(undefined, h.now)
    h.schedule()
    h.advance(100)
    h.schedule()
    expect(h.state('a')).toBe('failed')
  })

  it('holds at most 1,000 pauses: one more is refused, saying so; pausing a paused type again still works', () => {
    const h = harness()
    for (let i = 0; i < 1_000; i++) h.scheduler.pause(`t${i}`, undefined, h.now)
    expect(() => { h.scheduler.pause('one-more', undefined, h.now) }).toThrow(/1000 pauses are in force, the most there may be/)
    h.scheduler.pause('t7', 'a reason now', h.now)
    expect(h.scheduler.view.pauses()).toHaveLength(1_000)
  })
})
