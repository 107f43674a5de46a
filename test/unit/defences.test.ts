import { describe, expect, it } from 'vitest'
import { isDurable } from '../../src/core/events.js'
import { harness } from '../helpers/core.js'

describe('scheduler: tasks go only where they can run', () => {
  it('treats a task\'s type as a hard constraint: a worker gets only the types it handles', () => {
    const h = harness()
    h.submit({ id: 'fetch', type: 'download' }, { id: 'clean' }, { id: 'more', type: 'download' })
    h.scheduler.registerWorker({ id: 'peer-plain', name: 'plain', skill: 10, types: ['simulate'], maxConcurrent: 4 }, h.now)
    expect(h.schedule()).toEqual([['clean', 'plain']])
    expect(h.scheduler.view.waitingFor('fetch')).toBe('no connected worker handles type "download"')
    // a handler added later, announced by the worker: its type becomes assignable
    h.scheduler.updateWorker('peer-plain', { types: ['simulate', 'download'] })
    expect(h.schedule().map(([t]) => t).sort()).toEqual(['fetch', 'more'])
  })

  it('says why a task waits, naming what no connected worker offers', () => {
    const h = harness({ expectedWorkers: 2 })
    h.submit({ id: 'train', requires: ['gpu'], difficulty: 8 }, { id: 'report', worker: 'writer' }, { id: 'odd', type: 'x', requires: ['gpu'] })
    expect(h.scheduler.view.waitingFor('train')).toBe('assignment begins once 2 workers have registered (0 so far)')
    h.scheduler.registerWorker({ id: 'peer-a', name: 'a', skill: 3, capabilities: ['gpu'], types: ['simulate'] }, h.now)
    h.scheduler.registerWorker({ id: 'peer-b', name: 'b', skill: 9, types: ['simulate', 'x'] }, h.now)
    h.schedule()
    expect(h.scheduler.view.waitingFor('train')).toBe('no connected worker has all it needs at once: capabilities gpu, skill >= 8')
    expect(h.scheduler.view.waitingFor('report')).toBe('no connected worker is named "writer"')
    expect(h.scheduler.view.waitingFor('odd')).toBe('no connected worker has all it needs at once: type "x", capabilities gpu')
  })
})

describe('scheduler: earned capacity', () => {
  it('starts a worker at a small window, grows it with each accepted result, halves it with each loss', () => {
    const h = harness({ initialWindow: 2, maxWorkerConcurrency: 5 })
    h.submit(...Array.from({ length: 30 }, (_, i) => ({ id: `t${i}` })))
    h.worker('w', 10, { maxConcurrent: 64 })
    const capacity = (): number => h.scheduler.view.workers()[0]!.capacity
    expect(h.schedule()).toHaveLength(2)
    expect(capacity()).toBe(2)
    h.succeed('t0')
    expect(capacity()).toBe(3)
    expect(h.schedule()).toHaveLength(2)
    for (const id of ['t1', 't2', 't3']) h.succeed(id)
    // the admin's ceiling holds whatever the worker asked for
    expect(capacity()).toBe(5)
    expect(h.scheduler.view.workers()[0]).toMatchObject({ maxConcurrent: 64, capacity: 5 })
    // it leaves holding two attempts: one incident, one loss, the window halved; it keeps that when it comes back
    h.schedule()
    expect(h.scheduler.view.workers()[0]!.running).toBe(5)
    h.succeed('t4')
    h.succeed('t5')
    h.succeed('t6')
    h.scheduler.unregisterWorker('peer-w', h.now, 'disconnected')
    h.worker('w', 10, { maxConcurrent: 64 })
    expect(capacity()).toBe(2)
    expect(h.scheduler.view.workers()[0]).toMatchObject({ losses: 1 })
  })

  it('takes back an attempt an unproven worker holds far longer than its type takes, once the type has a history', () => {
    const h = harness({ initialWindow: 2 })
    h.submit(...Array.from({ length: 10 }, (_, i) => ({ id: `warm-${i}` })), { id: 'held' })
    h.worker('honest', 10, { maxConcurrent: 1 })
    // ten attempts of 20 ms make the type's history
    for (let i = 0; i < 10; i++) {
      h.schedule()
      h.advance(20)
      h.scheduler.report('peer-honest', { ...lease(h, `warm-${i}`), success: true, durationMs: 20 }, h.now)
    }
    h.worker('hoarder', 0, { maxConcurrent: 1000 })
    expect(h.schedule()).toEqual([['held', 'hoarder']])
    h.advance(999)
    expect(h.state('held')).toBe('running')
    // ten times 20 ms is below the floor: a second
    h.advance(1)
    expect(h.scheduler.view.getTask('held').attempts.at(-1)).toMatchObject({ workerName: 'hoarder', outcome: 'lost', error: expect.stringMatching(/^taken back: the worker, with no accepted result yet, held it 1000 ms/) })
    // skill fit still prefers it, but each time it holds less, and the third time it is quarantined
    expect(h.scheduler.view.workers().find(w => w.name === 'hoarder')?.capacity).toBe(1)
    for (let i = 0; i < 2; i++) {
      expect(h.schedule()).toEqual([['held', 'hoarder']])
      h.advance(1000)
    }
    expect(h.events.filter(e => e.type === 'worker-quarantined').map(e => e.type === 'worker-quarantined' && e.worker.name)).toEqual(['hoarder'])
    expect(h.schedule()).toEqual([['held', 'honest']])
    // none of it counted against the task
    expect(h.scheduler.view.getTask('held').attempts.map(a => a.outcome)).toEqual(['lost', 'lost', 'lost', undefined])
  })

  it('journals no row for a lease renewal', () => {
    const h = harness()
    h.submit({ id: 't' })
    h.worker('w')
    h.schedule()
    h.events.splice(0)
    for (let i = 0; i < 10; i++) {
      h.advance(1000)
      h.scheduler.renewLeases('peer-w', h.now)
    }
    expect(h.events.filter(isDurable)).toEqual([])
  })
})

function lease (h: ReturnType<typeof harness>, taskId: string): { taskId: string, attempt: number, token: string } {
  const { attempt, token } = h.lease(taskId)
  return { taskId, attempt, token }
}
