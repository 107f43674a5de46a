import { Command } from 'commander'
import { DEFAULT_PAGE, MAX_PAGE } from '../../admin/constants.js'
import { TASK_STATES } from '../../core/task.js'
import { integer, oneOf } from '../options.js'
import { clientOptions } from './client.js'
import type { ClientOptions } from '../actions/client.js'
import type { JournalOptions, ResultOptions, TasksOptions } from '../actions/task-queries.js'

/** `--data-dir` or `--database-url`: a stopped admin's journal to read instead of asking a running admin. */


/** The actions are loaded when a command runs: listing the commands needs none of them. */
const actions = async () => await import('../actions/task-queries.js')

/** `tasks`, `history` and `result`: what a running admin, or a stopped one's journal, knows of tasks. */
export function taskQueryCommands (): Command[] {
  return [tasksCommand(), historyCommand(), resultCommand()]
}

function tasksCommand (): Command {
  return clientOptions(new Command('tasks'))
    .description('the tasks of a running admin, a page at a time')
    .option('--state <state>', `only tasks in this state: ${TASK_STATES.join(', ')}, or final`, oneOf(...TASK_STATES, 'final'))
    .option('--offset <n>', 'skip this many', integer(0), 0)
    .option('--limit <n>', `show at most this many (up to ${MAX_PAGE}; page with --offset)`, integer(1, MAX_PAGE), DEFAULT_PAGE)
    .option('--output', 'add each task\'s output: shortened in the table, whole with --json')
    .option('--search <text>', 'only tasks whose id, description or worker contains this text (any case)')
    .action(async (opts: TasksOptions) => { await (await actions()).runTasks(opts) })
}

function historyCommand (): Command {
  return journalOptions(clientOptions(new Command('history'), false))
    .description('everything that happened to a task: assigned to whom and when, outcomes, errors, and how it stands')
    .argument('<id>', 'task id')
    .action(async (id: string, opts: ClientOptions & JournalOptions) => { await (await actions()).runHistory(id, opts) })
}

function resultCommand (): Command {
  return journalOptions(clientOptions(new Command('result'), false))
    .description('a task\'s output (a text as it is, other values as JSON); exit 1 with its error when it did not succeed')
    .argument('<id>', 'task id')
    .option('--wait', 'with --admin: wait until the task is final')
    .action(async (id: string, opts: ResultOptions) => { await (await actions()).runResult(id, opts) })
}

/** `--data-dir` and `--database-url`: read a journal instead of asking a running admin. */
function journalOptions (command: Command): Command {
  return command
    .option('--data-dir <dir>', 'read a stopped admin\'s journal instead of asking a running admin')
    .option('--database-url <url>', 'read the journal in PostgreSQL instead of asking a running admin')
}
