import { execFileSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { readdir, stat as statFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Clock ticks per second of /proc's CPU times. */
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

/** CPU time a process has used (user + system), in µs, from /proc; undefined where there is no /proc. */
export function cpuMicros (pid: number | undefined): number | undefined {
  if (pid == null) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // the fields after the command name, which is in parentheses and may hold spaces
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / TICKS * 1e6
  } catch {
    return undefined
  }
}

/** CPU µs of several processes together, undefined when any is unknown. */
export function cpuOf (pids: ReadonlyArray<number | undefined>): number | undefined {
  let total = 0
  for (const pid of pids) {
    const us = cpuMicros(pid)
    if (us == null) return undefined
    total += us
  }
  return total
}

/** A process's resident memory in bytes, from /proc (undefined where it cannot be read). */
export function rssOf (pid: number | undefined): number | undefined {
  if (pid == null) return undefined
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb == null ? undefined : Number(kb) * 1024
  } catch {
    return undefined
  }
}

/** `promise`, or a rejection saying what `what` says then, after `ms`: a run that cannot finish says so. */
export async function within<T> (promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what()} within ${ms / 1000} s`)) }, ms) })])
  } finally {
    clearTimeout(timer)
  }
}

/** This process's CPU time in µs. */
export function ownCpuMicros (): number {
  const { user, system } = process.cpuUsage()
  return user + system
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopChild (child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode != null || child.signalCode != null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * The processes a bench starts (the CLI's admins and workers, the fleet's workers) run the built package,
 * dist/, while the bench itself runs the sources (so do its admins in a process of their own, the fleet's
 * and the soak's, which it starts as it was started, by tsx): a build older than the sources, or none (a fresh git
 * worktree), would measure other code, or leave a part waiting for processes that never start. `npm run
 * bench` builds first; a bench started otherwise is refused until `npm run build` has run.
 */
export async function requireBuild (): Promise<void> {
  const built = await newestOf(join(ROOT, 'dist'), '.js')
  const sources = await newestOf(join(ROOT, 'src'), '.ts')
  if (built == null || (sources != null && built < sources)) {
    throw new Error(`the bench's processes run the built package, and ${built == null ? 'there is none' : 'it is older than src/'}: run npm run build first (npm run bench does)`)
  }
}

/** The latest modification time of the files under `dir` whose names end with `ext`; undefined when none. */
async function newestOf (dir: string, ext: string): Promise<number | undefined> {
  let newest: number | undefined
  const files = await readdir(dir, { recursive: true }).catch(() => [])
  for (const file of files) {
    if (file.endsWith(ext)) newest = Math.max(newest ?? 0, (await statFile(join(dir, file))).mtimeMs)
  }
  return newest
}
