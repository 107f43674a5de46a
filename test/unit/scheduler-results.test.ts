import { describe, expect, it } from 'vitest'
import { harness } from '../helpers/core.js'

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
