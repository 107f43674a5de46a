import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Scheduler } from '../../src/core/scheduler.js'
import { taskSpec, type TaskSpec } from '../../src/core/task.js'
import { SqliteJournal, JOURNAL_FILE } from '../../src/store/sqlite-journal.js'
import { spawnCli } from '../../src/simulation/processes.js'
import { TaskManager } from '../../src/manager/task-manager.js'
import { jsonLines } from './lines.js'
import type { SchedulerEvent } from '../../src/core/events.js'
import type { ChildProcess } from 'node:child_process'

/** Tasks submitted and run per batch while the history is built: one flush of the admin. */
const BATCH = 2_000

export interface HistoryBuild {
  dataDir: string
  tasks: number
  /** Tasks left unfinished (ready) in the journal: what a restart replays. */
  live: number
  buildSeconds: number
  /** The journal file, its WAL checkpointed. */
  journalBytes: number
  /** Event rows kept for replay. */
  eventRows: number
  archivedTasks: number
}

/**
 * A data directory whose journal holds `tasks` finished tasks and `live` unfinished ones, written as an
 * admin writes it: the scheduler runs each batch (one worker, every result a success, every tenth task
 * depending on the one before), and each turn's events and archived tasks go into the journal together.
 */
export async function buildHistory (tasks: number, live: number, onProgress?: (done: number) => void): Promise<HistoryBuild> {
  const dataDir = await mkdtemp(join(tmpdir(), 'taskmesh-history-'))
  const file = join(dataDir, JOURNAL_FILE)
  const journal = new SqliteJournal(file, { sync: 'normal' })
  const started = performance.now()
  try {
    const scheduler = new Scheduler({ archive: journal.archive })
    const flush = (): Array<Extract<SchedulerEvent, { type: 'assigned' }>> => {
      const events = scheduler.takeEvents()
      const archive = scheduler.takeArchived()
      journal.append({ events: events.filter(e => e.type !== 'completed' && e.type !== 'worker-joined' && e.type !== 'assigning-started') as never, archive })
      scheduler.archived(archive)
      return events.filter(e => e.type === 'assigned')
    }
    // a peer id and times of the real length, so records are as long as an admin's
    let now = Date.now()
    scheduler.registerWorker({ id: `12D3KooW${'x'.repeat(44)}`, name: 'worker-0', skill: 10, capabilities: [], maxConcurrent: BATCH }, now)
    for (let first = 0; first < tasks + live; first += BATCH) {
      const specs: TaskSpec[] = []
      for (let i = first; i < Math.min(first + BATCH, tasks + live); i++) {
        specs.push(taskSpec({ id: `task-${i}`, description: `step ${i}`, difficulty: i % 10, payload: { durationMs: 10 }, ...(i % 10 === 9 ? { dependsOn: [`task-${i - 1}`] } : {}) }))
      }
      scheduler.submit(specs, now)
      if (first >= tasks) {
        // the live tail: submitted, never assigned
        flush()
        continue
      }
      // dependents become ready as their dependencies succeed: a few rounds per batch
      for (let assigned = (scheduler.schedule(now), flush()); assigned.length > 0; now++) {
        for (const a of assigned) scheduler.report(a.workerId, { taskId: a.taskId, attempt: a.attempt, token: a.token, success: true, output: { ok: true }, durationMs: 10 }, now)
        scheduler.schedule(now)
        assigned = flush()
      }
      onProgress?.(Math.min(first + BATCH, tasks))
    }
    const buildSeconds = (performance.now() - started) / 1000
    const eventRows = journal.size
    const archivedTasks = journal.archive.size
    journal.close()
    return { dataDir, tasks, live, buildSeconds, journalBytes: (await stat(file)).size, eventRows, archivedTasks }
  } catch (err) {
    journal.close()
    await rm(dataDir, { recursive: true, force: true })
    throw err
  }
}

/** From starting `taskmesh admin --data-dir DIR` to its `listening` event: loading the journal included. */
export async function restartMs (dataDir: string): Promise<number> {
  const started = performance.now()
  const admin = spawnCli(['admin', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--json'], { built: true })
  try {
    await jsonLines(admin).next(e => e.event === 'listening')
    return performance.now() - started
  } finally {
    await stop(admin)
  }
}

export interface IdleResult {
  workers: number
  seconds: number
  /** Workers still registered at the end: their heartbeats kept their leases (15 s) alive. */
  online: number
  /** Journal rows written while the workers were connected and idle. */
  rows: number
  rowsPerWorkerPerMinute: number
}

/** An admin with a SQLite journal and `workers` connected worker processes (a heartbeat every 5 s), idle for `seconds`. */
export async function idleBench (workers: number, seconds: number): Promise<IdleResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'taskmesh-idle-'))
  const journal = new SqliteJournal(join(dataDir, JOURNAL_FILE))
  const manager = new TaskManager([], { dataDir, journal, listen: ['/ip4/127.0.0.1/tcp/0'] })
  const children: ChildProcess[] = []
  try {
    await manager.start()
    const joined = new Promise<void>((resolve, reject) => {
      let n = 0
      manager.addEventListener('worker:connected', () => { if (++n === workers) resolve() })
      for (let i = 0; i < workers; i++) {
        const w = spawnCli(['worker', '--admin', manager.details().addresses[0]!, '--name', `idle-${i}`, '--skill', '1', '--quiet'], { built: true })
        let stderr = ''
        w.stdout?.resume()
        w.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
        w.once('exit', code => { reject(new Error(`worker idle-${i} exited (${code}) before registering: ${stderr.trim()}`)) })
        children.push(w)
      }
    })
    await joined
    const rowsBefore = journal.size
    await new Promise(resolve => setTimeout(resolve, seconds * 1000))
    const rows = journal.size - rowsBefore
    const online = manager.workers().filter(w => w.online).length
    return { workers, seconds, online, rows, rowsPerWorkerPerMinute: rows / workers / (seconds / 60) }
  } finally {
    await Promise.all(children.map(stop))
    await manager.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode != null || child.signalCode != null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
}
