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

/** The installed CLI as users run it: `bin/taskmesh.js` on the built sources. */
export function builtCliCommand (): { command: string, args: string[] } {
  return { command: process.execPath, args: [fileURLToPath(new URL('../../bin/taskmesh.js', import.meta.url))] }
}

/**
 * Starts `taskmesh <args>` as a child process whose stdout and stderr are pipes: running the same sources
 * as this process, or with `built` the installed CLI (what benchmarks measure).
 */
export function spawnCli (args: string[], options: { env?: NodeJS.ProcessEnv, built?: boolean } = {}): ChildProcess {
  const { command, args: base } = options.built === true ? builtCliCommand() : cliCommand()
  return spawn(command, [...base, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } })
}
