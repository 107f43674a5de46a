import { Command } from 'commander'
import { age, collect, integer, number, oneOf } from '../options.js'
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../client/constants.js'
import type { ClientOptions, PurgeOptions } from '../actions/client.js'

/** Options every command that talks to a running admin takes. */
export function clientOptions (command: Command, adminRequired = true): Command {
  const admin = '--admin <multiaddr>'
  const description = 'the admin\'s address as it printed it (ending in /p2p/<peerId>); repeat it for the addresses of an admin\'s replicas: the first that answers leads'
  return (adminRequired ? command.requiredOption(admin, description, collect) : command.option(admin, description, collect))
    .option('--key <file>', 'this client\'s identity key (what an admin\'s --allow-clients list names); created if missing')
    .option('--swarm-key <file>', 'private network key, when the admin uses one')
    .option('--timeout <seconds>', 'how long to wait for the admin', number(0), DEFAULT_REQUEST_TIMEOUT_MS / 1000)
    .option('--json', 'one JSON object per line on stdout, each with an "event" field')
}

/** The actions are loaded when a command runs: talking to an admin needs libp2p, listing the commands does not. */
const actions = async () => await import('../actions/client.js')

export function clientCommands (): Command[] {
  const submit = clientOptions(new Command('submit'))
    .description('submit tasks to a running admin')
    .requiredOption('--tasks <file>', 'task file, JSON or YAML (checked here before anything is sent)')
    .option('--wait', 'wait until the submitted tasks are final, showing progress; exit 0 if all succeeded')
    .action(async (opts: ClientOptions & { tasks: string, wait?: boolean }) => { await (await actions()).runSubmit(opts) })

  const status = clientOptions(new Command('status'))
    .description('progress and workers of a running admin')
    .action(async (opts: ClientOptions) => { await (await actions()).runStatus(opts) })

  const cancel = clientOptions(new Command('cancel'))
    .description('cancel a task: a running attempt is aborted, dependents are skipped')
    .argument('<id>', 'task id')
    .option('--reason <text>', 'why, kept in the task\'s history')
    .action(async (id: string, opts: ClientOptions & { reason?: string }) => { await (await actions()).runCancel(id, opts) })

  const retry = clientOptions(new Command('retry'))
    .description('put a failed, cancelled or skipped task back, with a fresh retry budget')
    .argument('<id>', 'task id')
    .action(async (id: string, opts: ClientOptions) => { await (await actions()).runRetry(id, opts) })

  const pause = clientOptions(new Command('pause'))
    .description('start nothing new (of one type, or of any): running tasks finish; lasts until resume, across restarts')
    .option('--type <type>', 'only tasks of this type')
    .option('--group <group>', 'only tasks of this group (a task\'s group field)')
    .option('--reason <text>', 'why, shown where a task waits')
    .action(async (opts: ClientOptions & { type?: string, group?: string, reason?: string }) => { await (await actions()).runPause(opts) })

  const resume = clientOptions(new Command('resume'))
    .description('undo a pause: of --type, or the one of every task')
    .option('--type <type>', 'the type paused with --type')
    .option('--group <group>', 'the group paused with --group')
    .action(async (opts: ClientOptions & { type?: string, group?: string }) => { await (await actions()).runResume(opts) })

  const purge = clientOptions(new Command('purge'))
    .description('drop finished tasks from the admin\'s memory and journal, oldest first (never one a kept task depends on)')
    .option('--state <state>', 'only tasks in this final state: succeeded, failed, skipped or cancelled', oneOf('succeeded', 'failed', 'skipped', 'cancelled'))
    .option('--older-than <duration>', 'only tasks that finished longer ago than this (90s, 15m, 12h, 7d; 0 for all)', age)
    .option('--keep <n>', 'keep this many of the newest finished tasks', integer(0))
    .action(async (opts: ClientOptions & PurgeOptions) => { await (await actions()).runPurge(opts) })

  return [submit, status, cancel, retry, pause, resume, purge]
}
