// npm run bench -- [--only network|journal|latency|exec|failover|fleet|million|recovery|history|core|hostile|start|dashboards|fairness|batches|relay|soak] [--compare bullmq] [--repeat N] [--tasks N] [--workers W] [--concurrency C] [--json]
// Figures, not tests: what this machine does. The README quotes them with this command. Every figure is
// the median of --repeat runs; the network runs alternate journal off and on so drift hits both alike,
// and each core run gets a fresh process so one run's heap does not slow the next.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { networkBench } from './bench/network.js'
import { throughputPart } from './bench/throughput.js'
import { Goals, perSecond } from './bench/goals.js'
import { coreBench, validationBench, type CoreBenchResult } from './bench/core.js'
import { requireBuild } from './bench/proc.js'
import { recoveryBench } from './bench/recovery.js'
import { hostileBench, type HostileBenchResult } from './bench/hostile.js'
import { buildHistory, idleBench, restartMs } from './bench/history.js'
import { fleetBench, SETTLE_MS, type FleetResult } from './bench/fleet.js'
import { soakPart } from './bench/soak.js'
import { millionBench, type MillionResult } from './bench/million.js'
import { FIRST, latencyBench, type LatencyResult } from './bench/latency.js'
import { execBench, type ExecResult } from './bench/exec.js'
import { failoverBench } from './bench/failover.js'
import { startBench } from './bench/start.js'
import { fairnessBench, fairnessReport } from './bench/fairness.js'
import { batchesBench, batchesReport } from './bench/batches.js'
import { relayBench, relayReport } from './bench/relay.js'
import { bullmqLatency, redisAvailable } from './bench/bullmq.js'
import { median } from './bench/stats.js'
import { postgresMissing, TestPostgres } from '../test/helpers/postgres.js'
import { STATUS_BROADCAST_MS } from '../src/worker/constants.js'

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    repeat: { type: 'string', default: '3' },
    tasks: { type: 'string', default: '200000' },
    'journal-tasks': { type: 'string', default: '50000' },
    workers: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '64' },
    'core-tasks': { type: 'string', default: '1000000' },
    'core-workers': { type: 'string', default: '1000' },
    'core-child': { type: 'string' },
    'hostile-tasks': { type: 'string', default: '2000' },
    'hostile-task-ms': { type: 'string', default: '20' },
    'history-tasks': { type: 'string', default: '1000000' },
    'idle-seconds': { type: 'string', default: '30' },
    'latency-samples': { type: 'string', default: '2000' },
    'fleet-workers': { type: 'string', default: '1000' },
    'fleet-processes': { type: 'string', default: '4' },
    'fleet-tasks': { type: 'string', default: '100000' },
    'million-tasks': { type: 'string', default: '1000000' },
    'fairness-tasks': { type: 'string', default: '100000' },
    'batch-tasks': { type: 'string', default: '20000' },
    'relay-tasks': { type: 'string', default: '20000' },
    'latency-history': { type: 'string', default: '100000' },
    'soak-seconds': { type: 'string', default: '60' },
    compare: { type: 'string' },
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
const goals = new Goals()
const range = (xs: number[]): string => xs.length > 1 ? ` (runs ${Math.round(Math.min(...xs)).toLocaleString('en')}–${Math.round(Math.max(...xs)).toLocaleString('en')})` : ''

await requireBuild()

if (values.compare != null && values.compare !== 'bullmq') {
  console.error(`--compare ${values.compare}: the only system to compare with is bullmq`)
  process.exit(2)
}
const bullmq = values.compare === 'bullmq' && redisAvailable()
if (values.compare === 'bullmq' && !bullmq) console.error('--compare bullmq: no redis-server on this machine (Debian: apt-get install redis-server); BullMQ is left out')

print(`taskmesh bench on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; medians of ${repeat} runs`)

if (only == null || only === 'network' || only === 'journal') {
  await throughputPart({ tasks: Number(values.tasks), journalTasks: Number(values['journal-tasks']), workers: Number(values.workers), concurrency: Number(values.concurrency), repeat, journals: only !== 'network', bullmq }, { print, emit, range, goals })
}

if (only == null || only === 'start') {
  print('\nstarting the CLI, each a fresh process (a client command up to its first dial, at a port nothing listens on):')
  for (const r of startBench(Math.max(repeat, 5))) {
    print(`  ${r.command.padEnd(36)} ${(r.medianMs / 1000).toFixed(2)} s (runs ${(Math.min(...r.runsMs) / 1000).toFixed(2)}–${(Math.max(...r.runsMs) / 1000).toFixed(2)} s)${r.maxRssMiB != null ? `, ${Math.round(r.maxRssMiB)} MiB` : ''}`)
    emit('start', { ...r })
  }
}

if (only === 'dashboards') {
  // not in a full run: it repeats the network part three ways
  const net = { tasks: Number(values.tasks), workers: Number(values.workers), concurrency: Number(values.concurrency), journal: 'memory' as const }
  print(`\nthe network run with the HTTP API on, and two dashboards open (each doing what the page does with /api/updates), or two readers of every event (/api/events), or none; alternating:`)
  const kinds = ['none', 'dashboard', 'events'] as const
  const steady = new Map<string, number[]>()
  for (let i = 0; i < repeat; i++) {
    for (const kind of kinds) {
      const r = await networkBench({ ...net, watch: { kind, count: 2 } })
      steady.set(kind, [...(steady.get(kind) ?? []), r.steadyPerSecond])
    }
  }
  const none = median(steady.get('none')!)
  const names = { none: 'nobody watching', dashboard: 'two dashboards', events: 'two event readers' }
  for (const kind of kinds) {
    const xs = steady.get(kind)!
    print(`  ${names[kind].padEnd(18)} steady ${Math.round(median(xs)).toLocaleString('en')} tasks/s${range(xs)}${kind !== 'none' ? `: ${(median(xs) / none * 100).toFixed(0)}% of nobody watching` : ''}`)
    emit('dashboards', { watching: kind, steadyPerSecond: median(xs), share: median(xs) / none, runs: xs })
  }
}

if (only == null || only === 'fairness') {
  const f = await fairnessBench({ aTasks: Number(values['fairness-tasks']), bTasks: 100, workers: 2, concurrency: 8, taskMs: 20, rounds: repeat })
  emit('fairness', fairnessReport(f, print, range))
}

if (only == null || only === 'batches') {
  const b = await batchesBench({ tasks: Number(values['batch-tasks']), rounds: repeat })
  emit('batches', batchesReport(b, print, range))
}

if (only == null || only === 'relay') {
  const r = await relayBench({ tasks: Number(values['relay-tasks']), rounds: repeat })
  relayReport(r, print, range)
  emit('relay', { ...r })
}

if (only == null || only === 'latency') {
  const samples = Number(values['latency-samples'])
  const history = Number(values['latency-history'])
  print(`\none task in flight, ${samples.toLocaleString('en')} in a row after a warm-up, on a fresh coordinator and after ${history.toLocaleString('en')} more have finished; taskmesh: submitted on the admin, run by one worker process, until the admin has its result${bullmq ? '; BullMQ: added, run by one worker process, awaited with waitUntilFinished' : ''}:`)
  const systems: Array<[string, () => Promise<LatencyResult>]> = [['taskmesh', async () => await latencyBench({ samples, history })]]
  if (bullmq) systems.push(['BullMQ', async () => await bullmqLatency({ samples, history })])
  const results = new Map<string, LatencyResult[]>()
  for (let i = 0; i < repeat; i++) {
    for (const [name, run] of systems) results.set(name, [...(results.get(name) ?? []), await run()])
  }
  const ms = (xs: number[]): string => `${median(xs).toFixed(2)} ms`
  for (const [name, rs] of results) {
    print(`  ${name.padEnd(9)} the first ${FIRST} after start: p50 ${ms(rs.map(r => r.first.p50Ms))}, p99 ${ms(rs.map(r => r.first.p99Ms))}`)
    print(`  ${name.padEnd(9)} fresh: p50 ${ms(rs.map(r => r.fresh.p50Ms))}, p99 ${ms(rs.map(r => r.fresh.p99Ms))}; after ${history.toLocaleString('en')}: p50 ${ms(rs.map(r => r.afterHistory.p50Ms))}, p99 ${ms(rs.map(r => r.afterHistory.p99Ms))}`)
    emit('latency', { system: name, first: { p50Ms: median(rs.map(r => r.first.p50Ms)), p99Ms: median(rs.map(r => r.first.p99Ms)) }, fresh: { p50Ms: median(rs.map(r => r.fresh.p50Ms)), p99Ms: median(rs.map(r => r.fresh.p99Ms)) }, afterHistory: { p50Ms: median(rs.map(r => r.afterHistory.p50Ms)), p99Ms: median(rs.map(r => r.afterHistory.p99Ms)) }, history, runs: rs })
  }
  const ours = results.get('taskmesh')!
  const [first50, p50, p99] = [median(ours.map(r => r.first.p50Ms)), median(ours.map(r => r.fresh.p50Ms)), median(ours.map(r => r.fresh.p99Ms))]
  const theirs = results.get('BullMQ')
  goals.add({ what: 'one task in flight (--only latency)', figure: `p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms; first ${FIRST}: p50 ${first50.toFixed(2)} ms${theirs != null ? `; BullMQ ${median(theirs.map(r => r.fresh.p50Ms)).toFixed(2)} / ${median(theirs.map(r => r.fresh.p99Ms)).toFixed(2)} ms` : ''}`, goal: `p99 ≤ 1 ms; p50 ≤ 0.3 ms from the first ${FIRST}`, met: p99 <= 1 && Math.max(p50, first50) <= 0.3 })
}

if (only == null || only === 'failover') {
  if (postgresMissing() != null) {
    print(`\nfailover: left out (${postgresMissing()})`)
  } else {
    const timeout = 2
    print(`\nfailover on PostgreSQL: a leader and a standby admin (processes, --failover-timeout ${timeout}), one worker process knowing both, tasks running; the leader killed with SIGKILL:`)
    const server = await TestPostgres.start({ fsync: true })
    const rs: Array<{ toListeningMs: number, toAssignmentMs: number }> = []
    try {
      for (let i = 0; i < Math.max(3, repeat); i++) rs.push(await failoverBench({ databaseUrl: await server.database(`failover_${i}`), failoverTimeoutSeconds: timeout }))
    } finally {
      await server.stop()
    }
    const m = (f: (r: { toListeningMs: number, toAssignmentMs: number }) => number): number => median(rs.map(f))
    const runs = rs.map(r => r.toAssignmentMs / 1000)
    print(`  from the kill to the standby listening ${(m(r => r.toListeningMs) / 1000).toFixed(2)} s, to its first assignment ${(m(r => r.toAssignmentMs) / 1000).toFixed(2)} s (runs ${Math.min(...runs).toFixed(2)}–${Math.max(...runs).toFixed(2)} s)`)
    emit('failover', { runs: rs })
  }
}

if (only == null || only === 'exec') {
  const samples = 1000
  const tasks = 20_000
  if (spawnSync('python3', ['--version']).error != null) {
    print('\nthe --exec bridge: left out, no python3 on this machine')
  } else {
    print(`\nthe --exec bridge: one worker process, no-op tasks, its own JavaScript handler against a Python agent (python/taskmesh_agent.py) through --exec, runs alternating; ${samples.toLocaleString('en')} one in flight after a warm-up, then ${tasks.toLocaleString('en')} queued at once, 64 at a time:`)
    const runs: Record<'js' | 'exec', ExecResult[]> = { js: [], exec: [] }
    for (let i = 0; i < repeat; i++) {
      runs.js.push(await execBench({ exec: false, samples, tasks }))
      runs.exec.push(await execBench({ exec: true, samples, tasks }))
    }
    const m = (rs: ExecResult[], f: (r: ExecResult) => number): number => median(rs.map(f))
    for (const [name, rs] of [['JavaScript handler', runs.js], ['Python via --exec', runs.exec]] as const) {
      print(`  ${name.padEnd(19)} one in flight p50 ${m(rs, r => r.p50Ms).toFixed(2)} ms, p99 ${m(rs, r => r.p99Ms).toFixed(2)} ms; ${Math.round(m(rs, r => r.perSecond)).toLocaleString('en')} tasks/s${range(rs.map(r => r.perSecond))}`)
    }
    print(`  the bridge adds ${(m(runs.exec, r => r.p50Ms) - m(runs.js, r => r.p50Ms)).toFixed(2)} ms a task at p50`)
    emit('exec', { js: runs.js, exec: runs.exec })
  }
}

if (only == null || only === 'fleet') {
  const workers = Number(values['fleet-workers'])
  const processes = Number(values['fleet-processes'])
  const tasks = Number(values['fleet-tasks'])
  // one period of the workers' status broadcasts: each of them once
  const idleSeconds = STATUS_BROADCAST_MS / 1000
  print(`\n${workers.toLocaleString('en')} full workers (each its own libp2p node) in ${processes} processes on one admin (a process of its own): joining, ${SETTLE_MS / 1000} s to settle, ${idleSeconds} s idle, then ${tasks.toLocaleString('en')} no-op tasks:`)
  const rs: FleetResult[] = []
  // against 4 workers × 64 on the same tasks, alternating
  const four: number[] = []
  for (let i = 0; i < repeat; i++) {
    rs.push(await fleetBench({ workers, processes, tasks, idleSeconds }))
    four.push((await networkBench({ tasks, workers: 4, concurrency: 64, journal: 'memory' })).steadyPerSecond)
  }
  const m = (f: (r: FleetResult) => number): number => median(rs.map(f))
  print(`  all registered in ${m(r => r.joinSeconds).toFixed(1)} s (CPU a worker: admin ${m(r => r.joinAdminCpuMs).toFixed(1)} ms, the worker processes ${m(r => r.joinWorkersCpuMs).toFixed(1)} ms); idle admin: ${Math.round(m(r => r.idleRssBytes) / 2 ** 20)} MiB RSS, ${(m(r => r.idleCpu) * 100).toFixed(1)}% of a core (${(m(r => r.settleCpu) * 100).toFixed(1)}% in the ${SETTLE_MS / 1000} s after the last registered)`)
  print(`  tasks: steady ${Math.round(m(r => r.steadyPerSecond)).toLocaleString('en')}/s${range(rs.map(r => r.steadyPerSecond))}, whole run ${Math.round(m(r => r.tasksPerSecond)).toLocaleString('en')}/s; admin CPU per task ${Math.round(m(r => r.coordinatorUsPerTask ?? NaN))} µs`)
  print(`  4 workers × 64 on the same tasks: steady ${Math.round(median(four)).toLocaleString('en')}/s${range(four)}`)
  emit('fleet', { workers, processes, tasks, joinSeconds: m(r => r.joinSeconds), joinAdminCpuMs: m(r => r.joinAdminCpuMs), joinWorkersCpuMs: m(r => r.joinWorkersCpuMs), idleRssBytes: m(r => r.idleRssBytes), settleCpu: m(r => r.settleCpu), idleCpu: m(r => r.idleCpu), steadyPerSecond: m(r => r.steadyPerSecond), fourWorkersSteadyPerSecond: median(four), runs: rs })
  const share = m(r => r.steadyPerSecond) / median(four)
  goals.add({
    what: `${workers.toLocaleString('en')} full workers (--only fleet)`,
    figure: `registered in ${m(r => r.joinSeconds).toFixed(1)} s; idle ${(m(r => r.idleCpu) * 100).toFixed(1)}% of a core, ${Math.round(m(r => r.idleRssBytes) / 1e6)} MB; ${perSecond(m(r => r.steadyPerSecond))}, ${(share * 100).toFixed(0)}% of 4 workers'`,
    goal: '≤ 10 s; ≤ 10%, ≤ 500 MB; ≥ 50%',
    met: m(r => r.joinSeconds) <= 10 && m(r => r.idleCpu) <= 0.1 && m(r => r.idleRssBytes) <= 500e6 && share >= 0.5
  })
}

if (only == null || only === 'million') {
  const big = Number(values['million-tasks'])
  print(`\na queue of ${big.toLocaleString('en')} tasks against one of 10,000: \`taskmesh admin --tasks FILE --quiet\` (no data directory) loading the file, then 4 worker processes × 64 draining it:`)
  const sizes = [10_000, big]
  const rs = new Map<number, MillionResult[]>(sizes.map(n => [n, []]))
  for (let i = 0; i < repeat; i++) for (const n of sizes) rs.get(n)!.push(await millionBench(n))
  const mib = (b: number): string => `${Math.round(b / 2 ** 20)} MiB`
  for (const [n, runs] of rs) {
    const m = (f: (r: MillionResult) => number): number => median(runs.map(f))
    print(`  ${n.toLocaleString('en').padStart(9)}: loaded in ${m(r => r.loadSeconds).toFixed(1)} s, RSS ${mib(m(r => r.loadedRssBytes))} loaded, at most ${mib(m(r => r.drainPeakRssBytes))} draining, ${mib(m(r => r.drainedRssBytes))} drained; drained at ${Math.round(m(r => r.drainPerSecond)).toLocaleString('en')} tasks/s${range(runs.map(r => r.drainPerSecond))}`)
    emit('million', { tasks: n, loadSeconds: m(r => r.loadSeconds), loadedRssBytes: m(r => r.loadedRssBytes), drainPeakRssBytes: m(r => r.drainPeakRssBytes), drainedRssBytes: m(r => r.drainedRssBytes), drainPerSecond: m(r => r.drainPerSecond), runs })
  }
  const runs = rs.get(big)!
  const m = (f: (r: MillionResult) => number): number => median(runs.map(f))
  goals.add({
    what: `${big.toLocaleString('en')} tasks queued from a file (--only million)`,
    figure: `loaded in ${m(r => r.loadSeconds).toFixed(1)} s, ${Math.round(m(r => r.loadedRssBytes) / 1e6)} MB; at most ${Math.round(m(r => r.drainPeakRssBytes) / 1e6)} MB draining`,
    goal: '≤ 3 s, ≤ 600 MB, not growing while draining',
    // not growing: the peak while draining within a tenth of what loading took
    met: m(r => r.loadSeconds) <= 3 && m(r => r.loadedRssBytes) <= 600e6 && m(r => r.drainPeakRssBytes) <= 1.1 * m(r => r.loadedRssBytes)
  })
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
  print(`\nhostile workers: ${tasks} tasks of ${taskMs} ms on 3 honest worker processes × 8, admin with its defaults; alone, and with a churner (fresh peer ids, and one id), a hoarder, a liar and 48 peers holding unfinished frames on the task stream, and over HTTP an agent hoarding, one churning under fresh names and one flooding new names, runs alternating:`)
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
    print(`  ${strategy.padEnd(13)} ${Math.round(median(dps)).toLocaleString('en')} decisions/s${range(dps)}; assign and record the result ${Math.round(median(rs.map(r => r.cyclesPerSecond))).toLocaleString('en')}/s; ${Math.round(median(rs.map(r => r.queuedHeapBytes)))} bytes of heap a queued task`)
    emit('core', { strategy, decisionsPerSecond: median(dps), cyclesPerSecond: median(rs.map(r => r.cyclesPerSecond)), runs: rs })
    if (strategy === 'skill-fit') goals.add({ what: 'scheduling core, skill-fit (--only core)', figure: `${Math.round(median(dps)).toLocaleString('en')} decisions/s`, goal: '≥ 500,000', met: median(dps) >= 500_000 })
  }
  const vs = Array.from({ length: repeat }, () => validationBench(100_000))
  const v = vs[0]!
  print(`  parsing and validating a ${v.tasks.toLocaleString('en')}-task graph (${v.edges.toLocaleString('en')} dependencies, ${(v.bytes / 1e6).toFixed(1)} MB of JSON): ${Math.round(median(vs.map(x => x.ms)))} ms`)
  emit('validation', { ...v, ms: median(vs.map(x => x.ms)) })
}

if (only == null || only === 'soak') {
  await soakPart({ seconds: Number(values['soak-seconds']) }, { print, emit, range, goals })
}

goals.report(print, emit)

async function coreInChild (strategy: string, tasks: number, workers: number): Promise<CoreBenchResult> {
  // --expose-gc: the child reads its heap after a full GC with every task queued
  const child = spawn(process.execPath, ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), '--core-child', strategy, '--core-tasks', String(tasks), '--core-workers', String(workers)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
  if (code !== 0) throw new Error(`core bench for ${strategy} exited with ${code}`)
  return JSON.parse(out.trim().split('\n').pop()!) as CoreBenchResult
}
