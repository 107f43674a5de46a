import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { TaskManager } from '../../src/manager/task-manager.js'
import { MEMORY_ARCHIVE_LIMIT } from '../../src/store/constants.js'
import { spawnCli } from '../../src/simulation/processes.js'
import { stopChild } from './proc.js'
import type { Report } from './goals.js'
import { postgresMissing, TestPostgres } from '../../test/helpers/postgres.js'

/** Tasks submitted at a time, and at most so many unfinished: an admin fed by a steady producer. */
const SUBMIT = 5_000
const MAX_UNFINISHED = 20_000
/** The first sample is taken this long after the workers start (warm-up left out). */
const WARM_UP_MS = 10_000
/** Times the first page of tasks is asked for at each end of the run. */
const LIST_TIMES = 10
/** How long the run waits for a state it needs (the first finished tasks, none unfinished) before it gives up. */
const UNTIL_MS = 120_000
/** The heap is read (with no task unfinished, after a full GC) this often between the first sample and the last. */
const HEAP_SAMPLE_MS = 5_000

export interface SoakOptions {
  journal: 'memory' | 'sqlite' | 'postgres'
  seconds: number
  /** For the postgres journal: a fresh database. */
  databaseUrl?: string
}

export interface SoakSample {
  finished: number
  /** The admin's heap after a full GC with no task unfinished (feeding paused meanwhile), and its RSS. */
  heapBytes: number
  rssBytes: number
  /** `GET /api/tasks?limit=50`, the dashboard's first page, the quickest of 10 (the admin is busy meanwhile). */
  listMs: number
}

export interface SoakResult extends SoakOptions {
  start: SoakSample
  end: SoakSample
  /** Heap after GC gained per task finished: the slope of samples every 5 s, least squares. */
  heapBytesPerTask: number
  /** Tasks finished a second between the first sample and the last, the pauses for the samples left out. */
  perSecond: number
}

const CHILD = fileURLToPath(import.meta.url)

/** A soak run in a process of its own (with `--expose-gc`, so the heap is read after a full GC). */
export async function soakBench (options: SoakOptions): Promise<SoakResult> {
  const child = spawn(process.execPath, ['--expose-gc', ...process.execArgv, CHILD, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
  if (code !== 0) throw new Error(`soak run with the ${options.journal} journal exited with ${code}`)
  return JSON.parse(out.trim().split('\n').pop()!) as SoakResult
}

/**
 * An admin (this process) with 4 worker processes × 64, fed no-op tasks 5,000 at a time for `seconds`:
 * its heap after GC and the time to list tasks, after the warm-up and at the end.
 */
async function soak (options: SoakOptions): Promise<SoakResult> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc == null) throw new Error('the soak run needs node --expose-gc')
  const dataDir = await mkdtemp(join(tmpdir(), 'taskmesh-soak-'))
  const store = options.journal === 'sqlite'
    ? { dataDir, journalSync: 'normal' as const }
    : options.journal === 'postgres' ? { databaseUrl: options.databaseUrl!, keyFile: join(dataDir, 'admin.key') } : {}
  const manager = new TaskManager([], { listen: ['/ip4/127.0.0.1/tcp/0'], http: { port: 0 }, ...store })
  await manager.start()
  let submitted = 0
  let paused = false
  /** Time spent with feeding paused for a sample: left out of the run's tasks a second. */
  let pausedMs = 0
  const feed = (): void => {
    if (paused) return
    if (submitted - finished(manager) > MAX_UNFINISHED - SUBMIT) return
    manager.submit(Array.from({ length: SUBMIT }, (_, i) => ({ id: `s${submitted + i}` })))
    submitted += SUBMIT
  }
  const children = Array.from({ length: 4 }, (_, i) => spawnCli([
    'worker', '--admin', manager.details().addresses[0]!, '--name', `soak-${i}`, '--skill', '10', '--max-concurrent', '64', '--quiet'
  ], { built: true }))
  for (const c of children) {
    c.stdout?.resume()
    c.stderr?.resume()
  }
  const feeding = setInterval(feed, 20)
  // the heap after GC with no task unfinished: up to 20,000 queued or running would be up to some 9 MiB of it,
  // a sawtooth as large as what the run looks for (feeding stops while the last ones finish, about a second)
  const quiet = async (): Promise<{ finished: number, heapBytes: number }> => {
    paused = true
    const began = performance.now()
    try {
      await until(() => finished(manager) >= submitted, () => `${submitted - finished(manager)} of ${submitted} tasks still unfinished`)
      gc()
      gc()
      return { finished: finished(manager), heapBytes: process.memoryUsage().heapUsed }
    } finally {
      paused = false
      pausedMs += performance.now() - began
    }
  }
  const sample = async (): Promise<SoakSample> => {
    const listMs: number[] = []
    for (let i = 0; i < LIST_TIMES; i++) {
      const began = performance.now()
      const res = await fetch(`${manager.details().http!}/api/tasks?limit=50`)
      if (!res.ok) throw new Error(`listing tasks: HTTP ${res.status}`)
      await res.json()
      listMs.push(performance.now() - began)
    }
    // the quickest: the listing's own cost, without the turns it waited behind (the admin is busy)
    return { ...await quiet(), rssBytes: process.memoryUsage().rss, listMs: Math.min(...listMs) }
  }
  const startedAt = performance.now()
  try {
    feed()
    await new Promise(resolve => setTimeout(resolve, WARM_UP_MS))
    // without a data directory the newest finished tasks stay in memory up to a limit: flat means after it
    if (options.journal === 'memory') await until(() => finished(manager) >= MEMORY_ARCHIVE_LIMIT * 1.25, () => `${finished(manager)} tasks finished, not ${MEMORY_ARCHIVE_LIMIT * 1.25}`)
    const start = await sample()
    const began = performance.now()
    const pausedBefore = pausedMs
    // the heap after GC every few seconds: its trend against tasks finished, not two samples of a sawtooth
    const points: Array<[number, number]> = [[start.finished, start.heapBytes]]
    while (performance.now() - startedAt < options.seconds * 1000 - HEAP_SAMPLE_MS) {
      await new Promise(resolve => setTimeout(resolve, HEAP_SAMPLE_MS))
      const { finished: done, heapBytes } = await quiet()
      points.push([done, heapBytes])
    }
    const end = await sample()
    points.push([end.finished, end.heapBytes])
    const seconds = (performance.now() - began - (pausedMs - pausedBefore)) / 1000
    const tasks = end.finished - start.finished
    return { ...options, start, end, heapBytesPerTask: slope(points), perSecond: tasks / seconds }
  } finally {
    clearInterval(feeding)
    await Promise.all(children.map(async c => { await stopChild(c) }))
    await manager.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

/** Least squares: how much y grows per unit of x. */
function slope (points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length
  const mx = points.reduce((a, [x]) => a + x, 0) / n
  const my = points.reduce((a, [, y]) => a + y, 0) / n
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0)
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0)
  return sxx === 0 ? 0 : sxy / sxx
}

function finished (manager: TaskManager): number {
  const s = manager.summary()
  return s.counts.succeeded + s.counts.failed
}

/** Waits for `condition`, or throws what `state` says after `UNTIL_MS`: a run that cannot go on says why. */
async function until (condition: () => boolean, state: () => string): Promise<void> {
  const deadline = performance.now() + UNTIL_MS
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`soak run stuck: ${state()} after ${UNTIL_MS / 1000} s`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** Heap gained per finished task below which an admin's memory counts as flat (GC's noise over a run is about this). */
const FLAT_BYTES_PER_TASK = 2

/** A soak run with each journal in turn (PostgreSQL where its server programs are). */
export async function soakPart (options: { seconds: number }, { print, emit, goals }: Report): Promise<void> {
  const journals: Array<SoakOptions['journal']> = ['memory', 'sqlite']
  const pgServer = postgresMissing() == null ? await TestPostgres.start({ fsync: true }) : undefined
  if (pgServer != null) journals.push('postgres')
  print(`\na long-running admin: no-op tasks submitted ${SUBMIT.toLocaleString('en')} at a time for ${options.seconds} s (4 worker processes × 64), each journal; the heap after GC (feeding paused until no task is unfinished) and the time to list tasks (the first page of /api/tasks) after ${WARM_UP_MS / 1000} s (without a data directory: once the ${MEMORY_ARCHIVE_LIMIT.toLocaleString('en')} finished tasks kept in memory are reached) and at the end:`)
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`
  try {
    for (const journal of journals) {
      const r = await soakBench({ journal, seconds: options.seconds, ...(journal === 'postgres' ? { databaseUrl: await pgServer!.database('soak') } : {}) })
      const tasks = r.end.finished - r.start.finished
      print(`  ${journal.padEnd(8)} ${tasks.toLocaleString('en')} tasks finished (${Math.round(r.perSecond).toLocaleString('en')}/s while fed): heap ${mib(r.start.heapBytes)} → ${mib(r.end.heapBytes)} (a trend of ${r.heapBytesPerTask.toFixed(1)} bytes a task), RSS ${mib(r.start.rssBytes)} → ${mib(r.end.rssBytes)}; listing ${r.start.listMs.toFixed(1)} → ${r.end.listMs.toFixed(1)} ms`)
      emit('soak', { ...r })
      goals.add({
        what: `a long-running admin, journal ${journal} (--only soak)`,
        figure: `${r.heapBytesPerTask.toFixed(1)} bytes of heap a finished task over ${tasks.toLocaleString('en')}; listing ${r.start.listMs.toFixed(1)} → ${r.end.listMs.toFixed(1)} ms`,
        goal: `flat: ≤ ${FLAT_BYTES_PER_TASK} bytes a task, listing no slower`,
        // listing no slower: within 5 ms or half again of the first, whichever is more (it is timed over HTTP)
        met: r.heapBytesPerTask <= FLAT_BYTES_PER_TASK && r.end.listMs <= Math.max(r.start.listMs * 1.5, r.start.listMs + 5)
      })
    }
  } finally {
    await pgServer?.stop()
  }
}

if (process.argv[1] === CHILD) {
  const result = await soak(JSON.parse(process.argv[2]!) as SoakOptions)
  console.log(JSON.stringify(result))
  process.exit(0)
}
