import { TypedEventEmitter } from '@libp2p/interface'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { UpdateFeed, type DashboardUpdate } from '../../src/http/updates.js'
import { MAX_UPDATE_TASKS } from '../../src/http/constants.js'
import type { NetworkEvents } from '../../src/admin/events.js'
import type { SummaryView } from '../../src/admin/api.js'
import type { SchedulerView } from '../../src/core/view.js'

/** A view of tasks whose state the test sets. */
function fakeView (states: Map<string, string>): SchedulerView {
  return { has: (id: string) => states.has(id), getTask: (id: string) => ({ id, state: states.get(id) }) } as unknown as SchedulerView
}
const parse = (chunk: string): DashboardUpdate => {
  expect(chunk).toMatch(/^event: update\ndata: .*\n\n$/)
  return JSON.parse(chunk.split('\n')[1]!.slice('data: '.length)) as DashboardUpdate
}

describe('the dashboard\'s summarised stream', () => {
  let source: TypedEventEmitter<NetworkEvents>
  let states: Map<string, string>
  let summaries: number
  let feed: UpdateFeed

  beforeEach(() => {
    vi.useFakeTimers()
    source = new TypedEventEmitter<NetworkEvents>()
    states = new Map()
    summaries = 0
    feed = new UpdateFeed(source, fakeView(states), () => { summaries++; return { total: states.size } as unknown as SummaryView }, 500)
  })
  afterEach(() => {
    feed.close()
    vi.useRealTimers()
  })

  // as the admin sends them: task:submitted names its task taskId, task:completed (an outcome) id
  const task = (name: 'task:submitted' | 'task:completed', id: string, state: string): void => {
    states.set(id, state)
    source.safeDispatchEvent(name, { detail: (name === 'task:completed' ? { id, status: state } : { taskId: id }) as never })
  }

  it('sends one update per interval with the tasks that changed and their state now, and nothing when nothing did', () => {
    const a: string[] = []
    const b: string[] = []
    feed.subscribe(chunk => a.push(chunk))
    feed.subscribe(chunk => b.push(chunk))
    // the first update says everything is new
    expect(parse(a[0]!)).toMatchObject({ more: true, workers: true, alerts: true, tasks: {} })
    for (let i = 0; i < 1000; i++) task('task:submitted', 'x', 'ready')
    task('task:completed', 'y', 'succeeded')
    states.set('x', 'running')
    vi.advanceTimersByTime(500)
    expect(a.length).toBe(2)
    expect(parse(a[1]!)).toEqual({ summary: { total: 2 }, tasks: { x: 'running', y: 'succeeded' }, more: false, workers: false, alerts: false })
    // both readers get the same text, made once
    expect(b[1]).toBe(a[1])
    const made = summaries
    vi.advanceTimersByTime(5000)
    expect(a.length).toBe(2)
    expect(summaries).toBe(made)
  })

  it('says "more" past its limit of listed tasks, and flags workers and alerts', () => {
    const got: string[] = []
    feed.subscribe(chunk => got.push(chunk))
    for (let i = 0; i < MAX_UPDATE_TASKS + 10; i++) task('task:submitted', `t${i}`, 'ready')
    expect(source.listenerCount('task:submitted')).toBe(0)
    source.safeDispatchEvent('worker:connected', { detail: {} as never })
    source.safeDispatchEvent('alert:fired', { detail: {} as never })
    vi.advanceTimersByTime(500)
    const update = parse(got[1]!)
    expect(Object.keys(update.tasks).length).toBe(MAX_UPDATE_TASKS)
    expect(update).toMatchObject({ more: true, workers: true, alerts: true })
    // busy: the task events were let go until the update went out, and are followed again after it
    expect(source.listenerCount('task:submitted')).toBe(1)
    task('task:submitted', 'after', 'ready')
    vi.advanceTimersByTime(500)
    expect(parse(got[2]!)).toMatchObject({ tasks: { after: 'ready' }, more: false })
  })

  it('follows the events only while someone reads', () => {
    const stop = feed.subscribe(() => {})
    expect(source.listenerCount('task:submitted')).toBe(1)
    stop()
    expect(source.listenerCount('task:submitted')).toBe(0)
  })
})
