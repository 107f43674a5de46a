import { Command } from 'commander'
import { number, oneOf } from '../options.js'
import { clientOptions } from './client.js'
import type { ClientOptions } from '../actions/client.js'
import type { AddOptions } from '../actions/schedules.js'

const actions = async () => await import('../actions/schedules.js')

/** `taskmesh schedules`: the recurring tasks of a running admin, and an operator's hand on them. */
export function schedulesCommand (): Command {
  const list = clientOptions(new Command('list'))
    .description('the schedules of a running admin, with their next firing (the default)')
    .action(async (opts: ClientOptions) => { await (await actions()).runList(opts) })

  const add = clientOptions(new Command('add'))
    .description('add a schedule, or replace the one of that name: each firing submits its task, with the id NAME@SLOT')
    .argument('[name]', 'the schedule\'s name (with --cron or --every, and --task)')
    .option('--file <file>', 'the schedules of a task file (its "schedules" section) instead')
    .option('--cron <expression>', '5 fields (minute hour day month weekday) or 6 (seconds first), such as "0 10 * * *"')
    .option('--timezone <zone>', 'the IANA time zone of --cron, such as Europe/Paris (default UTC)')
    .option('--every <seconds>', 'fire every so many seconds, on whole multiples of it', number(1))
    .option('--task <json>', 'the task each firing submits, as JSON: any task field but its id, such as \'{"type": "report"}\'')
    .option('--catch-up <mode>', 'slots missed while no admin ran: none (let pass, the default) or last (fire the latest once)', oneOf('none', 'last'))
    .action(async (name: string | undefined, opts: AddOptions) => { await (await actions()).runAdd(name, opts) })

  const pause = clientOptions(new Command('pause'))
    .description('let a schedule\'s slots pass without a task until it is resumed')
    .argument('<name>', 'the schedule')
    .action(async (name: string, opts: ClientOptions) => { await (await actions()).runPause(name, true, opts) })

  const resume = clientOptions(new Command('resume'))
    .description('fire a paused schedule again, from its next slot')
    .argument('<name>', 'the schedule')
    .action(async (name: string, opts: ClientOptions) => { await (await actions()).runPause(name, false, opts) })

  const remove = clientOptions(new Command('remove'))
    .description('remove a schedule; the tasks it submitted stay')
    .argument('<name>', 'the schedule')
    .action(async (name: string, opts: ClientOptions) => { await (await actions()).runRemove(name, opts) })

  return new Command('schedules')
    .description('list the recurring tasks of a running admin, or add, pause, resume or remove one')
    .addCommand(list, { isDefault: true })
    .addCommand(add)
    .addCommand(pause)
    .addCommand(resume)
    .addCommand(remove)
}
