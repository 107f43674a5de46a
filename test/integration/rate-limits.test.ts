import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliProcesses, runCli } from '../helpers/cli.js'

const { start } = cliProcesses()

describe('rate limits on real processes', () => {
  it('keeps starts apart by the limits of the config file, and says which limit holds a task', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-rate-'))
    const tasks = join(dir, 'tasks.json')
    // three tasks at most one a second; two more at most one an hour, the second of which waits
    await writeFile(tasks, JSON.stringify([
      ...['b0', 'b1', 'b2'].map(id => ({ id, rate_limit_key: 'burst' })),
      { id: 'h0', rate_limit_key: 'hourly' },
      { id: 'h1', rate_limit_key: 'hourly' }
    ]))
    await writeFile(join(dir, 'taskmesh.yaml'), 'task_manager:\n  rate_limit: [burst=1/1s, hourly=1/1h]\n')
    const dataDir = join(dir, 'state')
    const admin = start(['admin', '--config', join(dir, 'taskmesh.yaml'), '--tasks', tasks, '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-when-done', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    start(['worker', '--admin', addrs[0], '--name', 'w', '--skill', '1', '--max-concurrent', '8', '--json'])
    await admin.waitUntil(() => ['b0', 'b1', 'b2', 'h0'].every(id => admin.events.some(e => e.event === 'task:completed' && e.id === id)), 60_000)

    // h1 is ready, held back by its limit, and says so
    const ready = (await runCli(['tasks', '--admin', addrs[0], '--state', 'ready', '--json'])).events[0]!.tasks
    expect(ready).toEqual([expect.objectContaining({ id: 'h1', state: 'ready', waitingFor: 'rate limit "hourly": 1 per 3600 s' })])
    const cancelled = await runCli(['cancel', 'h1', '--admin', addrs[0]])
    expect(cancelled.code, cancelled.stderr).toBe(0)
    // (a cancelled task: the run did not all succeed)
    expect(await admin.exit(60_000)).toBe(1)
    expect(admin.events.at(-1)).toMatchObject({ event: 'summary', total: 5, succeeded: 4, cancelled: 1 })

    // each burst task started a second or more after the one before, by the journal's times
    const starts: number[] = []
    for (const id of ['b0', 'b1', 'b2']) {
      const history = (await runCli(['history', id, '--data-dir', dataDir, '--json'])).events[0]!.entries as Array<{ event: string, at: number }>
      starts.push(history.find(e => e.event === 'assigned')!.at)
    }
    starts.sort((a, b) => a - b)
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(1000)
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(1000)
  }, 120_000)

  it('keeps to a limit across an admin restart, finished tasks archived or not', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-rate-restart-'))
    const tasks = join(dir, 'tasks.json')
    await writeFile(tasks, JSON.stringify([{ id: 'h0', rate_limit_key: 'hourly' }, { id: 'h1', rate_limit_key: 'hourly' }]))
    const dataDir = join(dir, 'state')
    const admin = (listen: string): ReturnType<typeof start> => start(['admin', '--rate-limit', 'hourly=1/1h', '--tasks', tasks, '--data-dir', dataDir, '--listen', listen, '--json'])
    const first = admin('/ip4/127.0.0.1/tcp/0')
    const { addrs } = await first.waitForEvent('listening')
    start(['worker', '--admin', addrs[0], '--name', 'w', '--skill', '1', '--json'])
    await first.waitFor(e => e.event === 'task:completed' && e.id === 'h0')
    first.kill('SIGTERM')
    await first.exited
    // the same data directory and address: the worker comes back by itself
    const second = admin(`/ip4/127.0.0.1/tcp/${/\/tcp\/(\d+)\//.exec(addrs[0])![1]}`)
    await second.waitForEvent('worker:connected')
    const ready = (await runCli(['tasks', '--admin', addrs[0], '--state', 'ready', '--json'])).events[0]!.tasks
    expect(ready).toEqual([expect.objectContaining({ id: 'h1', waitingFor: 'rate limit "hourly": 1 per 3600 s' })])
  }, 120_000)

  it('says what is wrong with a limit', async () => {
    const bad = await runCli(['admin', '--rate-limit', 'summarize=100'])
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('expected KEY=N/PERIOD, such as summarize=100/1s') })
    const twice = await runCli(['admin', '--rate-limit', 'a=1/1s', '--rate-limit', 'a=2/1s'])
    expect(twice).toMatchObject({ code: 2, stderr: expect.stringContaining('"a" has a rate limit already') })
  })
})
