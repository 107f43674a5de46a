import { describe, expect, it } from 'vitest'
import { CapabilityIndex } from '../../src/core/capabilities.js'
import { PROBATION_FLOOR_MS, PROBATION_UNKNOWN_TYPE_MS } from '../../src/core/constants.js'
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
    h.submit(...Array.from({ length: 10 }, (_, i) => ({ id: `warm-${i}` })), { id: 'held-0' }, { id: 'held-1' }, { id: 'held-2' })
    h.worker('honest', 10, { maxConcurrent: 1 })
    // ten attempts of 20 ms make the type's history
    for (let i = 0; i < 10; i++) {
      h.schedule()
      h.advance(20)
      h.scheduler.report('peer-honest', { ...lease(h, `warm-${i}`), success: true, durationMs: 20 }, h.now)
    }
    // the honest worker is busy elsewhere; skill fit prefers the hoarder for each new task
    h.submit({ id: 'long', priority: 10 })
    expect(h.schedule()).toEqual([['long', 'honest']])
    h.worker('hoarder', 0, { maxConcurrent: 1000 })
    expect(h.schedule()).toEqual([['held-0', 'hoarder'], ['held-1', 'hoarder']])
    h.advance(PROBATION_FLOOR_MS - 1)
    expect(h.state('held-0')).toBe('running')
    // ten times 20 ms is below the floor
    h.advance(1)
    expect(h.scheduler.view.getTask('held-0').attempts.at(-1)).toMatchObject({ workerName: 'hoarder', outcome: 'lost', blame: 'worker', error: expect.stringMatching(new RegExp(`^taken back: the worker, with no accepted result yet, held it ${PROBATION_FLOOR_MS} ms`)) })
    // each time it holds less; with no proven worker free it may take a lost task again, and the third
    // loss quarantines it
    expect(h.scheduler.view.workers().find(w => w.name === 'hoarder')?.capacity).toBe(1)
    expect(h.schedule()).toEqual([['held-0', 'hoarder']])
    h.advance(PROBATION_FLOOR_MS)
    expect(h.events.filter(e => e.type === 'worker-quarantined').map(e => e.type === 'worker-quarantined' && e.worker.name)).toEqual(['hoarder'])
    // the tasks it lost go to the proven worker once it is free, and none of it counted against them
    h.scheduler.report('peer-honest', { ...lease(h, 'long'), success: true }, h.now)
    expect(h.schedule()).toEqual([['held-0', 'honest']])
    expect(h.scheduler.view.getTask('held-0').attempts.map(a => a.blame ?? a.outcome)).toEqual(['worker', 'worker', undefined])
  })

  it('shares one budget of attempts among the unproven, whatever their names: a new name is not a new window', () => {
    const h = harness({ initialWindow: 2, unprovenBudget: 4 })
    h.submit(...Array.from({ length: 40 }, (_, i) => ({ id: `t${i}` })))
    // ten made-up identities, each asking for many attempts
    for (let i = 0; i < 10; i++) h.worker(`sybil-${i}`, 0, { maxConcurrent: 100 })
    const first = h.schedule()
    expect(first).toHaveLength(4)
    expect(h.schedule()).toEqual([])
    // one delivers: proven, it leaves the budget with what it holds and earns its own window (3)
    const [taskId, name] = first[0]!
    h.succeed(taskId)
    h.schedule()
    expect(h.scheduler.view.workers().find(w => w.name === name)!.running).toBe(3)
    const unprovenHeld = (): number => h.scheduler.view.workers().filter(w => w.name !== name).reduce((n, w) => n + w.running, 0)
    expect(unprovenHeld()).toBe(4)
    // a worker that leaves gives its share back
    const holder = h.scheduler.view.workers().find(w => w.name !== name && w.running > 0)!
    const held = holder.running
    h.scheduler.unregisterWorker(holder.id, h.now, 'unregistered')
    expect(unprovenHeld()).toBe(4 - held)
    expect(h.schedule().filter(([, w]) => w !== name)).toHaveLength(held)
    expect(unprovenHeld()).toBe(4)
  })

  it('gives the budget\'s room to the unproven that registered first: fresh names cannot starve a newcomer', () => {
    const h = harness({ initialWindow: 2, unprovenBudget: 2 })
    h.submit(...Array.from({ length: 20 }, (_, i) => ({ id: `t${i}` })))
    // the budget is taken by a made-up identity, a newcomer waits, and more made-up identities keep coming,
    // each with a skill of 0, which skill fit prefers
    h.worker('sybil-0', 0, { maxConcurrent: 4 })
    expect(h.schedule().map(([, w]) => w)).toEqual(['sybil-0', 'sybil-0'])
    h.worker('newcomer', 5, { maxConcurrent: 4 })
    for (let i = 1; i <= 5; i++) h.worker(`sybil-${i}`, 0, { maxConcurrent: 4 })
    expect(h.schedule()).toEqual([])
    // the first made-up identity goes silent: its room goes to the newcomer, not to the younger identities
    h.scheduler.unregisterWorker('peer-sybil-0', h.now, 'lease-expired')
    expect(h.schedule().map(([, w]) => w)).toEqual(['newcomer', 'newcomer'])
    // it delivers: proven, it leaves the budget, whose room goes to the next in line
    h.succeed(h.scheduler.view.leasesOf('peer-newcomer')[0]!.taskId)
    expect(h.schedule().map(([, w]) => w).sort()).toEqual(['newcomer', 'newcomer', 'sybil-1', 'sybil-1'])
  })

  it('gives a task lost on an unproven worker to a proven one next, though skill fit prefers the newcomer', () => {
    const h = harness({ initialWindow: 2 })
    h.submit({ id: 'warm' }, { id: 'target' })
    h.worker('honest', 5, { maxConcurrent: 4 })
    expect(h.schedule()).toEqual([['warm', 'honest'], ['target', 'honest']])
    h.succeed('warm')
    h.fail('target')
    h.scheduler.retry('target', h.now)
    // a made-up identity with skill 0 takes it and vanishes; the next one, just as made up, is passed over
    h.worker('sybil-1', 0, { maxConcurrent: 4 })
    expect(h.schedule()).toEqual([['target', 'sybil-1']])
    h.scheduler.unregisterWorker('peer-sybil-1', h.now, 'disconnected')
    h.worker('sybil-2', 0, { maxConcurrent: 4 })
    expect(h.schedule()).toEqual([['target', 'honest']])
  })

  it('holds an unproven worker to a probation from the first attempt of a type nobody has finished, doubling with each', () => {
    const h = harness({ initialWindow: 2 })
    h.submit({ id: 'new-kind', type: 'novel', retry_policy: undefined } as never)
    h.worker('hoarder', 0, { maxConcurrent: 1000 })
    h.scheduler.updateWorker('peer-hoarder', { types: ['novel'] })
    expect(h.schedule()).toEqual([['new-kind', 'hoarder']])
    // it keeps its lease alive all along: only the probation takes the task back
    const holdFor = (ms: number): void => {
      for (let left = ms; left > 0; left -= Math.min(left, 5_000)) {
        h.advance(Math.min(left, 5_000))
        for (const w of h.scheduler.view.workers()) h.scheduler.renewLeases(w.id, h.now)
      }
    }
    holdFor(PROBATION_UNKNOWN_TYPE_MS - 1)
    expect(h.state('new-kind')).toBe('running')
    holdFor(1)
    expect(h.scheduler.view.getTask('new-kind').attempts[0]).toMatchObject({ outcome: 'lost', error: expect.stringMatching(/taken back: the worker, with no accepted result yet, held it 300000 ms, longer than an unproven worker may hold a type nobody has finished yet/) })
    // the next attempt may be held twice as long: a long task still finds time on a network of new workers
    h.worker('newcomer', 0)
    h.scheduler.updateWorker('peer-newcomer', { types: ['novel'] })
    expect(h.schedule()).toHaveLength(1)
    holdFor(2 * PROBATION_UNKNOWN_TYPE_MS - 1)
    expect(h.state('new-kind')).toBe('running')
    holdFor(1)
    expect(h.scheduler.view.getTask('new-kind').attempts.map(a => a.outcome)).toEqual(['lost', 'lost'])
  })

  it('bounds an attempt taken before its type had a history by that history, once others finish the type', () => {
    const h = harness({ initialWindow: 2 })
    h.submit({ id: 'held' }, ...Array.from({ length: 3 }, (_, i) => ({ id: `warm-${i}` })))
    // the hoarder arrives first and takes a task of a type nobody has finished yet
    h.worker('hoarder', 0, { maxConcurrent: 1 })
    expect(h.schedule()).toEqual([['held', 'hoarder']])
    h.worker('honest', 10, { maxConcurrent: 1 })
    for (let i = 0; i < 3; i++) {
      expect(h.schedule()).toEqual([[`warm-${i}`, 'honest']])
      h.advance(20)
      h.scheduler.report('peer-honest', { ...lease(h, `warm-${i}`), success: true, durationMs: 20 }, h.now)
      h.scheduler.renewLeases('peer-hoarder', h.now)
    }
    // ten times 20 ms is below the floor: the hoarder may hold it that long from when it took it
    h.advance(PROBATION_FLOOR_MS)
    expect(h.scheduler.view.getTask('held').attempts[0]).toMatchObject({ workerName: 'hoarder', outcome: 'lost' })
  })

  it('leaves an unproven worker\'s attempt to the task\'s own timeout when that is the tighter bound', () => {
    const h = harness()
    h.submit({ id: 'long', timeoutMs: PROBATION_UNKNOWN_TYPE_MS })
    h.worker('w', 0)
    h.schedule()
    for (let t = 0; t < PROBATION_UNKNOWN_TYPE_MS - 1; t += 5_000) {
      h.advance(Math.min(5_000, PROBATION_UNKNOWN_TYPE_MS - 1 - t))
      h.scheduler.renewLeases('peer-w', h.now)
    }
    expect(h.state('long')).toBe('running')
    h.advance(1)
    expect(h.scheduler.view.getTask('long').attempts[0]).toMatchObject({ outcome: 'timed-out' })
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

describe('scheduler: steering and demand', () => {
  it('keeps what an operator set across the worker\'s reconnections, until the operator changes it', () => {
    const h = harness()
    h.submit({ id: 'a' }, { id: 'b' })
    h.worker('w', 5, { maxConcurrent: 8 })
    h.scheduler.steer('peer-w', { draining: true, maxConcurrent: 3, priority: 7 }, h.now)
    expect(h.schedule()).toEqual([])
    h.scheduler.unregisterWorker('peer-w', h.now, 'disconnected')
    h.worker('w', 5, { maxConcurrent: 8 })
    expect(h.scheduler.view.workers()[0]).toMatchObject({ draining: true, maxConcurrent: 3, priority: 7 })
    expect(h.schedule()).toEqual([])
    // what the worker says of itself does not stick: its own drain before leaving is forgotten on its return
    h.scheduler.steer('peer-w', { draining: false }, h.now)
    h.scheduler.updateWorker('peer-w', { draining: true })
    h.scheduler.unregisterWorker('peer-w', h.now, 'disconnected')
    h.worker('w', 5, { maxConcurrent: 8 })
    expect(h.schedule()).toHaveLength(2)
  })

  it('journals steering: an admin restarted on its journal applies it when the worker comes back', () => {
    const h = harness()
    h.submit({ id: 'a' })
    h.worker('w', 5, { maxConcurrent: 4 })
    h.scheduler.steer('peer-w', { draining: true, priority: 3 }, h.now)
    const durable = h.events.filter(isDurable)
    expect(durable.at(-1)).toMatchObject({ type: 'worker-steered', workerId: 'peer-w', steering: { draining: true, priority: 3 } })
    const restarted = harness()
    restarted.scheduler.restore(durable, restarted.now)
    restarted.worker('w', 5, { maxConcurrent: 4 })
    expect(restarted.scheduler.view.workers()[0]).toMatchObject({ draining: true, priority: 3 })
    expect(restarted.schedule()).toEqual([])
  })

  it('gives an agent that pulls what it asks for, and nothing between its claims', () => {
    const h = harness()
    h.submit(...Array.from({ length: 5 }, (_, i) => ({ id: `t${i}` })))
    h.worker('agent', 5, { maxConcurrent: 100 })
    h.scheduler.setWants('peer-agent', 1)
    expect(h.schedule()).toHaveLength(1)
    expect(h.schedule()).toEqual([])
    h.scheduler.setWants('peer-agent', 0)
    h.succeed('t0')
    expect(h.schedule()).toEqual([])
  })
})

describe('capability sets', () => {
  it('gives a set back once no worker uses it, and reuses its slot with the right answers', () => {
    const index = new CapabilityIndex()
    const gpu = index.requirementId(['gpu'])
    const a = index.acquire(['gpu'], undefined)
    const b = index.acquire(['cpu'], undefined)
    expect(index.acquire(['gpu'], undefined)).toBe(a)
    expect(index.size).toBe(2)
    index.release(a)
    expect(index.size).toBe(2)
    index.release(a)
    index.release(b)
    expect(index.size).toBe(0)
    // 1,500 distinct sets, one at a time: the index stays at one
    for (let i = 0; i < 1500; i++) index.release(index.acquire([`cap-${i}`], [`type-${i}`]))
    expect(index.size).toBe(0)
    const c = index.acquire(['gpu', 'x'], undefined)
    expect(c).toBeLessThan(3)
    expect(index.satisfiedBy(gpu)[c]).toBe(1)
    const d = index.acquire(['x'], undefined)
    expect(index.satisfiedBy(gpu)[d]).toBe(0)
  })
})

function lease (h: ReturnType<typeof harness>, taskId: string): { taskId: string, attempt: number, token: string } {
  const { attempt, token } = h.lease(taskId)
  return { taskId, attempt, token }
}
