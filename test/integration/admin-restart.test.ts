import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliProcesses } from '../helpers/cli.js'
import { acceptedSuccesses } from '../helpers/journal.js'

const { start } = cliProcesses()

describe('the admin killed with SIGKILL and started again on its data directory', () => {
  it('keeps its peer id, the workers come back by themselves, and every task completes once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-restart-'))
    const tasks = join(dir, 'tasks.json')
    // each task pinned to one of the three workers: the restarted admin cannot finish before every one is back
    await writeFile(tasks, JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ id: `r${i}`, agent: `w${i % 3}`, payload: { durationMs: 10 } }))))
    const dataDir = join(dir, 'state')
    const adminArgs = (listen: string): string[] => ['admin', '--tasks', tasks, '--data-dir', dataDir, '--listen', listen, '--exit-when-done', '--json']

    const first = start(adminArgs('/ip4/127.0.0.1/tcp/0'))
    const { peerId, addrs } = await first.waitForEvent('listening')
    const workers = [0, 1, 2].map(i => start(['worker', '--admin', addrs[0], '--name', `w${i}`, '--skill', '1', '--max-concurrent', '4', '--json']))
    // all three joined the first admin (a slow one could otherwise meet only the second) and work is under way
    await first.waitUntil(() => first.events.filter(e => e.event === 'worker:connected').length >= 3 && first.events.filter(e => e.event === 'task:completed').length >= 100)
    first.kill('SIGKILL')
    await first.exited
    const doneBefore = first.events.filter(e => e.event === 'task:completed').length

    // same data directory, same address, and the same task file again
    const port = /\/tcp\/(\d+)\//.exec(addrs[0])![1]
    const second = start(adminArgs(`/ip4/127.0.0.1/tcp/${port}`))
    expect((await second.waitForEvent('listening')).peerId).toBe(peerId)
    // it says what it resumed: every task, at least as many final as the first admin announced
    const resumed = await second.waitForEvent('resumed')
    expect(resumed.total).toBe(400)
    expect(resumed.counts.succeeded).toBeGreaterThanOrEqual(doneBefore)
    expect(resumed.counts.succeeded + resumed.counts.running + resumed.counts.ready).toBe(400)
    expect(await second.exit(60_000)).toBe(0)
    const summary = second.events.at(-1)!
    expect(summary).toMatchObject({ event: 'summary', total: 400, succeeded: 400, failed: 0 })
    // the restarted admin did not run again what had completed before the kill
    expect(second.events.filter(e => e.event === 'task:completed').length).toBeLessThanOrEqual(400 - doneBefore + 20)
    // every worker noticed the admin go, and came back on its own
    for (const w of workers) expect(w.events.filter(e => e.event === 'connected').length).toBe(2)
    // the admin died while they worked: results finished meanwhile were kept and delivered on return
    expect(workers.reduce((n, w) => n + w.events.filter(e => e.event === 'connected')[1]!.resent, 0)).toBeGreaterThan(0)

    // the task file was submitted twice: the journal holds its 400 tasks once, each accepted once
    const accepted = acceptedSuccesses(dataDir)
    expect(accepted.size).toBe(400)
    expect([...accepted.values()].every(n => n === 1)).toBe(true)
  }, 120_000)
})
