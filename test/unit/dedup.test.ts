import { describe, expect, it } from 'vitest'
import { harness } from '../helpers/core.js'
import { Scheduler } from '../../src/core/scheduler.js'
import { isDurable, type DurableEvent } from '../../src/core/events.js'
import { normalizeTasks } from '../../src/tasks/normalize.js'

describe('dedup and debounce', () => {
  it('a submit whose dedup key is held within its TTL gets the holder, and says so; after the TTL it is added', () => {
    const h = harness()
    h.submit({ id: 'a', dedupKey: 'invoice-7', dedupTtlMs: 1_000 })
    expect(h.submit({ id: 'b', dedupKey: 'invoice-7' })).toEqual({ added: [], existing: [], deduplicated: [{ id: 'b', task: 'a' }], debounced: [] })
    expect(h.scheduler.view.has('b')).toBe(false)
    h.advance(1_000)
    expect(h.submit({ id: 'c', dedupKey: 'invoice-7' })).toEqual({ added: ['c'], existing: [] })
  })

  it('without a TTL the key is held until its task is final', () => {
    const h = harness()
    h.worker('w')
    h.submit({ id: 'a', dedupKey: 'k' })
    expect(h.submit({ id: 'b', dedupKey: 'k' }).deduplicated).toEqual([{ id: 'b', task: 'a' }])
    h.schedule()
    h.succeed('a')
    expect(h.submit({ id: 'c', dedupKey: 'k' }).added).toEqual(['c'])
  })

  it('with debounce, the newer payload replaces the waiting task\'s, journaled; a started task keeps its own', () => {
    const h = harness()
    h.submit({ id: 'save', dedupKey: 'doc-1', dedupTtlMs: 60_000, debounce: true, payload: { v: 1 } })
    expect(h.submit({ id: 'save-2', dedupKey: 'doc-1', debounce: true, payload: { v: 2 } })).toMatchObject({ deduplicated: [{ id: 'save-2', task: 'save' }], debounced: ['save-2'] })
    expect(h.scheduler.view.getTask('save').spec.payload).toEqual({ v: 2 })
    expect(h.scheduler.view.history('save').map(e => e.event)).toEqual(['submitted', 'debounced'])
    // replayed, the journal gives the same payload
    const restored = new Scheduler()
    restored.restore(h.events.filter(isDurable) as DurableEvent[], h.now)
    expect(restored.view.getTask('save').spec.payload).toEqual({ v: 2 })
    h.worker('w')
    h.schedule()
    expect(h.submit({ id: 'save-3', dedupKey: 'doc-1', debounce: true, payload: { v: 3 } })).toMatchObject({ deduplicated: [{ id: 'save-3', task: 'save' }], debounced: [] })
    expect(h.scheduler.view.getTask('save').spec.payload).toEqual({ v: 2 })
  })

  it('within one submit: the first claims the key, and a task depending on a deduplicated one depends on the holder', () => {
    const h = harness()
    h.submit({ id: 'fetch', dedupKey: 'url-1', dedupTtlMs: 10_000 })
    const result = h.submit({ id: 'fetch-again', dedupKey: 'url-1' }, { id: 'parse', dependsOn: ['fetch-again'] }, { id: 'x', dedupKey: 'url-2' }, { id: 'y', dedupKey: 'url-2' })
    expect(result).toMatchObject({ added: ['parse', 'x'], deduplicated: [{ id: 'fetch-again', task: 'fetch' }, { id: 'y', task: 'x' }] })
    expect(h.scheduler.view.getTask('parse').spec.dependsOn).toEqual(['fetch'])
  })

  it('the claims survive a restart from the journal', () => {
    const h = harness()
    h.submit({ id: 'a', dedupKey: 'k', dedupTtlMs: 5_000 })
    const restored = new Scheduler()
    restored.restore(h.events.filter(isDurable) as DurableEvent[], h.now + 1_000)
    expect(restored.submit([{ ...restored.view.getTask('a').spec, id: 'b' }], h.now + 1_000).deduplicated).toEqual([{ id: 'b', task: 'a' }])
  })

  it('reads dedup_key, dedup_ttl and debounce, and refuses a TTL or debounce without a key', () => {
    const { specs } = normalizeTasks([{ id: 'a', dedup_key: 'k', dedup_ttl: 30, debounce: true }])
    expect(specs[0]).toMatchObject({ dedupKey: 'k', dedupTtlMs: 30_000, debounce: true })
    const bad = normalizeTasks([{ id: 'b', dedup_ttl: 5 }, { id: 'c', debounce: true }, { id: 'd', dedup_key: 'k', debounce: 'yes' }])
    expect(bad.problems.map(p => [p.path, p.message])).toEqual([
      ['tasks[0].dedup_ttl', 'needs a dedup_key: the key later submits are matched by'],
      ['tasks[1].debounce', 'needs a dedup_key: the key later submits are matched by'],
      ['tasks[2].debounce', 'must be true or false']
    ])
  })
})
