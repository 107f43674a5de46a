import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CliProcess } from '../../test/helpers/cli-process.js'

const ATTACK = fileURLToPath(new URL('./attack.ts', import.meta.url))

export interface HostileBenchOptions {
  tasks: number
  taskMs: number
  attackers: boolean
}

export interface HostileBenchResult extends HostileBenchOptions {
  /** From the honest workers' start to the admin's exit. */
  elapsedMs: number
  /** The admin process's peak resident memory. */
  peakRssBytes: number
  /** What the attackers did, when there were any. */
  attacks?: Record<string, number>
}

/**
 * An admin with its default options and three honest worker processes (8 at once each), with or without
 * the attackers of the hostile-workers test running the whole time: a churner under fresh peer ids and one
 * under a single id, a hoarder, a liar, and 48 peers holding unfinished frames on unregistered streams; and
 * over HTTP an agent hoarding under one name, one churning under fresh names, and one flooding new names.
 * The attackers run in a process of their own at the lowest CPU priority, as if on another machine.
 */
export async function hostileBench (options: HostileBenchOptions): Promise<HostileBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'taskmesh-bench-hostile-'))
  const file = join(dir, 'tasks.json')
  await writeFile(file, JSON.stringify(Array.from({ length: options.tasks }, (_, i) => ({ id: `h${i}`, payload: { durationMs: options.taskMs } }))))
  // the HTTP API on too: agents that pull are a door like the task stream
  const admin = new CliProcess(['admin', '--tasks', file, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '0', '--exit-when-done', '--json', '--log-level', 'error'])
  const workers: CliProcess[] = []
  let peak = 0
  const sample = setInterval(() => { void vmHwm(admin.child.pid!).then(kb => { peak = Math.max(peak, kb * 1024) }, () => {}) }, 50)
  try {
    const { addrs, http } = await admin.waitForEvent('listening')
    const address: string = addrs[0]
    const attacker = options.attackers ? new CliProcess([address, 'honest-1', http], { command: ['nice', '-n', '19', process.execPath, '--import', 'tsx', ATTACK] }) : undefined
    if (attacker != null) {
      workers.push(attacker)
      await attacker.waitForEvent('attacking', () => true, 60_000)
    }
    const started = performance.now()
    for (const name of ['honest-1', 'honest-2', 'honest-3']) {
      workers.push(new CliProcess(['worker', '--admin', address, '--name', name, '--skill', '5', '--max-concurrent', '8', '--quiet']))
    }
    const code = await admin.exit(600_000)
    const elapsedMs = performance.now() - started
    let attacks: Record<string, number> | undefined
    if (attacker != null) {
      attacker.kill('SIGTERM')
      const { event: _event, ...done } = await attacker.waitForEvent('done', () => true, 60_000)
      attacks = done
    }
    const summary = admin.events.at(-1)
    if (code !== 0 || summary?.succeeded !== options.tasks) throw new Error(`the run did not succeed: exit ${code}, ${JSON.stringify(summary).slice(0, 200)}\n${admin.stderr.slice(-2000)}`)
    return { ...options, elapsedMs, peakRssBytes: peak, ...(attacks != null ? { attacks } : {}) }
  } finally {
    clearInterval(sample)
    for (const p of [admin, ...workers]) p.kill('SIGKILL')
    await Promise.all([admin, ...workers].map(async p => await p.exited))
    await rm(dir, { recursive: true, force: true })
  }
}

/** Peak resident set of a process so far, in KiB (Linux). */
async function vmHwm (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0)
}
