import { createRequire } from 'node:module'
import { Command, CommanderError } from 'commander'
import { adminCommand } from './commands/admin.js'
import { graphCommand } from './commands/graph.js'
import { clientCommands } from './commands/client.js'
import { taskQueryCommands } from './commands/task-queries.js'
import { agentTokenCommand, keygenCommand } from './commands/keygen.js'
import { mcpCommand } from './commands/mcp.js'
import { simulateCommand } from './commands/simulate.js'
import { workerCommand } from './commands/worker.js'
import { workersCommand } from './commands/workers.js'
import { relayCommand } from './commands/relay.js'
import { schedulesCommand } from './commands/schedules.js'
import { exitCodeFor } from './exit-codes.js'
import { printable } from '../util/printable.js'

/** The package's version, from its package.json (two levels up from src/cli/ and from its build in dist/cli/). */
const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version

export function buildProgram (): Command {
  const program = new Command('taskmesh')
    .description('a peer-to-peer network that assigns tasks to worker agents by skill and capability')
    .version(VERSION)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
  for (const command of [keygenCommand(), agentTokenCommand(), adminCommand(), workerCommand(), relayCommand(), simulateCommand(), ...clientCommands(), ...taskQueryCommands(), workersCommand(), schedulesCommand(), mcpCommand(), graphCommand()]) {
    program.addCommand(command.exitOverride().showHelpAfterError('(add --help for usage)'))
  }
  return program
}

/** Runs the CLI; resolves with the process exit code. */
export async function main (argv: string[] = process.argv): Promise<number> {
  // Commands await promises (a worker's run, a drain, a stop); a pending promise does not keep Node
  // running, and some waits inside libp2p are bounded by unref'd timers. Without this handle the process
  // could end in the middle of such a wait, with exit code 0, before the command has said how it went.
  const keepAlive = setInterval(() => {}, 2 ** 30)
  try {
    await buildProgram().parseAsync(argv)
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (err) {
    const code = exitCodeFor(err)
    // commander has already printed its own usage errors and help; a message may quote a peer (an admin's
    // answer, a refusal), so it is escaped, keeping the lines it is laid out on
    if (!(err instanceof CommanderError)) process.stderr.write(`${printable(err instanceof Error && code === 2 ? err.message : `error: ${(err as Error).message ?? String(err)}`, { multiline: true })}\n`)
    return code
  } finally {
    clearInterval(keepAlive)
  }
}
