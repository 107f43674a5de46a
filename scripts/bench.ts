// npm run bench -- [--only network|journal|recovery|history|core|hostile] [--repeat N] [--tasks N] [--workers W] [--concurrency C] [--json]
// Figures, not tests: what this machine does. The README quotes them with this command. Every figure is
// the median of --repeat runs; the network runs alternate journal off and on so drift hits both alike,
// and each core run gets a fresh process so one run's heap does not slow the next.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { networkBench, type NetworkBenchResult } from './bench/network.js'
import { coreBench, validationBench, type CoreBenchResult } from './bench/core.js'
import { recoveryBench } from './bench/recovery.js'
import { hostileBench, type HostileBenchResult } from './bench/hostile.js'
import { buildHistory, idleBench, restartMs } from './bench/history.js'
import { median } from './bench/stats.js'

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    repeat: { type: 'string', default: '3' },
    tasks: { type: 'string', default: '20000' },
    workers: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '64' },
    'core-tasks': { type: 'string', default: '1000000' },
    'core-workers': { type: 'string', default: '1000' },
    'core-child': { type: 'string' },
    'hostile-tasks': { type: 'string', default: '2000' },
    'hostile-task-ms': { type: 'string', default: '20' },
    'history-tasks': { type: 'string', default: '1000000' },
    'idle-seconds': { type: 'string', default: '30' },
    json: { type: 'boolean', default: false }
  }
})

if (values['core-child'] != null) {
  // one core measurement in this fresh process; the parent reads the JSON line
  const r = coreBench({ tasks: Number(values['core-tasks']), workers: Number(values['core-workers']), strategy: values['core-child'] })
  console.log(JSON.stringify(r))
  process.exit(0)
}

const only = values.only
const repeat = Math.max(1, Number(values.repeat))
const json = values.json
const print = (line: string): void => { if (!json) console.log(line) }
const emit = (event: string, fields: object): void => { if (json) console.log(JSON.stringify({ event, ...fields })) }
const range = (xs: number[]): string => xs.length > 1 ? ` (runs ${Math.round(Math.min(...xs)).toLocaleString('en')}–${Math.round(Math.max(...xs)).toLocaleString('en')})` : ''

print(`taskmesh bench on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; medians of ${repeat} runs`)

if (only == null || only === 'network' || only === 'journal') {
  const net = { tasks: Number(values.tasks), workers: Number(values.workers), concurrency: Number(values.concurrency) }
  const journals: Array<'memory' | 'sqlite'> = only === 'network' ? ['memory'] : ['memory', 'sqlite']
  print(`\nthrough the network: ${net.tasks} no-op tasks, admin in this process, ${net.workers} worker processes × ${net.concurrency} concurrent, loopback:`)
  const runs = new Map<string, NetworkBenchResult[]>(journals.map(j => [j, []]))
  for (let i = 0; i < repeat; i++) {
    for (const journal of journals) runs.get(journal)!.push(await networkBench({ ...net, journal }))
  }
  const rates = new Map<string, number>()
  for (const [journal, rs] of runs) {
    const tps = rs.map(r => r.tasksPerSecond)
    rates.set(journal, median(tps))
    print(`  journal ${journal.padEnd(6)} ${Math.round(median(tps)).toLocaleString('en')} tasks/s${range(tps)}; assignment → result p50 ${median(rs.map(r => r.p50Ms)).toFixed(1)} ms, p99 ${median(rs.map(r => r.p99Ms)).toFixed(1)} ms`)
    emit('network', { journal, tasksPerSecond: median(tps), p50Ms: median(rs.map(r => r.p50Ms)), p99Ms: median(rs.map(r => r.p99Ms)), runs: rs })
  }
  if (rates.has('sqlite')) {
    const cost = 1 - rates.get('sqlite')! / rates.get('memory')!
    print(`  the SQLite journal (synchronous=FULL) costs ${(cost * 100).toFixed(1)}% of throughput`)
    emit('journal-cost', { fraction: cost })
  }
}

if (only == null || only === 'recovery') {
  print('\nrecovery: an admin with a data directory killed with SIGKILL mid-run (3 workers, 400 tasks) and started again:')
  const rs = []
  for (let i = 0; i < repeat; i++) rs.push(await recoveryBench())
  const total = rs.map(r => r.restartToAssignmentMs)
  const back = rs.map(r => r.listeningToAssignmentMs)
  print(`  from restarting it to its first new assignment: ${Math.round(median(total))} ms${range(total)}, of which ${Math.round(median(back))} ms from listening (the workers reconnecting)`)
  emit('recovery', { restartToAssignmentMs: median(total), listeningToAssignmentMs: median(back), runs: rs })
}

if (only == null || only === 'history') {
  const tasks = Number(values['history-tasks'])
  const live = 10_000
  const idleSeconds = Number(values['idle-seconds'])
  print(`\nthe journal over time: 3 idle worker processes for ${idleSeconds} s; then ${tasks.toLocaleString('en')} finished tasks and ${live.toLocaleString('en')} unfinished ones, and an admin restarted on them:`)
  const idle = await idleBench(3, idleSeconds)
  print(`  idle: ${idle.rows} journal rows written (${idle.rowsPerWorkerPerMinute} per worker per minute); ${idle.online} of ${idle.workers} workers still registered on their heartbeats`)
  emit('idle', idle)
  let shown = 0
  const history = await buildHistory(tasks, live, done => {
    if (!json && done - shown >= tasks / 10) { shown = done; process.stdout.write(`  writing the history: ${done.toLocaleString('en')} tasks\r`) }
  })
  try {
    print(`  written in ${history.buildSeconds.toFixed(0)} s: ${(history.journalBytes / 2 ** 20).toFixed(0)} MiB on disk (${Math.round(history.journalBytes / (tasks + live))} bytes a task), ${history.archivedTasks.toLocaleString('en')} tasks archived, ${history.eventRows.toLocaleString('en')} event rows left to replay`)
    const empty = await mkdtemp(join(tmpdir(), 'taskmesh-empty-'))
    const full: number[] = []
    const fresh: number[] = []
    try {
      // alternating, so drift hits both alike
      for (let i = 0; i < repeat; i++) {
        full.push(await restartMs(history.dataDir))
        fresh.push(await restartMs(empty))
      }
    } finally {
      await rm(empty, { recursive: true, force: true })
    }
    print(`  \`taskmesh admin --data-dir\` from start to listening: ${Math.round(median(full))} ms on that journal${range(full)}, ${Math.round(median(fresh))} ms on an empty one${range(fresh)}`)
    emit('history', { ...history, restartMs: median(full), emptyRestartMs: median(fresh), runs: { full, fresh } })
  } finally {
    await rm(history.dataDir, { recursive: true, force: true })
  }
}

if (only == null || only === 'hostile') {
  const tasks = Number(values['hostile-tasks'])
  const taskMs = Number(values['hostile-task-ms'])
  print(`\nhostile workers: ${tasks} tasks of ${taskMs} ms on 3 honest worker processes × 8, admin with its defaults; alone, and with a churner (fresh peer ids, and one id), a hoarder, a liar and 48 peers holding unfinished frames, runs alternating:`)
  const clean: HostileBenchResult[] = []
  const attacked: HostileBenchResult[] = []
  for (let i = 0; i < repeat; i++) {
    clean.push(await hostileBench({ tasks, taskMs, attackers: false }))
    attacked.push(await hostileBench({ tasks, taskMs, attackers: true }))
  }
  const ms = (rs: HostileBenchResult[]): number => median(rs.map(r => r.elapsedMs))
  const rss = (rs: HostileBenchResult[]): number => median(rs.map(r => r.peakRssBytes))
  const ratios = clean.map((c, i) => attacked[i]!.elapsedMs / c.elapsedMs)
  print(`  alone: ${(ms(clean) / 1000).toFixed(2)} s, admin peak RSS ${Math.round(rss(clean) / 2 ** 20)} MiB`)
  print(`  attacked: ${(ms(attacked) / 1000).toFixed(2)} s, admin peak RSS ${Math.round(rss(attacked) / 2 ** 20)} MiB`)
  print(`  the attackers, per run: ${JSON.stringify(attacked.at(-1)?.attacks)}`)
  print(`  slowdown ${median(ratios).toFixed(2)}x (runs ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}), peak RSS +${Math.round((rss(attacked) - rss(clean)) / 2 ** 20)} MiB`)
  emit('hostile', { tasks, taskMs, slowdown: median(ratios), cleanMs: ms(clean), attackedMs: ms(attacked), cleanPeakRss: rss(clean), attackedPeakRss: rss(attacked), runs: { clean, attacked } })
}

if (only == null || only === 'core') {
  const tasks = Number(values['core-tasks'])
  const workers = Number(values['core-workers'])
  print(`\nthe scheduling core alone: ${tasks.toLocaleString('en')} tasks (random priorities, difficulties 0..10, capabilities), ${workers} simulated workers × 4 slots, results arriving 64 per scheduling pass:`)
  for (const strategy of ['skill-fit', 'least-loaded', 'round-robin', 'learned']) {
    const rs: CoreBenchResult[] = []
    for (let i = 0; i < repeat; i++) rs.push(await coreInChild(strategy, tasks, workers))
    const dps = rs.map(r => r.decisionsPerSecond)
    print(`  ${strategy.padEnd(13)} ${Math.round(median(dps)).toLocaleString('en')} decisions/s${range(dps)}; assign and record the result ${Math.round(median(rs.map(r => r.cyclesPerSecond))).toLocaleString('en')}/s`)
    emit('core', { strategy, decisionsPerSecond: median(dps), cyclesPerSecond: median(rs.map(r => r.cyclesPerSecond)), runs: rs })
  }
  const vs = Array.from({ length: repeat }, () => validationBench(100_000))
  const v = vs[0]!
  print(`  parsing and validating a ${v.tasks.toLocaleString('en')}-task graph (${v.edges.toLocaleString('en')} dependencies, ${(v.bytes / 1e6).toFixed(1)} MB of JSON): ${Math.round(median(vs.map(x => x.ms)))} ms`)
  emit('validation', { ...v, ms: median(vs.map(x => x.ms)) })
}

async function coreInChild (strategy: string, tasks: number, workers: number): Promise<CoreBenchResult> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--core-child', strategy, '--core-tasks', String(tasks), '--core-workers', String(workers)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
  if (code !== 0) throw new Error(`core bench for ${strategy} exited with ${code}`)
  return JSON.parse(out.trim().split('\n').pop()!) as CoreBenchResult
}
