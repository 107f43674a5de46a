import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliProcesses, runCli } from '../helpers/cli.js'
import { acceptedSuccesses } from '../helpers/journal.js'

const { start } = cliProcesses()

describe('delayed tasks on real processes', () => {
  it('a task with run_at waits and says until when; across an admin SIGKILL it runs once, never before its time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-delayed-'))
    const dataDir = join(dir, 'state')
    const adminArgs = (listen: string): string[] => ['admin', '--data-dir', dataDir, '--listen', listen, '--json']
    const first = start(adminArgs('/ip4/127.0.0.1/tcp/0'))
    const { addrs } = await first.waitForEvent('listening')
    // 'soon' is due in two seconds: whether that passes before the kill or after, no worker is there before
    // the restart, so it can only run after it, and never before its time. 'next-hour' shows how one waits.
    const runAt = Date.now() + 2_000
    const nextHour = Date.now() + 3_600_000
    const file = join(dir, 'tasks.json')
    await writeFile(file, JSON.stringify([{ id: 'soon', run_at: new Date(runAt).toISOString() }, { id: 'next-hour', run_at: nextHour }]))
    expect((await runCli(['submit', '--admin', addrs[0], '--tasks', file])).code).toBe(0)

    const listed = await runCli(['tasks', '--admin', addrs[0], '--json'])
    const delayed = listed.events[0]!.tasks.find((t: { id: string }) => t.id === 'next-hour')
    expect(delayed).toMatchObject({ state: 'delayed', waitingFor: `not before ${new Date(nextHour).toISOString()}` })
    const said = await runCli(['result', 'next-hour', '--admin', addrs[0]])
    expect(said.stderr).toMatch(/task next-hour waits to start at .* \(its run_at or delay\): no result yet/)
    const waiting = (await runCli(['history', 'next-hour', '--admin', addrs[0], '--json'])).events[0]!.entries as Array<{ event: string, retryAt?: number }>
    expect(waiting.map(e => [e.event, e.retryAt])).toEqual([['submitted', undefined], ['delayed', nextHour]])

    first.kill('SIGKILL')
    await first.exited
    const port = /\/tcp\/(\d+)\//.exec(addrs[0])![1]
    const second = start(adminArgs(`/ip4/127.0.0.1/tcp/${port}`))
    await second.waitForEvent('listening')
    start(['worker', '--admin', addrs[0], '--name', 'w', '--skill', '1', '--json'])
    const assigned = await second.waitFor(e => e.event === 'task:assigned' && e.taskId === 'soon', 60_000)
    expect(assigned.attempt).toBe(1)
    await second.waitFor(e => e.event === 'task:completed' && e.id === 'soon', 60_000)
    const history = (await runCli(['history', 'soon', '--admin', addrs[0], '--json'])).events[0]!.entries as Array<{ event: string, at: number }>
    expect(history.find(e => e.event === 'assigned')!.at).toBeGreaterThanOrEqual(runAt)
    // the one due in an hour still waits, restart or not
    expect((await runCli(['tasks', '--admin', addrs[0], '--state', 'delayed', '--json'])).events[0]!.tasks.map((t: { id: string }) => t.id)).toEqual(['next-hour'])
    // once the admin has stopped, its journal says the task was accepted once
    second.kill('SIGTERM')
    await second.exited
    expect(acceptedSuccesses(dataDir).get('soon')).toBe(1)
  }, 120_000)
})
