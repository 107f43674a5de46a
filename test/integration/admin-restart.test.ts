import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { JOURNAL_FILE, SqliteJournal } from '../../src/store/sqlite-journal.js'
import { CliProcess } from '../helpers/cli.js'

const processes: CliProcess[] = []
afterEach(async () => {
  for (const p of processes.splice(0)) {
    p.kill('SIGKILL')
    await p.exited
  }
})
const start = (args: string[]): CliProcess => {
  const p = new CliProcess(args)
  processes.push(p)
  return p
}

describe('the admin killed with SIGKILL and started again on its data directory', () => {
  it('keeps its peer id, the workers come back by themselves, and every task completes once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-restart-'))
    const tasks = join(dir, 'tasks.json')
    await writeFile(tasks, JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ id: `r${i}`, payload: { durationMs: 10 } }))))
    const dataDir = join(dir, 'state')
    const adminArgs = (listen: string): string[] => ['admin', '--tasks', tasks, '--data-dir', dataDir, '--listen', listen, '--exit-when-done', '--json']

    const first = start(adminArgs('/ip4/127.0.0.1/tcp/0'))
    const { peerId, addrs } = await first.waitForEvent('listening')
    const workers = [0, 1, 2].map(i => start(['worker', '--admin', addrs[0], '--name', `w${i}`, '--skill', '1', '--max-concurrent', '4', '--json']))
    await first.waitUntil(() => first.events.filter(e => e.event === 'task:completed').length >= 100)
    first.kill('SIGKILL')
    await first.exited
    const doneBefore = first.events.filter(e => e.event === 'task:completed').length

    // same data directory, same address, and the same task file again
    const port = /\/tcp\/(\d+)\//.exec(addrs[0])![1]
    const second = start(adminArgs(`/ip4/127.0.0.1/tcp/${port}`))
    expect((await second.waitForEvent('listening')).peerId).toBe(peerId)
    expect(await second.exit(60_000)).toBe(0)
    const summary = second.events.at(-1)!
    expect(summary).toMatchObject({ event: 'summary', total: 400, succeeded: 400, failed: 0 })
    // the restarted admin did not run again what had completed before the kill
    expect(second.events.filter(e => e.event === 'task:completed').length).toBeLessThanOrEqual(400 - doneBefore + 20)
    // every worker noticed the admin go, and came back on its own
    for (const w of workers) expect(w.events.filter(e => e.event === 'connected').length).toBe(2)
    // the admin died while they worked: results finished meanwhile were kept and delivered on return
    expect(workers.reduce((n, w) => n + w.events.filter(e => e.event === 'connected')[1]!.resent, 0)).toBeGreaterThan(0)

    const journal = new SqliteJournal(join(dataDir, JOURNAL_FILE))
    const accepted = new Map<string, number>()
    for (const e of journal.load()) {
      if (e.type === 'attempt-ended' && e.outcome === 'succeeded') accepted.set(e.taskId, (accepted.get(e.taskId) ?? 0) + 1)
      if (e.type === 'submitted') expect(e.task.id).toMatch(/^r\d+$/)
    }
    journal.close()
    expect(accepted.size).toBe(400)
    expect([...accepted.values()].every(n => n === 1)).toBe(true)
  }, 120_000)
})
