import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Timeline } from '../../src/monitoring/timeline.js'
import type { TaskState } from '../../src/core/task.js'

const counts = (running: number): Record<TaskState, number> => ({ waiting: 1, ready: 2, delayed: 3, running, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 })

describe('the timeline behind the dashboard\'s charts', () => {
  it('closes a step with what happened in it: finished per second, counts, percentiles, workers', () => {
    const t = new Timeline(10)
    t.step(1000, counts(0), 0)
    for (let i = 1; i <= 100; i++) t.waited(i)
    t.ran(5)
    t.finishedOne()
    t.finishedOne()
    t.step(3000, counts(4), 2)
    expect(t.since()).toEqual({
      at: [3000], finished: [2], finishedPerSecond: [1], waiting: [1], ready: [2], delayed: [3], running: [4],
      waitP50: [50], waitP99: [99], runP50: [5], runP99: [5], workers: [2]
    })
    // a step with nothing in it: no percentiles, nothing finished
    t.step(4000, counts(4), 2)
    expect(t.since(3000)).toMatchObject({ at: [4000], finished: [0], waitP50: [null], runP99: [null] })
  })

  it('keeps the last points only, oldest first, whatever the number of steps', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 80 }), (capacity, steps) => {
      const t = new Timeline(capacity)
      for (let i = 0; i <= steps; i++) {
        for (let k = 0; k < i; k++) t.finishedOne()
        t.step(i * 1000, counts(i), i)
      }
      const kept = t.since()
      const expected = Array.from({ length: Math.min(capacity, steps) }, (_, j) => (steps - Math.min(capacity, steps) + j + 1))
      expect(kept.at).toEqual(expected.map(i => i * 1000))
      expect(kept.finished).toEqual(expected)
      expect(kept.running).toEqual(expected)
      // since a point: only the ones after it
      const from = expected[Math.floor(expected.length / 2)]
      if (from != null) expect(t.since(from * 1000).at).toEqual(expected.filter(i => i > from).map(i => i * 1000))
    }))
  })

  it('gives percentiles within the sample\'s range when a step sees more durations than it keeps', () => {
    const t = new Timeline(4)
    t.step(0, counts(0), 0)
    for (let i = 0; i < 50_000; i++) t.ran(i % 1000)
    t.step(1000, counts(0), 0)
    const { runP50, runP99 } = t.since()
    expect(runP50[0]).toBeGreaterThan(400)
    expect(runP50[0]).toBeLessThan(600)
    expect(runP99[0]).toBeGreaterThan(950)
  })

  it('ignores a step that does not move forward', () => {
    const t = new Timeline(4)
    t.step(1000, counts(0), 0)
    t.step(1000, counts(1), 0)
    t.step(500, counts(1), 0)
    expect(t.since().at).toEqual([])
  })
})
