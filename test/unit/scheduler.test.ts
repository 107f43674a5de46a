import { describe, expect, it } from 'vitest'
import { harness } from '../helpers/core.js'

const tutorial = [
  { id: '1', description: 'Simple calculation', difficulty: 2 },
  { id: '2', description: 'Data analysis', difficulty: 5 },
  { id: '3', description: 'ML model training', difficulty: 8 }
]

function tutorialWorkers (h: ReturnType<typeof harness>): void {
  h.worker('Junior', 3)
  h.worker('Intermediate', 6)
  h.worker('Senior', 9)
}

describe('scheduler: the tutorial', () => {
  it('skill-fit gives each task the weakest worker that can do it', () => {
    const h = harness()
    h.submit(...tutorial)
    tutorialWorkers(h)
    expect(h.schedule().sort(byTask)).toEqual([['1', 'Junior'], ['2', 'Intermediate'], ['3', 'Senior']])
  })

  it('round-robin ignores skill and hands the analysis to the junior', () => {
    const h = harness({ strategy: 'round-robin' })
    h.submit(...tutorial)
    tutorialWorkers(h)
    // name order: Intermediate, Junior, Senior
    expect(h.schedule()).toEqual([['1', 'Intermediate'], ['2', 'Junior'], ['3', 'Senior']])
  })

  it('assigns nothing until the expected number of workers registered', () => {
    const h = harness({ expectedWorkers: 3 })
    h.submit(...tutorial)
    h.worker('Junior', 3)
    h.worker('Intermediate', 6)
    expect(h.schedule()).toEqual([])
    expect(h.scheduler.assigning).toBe(false)
    h.worker('Senior', 9)
    expect(h.events.some(e => e.type === 'assigning-started')).toBe(true)
    expect(h.schedule()).toHaveLength(3)
  })

  it('keeps a task too hard for everyone waiting until a capable worker joins', () => {
    const h = harness()
    h.submit(...tutorial)
    h.worker('Junior', 3)
    h.worker('Intermediate', 6)
    expect(h.schedule().map(([t]) => t).sort()).toEqual(['1', '2'])
    h.succeed('1')
    h.succeed('2')
    expect(h.schedule()).toEqual([])
    expect(h.state('3')).toBe('ready')
    h.worker('Senior', 9)
    expect(h.schedule()).toEqual([['3', 'Senior']])
  })
})

function byTask (a: [string, string], b: [string, string]): number {
  return a[0].localeCompare(b[0])
}

describe('scheduler: order and constraints', () => {
  it('takes higher priority first and equal priorities in submission order', () => {
    const h = harness()
    h.submit({ id: 'low', priority: 1 }, { id: 'a', priority: 5 }, { id: 'high', priority: 9 }, { id: 'b', priority: 5 })
    h.worker('w', 10, { maxConcurrent: 1 })
    const order: string[] = []
    for (let i = 0; i < 4; i++) {
      const [[task]] = h.schedule() as [[string, string]]
      order.push(task)
      h.succeed(task)
    }
    expect(order).toEqual(['high', 'a', 'b', 'low'])
  })

  it('lets lower-priority tasks through when no free worker can take the top one', () => {
    const h = harness()
    h.submit({ id: 'gpu', priority: 10, requires: ['gpu'] }, { id: 'cpu', priority: 1 })
    h.worker('plain', 10)
    expect(h.schedule()).toEqual([['cpu', 'plain']])
    expect(h.state('gpu')).toBe('ready')
  })

  it('a task needing exactly the best skill left is still served in the pass that ruled out harder ones', () => {
    const h = harness()
    // "first" takes the only worker of skill 6; "second" then finds nobody, which rules out skill > 5 for
    // the rest of the pass, but not skill 5 itself
    h.submit({ id: 'first', difficulty: 6, priority: 10 }, { id: 'second', difficulty: 6, priority: 9 }, { id: 'exact', difficulty: 5, priority: 8 }, { id: 'easy', difficulty: 0, priority: 1 })
    h.worker('low', 3)
    h.worker('high', 5)
    h.worker('top', 6)
    expect(h.schedule().sort(byTask)).toEqual([['easy', 'low'], ['exact', 'high'], ['first', 'top']])
    expect(h.state('second')).toBe('ready')
  })

  it('requires every capability, and honours a pin by worker name', () => {
    const h = harness()
    h.submit({ id: 'both', requires: ['gpu', 'cuda'] }, { id: 'pinned', worker: 'b' })
    h.worker('a', 10, { capabilities: ['gpu'] })
    h.worker('b', 10, { capabilities: [] })
    h.worker('c', 10, { capabilities: ['cuda', 'gpu'] })
    expect(h.schedule().sort(byTask)).toEqual([['both', 'c'], ['pinned', 'b']])
  })

  it('never gives a worker more attempts than its capacity', () => {
    const h = harness()
    h.submit(...Array.from({ length: 10 }, (_, i) => ({ id: `t${i}` })))
    h.worker('w', 10, { maxConcurrent: 3 })
    expect(h.schedule()).toHaveLength(3)
    expect(h.schedule()).toHaveLength(0)
    h.succeed('t0')
    expect(h.schedule()).toEqual([['t3', 'w']])
  })
})

describe('scheduler: dependencies', () => {
  it('runs a task only after its dependencies succeeded, and forwards their results', () => {
    const h = harness()
    h.submit({ id: 'report', dependsOn: ['research', 'data'] }, { id: 'research' }, { id: 'data' })
    h.worker('w', 10, { maxConcurrent: 5 })
    expect(h.schedule().map(([t]) => t).sort()).toEqual(['data', 'research'])
    expect(h.state('report')).toBe('waiting')
    h.succeed('research', { findings: 3 })
    expect(h.schedule()).toEqual([])
    h.succeed('data', [1, 2])
    expect(h.schedule()).toEqual([['report', 'w']])
    expect(h.scheduler.view.inputsOf('report')).toEqual({ research: { findings: 3 }, data: [1, 2] })
  })

  it('skips every dependent of a task that failed for good, with the reason', () => {
    const h = harness()
    h.submit({ id: 'a' }, { id: 'b', dependsOn: ['a'] }, { id: 'c', dependsOn: ['b'] }, { id: 'free' })
    h.worker('w', 10, { maxConcurrent: 5 })
    h.schedule()
    h.fail('a', 'disk full')
    expect(h.state('a')).toBe('failed')
    expect(h.scheduler.view.getTask('a').error).toBe('disk full')
    expect(h.state('b')).toBe('skipped')
    expect(h.state('c')).toBe('skipped')
    expect(h.scheduler.view.getTask('c').error).toBe('dependency "b" skipped')
    expect(h.state('free')).toBe('running')
    expect(h.scheduler.view.summary().counts).toMatchObject({ failed: 1, skipped: 2, running: 1 })
  })

  it('skips a new task at once when it depends on a task that already failed', () => {
    const h = harness()
    h.submit({ id: 'a' })
    h.worker('w')
    h.schedule()
    h.fail('a')
    h.submit({ id: 'late', dependsOn: ['a'] })
    expect(h.state('late')).toBe('skipped')
  })

  it('rejects cycles, unknown dependencies and duplicates, adding nothing', () => {
    const h = harness()
    expect(() => h.submit({ id: 'a', dependsOn: ['b'] }, { id: 'b', dependsOn: ['a'] }, { id: 'c', dependsOn: ['x'] }, { id: 'c' }))
      .toThrow(expect.objectContaining({
        name: 'ValidationError',
        problems: expect.arrayContaining([
          { path: 'cycle', message: 'a -> b -> a' },
          { path: 'tasks[2].dependsOn[0]', message: 'unknown task "x"' },
          { path: 'tasks[3].id', message: 'duplicate id "c" (first used by tasks[2])' }
        ])
      }))
    expect(h.scheduler.view.summary().total).toBe(0)
  })

  it('does not duplicate tasks submitted again', () => {
    const h = harness()
    expect(h.submit({ id: 'a' }, { id: 'b' })).toEqual({ added: ['a', 'b'], existing: [] })
    expect(h.submit({ id: 'b' }, { id: 'c', dependsOn: ['a'] })).toEqual({ added: ['c'], existing: ['b'] })
    expect(h.scheduler.view.summary().total).toBe(3)
  })
})

describe('scheduler: time', () => {
  it('retries with exponential backoff on the clock it is given', () => {
    const h = harness()
    h.submit({ id: 'flaky', retry: { maxAttempts: 3, backoff: 'exponential', initialDelayMs: 100, maxDelayMs: 10_000, jitter: 0 } })
    h.worker('w')
    h.schedule()
    h.fail('flaky')
    expect(h.state('flaky')).toBe('delayed')
    expect(h.scheduler.view.getTask('flaky').retryAt).toBe(h.now + 100)
    h.advance(99)
    expect(h.schedule()).toEqual([])
    h.advance(1)
    expect(h.schedule()).toEqual([['flaky', 'w']])
    h.fail('flaky')
    expect(h.scheduler.view.getTask('flaky').retryAt).toBe(h.now + 200)
    // the history says when, as a delay people read, and as a time for programs
    expect(h.scheduler.view.history('flaky').filter(e => e.event === 'retry-scheduled')).toEqual([
      expect.objectContaining({ attempt: 1, detail: 'next attempt in 0.1 s', retryAt: 1_100 }),
      expect.objectContaining({ attempt: 2, detail: 'next attempt in 0.2 s', retryAt: 1_300 })
    ])
    h.advance(200)
    h.schedule()
    h.fail('flaky')
    expect(h.state('flaky')).toBe('failed')
    expect(h.scheduler.view.getTask('flaky').attempts.map(a => a.outcome)).toEqual(['failed', 'failed', 'failed'])
  })

  it('times out an attempt, tells who held it, and retries it per policy', () => {
    const h = harness()
    h.submit({ id: 'slow', timeoutMs: 50, retry: { maxAttempts: 2, backoff: 'fixed', initialDelayMs: 0, maxDelayMs: 0, jitter: 0 } })
    h.worker('w')
    h.schedule()
    h.advance(49)
    expect(h.state('slow')).toBe('running')
    h.advance(1)
    const ended = h.events.find(e => e.type === 'attempt-ended')
    expect(ended).toMatchObject({ outcome: 'timed-out', workerId: 'peer-w', attempt: 1, error: 'timed out after 50 ms' })
    expect(h.schedule()).toEqual([['slow', 'w']])
    h.succeed('slow')
    expect(h.state('slow')).toBe('succeeded')
  })

  it('expires the leases of a worker that stops renewing them', () => {
    const h = harness({ leaseTtlMs: 1000 })
    h.submit({ id: 't' })
    h.worker('silent')
    h.schedule()
    h.advance(900)
    h.scheduler.renewLeases('peer-silent', h.now)
    h.advance(900)
    expect(h.state('t')).toBe('running')
    h.advance(100)
    expect(h.state('t')).toBe('ready')
    expect(h.events.find(e => e.type === 'worker-left')).toMatchObject({ reason: 'lease-expired' })
    expect(h.scheduler.view.getTask('t').attempts[0]).toMatchObject({ outcome: 'lost' })
  })

  it('fails a task no registered worker can run after the grace period when told to', () => {
    const h = harness({ onNoWorker: 'fail', noWorkerGraceMs: 1000 })
    h.submit({ id: 'quantum', requires: ['qpu'] }, { id: 'later', requires: ['gpu'] })
    h.worker('cpu-box')
    h.schedule()
    h.advance(500)
    h.worker('gpu-box', 10, { capabilities: ['gpu'] })
    h.schedule()
    h.advance(500)
    expect(h.state('quantum')).toBe('failed')
    expect(h.scheduler.view.getTask('quantum').error).toMatch(/^no connected worker has capabilities qpu after waiting 1000 ms/)
    expect(h.scheduler.view.history('quantum').at(-1)).toMatchObject({ event: 'failed', detail: 'NoSuitableWorkerError' })
    expect(h.state('later')).toBe('running')
  })

  it('refuses options that would silently disable a deadline, naming them', () => {
    expect(() => harness({ noWorkerGraceMs: Number.NaN, expectedWorkers: 1.5, onNoWorker: 'maybe' as never })).toThrow(expect.objectContaining({
      name: 'ValidationError',
      problems: [
        { path: 'expectedWorkers', message: 'must be a whole number >= 0, not 1.5' },
        { path: 'noWorkerGraceMs', message: 'must be a number >= 0, not NaN' },
        { path: 'onNoWorker', message: 'must be "wait" or "fail"' }
      ]
    }))
  })

  it('lets such a task wait by default', () => {
    const h = harness()
    h.submit({ id: 'quantum', requires: ['qpu'] })
    h.worker('cpu-box')
    h.schedule()
    h.advance(3_600_000)
    expect(h.state('quantum')).toBe('ready')
  })
})
