import { describe, expect, it } from 'vitest'
import { MemoryArchive, packTask, unpackTask } from '../../src/core/archive.js'
import { isDurable, type DurableEvent } from '../../src/core/events.js'
import { Scheduler } from '../../src/core/scheduler.js'
import { taskSpec } from '../../src/core/task.js'
import { harness } from '../helpers/core.js'

/** A harness whose archive is written as the admin writes it: taken, stored, confirmed. */
function archiving () {
  const archive = new MemoryArchive()
  const h = harness({ archive })
  const journal: DurableEvent[] = []
  let written = 0
  const flush = (): string[] => {
    const events = h.events
    journal.push(...events.slice(written).filter(isDurable))
    written = events.length
    const tasks = h.scheduler.takeArchived()
    archive.add(tasks)
    h.scheduler.archived(tasks)
    return tasks.map(t => t.id)
  }
  return { h, archive, journal, flush }
}

describe('scheduler: finished tasks leave memory for the archive', () => {
  it('archives a task once it has succeeded and nothing unfinished depends on it', () => {
    const { h, flush } = archiving()
    h.submit({ id: 'a' }, { id: 'b', dependsOn: ['a'] }, { id: 'c' })
    h.worker('w', 10, { maxConcurrent: 3 })
    h.schedule()
    h.succeed('a', 'A')
    h.succeed('c', 'C')
    // c goes; a stays while b, which depends on it, is unfinished
    expect(flush()).toEqual(['c'])
    h.schedule()
    h.succeed('b', 'B')
    expect(flush().sort()).toEqual(['a', 'b'])
    expect(h.scheduler.view.summary()).toMatchObject({ total: 3, counts: { succeeded: 3 } })
    expect(h.scheduler.view.isDone()).toBe(true)
  })

  it('answers for archived tasks as for the others: the task, its history, lists in submission order, its output as a later task\'s input', () => {
    const { h, flush } = archiving()
    h.submit({ id: 'first' }, { id: 'second' })
    h.worker('w', 10, { maxConcurrent: 2 })
    h.schedule()
    h.succeed('second', 2)
    flush()
    h.succeed('first', 1)
    flush()
    const view = h.scheduler.view
    expect(view.getTask('second')).toMatchObject({ id: 'second', state: 'succeeded', output: 2, worker: 'w' })
    expect(view.history('first').map(e => e.event)).toEqual(['submitted', 'assigned', 'succeeded'])
    expect([...view.listTasks()].map(t => t.id)).toEqual(['first', 'second'])
    expect([...view.outcomes()].map(t => [t.id, t.output])).toEqual([['first', 1], ['second', 2]])
    // a task submitted later may depend on an archived one, and receives its output
    expect(h.submit({ id: 'third', dependsOn: ['first', 'second'] }, { id: 'first' })).toEqual({ added: ['third'], existing: ['first'] })
    expect(h.schedule()).toEqual([['third', 'w']])
    expect(view.inputsOf('third')).toEqual({ first: 1, second: 2 })
    // an archived task is final: nothing to cancel, nothing to retry
    expect(h.scheduler.cancel('first', h.now)).toBe(false)
    expect(() => { h.scheduler.retry('first', h.now) }).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
  })

  it('restores from the events left and the archive: archived results are still reused by cache key', () => {
    const { h, archive, journal, flush } = archiving()
    h.submit({ id: 'a', cacheKey: 'k' }, { id: 'running' })
    h.worker('w', 10, { maxConcurrent: 2 })
    h.schedule()
    h.succeed('a', 'cached result')
    flush()
    const live = journal.filter(e => (e.type === 'submitted' ? e.task.id : 'taskId' in e ? e.taskId : '') !== 'a')
    const restored = new Scheduler({ archive })
    restored.restore(live, h.now)
    expect(restored.view.summary()).toMatchObject({ total: 2, counts: { succeeded: 1, running: 1 } })
    expect(restored.view.getTask('a').output).toBe('cached result')
    restored.submit([taskSpec({ id: 'again', cacheKey: 'k' })], h.now)
    expect(restored.view.getTask('again')).toMatchObject({ state: 'succeeded', output: 'cached result' })
    // numbering goes on after the archived tasks: lists keep submission order
    expect([...restored.view.listTasks()].map(t => t.id)).toEqual(['a', 'running', 'again'])
  })

  it('answers results for archived tasks: a repeat is a duplicate, a lost attempt\'s is late and announced only, another worker\'s is rejected', () => {
    const { h, flush } = archiving()
    h.submit({ id: 't' })
    h.worker('stalled')
    h.schedule()
    const old = h.lease('t')
    h.advance(60_000)
    h.worker('fresh')
    h.schedule()
    const current = h.lease('t')
    h.succeed('t', 'new')
    expect(flush()).toEqual(['t'])
    const history = h.scheduler.view.history('t')
    const before = h.events.length
    expect(h.scheduler.report(current.workerId, { taskId: 't', attempt: current.attempt, token: current.token, success: true }, h.now)).toBe('duplicate')
    expect(h.scheduler.report(old.workerId, { taskId: 't', attempt: old.attempt, token: old.token, success: true, output: 'old' }, h.now)).toBe('late')
    expect(h.scheduler.report(current.workerId, { taskId: 't', attempt: old.attempt, token: old.token, success: true }, h.now)).toBe('rejected')
    // announced, not journaled, and the archived history is unchanged
    expect(h.events.slice(before)).toEqual([expect.objectContaining({ type: 'late-result-unrecorded', taskId: 't', attempt: old.attempt, workerId: old.workerId })])
    expect(h.events.slice(before).filter(isDurable)).toEqual([])
    expect(h.scheduler.view.history('t')).toEqual(history)
    expect(h.scheduler.view.getTask('t').output).toBe('new')
  })

  it('stores a task without what follows from the rest, and reads it back whole', () => {
    const { h, archive, flush } = archiving()
    h.submit(
      { id: 'plain' },
      { id: 'tuned', description: 'resize', type: 'image', priority: 9, difficulty: 3, requires: ['gpu'], retry: { maxAttempts: 3, backoff: 'fixed', initialDelayMs: 10, maxDelayMs: 10, jitter: 0 }, payload: { w: 1 } },
      { id: 'first', cacheKey: 'k' }
    )
    h.worker('w', 10, { maxConcurrent: 3, capabilities: ['gpu'] })
    h.schedule()
    h.succeed('plain')
    h.fail('tuned')
    h.succeed('first', 'shared')
    h.advance(10)
    h.schedule()
    h.succeed('tuned')
    h.submit({ id: 'reused', cacheKey: 'k' })
    const ids = ['plain', 'tuned', 'first', 'reused']
    const histories = ids.map(id => h.scheduler.view.history(id))
    flush()
    // out of memory, each history reads as it did in memory, told again from the attempts or kept
    expect(ids.map(id => h.scheduler.view.history(id))).toEqual(histories)
    const all = [...archive.list()]
    expect(all.map(t => t.id)).toEqual(['plain', 'tuned', 'first', 'reused'])
    for (const task of all) expect(unpackTask(task.id, JSON.parse(JSON.stringify(packTask(task))))).toEqual(task)
    // a plain task keeps its attempts; its spec's defaults and a history its attempts tell are left out
    const plain = packTask(archive.get('plain')!)
    expect(plain.spec).toEqual({})
    expect(plain.history).toBeUndefined()
    // a history with more to tell is kept: a retry, a cached result
    expect(packTask(archive.get('tuned')!).history).toBeDefined()
    expect(packTask(archive.get('reused')!).history?.map(e => e.event)).toEqual(['submitted', 'cached'])
  })
})
