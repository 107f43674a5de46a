import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliProcesses, runCli } from '../helpers/cli.js'
import { Network, nextEvent } from '../helpers/net.js'
import type { TaskManager } from '../../src/manager/task-manager.js'

const { start } = cliProcesses()

describe('retention on real processes', () => {
  it('--retain-finished drops old finished tasks from the journal, keeps one a live task depends on, and a SIGKILL changes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-retention-'))
    const tasks = join(dir, 'tasks.json')
    // 'later' depends on 'base' and waits an hour: 'base' stays however old; 'other' goes
    await writeFile(tasks, JSON.stringify([{ id: 'base' }, { id: 'other' }, { id: 'later', depends_on: ['base'], delay: 3600 }]))
    const dataDir = join(dir, 'state')
    const admin = (listen: string): ReturnType<typeof start> => start(['admin', '--retain-finished', '1s', '--tasks', tasks, '--data-dir', dataDir, '--listen', listen, '--json'])
    const first = admin('/ip4/127.0.0.1/tcp/0')
    const { addrs } = await first.waitForEvent('listening')
    start(['worker', '--admin', addrs[0], '--name', 'w', '--skill', '1', '--json'])
    const purged = await first.waitFor(e => e.event === 'tasks:purged', 30_000)
    expect(purged).toMatchObject({ count: 1 })
    expect((await runCli(['status', '--admin', addrs[0]])).stdout).toMatch(/finished tasks kept 1\.0 s; 1 task dropped/)
    const listed = (await runCli(['tasks', '--admin', addrs[0], '--json'])).events[0]!.tasks as Array<{ id: string, state: string }>
    expect(listed.map(t => [t.id, t.state])).toEqual([['base', 'succeeded'], ['later', 'delayed']])

    first.kill('SIGKILL')
    await first.exited
    const second = admin(`/ip4/127.0.0.1/tcp/${/\/tcp\/(\d+)\//.exec(addrs[0])![1]}`)
    const { addrs: again } = await second.waitForEvent('listening')
    const after = (await runCli(['tasks', '--admin', again[0], '--json'])).events[0]!.tasks as Array<{ id: string }>
    expect(after.map(t => t.id)).toEqual(['base', 'later'])
    // the task file is not submitted again: 'other' ran, and was dropped, and is not run twice
    expect(second.stderr + second.lines.join('\n')).toMatch(/not submitted again, since retention dropped finished tasks/)
    const gone = await runCli(['history', 'other', '--admin', again[0]])
    expect(gone).toMatchObject({ code: 1, stderr: expect.stringMatching(/unknown task "other"/) })
    second.kill('SIGTERM')
    await second.exited
  }, 120_000)
})

describe('taskmesh purge, POST /api/purge', () => {
  const net = new Network()
  let manager: TaskManager
  let at: string
  let http: string

  beforeAll(async () => {
    ({ manager, at, http } = await net.httpAdmin(['w', 5, { maxConcurrent: 4 }]))
  })
  afterAll(async () => { await net.stop() })

  const ids = async (): Promise<string[]> => ((await (await fetch(`${http}/api/tasks`)).json()).tasks as Array<{ id: string }>).map(t => t.id)

  it('a task dropped in the turn it finished is announced first, then leaves: the admin goes on', async () => {
    manager.submit([{ id: 'nobody-runs-this', type: 'no-handler' }])
    const completed = nextEvent(manager, 'task:completed', d => d.id === 'nobody-runs-this')
    manager.cancel('nobody-runs-this')
    // in the same turn, before the admin has announced the cancel
    expect(manager.purge({ olderThanMs: -60_000 })).toBe(1)
    expect(await completed).toMatchObject({ status: 'cancelled' })
    expect(await ids()).toEqual([])
    expect(manager.summary()).toMatchObject({ total: 0 })
  })

  it('drops finished tasks by state, age and count, and refuses bad input by name', async () => {
    const done = Promise.all(['s1', 's2', 's3', 'f1'].map(async id => await nextEvent(manager, 'task:completed', d => d.id === id)))
    manager.submit([{ id: 's1' }, { id: 's2' }, { id: 's3' }, { id: 'f1', payload: { fail: 'on purpose' } }])
    await done
    expect(manager.getTask('f1').state).toBe('failed')

    expect(await runCli(['purge', '--admin', at])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--older-than DURATION .* or --keep N/) })
    expect(await runCli(['purge', '--admin', at, '--state', 'running', '--keep', '1'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--state.*succeeded, failed, skipped, cancelled/) })
    expect(await runCli(['purge', '--admin', at, '--older-than', 'yesterday'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/duration/) })
    const failed = await runCli(['purge', '--admin', at, '--state', 'failed', '--older-than', '0', '--json'])
    expect(failed.events[0]).toEqual({ event: 'purged', purged: 1 })
    expect((await runCli(['purge', '--admin', at, '--keep', '1'])).stdout).toMatch(/purged 2 finished tasks/)
    expect(await ids()).toEqual(['s3'])

    const post = async (body: unknown): Promise<{ status: number, body: any }> => {
      const res = await fetch(`${http}/api/purge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) })
      return { status: res.status, body: await res.json() }
    }
    expect(await post({})).toMatchObject({ status: 400, body: { problems: [{ path: 'olderThan' }] } })
    expect(await post({ state: 'ready', olderThan: 0 })).toMatchObject({ status: 400, body: { problems: [{ path: 'state' }] } })
    expect(await post({ olderThan: -5 })).toMatchObject({ status: 400, body: { problems: [{ path: 'olderThan' }] } })
    // what Number() reads as 0 is not a number of seconds
    for (const olderThan of ['', [], false, ' ']) expect(await post({ olderThan })).toMatchObject({ status: 400, body: { problems: [{ path: 'olderThan' }] } })
    expect(await post({ keep: 1.5 })).toMatchObject({ status: 400, body: { problems: [{ path: 'keep' }] } })
    expect(await post([1, 2])).toMatchObject({ status: 400 })
    expect(await post({ keep: 0, pad: 'x'.repeat(100_000) })).toMatchObject({ status: 413 })
    expect(await ids()).toEqual(['s3'])
    expect(await post({ olderThan: 0 })).toEqual({ status: 200, body: { purged: 1 } })
    expect((await (await fetch(`${http}/api/summary`)).json())).toMatchObject({ total: 0, retention: { dropped: 5 } })
  }, 60_000)
})
