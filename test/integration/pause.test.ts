import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { Network, nextEvent } from '../helpers/net.js'
import type { TaskManager } from '../../src/manager/task-manager.js'

/** Pausing and resuming through the CLI and the HTTP API, on a real admin and worker. */
describe('pause and resume', () => {
  const net = new Network()
  let manager: TaskManager
  let at: string
  let http: string

  beforeAll(async () => {
    ({ manager, at, http } = await net.httpAdmin(['w', 5, { maxConcurrent: 4 }]))
  })
  afterAll(async () => { await net.stop() })

  it('taskmesh pause holds new starts and says so in tasks and status; a running task finishes; resume lets them go', async () => {
    const running = nextEvent(manager, 'task:assigned', d => d.taskId === 'long')
    const finished = nextEvent(manager, 'task:completed', d => d.id === 'long')
    manager.submit([{ id: 'long', payload: { durationMs: 1_500 } }])
    await running
    const paused = await runCli(['pause', '--reason', 'deploying', '--admin', at, '--json'])
    expect(paused.events[0]).toMatchObject({ event: 'paused', paused: [{ scope: 'all', reason: 'deploying' }] })
    manager.submit([{ id: 'after' }])
    const listed = await runCli(['tasks', '--admin', at, '--state', 'ready', '--json'])
    expect(listed.events[0]!.tasks).toEqual([expect.objectContaining({ id: 'after', waitingFor: 'paused (every task): deploying' })])
    expect((await runCli(['status', '--admin', at])).stdout).toMatch(/! paused: every task \(deploying\)/)
    // what ran before the pause finishes under it
    expect(await finished).toMatchObject({ status: 'succeeded' })
    expect(manager.getTask('after').state).toBe('ready')

    const done = nextEvent(manager, 'task:completed', d => d.id === 'after')
    expect((await runCli(['resume', '--admin', at])).code).toBe(0)
    await done
    const again = await runCli(['resume', '--admin', at])
    expect(again).toMatchObject({ code: 1, stderr: expect.stringMatching(/everything is not paused: nothing is/) })
  })

  it('POST /api/pause and /api/resume, by type, with bad input refused by name', async () => {
    const post = async (path: string, body: unknown): Promise<{ status: number, body: any }> => {
      const res = await fetch(http + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      return { status: res.status, body: await res.json() }
    }
    expect(await post('/api/pause', { type: 'simulate', reason: 'quota' })).toEqual({ status: 200, body: { paused: [expect.objectContaining({ scope: 'type:simulate', reason: 'quota' })] } })
    manager.submit([{ id: 'typed' }])
    expect((await (await fetch(`${http}/api/tasks/typed`)).json())).toMatchObject({ state: 'ready', waitingFor: 'paused (tasks of type "simulate"): quota' })
    expect((await (await fetch(`${http}/api/summary`)).json()).paused).toEqual([expect.objectContaining({ scope: 'type:simulate' })])
    expect(await post('/api/resume', {})).toMatchObject({ status: 409, body: { error: 'InvalidStateError', message: 'everything is not paused; paused: tasks of type "simulate"' } })
    expect(await post('/api/pause', { type: 42 })).toMatchObject({ status: 400, body: { problems: [{ path: 'type' }] } })
    expect(await post('/api/pause', { reason: 'x'.repeat(100_000) })).toMatchObject({ status: 413 })
    const done = nextEvent(manager, 'task:completed', d => d.id === 'typed')
    expect(await post('/api/resume', { type: 'simulate' })).toEqual({ status: 200, body: { paused: [] } })
    await done
  })
})
