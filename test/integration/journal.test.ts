import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { Scheduler } from '../../src/core/scheduler.js'
import { isFinal } from '../../src/core/task.js'
import { SqliteJournal } from '../../src/store/sqlite-journal.js'
import { MemoryJournal } from '../../src/store/journal.js'
import type { DurableEvent } from '../../src/core/events.js'

const WRITER = fileURLToPath(new URL('../fixtures/journal-writer.mjs', import.meta.url))

describe('journals', () => {
  it('give back what was appended, in order, after reopening (SQLite) or at once (memory)', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'taskmesh-journal-')), 'journal.db')
    const events: DurableEvent[] = [
      { type: 'submitted', at: 1, seq: 0, task: { id: 'a', description: '', type: 'simulate', difficulty: 0, priority: 5, requires: [], dependsOn: [], retry: { maxAttempts: 1, backoff: 'fixed', initialDelayMs: 0, maxDelayMs: 0, jitter: 0 } } },
      { type: 'assigned', at: 2, taskId: 'a', attempt: 1, workerId: 'w', workerName: 'w', token: 't' },
      { type: 'attempt-ended', at: 3, taskId: 'a', attempt: 1, workerId: 'w', outcome: 'succeeded', output: { n: 1 } }
    ]
    for (const journal of [new MemoryJournal(), new SqliteJournal(file)]) {
      journal.append(events.slice(0, 2))
      journal.append(events.slice(2))
      expect([...journal.load()]).toEqual(events)
      journal.close()
    }
    const reopened = new SqliteJournal(file)
    expect([...reopened.load()]).toEqual(events)
    expect(reopened.eventsOf('a')).toHaveLength(3)
    reopened.close()
  })

  it('refuse a file that is not a journal, naming it', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'taskmesh-journal-')), 'journal.db')
    await import('node:fs/promises').then(fs => fs.writeFile(file, 'certainly not sqlite'.repeat(100)))
    expect(() => new SqliteJournal(file)).toThrow(expect.objectContaining({ name: 'StoreError', message: `journal ${file} is not a taskmesh journal or is damaged; move it away to start empty` }))
  })

  it('after a kill in the middle of a write burst, replay to a consistent state that ends on a batch boundary', async () => {
    // the sizes of the batches the writer produces, from a dry run of the same deterministic workload
    const dry = spawnSync(process.execPath, [WRITER, '', '--dry'], { encoding: 'utf8' })
    expect(dry.status).toBe(0)
    const sizes = dry.stdout.trim().split('\n').map(l => Number(l.split(' ')[1]))
    const boundaries = new Set(sizes.reduce<number[]>((acc, n) => [...acc, (acc.at(-1) ?? 0) + n], [0]))

    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-torn-'))
    const file = join(dir, 'journal.db')
    const child = spawn(process.execPath, [WRITER, file], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise(resolve => child.on('exit', resolve))
    // killed at a point that depends on the run: once a few hundred batches are committed
    let committed = 0
    await new Promise<void>(resolve => {
      createInterface({ input: child.stdout! }).on('line', line => {
        committed = Number(line.split(' ')[2])
        if (Number(line.split(' ')[1]) === 300) {
          child.kill('SIGKILL')
          resolve()
        }
      })
    })
    await exited

    const journal = new SqliteJournal(file)
    const events = [...journal.load()]
    journal.close()
    // at least what was reported committed, possibly a batch or two more, never part of a batch
    expect(events.length).toBeGreaterThanOrEqual(committed)
    expect(boundaries.has(events.length)).toBe(true)

    const restored = new Scheduler()
    restored.restore(events, 1_000_000)
    const summary = restored.view.summary()
    expect(summary.total).toBe(3000)
    const states = Object.values(summary.counts).reduce((a, b) => a + b, 0)
    expect(states).toBe(3000)
    // every succeeded task has exactly one accepted success in the journal
    const successes = new Map<string, number>()
    for (const e of events) if (e.type === 'attempt-ended' && e.outcome === 'succeeded') successes.set(e.taskId, (successes.get(e.taskId) ?? 0) + 1)
    for (const task of restored.view.listTasks()) {
      expect(successes.get(task.id) ?? 0).toBe(task.state === 'succeeded' ? 1 : 0)
      if (!isFinal(task.state)) expect(['waiting', 'ready', 'delayed', 'running']).toContain(task.state)
    }
  })
})
