import { setImmediate as nextTurn } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MemoryArchive, packTask } from '../../src/core/archive.js'
import { taskSpec } from '../../src/core/task.js'
import { TempArchive } from '../../src/store/sqlite-archive.js'
import { SpillingArchive } from '../../src/store/spilling-archive.js'
import type { ArchivedTask } from '../../src/core/snapshots.js'

const task = (n: number, finishedAt = 100 + n): ArchivedTask => ({
  id: `t${n}`, seq: n, state: 'succeeded', spec: taskSpec({ id: `t${n}`, ...(n % 2 === 0 ? { cacheKey: `k${n}` } : {}) }), output: { n },
  submittedAt: 1, finishedAt, attempts: [{ attempt: 1, workerId: 'w', workerName: 'w', assignedAt: 2, endedAt: finishedAt, outcome: 'succeeded' }]
})

describe('a temporary archive (the PostgreSQL journal\'s, on disk)', () => {
  it('answers for tasks as soon as they are added, before and after they are written', async () => {
    const archive = new TempArchive('test')
    archive.add([task(0), task(1)], [JSON.stringify(packTask(task(0))), JSON.stringify(packTask(task(1)))])
    // pending: found by id without a write
    expect([archive.has('t0'), archive.get('t1'), archive.lastSeq]).toEqual([true, task(1), 1])
    await nextTurn()
    archive.add([task(2)])
    expect(archive.size).toBe(3)
    expect([...archive.list({ afterSeq: 0 })].map(t => t.id)).toEqual(['t1', 't2'])
    expect([...archive.cached()].map(t => t.id)).toEqual(['t0', 't2'])
    expect([...archive.oldest({ limit: 2 })].map(t => t.id)).toEqual(['t0', 't1'])
    // a task offered again keeps its first record
    archive.add([{ ...task(1), output: 'again' }])
    expect(archive.get('t1')?.output).toEqual({ n: 1 })
    archive.remove([{ id: 't0', seq: 0 }])
    expect([archive.has('t0'), archive.size, archive.dropped]).toEqual([false, 2, true])
    archive.close()
  })

  it('keeps tasks added while a listing is stepped through, and writes them once it ends', async () => {
    const archive = new TempArchive('test')
    archive.add(Array.from({ length: 5 }, (_, i) => task(i)))
    const listing = archive.list()[Symbol.iterator]()
    expect(listing.next().value?.id).toBe('t0')
    // the write it would do now waits for the listing (SQLite writes nothing while a statement is stepped)
    archive.add([task(5), task(6)])
    await nextTurn()
    expect([archive.has('t6'), archive.get('t5')?.id, archive.size]).toEqual([true, 't5', 7])
    expect([...{ [Symbol.iterator]: () => listing }].map(t => t.id)).toEqual(['t1', 't2', 't3', 't4'])
    expect([...archive.list({ afterSeq: 4 })].map(t => t.id)).toEqual(['t5', 't6'])
    archive.close()
  })

  it('drops a task archived and dropped before it was written, and ignores tasks added once closed', async () => {
    const archive = new TempArchive('test')
    archive.add([task(0), task(1)])
    archive.remove([{ id: 't1', seq: 1 }])
    expect([archive.has('t1'), archive.get('t1'), archive.size, archive.lastSeq, archive.dropped]).toEqual([false, undefined, 1, 1, true])
    await nextTurn()
    expect([...archive.list()].map(t => t.id)).toEqual(['t0'])
    archive.close()
    // nothing is kept for a write that can never come (it would be retried for ever)
    archive.add([task(2)])
    expect((archive as unknown as { pending: Map<string, unknown> }).pending.size).toBe(0)
  })

  it('names the task whose stored record is not readable', () => {
    const archive = new TempArchive('the database at pg://x')
    expect(() => { archive.addStored([{ id: 'bad', seq: 0, state: 'succeeded', cacheKey: null, body: '{"seq":' }]) }).toThrow(/the database at pg:\/\/x: archived task "bad" is not readable/)
    archive.close()
  })
})

describe('a spilling archive (an admin without a data directory)', () => {
  it('keeps the newest in memory and the earlier ones on disk, and reads both as one', () => {
    const archive = new SpillingArchive(2)
    // archived out of submission order, as tasks finish
    archive.add([task(3), task(0)])
    archive.add([task(4, 90), task(1)])
    archive.add([task(2)])
    expect([archive.size, archive.lastSeq, archive.has('t3'), archive.get('t0')?.id]).toEqual([5, 4, true, 't0'])
    expect([...archive.list()].map(t => t.id)).toEqual(['t0', 't1', 't2', 't3', 't4'])
    expect([...archive.list({ afterSeq: 2 })].map(t => t.id)).toEqual(['t3', 't4'])
    expect([...archive.oldest({ limit: 3 })].map(t => t.id)).toEqual(['t4', 't0', 't1'])
    expect([...archive.cached()].map(t => t.id).sort()).toEqual(['t0', 't2', 't4'])
    archive.remove([{ id: 't3', seq: 3 }, { id: 't1', seq: 1 }])
    expect([...archive.list()].map(t => t.id)).toEqual(['t0', 't2', 't4'])
    expect([archive.size, archive.dropped]).toEqual([3, true])
    archive.close()
  })

  it('lets go of tasks soon after they moved to the disk, and keeps its order of arrival near the limit', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const archive = new SpillingArchive(40_000)
    archive.add([task(0)])
    const moved = new WeakRef(archive.get('t0')!)
    // 41,100 tasks for 40,000 places: the first 1,100 move, and nothing in memory holds their records any more
    // (not only once a sixteenth of those in memory, 2,500, have left)
    for (let n = 1; n < 41_100; n++) archive.add([task(n)])
    await nextTurn()
    gc()
    expect(moved.deref()).toBeUndefined()
    expect(archive.get('t0')).toEqual(task(0))
    archive.close()
    // the list of arrivals is cut as it goes, not let grow to twice what is in memory
    const small = new SpillingArchive(2_000)
    let longest = 0
    for (let n = 0; n < 30_000; n++) {
      small.add([task(n)])
      longest = Math.max(longest, (small as unknown as { arrivals: unknown[] }).arrivals.length)
    }
    expect(longest).toBeLessThanOrEqual(2_000 + 1_025)
    expect([small.size, small.get('t29999')?.seq, small.get('t5')?.seq]).toEqual([30_000, 29_999, 5])
    small.close()
  })

  it('lets go of tasks retention dropped before any had to move (memory stays flat below the limit)', () => {
    const archive = new SpillingArchive(1_000)
    for (let n = 0; n < 20_000; n++) {
      archive.add([task(n)])
      archive.remove([{ id: `t${n}`, seq: n }])
    }
    expect(archive.size).toBe(0)
    expect((archive as unknown as { arrivals: unknown[] }).arrivals.length).toBeLessThan(2_100)
    archive.close()
  })
})

describe('an in-memory archive', () => {
  it('lists what it holds in submission order and by finish, whatever leaves and comes back, in whatever order', () => {
    // steps: add a task (by number, finishing at a time of its own), or let a task go (evicted or dropped)
    const step = fc.oneof(
      fc.record({ add: fc.nat({ max: 400 }), finishedAt: fc.nat({ max: 1_000 }) }),
      fc.record({ evict: fc.nat({ max: 400 }), dropped: fc.boolean() })
    )
    fc.assert(fc.property(fc.array(step, { minLength: 3_000, maxLength: 8_000 }), steps => {
      const archive = new MemoryArchive()
      const model = new Map<string, ArchivedTask>()
      for (const s of steps) {
        if ('add' in s) {
          const t = task(s.add, s.finishedAt)
          archive.add([t])
          if (!model.has(t.id)) model.set(t.id, t)
        } else if (s.dropped) {
          archive.remove([{ id: `t${s.evict}`, seq: s.evict }])
          model.delete(`t${s.evict}`)
        } else {
          archive.evict([`t${s.evict}`])
          model.delete(`t${s.evict}`)
        }
      }
      const held = [...model.values()]
      expect([...archive.list()].map(t => t.id)).toEqual(held.sort((a, b) => a.seq - b.seq).map(t => t.id))
      const byFinish = [...held].sort((a, b) => a.finishedAt - b.finishedAt || a.seq - b.seq)
      expect([...archive.oldest({ limit: 50 })].map(t => t.id)).toEqual(byFinish.slice(0, 50).map(t => t.id))
      expect([...archive.list({ afterSeq: 200 })].every(t => t.seq > 200 && archive.get(t.id) === model.get(t.id))).toBe(true)
    }), { numRuns: 30, endOnFailure: true })
  })
})
