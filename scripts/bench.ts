// npm run bench -- [--only network|journal|core] [--tasks N] [--workers W] [--concurrency C] [--json]
// Figures, not tests: what this machine does. The README quotes them with this command.
import { parseArgs } from 'node:util'
import { cpus } from 'node:os'
import { networkBench, type NetworkBenchResult } from './bench/network.js'
import { coreBench, validationBench } from './bench/core.js'

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    tasks: { type: 'string', default: '20000' },
    workers: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '64' },
    'core-tasks': { type: 'string', default: '1000000' },
    'core-workers': { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false }
  }
})
const only = values.only
const json = values.json
const print = (line: string): void => { if (!json) console.log(line) }
const emit = (event: string, fields: object): void => { if (json) console.log(JSON.stringify({ event, ...fields })) }

print(`taskmesh bench on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`)

const net = { tasks: Number(values.tasks), workers: Number(values.workers), concurrency: Number(values.concurrency) }
const showNetwork = (r: NetworkBenchResult): void => {
  print(`  ${r.tasks} no-op tasks, ${r.workers} worker processes × ${r.concurrency} concurrent, journal ${r.journal}: ` +
    `${Math.round(r.tasksPerSecond)} tasks/s, assignment→result p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms`)
  emit('network', r)
}

if (only == null || only === 'network' || only === 'journal') {
  print('\nthrough the network (admin in this process, workers in their own, loopback):')
  const memory = await networkBench({ ...net, journal: 'memory' })
  showNetwork(memory)
  if (only == null || only === 'journal') {
    const sqlite = await networkBench({ ...net, journal: 'sqlite' })
    showNetwork(sqlite)
    const cost = 1 - sqlite.tasksPerSecond / memory.tasksPerSecond
    print(`  the SQLite journal costs ${(cost * 100).toFixed(1)}% of throughput`)
    emit('journal-cost', { fraction: cost })
  }
}

if (only == null || only === 'core') {
  const tasks = Number(values['core-tasks'])
  const workers = Number(values['core-workers'])
  print(`\nthe scheduling core alone (${tasks.toLocaleString('en')} tasks, ${workers} simulated workers × 4 slots, random priorities, difficulties and capabilities; results arrive 64 per scheduling pass):`)
  for (const strategy of ['skill-fit', 'least-loaded', 'round-robin', 'learned']) {
    const r = coreBench({ tasks, workers, strategy })
    print(`  ${strategy.padEnd(13)} ${Math.round(r.decisionsPerSecond).toLocaleString('en')} decisions/s; assign and record the result: ${Math.round(r.cyclesPerSecond).toLocaleString('en')}/s; submitting the tasks took ${Math.round(r.submitMs)} ms`)
    emit('core', r)
  }
  const v = validationBench(100_000)
  print(`  parsing and validating a ${v.tasks}-task graph (${v.edges} dependencies, ${(v.bytes / 1e6).toFixed(1)} MB of JSON): ${Math.round(v.ms)} ms`)
  emit('validation', v)
}
