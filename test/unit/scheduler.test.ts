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

describe('scheduler: workers leaving and results', () => {
  it('puts a departed worker\'s tasks back without using their retry budget', () => {
    const h = harness()
    h.submit({ id: 't' })
    h.worker('a')
    h.schedule()
    h.scheduler.unregisterWorker('peer-a', h.now, 'disconnected')
    expect(h.state('t')).toBe('ready')
    h.worker('b')
    expect(h.schedule()).toEqual([['t', 'b']])
    h.succeed('t')
    expect(h.scheduler.view.getTask('t').attempts.map(a => [a.workerName, a.outcome])).toEqual([['a', 'lost'], ['b', 'succeeded']])
  })

  it('fails a task that keeps losing its worker: lost on more distinct proven workers than allowed', () => {
    const h = harness({ maxLostAttempts: 2 })
    for (let i = 0; i < 3; i++) {
      // each worker proves itself on a task of its own first
      h.submit({ id: `warm-up-${i}`, priority: 10 })
      h.worker(`w${i}`)
      h.schedule()
      h.succeed(`warm-up-${i}`)
      if (i === 0) h.submit({ id: 'crasher' })
      h.schedule()
      expect(h.scheduler.view.getTask('crasher').attempts.at(-1)?.workerName).toBe(`w${i}`)
      h.scheduler.unregisterWorker(`peer-w${i}`, h.now, 'disconnected')
    }
    expect(h.state('crasher')).toBe('failed')
    expect(h.scheduler.view.getTask('crasher').error).toMatch(/lost on 3 different workers, more than maxLostAttempts \(2\)/)
  })

  it('blames a worker that has delivered nothing for the attempts it loses, not the task; again and again, it is quarantined', () => {
    const h = harness({ maxLostAttempts: 1 })
    h.submit({ id: 'honest' })
    for (let round = 0; round < 3; round++) {
      h.worker('churner')
      expect(h.schedule()).toEqual([['honest', 'churner']])
      h.scheduler.unregisterWorker('peer-churner', h.now, 'disconnected')
      expect(h.events.at(-1)).toMatchObject({ type: 'worker-left', reason: 'disconnected' })
      expect(h.events.some(e => e.type === 'worker-quarantined')).toBe(round === 2)
    }
    expect(h.state('honest')).toBe('ready')
    expect(h.scheduler.view.getTask('honest').attempts.map(a => a.outcome)).toEqual(['lost', 'lost', 'lost'])
    expect(h.events.filter(e => e.type === 'attempt-ended').map(e => e.type === 'attempt-ended' && e.blame)).toEqual(['worker', 'worker', 'worker'])
    expect(h.scheduler.quarantinedUntil('peer-churner', h.now)).toBe(h.now + 5_000)
    // the same peer id is refused for a while; the next quarantine lasts twice as long
    h.advance(5_000)
    expect(h.scheduler.quarantinedUntil('peer-churner', h.now)).toBeUndefined()
  })

  it('accepts a result once, only from the lease holder with the right token', () => {
    const h = harness()
    h.submit({ id: 't' })
    h.worker('a')
    h.worker('b')
    h.schedule()
    const lease = h.lease('t')
    const other = lease.workerId === 'peer-a' ? 'peer-b' : 'peer-a'
    expect(h.scheduler.report(other, { taskId: 't', attempt: 1, token: lease.token, success: true }, h.now)).toBe('rejected')
    expect(h.scheduler.report(lease.workerId, { taskId: 't', attempt: 1, token: 'guess', success: true }, h.now)).toBe('rejected')
    expect(h.scheduler.report(lease.workerId, { taskId: 'nope', attempt: 1, token: lease.token, success: true }, h.now)).toBe('rejected')
    expect(h.succeed('t')).toBe('accepted')
    expect(h.succeed('t')).toBe('duplicate')
    expect(h.events.filter(e => e.type === 'attempt-ended')).toHaveLength(1)
  })

  it('records a late result of an attempt that was lost, and does not accept it', () => {
    const h = harness({ leaseTtlMs: 100 })
    h.submit({ id: 't' })
    h.worker('stalled')
    h.schedule()
    const old = h.lease('t')
    h.advance(100)
    h.worker('fresh')
    h.schedule()
    expect(h.scheduler.report(old.workerId, { taskId: 't', attempt: old.attempt, token: old.token, success: true, output: 'old' }, h.now)).toBe('late')
    expect(h.state('t')).toBe('running')
    h.succeed('t', 'new')
    expect(h.scheduler.view.getTask('t').output).toBe('new')
    expect(h.scheduler.view.history('t').find(e => e.event === 'late-result')).toMatchObject({ attempt: 1, worker: 'stalled', workerId: 'peer-stalled', detail: 'succeeded, not accepted' })
  })

  it('adopts the leases a re-registering worker still holds and drops the ones it forgot', () => {
    const h = harness()
    h.submit({ id: 'kept' }, { id: 'forgotten' })
    h.worker('w', 10, { maxConcurrent: 2 })
    h.schedule()
    const kept = h.lease('kept')
    const { revoked } = h.scheduler.registerWorker({ id: 'peer-w', name: 'w', skill: 10, maxConcurrent: 2 }, h.now, [
      { taskId: 'kept', attempt: kept.attempt, token: kept.token },
      { taskId: 'ghost', attempt: 1, token: 'x' }
    ])
    expect(revoked).toEqual([{ taskId: 'ghost', attempt: 1, token: 'x' }])
    expect(h.state('kept')).toBe('running')
    expect(h.state('forgotten')).toBe('ready')
    expect(h.succeed('kept')).toBe('accepted')
  })
})

describe('scheduler: cancel, retry, cache', () => {
  it('cancels a running task, naming its worker, and skips its dependents', () => {
    const h = harness()
    h.submit({ id: 'a' }, { id: 'b', dependsOn: ['a'] })
    h.worker('w')
    h.schedule()
    expect(h.scheduler.cancel('a', h.now)).toBe(true)
    expect(h.events.find(e => e.type === 'cancelled')).toMatchObject({ taskId: 'a', attempt: 1, workerId: 'peer-w' })
    expect(h.state('b')).toBe('skipped')
    expect(h.scheduler.cancel('a', h.now)).toBe(false)
    expect(h.scheduler.view.workers()[0]!.running).toBe(0)
  })

  it('puts a failed task back with a fresh budget, and its skipped dependents with it', () => {
    const h = harness()
    h.submit({ id: 'a' }, { id: 'b', dependsOn: ['a'] })
    h.worker('w')
    h.schedule()
    h.fail('a')
    expect(h.state('b')).toBe('skipped')
    expect(() => h.scheduler.retry('b', h.now)).toThrow(/retry "a" instead/)
    h.scheduler.retry('a', h.now)
    expect(h.state('a')).toBe('ready')
    expect(h.state('b')).toBe('waiting')
    h.schedule()
    h.succeed('a')
    expect(h.schedule()).toEqual([['b', 'w']])
    expect(() => h.scheduler.retry('b', h.now)).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
  })

  it('completes a task from the cache when a task with the same key already succeeded', () => {
    const h = harness()
    h.submit({ id: 'first', cacheKey: 'k' }, { id: 'second', cacheKey: 'k', dependsOn: ['first'] })
    h.worker('w')
    h.schedule()
    h.succeed('first', { v: 42 })
    expect(h.state('second')).toBe('succeeded')
    expect(h.scheduler.view.getTask('second').output).toEqual({ v: 42 })
    expect(h.scheduler.view.getTask('second').attempts).toEqual([])
    expect(h.schedule()).toEqual([])
  })
})

describe('scheduler: restore from its own events', () => {
  it('rebuilds every task, keeps final ones final and holds running attempts for their worker', () => {
    const h = harness({ leaseTtlMs: 1000 })
    h.submit({ id: 'done' }, { id: 'running' }, { id: 'next', dependsOn: ['done'] }, { id: 'failed' })
    h.worker('w', 10, { maxConcurrent: 3 })
    h.schedule()
    h.succeed('done', 'result')
    h.fail('failed')
    const running = h.lease('running')
    const journal = h.events.filter(e => !['worker-joined', 'worker-left', 'assigning-started'].includes(e.type))

    const r = harness({ leaseTtlMs: 1000 })
    r.scheduler.restore(journal as never, r.now)
    expect(r.state('done')).toBe('succeeded')
    expect(r.state('failed')).toBe('failed')
    expect(r.state('running')).toBe('running')
    expect(r.scheduler.view.getTask('done').output).toBe('result')
    expect(['ready', 'running']).toContain(r.state('next'))
    // the worker comes back holding its lease: the attempt is adopted and its result accepted
    r.scheduler.registerWorker({ id: 'peer-w', name: 'w', skill: 10, maxConcurrent: 3 }, r.now, [{ taskId: 'running', attempt: running.attempt, token: running.token }])
    expect(r.scheduler.report('peer-w', { taskId: 'running', attempt: running.attempt, token: running.token, success: true }, r.now)).toBe('accepted')
  })

  it('re-queues attempts whose worker does not come back within the lease TTL', () => {
    const h = harness()
    h.submit({ id: 't' })
    h.worker('gone')
    h.schedule()
    const journal = h.events.filter(e => e.type === 'submitted' || e.type === 'assigned')
    const r = harness({ leaseTtlMs: 500 })
    r.scheduler.restore(journal as never, r.now)
    r.advance(400)
    r.worker('other')
    expect(r.schedule()).toEqual([])
    r.advance(100)
    expect(r.events.find(e => e.type === 'worker-left')).toMatchObject({ worker: { name: 'gone' }, reason: 'lease-expired' })
    expect(r.schedule()).toEqual([['t', 'other']])
  })
})
