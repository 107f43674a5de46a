import { spawn, type ChildProcess } from 'node:child_process'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The command that runs this installation's CLI in a child process: the same Node, the same loader
 * flags (so under tsx the child runs the same sources as the parent) and the CLI entry beside this module.
 */
export function cliCommand (): { command: string, args: string[] } {
  const here = fileURLToPath(import.meta.url)
  const entry = fileURLToPath(new URL(`../cli/run${extname(here)}`, import.meta.url))
  return { command: process.execPath, args: [...process.execArgv, entry] }
}

/** Starts `taskmesh <args>` as a child process whose stdout and stderr are pipes. */
export function spawnCli (args: string[], options: { env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const { command, args: base } = cliCommand()
  return spawn(command, [...base, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } })
}
