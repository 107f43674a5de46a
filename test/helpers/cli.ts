import { afterEach } from 'vitest'
import { CliProcess, type CliProcessOptions, type JsonEvent } from './cli-process.js'

export { BIN, CliProcess, type CliProcessOptions, type JsonEvent } from './cli-process.js'

/**
 * The CLI processes of a test file (or of a describe block, where it is called): `start` runs one, and
 * every one still running is killed after each test (SIGCONT first, so a stopped process dies too).
 */
export function cliProcesses (): { start: (args: string[], options?: CliProcessOptions) => CliProcess } {
  const running: CliProcess[] = []
  afterEach(async () => {
    for (const p of running.splice(0)) {
      p.kill('SIGCONT')
      p.kill('SIGKILL')
      await p.exited
    }
  })
  return {
    start: (args, options = {}) => {
      const p = new CliProcess(args, options)
      running.push(p)
      return p
    }
  }
}

/** Runs `taskmesh <args>` to completion. */
export async function runCli (args: string[], options: CliProcessOptions = {}): Promise<{ code: number | null, stdout: string, stderr: string, events: JsonEvent[] }> {
  const p = new CliProcess(args, options)
  const code = await p.exit()
  return { code, stdout: p.lines.join('\n'), stderr: p.stderr, events: p.events }
}
