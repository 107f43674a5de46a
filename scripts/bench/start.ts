import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { median } from './stats.js'

const BIN = fileURLToPath(new URL('../../bin/taskmesh.js', import.meta.url))
/** A peer id nobody answers for, at a port nothing listens on: the client command fails at its first dial. */
const NOBODY = '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWLRPJAA5o6Xw8GC4o5TrzHzPS6TTQNtQsHJA7UFVrEyGL'

export interface StartResult {
  command: string
  /** Wall time of each run, ms. */
  runsMs: number[]
  medianMs: number
  /** Peak resident memory (from /usr/bin/time), MiB; undefined without it. */
  maxRssMiB?: number
}

/**
 * How long the CLI takes to start: `--version`, `--help`, and a client command up to its first dial (it
 * dials a port nothing listens on, so it fails at once and what is timed is its start). Each a fresh
 * process, `runs` times.
 */
export function startBench (runs: number): StartResult[] {
  const time = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined
  const commands: Array<[string, string[]]> = [
    ['taskmesh --version', ['--version']],
    ['taskmesh --help', ['--help']],
    ['taskmesh status (to its first dial)', ['status', '--admin', NOBODY]]
  ]
  return commands.map(([command, args]) => {
    const runsMs: number[] = []
    const rss: number[] = []
    for (let i = 0; i < runs; i++) {
      const began = performance.now()
      const r = time != null
        ? spawnSync(time, ['-f', 'maxrss %M', process.execPath, BIN, ...args], { encoding: 'utf8' })
        : spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })
      runsMs.push(performance.now() - began)
      const kib = /maxrss (\d+)/.exec(r.stderr ?? '')?.[1]
      if (kib != null) rss.push(Number(kib) / 1024)
    }
    return { command, runsMs, medianMs: median(runsMs), ...(rss.length > 0 ? { maxRssMiB: median(rss) } : {}) }
  })
}
