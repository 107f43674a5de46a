import { describe, expect, it } from 'vitest'
import { learned, sampleBeta } from '../../src/core/strategies/learned.js'
import { taskSpec } from '../../src/core/task.js'
import { renderGraph } from '../../src/tasks/graph-text.js'
import { harness, seeded } from '../helpers/core.js'
import type { WorkerInfo } from '../../src/core/registry.js'

const worker = (name: string, fields: Partial<WorkerInfo> = {}): WorkerInfo => ({
  id: `peer-${name}`, name, skill: 5, capabilities: [], maxConcurrent: 1, asked: 1, resourcesHeld: {}, losses: 0, proven: false, capacity: 1, priority: 0, running: 0, online: true, draining: false, busy: false, completed: 0, failed: 0, registeredAt: 0, ...fields
})

describe('learned strategy', () => {
  const task = taskSpec({ id: 't', type: 'translate' })

  it('learns which worker succeeds on a task type and sends it the work', () => {
    const s = learned({ random: seeded(3) })
    const solid = worker('solid')
    const flaky = worker('flaky')
    for (let i = 0; i < 30; i++) {
      s.observe!({ task, worker: solid, outcome: 'succeeded', durationMs: 100 })
      s.observe!({ task, worker: flaky, outcome: i % 5 === 0 ? 'succeeded' : 'failed', durationMs: 100 })
    }
    const picks = Array.from({ length: 200 }, () => (s.select!(task, [flaky, solid]) as WorkerInfo).name)
    expect(picks.filter(p => p === 'solid').length).toBeGreaterThan(190)
    expect(s.belief('flaky', 'translate')).toEqual({ successes: 6, failures: 24, meanMs: expect.any(Number) })
  })

  it('prefers the faster of two reliable workers', () => {
    const s = learned({ random: seeded(5) })
    const quick = worker('quick')
    const slow = worker('slow')
    for (let i = 0; i < 40; i++) {
      s.observe!({ task, worker: quick, outcome: 'succeeded', durationMs: 50 })
      s.observe!({ task, worker: slow, outcome: 'succeeded', durationMs: 2000 })
    }
    const picks = Array.from({ length: 200 }, () => (s.select!(task, [slow, quick]) as WorkerInfo).name)
    expect(picks.filter(p => p === 'quick').length).toBeGreaterThan(180)
  })

  it('still tries a worker it knows nothing about (exploration)', () => {
    const s = learned({ random: seeded(9) })
    const known = worker('known')
    for (let i = 0; i < 20; i++) s.observe!({ task, worker: known, outcome: 'succeeded', durationMs: 100 })
    const picks = Array.from({ length: 400 }, () => (s.select!(task, [known, worker('newcomer')]) as WorkerInfo).name)
    const tried = picks.filter(p => p === 'newcomer').length
    expect(tried).toBeGreaterThan(0)
    expect(tried).toBeLessThan(100)
  })

  it('samples Beta distributions with the right mean', () => {
    const random = seeded(1)
    const n = 4000
    let sum = 0
    for (let i = 0; i < n; i++) sum += sampleBeta(3, 7, random)
    expect(sum / n).toBeCloseTo(0.3, 1)
  })
})

describe('built-in orderings', () => {
  it('least-loaded, priority and capability-match choose as documented, ties by name', () => {
    for (const [strategy, expected] of [['least-loaded', 'b'], ['priority', 'c'], ['capability-match', 'a']] as const) {
      const h = harness({ strategy })
      // loads before the decision: a 1/2, b 0/4, c 1/4 (and c has the highest priority)
      h.worker('c', 5, { maxConcurrent: 4, priority: 9 })
      h.worker('a', 5, { maxConcurrent: 2 })
      h.worker('b', 5, { maxConcurrent: 4 })
      h.submit({ id: 'warm-c', worker: 'c' }, { id: 'warm-a', worker: 'a' })
      h.schedule()
      h.submit({ id: 'x' })
      expect([strategy, h.schedule()]).toEqual([strategy, [['x', expected]]])
    }
  })

  it('a task may name its own strategy', () => {
    const h = harness({ strategy: 'skill-fit' })
    h.worker('strong', 9)
    h.worker('weak', 2)
    h.submit({ id: 'fit', difficulty: 1 }, { id: 'first', difficulty: 1, strategy: 'capability-match' })
    // skill fit gives "fit" to the weakest able worker; capability-match takes the first by name
    expect(h.schedule().sort()).toEqual([['first', 'strong'], ['fit', 'weak']])
    expect(() => h.submit({ id: 'bad', strategy: 'fastest' })).toThrow(/tasks\[0\]\.strategy: unknown strategy "fastest"/)
  })
})

describe('taskmesh graph', () => {
  const specs = [
    taskSpec({ id: 'fetch', description: 'Fetch "data"' }),
    taskSpec({ id: 'train', description: 'Train', difficulty: 8, requires: ['gpu'], dependsOn: ['fetch'] }),
    taskSpec({ id: 'report', dependsOn: ['fetch', 'train'], worker: 'writer' })
  ]

  it('draws Mermaid with an arrow from each dependency to its dependent', () => {
    expect(renderGraph(specs.map(spec => ({ spec })), 'mermaid')).toBe([
      'flowchart LR',
      '  t0["fetch<br/>Fetch #quot;data#quot;"]',
      '  t1["train<br/>Train<br/>difficulty 8, needs gpu"]',
      '  t2["report<br/>on writer"]',
      '  t0 --> t1',
      '  t0 --> t2',
      '  t1 --> t2',
      ''
    ].join('\n'))
  })

  it('draws DOT, colouring states when they are known', () => {
    const text = renderGraph(specs.map((spec, i) => ({ spec, state: (['succeeded', 'running', 'waiting'] as const)[i] })), 'dot')
    expect(text).toContain('"fetch" [label="fetch\\nFetch \\"data\\"\\nsucceeded", fillcolor="#4ac26b"];')
    expect(text).toContain('"fetch" -> "report";')
  })
})
