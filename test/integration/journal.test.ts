import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PostgresJournal } from '../../src/store/postgres-journal.js'
import { postgresMissing, TestPostgres } from '../helpers/postgres.js'
import { requirement } from '../helpers/system.js'
import { Scheduler } from '../../src/core/scheduler.js'
import { isFinal, taskSpec, type TaskSpec } from '../../src/core/task.js'
import { SqliteJournal } from '../../src/store/sqlite-journal.js'
import { SpillingArchive } from '../../src/store/spilling-archive.js'
import Database from 'better-sqlite3'
import { MemoryJournal, type Journal, type OutboxMessage } from '../../src/store/journal.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { UnrecoverableError } from '../../src/errors.js'
import { Network } from '../helpers/net.js'
import type { ArchivedTask } from '../../src/core/snapshots.js'
import type { DurableEvent } from '../../src/core/events.js'

const WRITER = fileURLToPath(new URL('../fixtures/journal-writer.mjs', import.meta.url))

const spec = (id: string, cacheKey?: string): TaskSpec => taskSpec({ id, ...(cacheKey != null ? { cacheKey } : {}) })
const lifeOf = (id: string, seq: number): DurableEvent[] => [
  { type: 'submitted', at: 1, seq, task: spec(id) },
  { type: 'assigned', at: 2, taskId: id, attempt: 1, workerId: 'w', workerName: 'w', token: 't' },
  { type: 'attempt-ended', at: 3, taskId: id, attempt: 1, workerId: 'w', outcome: 'succeeded', output: { n: seq } }
]
const archived = (id: string, seq: number, cacheKey?: string): ArchivedTask => ({
  id, seq, state: 'succeeded', spec: spec(id, cacheKey), output: { n: seq }, submittedAt: 1, finishedAt: 3,
  attempts: [{ attempt: 1, workerId: 'w', workerName: 'w', assignedAt: 2, endedAt: 3, outcome: 'succeeded' }],
  history: [{ at: 1, event: 'submitted' }, { at: 2, event: 'assigned', attempt: 1, worker: 'w', workerId: 'w' }, { at: 3, event: 'succeeded', attempt: 1, worker: 'w', workerId: 'w' }]
})

const postgres = requirement('the PostgreSQL journal tests', postgresMissing())
let server: TestPostgres | undefined
let databases = 0
beforeAll(async () => { if (postgres.missing == null) server = await TestPostgres.start() }, 60_000)
afterAll(async () => { await server?.stop() })

class KeptOpen extends MemoryJournal {
  override close (): void {}
}

type Make = () => Promise<{ open: () => Promise<Journal>, reopens: boolean }>
/** The same contract, whatever keeps the journal. */
const journals: Array<[string, Make]> = [
  ['memory', async () => { const journal = new MemoryJournal(); return { open: async () => journal, reopens: false } }],
  // an admin without a data directory: its archive moves to a temporary file beyond a limit (here 1 task)
  // (kept open: a memory journal is "reopened" as the same object, and this one's file would go with close)
  ['memory spilling to disk', async () => { const journal = new KeptOpen({ archive: new SpillingArchive(1) }); return { open: async () => journal, reopens: false } }],
  ['SQLite', async () => { const file = join(await mkdtemp(join(tmpdir(), 'taskmesh-journal-')), 'journal.db'); return { open: async () => new SqliteJournal(file), reopens: true } }]
]
if (postgres.missing == null) {
  journals.push(['PostgreSQL', async () => {
    const url = await server!.database(`journal_${databases++}`)
    return { open: async () => await PostgresJournal.open(url), reopens: true }
  }])
}

describe.each(journals)('the %s journal', (_name, make) => {
  it('gives back what was appended, in order, after reopening', async () => {
    const { open } = await make()
    const events = lifeOf('a', 0)
    const journal = await open()
    await journal.append({ events: events.slice(0, 2), archive: [] })
    await journal.append({ events: events.slice(2), archive: [] })
    expect([...journal.load()]).toEqual(events)
    await journal.close()
    const reopened = await open()
    expect([...reopened.load()]).toEqual(events)
    await reopened.close()
  })

  it("archives a finished task: its events are no longer replayed, its record is read on demand", async () => {
    const { open } = await make()
    const journal = await open()
    await journal.append({ events: [...lifeOf('a', 0), ...lifeOf('b', 1)], archive: [] })
    await journal.append({ events: lifeOf('c', 2), archive: [archived('a', 0, 'k'), archived('c', 2)] })
    await journal.close()
    for (let round = 0; round < 2; round++) {
      const j = await open()
      expect([...j.load()]).toEqual(lifeOf('b', 1))
      expect(j.archive.get('a')).toEqual(archived('a', 0, 'k'))
      expect([j.archive.has('a'), j.archive.has('b'), j.archive.size, j.archive.lastSeq]).toEqual([true, false, 2, 2])
      expect([...j.archive.list()].map(t => t.id)).toEqual(['a', 'c'])
      expect([...j.archive.list({ afterSeq: 0 })].map(t => t.id)).toEqual(['c'])
      expect([...j.archive.cached()].map(t => t.id)).toEqual(['a'])
      await j.close()
    }
  })

  it('stays writable after a listing left at its first page (an API page of tasks)', async () => {
    const { open } = await make()
    const journal = await open()
    await journal.append({ events: [...lifeOf('a', 0), ...lifeOf('b', 1)], archive: [archived('a', 0), archived('b', 1)] })
    const scheduler = new Scheduler({ archive: journal.archive })
    for (const task of scheduler.view.listTasks()) {
      expect(task.id).toBe('a')
      break
    }
    await journal.append({ events: lifeOf('c', 2), archive: [archived('c', 2)] })
    expect([...journal.archive.list()].map(t => t.id)).toEqual(['a', 'b', 'c'])
    await journal.close()
  })
})

describe.each(journals)('the %s journal, large', (_name, make) => {
  it('keeps the events of live tasks only, and reads back an archive of many pages in submission order', async () => {
    const { open, reopens } = await make()
    const journal = await open()
    const n = 12_000
    const live = [3, 5_001, 11_999]
    // submitted, run and archived in batches of 1,000, as an admin does: the events kept are compacted on the way
    for (let first = 0; first < n; first += 1_000) {
      const ids = Array.from({ length: 1_000 }, (_, i) => first + i)
      await journal.append({ events: ids.flatMap(i => lifeOf(`t${i}`, i)), archive: [] })
      await journal.append({ events: [], archive: ids.filter(i => !live.includes(i)).reverse().map(i => archived(`t${i}`, i)) })
    }
    const check = (j: Journal): void => {
      expect([...j.load()]).toEqual(live.flatMap(i => lifeOf(`t${i}`, i)))
      expect([j.archive.size, j.archive.lastSeq, j.archive.has('t5000'), j.archive.has('t5001')]).toEqual([n - live.length, n - 2, true, false])
      const listed = [...j.archive.list({ afterSeq: 4_990 })].slice(0, 12).map(t => t.id)
      expect(listed).toEqual([4_991, 4_992, 4_993, 4_994, 4_995, 4_996, 4_997, 4_998, 4_999, 5_000, 5_002, 5_003].map(i => `t${i}`))
      expect(j.archive.get('t11998')).toEqual(archived('t11998', 11_998))
    }
    check(journal)
    await journal.close()
    if (!reopens) return
    const reopened = await open()
    check(reopened)
    await reopened.close()
  }, 60_000)
})

describe.each(journals)('the %s journal\'s retention', (_name, make) => {
  it('drops purged tasks\' records and events, lists the oldest finished first, and numbers on after them, across reopening', async () => {
    const { open } = await make()
    const journal = await open()
    const at = (id: string, seq: number, finishedAt: number): ArchivedTask => ({ ...archived(id, seq, id === 'a' ? 'k' : undefined), finishedAt })
    await journal.append({ events: [...lifeOf('a', 0), ...lifeOf('b', 1), ...lifeOf('c', 2), ...lifeOf('live', 3)], archive: [at('a', 0, 30), at('b', 1, 10), at('c', 2, 20)] })
    expect([...journal.archive.oldest({ limit: 2 })].map(t => [t.id, t.finishedAt])).toEqual([['b', 10], ['c', 20]])
    expect([...journal.archive.oldest({ limit: 5, before: 25 })].map(t => t.id)).toEqual(['b', 'c'])
    expect([...journal.archive.oldest({ limit: 5, before: 31 })].find(t => t.id === 'a')).toEqual({ id: 'a', seq: 0, state: 'succeeded', finishedAt: 30, cacheKey: 'k' })
    // 'live' (seq 3) was never archived: its events go with it, and numbering goes on after it
    await journal.append({ events: [], archive: [], purged: [{ id: 'b', seq: 1 }, { id: 'live', seq: 3 }] })
    await journal.close()
    for (let round = 0; round < 2; round++) {
      const j = await open()
      expect([...j.load()]).toEqual([])
      expect([j.archive.has('b'), j.archive.has('a'), j.archive.size, j.archive.lastSeq, j.archive.dropped]).toEqual([false, true, 2, 3, true])
      expect([...j.archive.list()].map(t => t.id)).toEqual(['a', 'c'])
      expect([...j.archive.oldest({ limit: 5 })].map(t => t.id)).toEqual(['c', 'a'])
      await j.close()
    }
  })
})

describe.each(journals)('the %s journal\'s batches', (_name, make) => {
  it('leaves, of a batch that undoes its own parts, what doing them in turn would: a task archived and dropped, a message queued and delivered, a schedule put and removed', async () => {
    const { open, reopens } = await make()
    const journal = await open()
    const schedule = (name: string) => ({ name, everyMs: 60_000, task: taskSpec({ id: name }), paused: false, lastSlot: 0, createdAt: 1 })
    const message = (id: string): OutboxMessage => ({ id, target: 'http://127.0.0.1:9/hook', event: 'task:completed', body: '{}', at: 5 })
    await journal.append({ events: lifeOf('kept', 0), archive: [], outbox: [message('old')], schedules: { put: [schedule('old')], removed: [] } })
    await journal.append({
      events: [...lifeOf('gone', 1), ...lifeOf('both', 2)],
      archive: [archived('both', 2), archived('kept', 0)],
      purged: [{ id: 'both', seq: 2 }, { id: 'gone', seq: 1 }],
      outbox: [message('new'), message('fleeting')],
      delivered: ['fleeting', 'old'],
      schedules: { put: [schedule('new'), schedule('brief')], removed: ['brief', 'old'] }
    })
    const check = (j: Journal): void => {
      expect([...j.load()]).toEqual([])
      expect([j.archive.has('kept'), j.archive.has('both'), j.archive.has('gone'), j.archive.size]).toEqual([true, false, false, 1])
      expect(j.outbox().map(m => m.id)).toEqual(['new'])
    }
    check(journal)
    await journal.close()
    if (!reopens) return
    const reopened = await open()
    check(reopened)
    expect(reopened.schedules().map(s => s.name)).toEqual(['new'])
    await reopened.close()
  })
})

describe.each(journals)('the %s journal\'s outbox', (_name, make) => {
  const message = (id: string, target = 'http://127.0.0.1:9/hook'): OutboxMessage => ({ id, target, event: 'task:completed', body: JSON.stringify({ id }), at: 5 })

  it('keeps a message from the batch that records it until a later batch says it was delivered; once, however often recorded', async () => {
    const { open } = await make()
    const journal = await open()
    await journal.append({ events: lifeOf('a', 0), archive: [], outbox: [message('a'), message('b', 'http://127.0.0.1:9/other')] })
    // recorded again (an event seen twice): kept once, where it was
    await journal.append({ events: [], archive: [], outbox: [message('a'), message('c')] })
    expect(journal.outbox().map(m => m.id)).toEqual(['a', 'b', 'c'])
    await journal.append({ events: [], archive: [], delivered: ['a'] })
    await journal.close()
    const reopened = await open()
    expect(reopened.outbox()).toEqual([message('b', 'http://127.0.0.1:9/other'), message('c')])
    await reopened.append({ events: [], archive: [], delivered: ['b', 'c', 'unknown'] })
    expect(reopened.outbox()).toEqual([])
    await reopened.close()
  })
})

describe.each(journals)('the %s journal\'s worker tallies', (_name, make) => {
  it('keeps the latest tally of each worker, across reopening', async () => {
    const { open } = await make()
    const journal = await open()
    await journal.append({ events: lifeOf('a', 0), archive: [], tallies: [{ id: 'w', name: 'w', completed: 1, failed: 0 }] })
    await journal.append({ events: [], archive: [], tallies: [{ id: 'w', name: 'renamed', completed: 2, failed: 1 }, { id: 'v', name: 'v', completed: 0, failed: 3 }] })
    await journal.close()
    const reopened = await open()
    expect(reopened.tallies().sort((a, b) => a.id.localeCompare(b.id))).toEqual([{ id: 'v', name: 'v', completed: 0, failed: 3 }, { id: 'w', name: 'renamed', completed: 2, failed: 1 }])
    await reopened.close()
  })
})

describe.each(journals)('the %s journal\'s rate-limit starts', (_name, make) => {
  it('keeps each limit\'s starts from the oldest its window needs, across reopening', async () => {
    const { open } = await make()
    const journal = await open()
    await journal.append({ events: [], archive: [], rateStarts: [{ key: 'k', starts: [100, 200], keepFrom: -Infinity }, { key: 'j', starts: [150], keepFrom: -Infinity }] })
    await journal.append({ events: [], archive: [], rateStarts: [{ key: 'k', starts: [300], keepFrom: 200 }] })
    await journal.close()
    const reopened = await open()
    expect(reopened.rateStarts()).toEqual([{ key: 'j', at: 150 }, { key: 'k', at: 200 }, { key: 'k', at: 300 }])
    await reopened.close()
  })
})

describe('journals', () => {
  it.skipIf(postgres.missing != null)('refuse a PostgreSQL archive record that is not readable, naming the task', async () => {
    const url = await server!.database(`journal_${databases++}`)
    await (await PostgresJournal.open(url)).close()
    const pg = (await import('pg')).default
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    await client.query('INSERT INTO taskmesh_archive (id, seq, state, body) VALUES ($1, 0, $2, $3)', ['broken', 'succeeded', '{"seq": 0, "spec":'])
    await client.end()
    await expect(PostgresJournal.open(url)).rejects.toThrow(/archived task "broken" is not readable.*restore it from a backup/)
  })

  it('reads a SQLite journal of version 4: when each archived task finished is taken from its record', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'taskmesh-journal-v4-')), 'journal.db')
    const journal = new SqliteJournal(file)
    journal.append({ events: lifeOf('a', 0), archive: [{ ...archived('a', 0), finishedAt: 30 }] })
    journal.close()
    // as version 4 left it: no finished_at column
    const db = new Database(file)
    db.exec('DROP INDEX archive_by_finish; ALTER TABLE archive DROP COLUMN finished_at; UPDATE meta SET value = \'4\' WHERE key = \'schema\'')
    db.close()
    const reopened = new SqliteJournal(file)
    expect([...reopened.archive.oldest({ limit: 1 })]).toEqual([{ id: 'a', seq: 0, state: 'succeeded', finishedAt: 30 }])
    reopened.close()
  })

  it('an admin restarted on its data directory counts each worker\'s attempts as before, once it is back', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'taskmesh-tallies-'))
    const key = await generateKeyPair('Ed25519')
    const handlers = { work: (task: { payload: unknown }) => { if ((task.payload as { fail?: boolean } | undefined)?.fail === true) throw new UnrecoverableError('no') } }
    const first = new Network()
    try {
      const manager = await first.admin([], { listen: ['/ip4/127.0.0.1/tcp/0'], dataDir })
      await first.worker(manager, 'steady', 1, { privateKey: key, handlers })
      manager.submit([{ id: 'a', type: 'work' }, { id: 'b', type: 'work' }, { id: 'c', type: 'work', payload: { fail: true } }])
      await manager.whenDone()
      expect(manager.workers().find(w => w.name === 'steady')).toMatchObject({ completed: 2, failed: 1 })
    } finally {
      await first.stop()
    }
    const second = new Network()
    try {
      const manager = await second.admin([], { listen: ['/ip4/127.0.0.1/tcp/0'], dataDir })
      // the same worker (its peer id), back after the restart: its counts are those it had
      await second.worker(manager, 'steady', 1, { privateKey: key, handlers })
      expect(manager.workers().find(w => w.name === 'steady')).toMatchObject({ completed: 2, failed: 1, successRate: 2 / 3 })
      manager.submit([{ id: 'd', type: 'work' }])
      await manager.whenDone()
      expect(manager.workers().find(w => w.name === 'steady')).toMatchObject({ completed: 3, failed: 1 })
    } finally {
      await second.stop()
    }
  })

  it('refuse a file that is not a journal, naming it', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'taskmesh-journal-')), 'journal.db')
    await import('node:fs/promises').then(fs => fs.writeFile(file, 'certainly not sqlite'.repeat(100)))
    expect(() => new SqliteJournal(file)).toThrow(expect.objectContaining({ name: 'StoreError', message: `journal ${file} is not a taskmesh journal or is damaged; move it away to start empty` }))
  })

  it('after a kill in the middle of a write burst, replay to a consistent state that ends on a batch boundary', async () => {
    // what the journal holds after each batch (live events, archived tasks), from a dry run of the same
    // deterministic workload
    const dry = spawnSync(process.execPath, [WRITER, '', '--dry'], { encoding: 'utf8' })
    expect(dry.status).toBe(0)
    const boundaries = new Map(dry.stdout.trim().split('\n').map(l => { const [, n, live, archivedCount] = l.split(' '); return [`${live} ${archivedCount}`, Number(n)] }))
    boundaries.set('0 0', 0)

    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-torn-'))
    const file = join(dir, 'journal.db')
    const child = spawn(process.execPath, [WRITER, file], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise(resolve => child.on('exit', resolve))
    // killed at a point that depends on the run: once a few hundred batches are committed
    let committed = 0
    await new Promise<void>(resolve => {
      createInterface({ input: child.stdout! }).on('line', line => {
        committed = Number(line.split(' ')[1])
        if (committed === 300) {
          child.kill('SIGKILL')
          resolve()
        }
      })
    })
    await exited

    const journal = new SqliteJournal(file)
    try {
      const events = [...journal.load()]
      // at least what was reported committed, possibly a batch or two more, never part of a batch
      const batch = boundaries.get(`${events.length} ${journal.archive.size}`)
      expect(batch).toBeDefined()
      expect(batch).toBeGreaterThanOrEqual(committed)

      const restored = new Scheduler({ archive: journal.archive })
      restored.restore(events, 1_000_000)
      const summary = restored.view.summary()
      expect(summary.total).toBe(3000)
      const states = Object.values(summary.counts).reduce((a, b) => a + b, 0)
      expect(states).toBe(3000)
      // every succeeded task has exactly one accepted success in the journal: in its events, or its archived record
      const successes = new Map<string, number>()
      for (const e of events) if (e.type === 'attempt-ended' && e.outcome === 'succeeded') successes.set(e.taskId, (successes.get(e.taskId) ?? 0) + 1)
      for (const t of journal.archive.list()) successes.set(t.id, t.attempts.filter(a => a.outcome === 'succeeded').length)
      for (const task of restored.view.listTasks()) {
        expect(successes.get(task.id) ?? 0).toBe(task.state === 'succeeded' ? 1 : 0)
        if (!isFinal(task.state)) expect(['waiting', 'ready', 'delayed', 'running']).toContain(task.state)
      }
      expect(journal.archive.size).toBeGreaterThan(0)
    } finally {
      journal.close()
    }
  })

})
