import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliProcesses, runCli } from '../helpers/cli.js'

const { start } = cliProcesses()

describe('task groups on real processes', () => {
  it('caps each group by --group-concurrency with the weights of the config file, says why a task waits, and pauses a group', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-groups-'))
    const tasks = join(dir, 'tasks.json')
    await writeFile(tasks, JSON.stringify([
      // a0 runs until cancelled: a1 waits behind it for as long as the test looks
      { id: 'a0', group: 'acme', payload: { durationMs: 600_000 } },
      { id: 'a1', group: 'acme', payload: { durationMs: 100 } },
      ...[0, 1, 2].map(i => ({ id: `g${i}`, group: 'globex', payload: { durationMs: 300 } }))
    ]))
    await writeFile(join(dir, 'taskmesh.yaml'), 'task_manager:\n  group_weights: { acme: 3, globex: 1 }\n  group_concurrency: 1\n')
    const admin = start(['admin', '--config', join(dir, 'taskmesh.yaml'), '--tasks', tasks, '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-when-done', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    // globex is paused before the worker comes: acme runs alone, one at a time
    expect((await runCli(['pause', '--group', 'globex', '--reason', 'over quota', '--admin', addrs[0]])).stdout).toMatch(/tasks of group "globex": nothing new starts until `taskmesh resume --group globex`/)
    start(['worker', '--admin', addrs[0], '--name', 'w', '--skill', '1', '--max-concurrent', '8', '--json'])
    await admin.waitFor(e => e.event === 'task:assigned')
    const ready = (await runCli(['tasks', '--admin', addrs[0], '--state', 'ready', '--json'])).events[0]!.tasks as Array<{ id: string, group: string, waitingFor: string }>
    expect(ready.find(t => t.id === 'a1')).toMatchObject({ group: 'acme', waitingFor: 'group "acme" runs 1, at most 1 at once (--group-concurrency)' })
    expect(ready.find(t => t.id === 'g0')).toMatchObject({ group: 'globex', waitingFor: 'paused (tasks of group "globex"): over quota' })
    expect((await runCli(['cancel', 'a0', '--admin', addrs[0]])).code).toBe(0)
    await admin.waitFor(e => e.event === 'task:completed' && e.id === 'a1')
    expect((await runCli(['resume', '--group', 'globex', '--admin', addrs[0]])).code).toBe(0)
    // (a cancelled task: the run did not all succeed)
    expect(await admin.exit(60_000)).toBe(1)

    // never two of one group at once, by the admin's own events
    const running = new Map<string, number>()
    for (const e of admin.events) {
      const group = String(e.taskId ?? e.id).startsWith('a') ? 'acme' : 'globex'
      if (e.event === 'task:assigned') running.set(group, (running.get(group) ?? 0) + 1)
      if (e.event === 'task:completed') running.set(group, running.get(group)! - 1)
      for (const n of running.values()) expect(n).toBeLessThanOrEqual(1)
    }
    expect(admin.events.at(-1)).toMatchObject({ event: 'summary', total: 5, succeeded: 4, cancelled: 1 })
  }, 90_000)

  it('refuses a weight that cannot share, naming the setting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-groups-bad-'))
    await writeFile(join(dir, 'taskmesh.yaml'), 'task_manager:\n  group_weights: { acme: 0 }\n')
    const bad = await runCli(['admin', '--config', join(dir, 'taskmesh.yaml'), '--listen', '/ip4/127.0.0.1/tcp/0'])
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringMatching(/group_weights: expected GROUP=WEIGHT.*not "acme=0"/) })
    expect(await runCli(['admin', '--group-weights', 'acme', '--listen', '/ip4/127.0.0.1/tcp/0'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--group-weights.*GROUP=WEIGHT/) })
  })
})
