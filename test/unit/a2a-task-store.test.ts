import { describe, expect, it } from 'vitest'
import { TaskState, type Task } from '@a2a-js/sdk'
import { BoundedTaskStore } from '../../src/a2a/task-store.js'

const task = (id: string, state: TaskState, contextId = 'c'): Task => ({ id, contextId, status: { state, message: undefined, timestamp: undefined }, artifacts: [{ artifactId: 'a', name: '', description: '', parts: [], metadata: undefined, extensions: [] }], history: [], metadata: undefined })
const list = { tenant: '', contextId: '', status: TaskState.TASK_STATE_UNSPECIFIED, pageToken: '', statusTimestampAfter: undefined }

describe('the A2A side\'s task store', () => {
  it('keeps at most its bound, forgetting the oldest finished tasks first, never one still running', async () => {
    const store = new BoundedTaskStore(3)
    await store.save(task('running', TaskState.TASK_STATE_WORKING))
    for (const id of ['a', 'b', 'c', 'd']) await store.save(task(id, TaskState.TASK_STATE_COMPLETED))
    expect(await store.load('a')).toBeUndefined()
    expect(await store.load('b')).toBeUndefined()
    expect((await store.load('running'))?.status?.state).toBe(TaskState.TASK_STATE_WORKING)
    expect((await store.list(list)).tasks.map(t => t.id)).toEqual(['d', 'c', 'running'])
  })

  it('lists newest first, a page at a time, by context and state, artifacts only when asked', async () => {
    const store = new BoundedTaskStore()
    for (let i = 0; i < 5; i++) await store.save(task(`t${i}`, i % 2 === 0 ? TaskState.TASK_STATE_COMPLETED : TaskState.TASK_STATE_FAILED, i < 3 ? 'x' : 'y'))
    const first = await store.list({ ...list, pageSize: 2 })
    expect([first.tasks.map(t => t.id), first.nextPageToken, first.totalSize]).toEqual([['t4', 't3'], '2', 5])
    expect(first.tasks[0]!.artifacts).toEqual([])
    expect((await store.list({ ...list, pageSize: 2, pageToken: first.nextPageToken })).tasks.map(t => t.id)).toEqual(['t2', 't1'])
    expect((await store.list({ ...list, contextId: 'x', status: TaskState.TASK_STATE_COMPLETED, includeArtifacts: true })).tasks.map(t => [t.id, t.artifacts.length])).toEqual([['t2', 1], ['t0', 1]])
  })
})
