import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { TaskManager } from '../../src/manager/task-manager.js'
import { createRelay } from '../../src/node/relay-server.js'
import { spawnCli } from '../../src/simulation/processes.js'
import { Internet, natUnavailable } from '../../test/helpers/nat.js'
import { stopChild } from './proc.js'
import { median } from './stats.js'

const BIN = new URL('../../bin/taskmesh.js', import.meta.url).pathname

export interface RelayBenchResult {
  /** From a worker process's start to its first task done, ms, on loopback. */
  firstTaskMs: { direct: number[], relayed: number[] }
  /** Tasks a second through one worker process (64 at once), on loopback. */
  perSecond: { direct: number[], relayed: number[] }
  tasks: number
  /** The same first-task time across NATs in network namespaces, where they can be made. */
  acrossNat?: { direct: number[], relayed: number[], holePunched: number[] }
  acrossNatSkipped?: string
}

/**
 * Direct against relayed, alternating, in one run: a worker's start to its first task, and no-op tasks a
 * second through one worker (loopback: the relay's own cost); and across NATs (namespaces, as root) a
 * worker on the admin's LAN (direct), behind another NAT (relayed), and on a public host that the admin
 * behind NAT dials back (DCUtR: the hole-punched case that TCP can do).
 */
export async function relayBench (options: { tasks: number, rounds: number }): Promise<RelayBenchResult> {
  const relay = await createRelay({ listen: ['/ip4/127.0.0.1/tcp/0'] })
  const relayAddress = relay.getMultiaddrs()[0]!.toString()
  const manager = new TaskManager([], { listen: ['/ip4/127.0.0.1/tcp/0'], relays: [relayAddress] })
  await manager.start()
  const addresses = manager.details().addresses
  const direct = addresses.find(a => !a.includes('/p2p-circuit'))!
  const relayed = addresses.find(a => a.includes('/p2p-circuit'))!
  const result: RelayBenchResult = { firstTaskMs: { direct: [], relayed: [] }, perSecond: { direct: [], relayed: [] }, tasks: options.tasks }
  let n = 0
  const submit = (count: number): void => { manager.submit(Array.from({ length: count }, () => ({ id: `r${n++}`, type: 'simulate', difficulty: 1 }))) }
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (const via of round % 2 === 0 ? ['direct', 'relayed'] as const : ['relayed', 'direct'] as const) {
        const name = `${via}-${round}`
        // the first task: one waits for it before its worker starts
        submit(1)
        const first = new Promise<void>(resolve => {
          const on = ({ detail }: CustomEvent<{ worker?: string }>): void => { if (detail.worker === name) { manager.removeEventListener('task:completed', on); resolve() } }
          manager.addEventListener('task:completed', on)
        })
        const started = performance.now()
        const worker = spawnCli(['worker', '--admin', via === 'direct' ? direct : relayed, '--name', name, '--skill', '5', '--max-concurrent', '64', '--quiet'], { built: true })
        worker.stdout?.resume()
        worker.stderr?.resume()
        try {
          await first
          result.firstTaskMs[via].push(performance.now() - started)
          // then the worker's throughput, once its window has grown
          await drain(manager, () => { submit(2_000) })
          const begun = performance.now()
          await drain(manager, () => { submit(options.tasks) })
          result.perSecond[via].push(options.tasks / ((performance.now() - begun) / 1000))
        } finally {
          await stopChild(worker)
        }
      }
    }
    const unavailable = natUnavailable()
    if (unavailable == null) result.acrossNat = await acrossNat(options.rounds)
    else result.acrossNatSkipped = unavailable
    return result
  } finally {
    await manager.stop()
    await relay.stop()
  }
}

async function drain (manager: TaskManager, submit: () => void): Promise<void> {
  const done = new Promise<void>(resolve => { manager.addEventListener('done', () => { resolve() }, { once: true }) })
  submit()
  await done
}

/** The admin behind NAT, its relay public; each worker's start to its first task, alternating. */
async function acrossNat (rounds: number): Promise<NonNullable<RelayBenchResult['acrossNat']>> {
  const net = new Internet(['relay', 'cloud'], { office: ['admin', 'desk'], home: ['laptop'] })
  net.up()
  const children: ChildProcess[] = []
  const run = (host: string, args: string[]): { child: ChildProcess, lines: AsyncIterableIterator<string> } => {
    const child = spawn(net.exec(host)[0]!, [...net.exec(host).slice(1), process.execPath, BIN, ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
    children.push(child)
    return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() }
  }
  const next = async (lines: AsyncIterableIterator<string>, match: (e: Record<string, any>) => boolean): Promise<Record<string, any>> => {
    for (;;) {
      const { value, done } = await lines.next()
      if (done === true) throw new Error('the process ended before the awaited event')
      const event = JSON.parse(value) as Record<string, any>
      if (match(event)) return event
    }
  }
  try {
    const relay = run('relay', ['relay', '--listen', '/ip4/0.0.0.0/tcp/4003', '--json'])
    const relayAddress = ((await next(relay.lines, e => e.event === 'listening')).addrs as string[]).find(a => a.includes(net.address('relay')))!
    // the admin has a steady supply of tasks: each new worker's first one is waiting
    const file = join(await mkdtemp(join(tmpdir(), 'taskmesh-bench-nat-')), 'tasks.json')
    await writeFile(file, JSON.stringify({ tasks: Array.from({ length: 20_000 }, (_, i) => ({ id: `n${i}`, type: 'simulate', difficulty: 1 })) }))
    const admin = run('admin', ['admin', '--listen', '/ip4/0.0.0.0/tcp/4001', '--relay', relayAddress, '--tasks', file, '--json'])
    const listening = await next(admin.lines, e => e.event === 'listening')
    const addrs = listening.addrs as string[]
    const lan = addrs.find(a => a.startsWith(`/ip4/${net.address('admin')}/`))!
    const relayed = addrs.find(a => a.includes('/p2p-circuit/'))!
    const times = { direct: [] as number[], relayed: [] as number[], holePunched: [] as number[] }
    const hosts = { direct: 'desk', relayed: 'laptop', holePunched: 'cloud' } as const
    for (let round = 0; round < rounds; round++) {
      const order = (['direct', 'relayed', 'holePunched'] as const).map((_, i, all) => all[(i + round) % all.length]!)
      for (const via of order) {
        const name = `${via}-${round}`
        const started = performance.now()
        const worker = run(hosts[via], ['worker', '--admin', via === 'direct' ? lan : relayed, '--name', name, '--skill', '5', '--json', ...(via === 'holePunched' ? ['--listen', '/ip4/0.0.0.0/tcp/4010'] : [])])
        await next(admin.lines, e => e.event === 'task:completed' && e.worker === name)
        times[via].push(performance.now() - started)
        worker.child.kill('SIGKILL')
        await new Promise(resolve => worker.child.once('exit', resolve))
      }
    }
    return times
  } finally {
    for (const child of children) child.kill('SIGKILL')
    await Promise.all(children.map(async c => await new Promise(resolve => { if (c.exitCode != null || c.signalCode != null) resolve(undefined); else c.once('exit', resolve) })))
    net.down()
  }
}

/** The bench's lines for this part. */
export function relayReport (r: RelayBenchResult, print: (line: string) => void, range: (xs: number[]) => string): void {
  const ms = (xs: number[]): string => `${Math.round(median(xs))} ms${range(xs)}`
  print('\nthrough a relay (taskmesh relay, admin --relay) against direct, alternating; a worker process\'s start to its first task done, and no-op tasks a second through one worker (64 at once):')
  print(`  loopback, direct         first task ${ms(r.firstTaskMs.direct)}; ${Math.round(median(r.perSecond.direct)).toLocaleString('en')} tasks/s${range(r.perSecond.direct)}`)
  print(`  loopback, relayed        first task ${ms(r.firstTaskMs.relayed)}; ${Math.round(median(r.perSecond.relayed)).toLocaleString('en')} tasks/s${range(r.perSecond.relayed)}: ${(median(r.perSecond.relayed) / median(r.perSecond.direct) * 100).toFixed(0)}% of direct`)
  if (r.acrossNat != null) {
    print('  across NATs (namespaces), the admin behind one:')
    print(`    direct (its LAN)       first task ${ms(r.acrossNat.direct)}`)
    print(`    relayed (behind a NAT) first task ${ms(r.acrossNat.relayed)}`)
    print(`    hole-punched (public)  first task ${ms(r.acrossNat.holePunched)}`)
  } else {
    print(`  across NATs: skipped (${r.acrossNatSkipped})`)
  }
}
