import { networkBench } from './network.js'
import { bullmqThroughput } from './bullmq.js'
import { median } from './stats.js'
import { perSecond, type Report } from './goals.js'
import type { ThroughputFigures } from './window.js'
import { postgresMissing, TestPostgres } from '../../test/helpers/postgres.js'

export interface ThroughputPartOptions {
  /** Tasks of the network run, taskmesh against BullMQ. */
  tasks: number
  /** Tasks of the journals' runs (memory, SQLite, PostgreSQL, and BullMQ with AOF). */
  journalTasks: number
  workers: number
  concurrency: number
  repeat: number
  /** The journals too (SQLite, and PostgreSQL where its server programs are), not memory alone. */
  journals: boolean
  /** BullMQ on Redis in the same run, alternating. */
  bullmq: boolean
}

/** The network runs: taskmesh with each journal and BullMQ, alternating; their steady throughput, by name. */
export async function throughputPart (options: ThroughputPartOptions, { print, emit, range, goals }: Report): Promise<Map<string, number>> {
  const net = { tasks: options.tasks, workers: options.workers, concurrency: options.concurrency }
  const durable = { ...net, tasks: options.journalTasks }
  // PostgreSQL too where its server programs are: a server of the bench's own, on loopback, in a temporary directory
  const pgServer = options.journals && postgresMissing() == null ? await TestPostgres.start({ fsync: true }) : undefined
  let databases = 0
  const systems: Array<[string, () => Promise<ThroughputFigures>]> = [['taskmesh, journal memory', async () => await networkBench({ ...net, journal: 'memory' })]]
  if (options.bullmq) systems.push(['BullMQ, Redis', async () => await bullmqThroughput({ ...net, aof: false })])
  if (options.journals) {
    const tag = ` (${durable.tasks.toLocaleString('en')})`
    systems.push([`taskmesh, journal memory${tag}`, async () => await networkBench({ ...durable, journal: 'memory' })])
    systems.push([`taskmesh, journal sqlite${tag}`, async () => await networkBench({ ...durable, journal: 'sqlite' })])
    if (pgServer != null) systems.push([`taskmesh, journal postgres${tag}`, async () => await networkBench({ ...durable, journal: 'postgres', databaseUrl: await pgServer.database(`bench_${databases++}`) })])
    if (options.bullmq) systems.push([`BullMQ, Redis AOF${tag}`, async () => await bullmqThroughput({ ...durable, aof: true })])
  }
  print(`\nthrough the network: no-op tasks queued at once (${net.tasks.toLocaleString('en')}, or as the name says), ${net.workers} worker processes × ${net.concurrency} concurrent, loopback; the whole run, and steady state (20% to 80% done):`)
  const runs = new Map<string, ThroughputFigures[]>()
  try {
    // alternating, so that drift hits every system alike
    for (let i = 0; i < options.repeat; i++) {
      for (const [name, run] of systems) runs.set(name, [...(runs.get(name) ?? []), await run()])
    }
  } finally {
    await pgServer?.stop()
  }
  const steady = new Map<string, number>()
  const cpu = new Map<string, { coordinator?: number, workers?: number }>()
  for (const [name, rs] of runs) {
    const whole = rs.map(r => r.tasksPerSecond)
    const st = rs.map(r => r.steadyPerSecond)
    steady.set(name, median(st))
    const us = (xs: Array<number | undefined>): number | undefined => xs.every(x => x != null) ? median(xs as number[]) : undefined
    cpu.set(name, { coordinator: us(rs.map(r => r.coordinatorUsPerTask)), workers: us(rs.map(r => r.workersUsPerTask)) })
    const shown = (x: number | undefined): string => x != null ? `${Math.round(x)} µs` : '?'
    const coordinator = name.startsWith('BullMQ') ? 'Redis' : 'admin'
    print(`  ${name.padEnd(35)} steady ${Math.round(median(st)).toLocaleString('en')} tasks/s${range(st)}, whole run ${Math.round(median(whole)).toLocaleString('en')}/s; CPU per task: ${coordinator} ${shown(cpu.get(name)!.coordinator)}, workers ${shown(cpu.get(name)!.workers)}`)
    emit('network', { system: name, steadyPerSecond: median(st), tasksPerSecond: median(whole), runs: rs })
  }
  const memory = steady.get('taskmesh, journal memory')!
  const tag = ` (${durable.tasks.toLocaleString('en')})`
  const memoryDurable = steady.get(`taskmesh, journal memory${tag}`)!
  const sqlite = steady.get(`taskmesh, journal sqlite${tag}`)
  const postgres = steady.get(`taskmesh, journal postgres${tag}`)
  if (sqlite != null) {
    const share = sqlite / memoryDurable
    print(`  with the SQLite journal (synchronous=FULL), taskmesh keeps ${(share * 100).toFixed(0)}% of its steady throughput`)
    emit('journal-share', { fraction: share })
    goals.add({ what: `SQLite journal against memory, ${durable.tasks.toLocaleString('en')} tasks`, figure: `${perSecond(sqlite)} against ${perSecond(memoryDurable)}: ${(share * 100).toFixed(0)}%`, goal: '≥ 75%', met: share >= 0.75 })
  }
  if (postgres != null && sqlite != null) {
    const share = postgres / sqlite
    print(`  with the PostgreSQL journal (a server on loopback, fsync on; its CPU is not in the admin's), taskmesh keeps ${(postgres / memoryDurable * 100).toFixed(0)}% of its steady throughput, ${(share * 100).toFixed(0)}% of SQLite's`)
    goals.add({ what: `PostgreSQL journal against SQLite, ${durable.tasks.toLocaleString('en')} tasks`, figure: `${perSecond(postgres)}: ${(share * 100).toFixed(0)}%`, goal: '≥ 75%', met: share >= 0.75 })
  }
  const bull = steady.get('BullMQ, Redis')
  if (bull != null) {
    const ratio = memory / bull
    print(`  taskmesh / BullMQ at steady state: ${ratio.toFixed(1)}x${steady.has(`BullMQ, Redis AOF${tag}`) && sqlite != null ? `; durable (SQLite / AOF): ${(sqlite! / steady.get(`BullMQ, Redis AOF${tag}`)!).toFixed(1)}x` : ''}`)
    emit('bullmq-ratio', { steady: ratio })
    const ours = cpu.get('taskmesh, journal memory')!
    const perTask = ours.coordinator != null && ours.workers != null ? `, ${Math.round(ours.coordinator + ours.workers)} µs of CPU a task` : ''
    goals.add({ what: `${net.tasks.toLocaleString('en')} no-op tasks, ${net.workers} workers × ${net.concurrency}, against BullMQ`, figure: `${perSecond(memory)} against ${perSecond(bull)}: ${ratio.toFixed(1)}x${perTask}`, goal: '≥ 5x (milestone 3x)', met: ratio >= 5 })
  }
  return steady
}
