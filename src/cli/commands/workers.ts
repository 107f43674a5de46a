import { Command } from 'commander'
import { FIELD_LIMITS } from '../../protocol/constants.js'
import { integer } from '../options.js'
import { clientOptions } from './client.js'
import type { ClientOptions } from '../actions/client.js'
import type { SetOptions } from '../actions/workers.js'


/**
 * `taskmesh workers`: the workers of a running admin, and an operator's hand on them: drain, pause,
 * re-prioritise, cap or disconnect one, by name or peer id.
 */
export function workersCommand (): Command {
  const list = clientOptions(new Command('list'))
    .description('the workers of a running admin (the default)')
    .action(async (opts: ClientOptions) => { await (await import('../actions/workers.js')).runList(opts) })

  const set = clientOptions(new Command('set'))
    .description('steer a worker until it registers again: drain it, take it offline or back, change its priority or how much it runs at once')
    .argument('<worker>', 'worker name or peer id')
    .option('--draining', 'finish what it runs, take nothing new')
    .option('--no-draining', 'take work again after --draining')
    .option('--offline', 'like --draining, and counted as offline')
    .option('--online', 'back online after --offline')
    .option('--priority <n>', 'preference under the priority strategy (higher first)', integer(-FIELD_LIMITS.priority, FIELD_LIMITS.priority))
    .option('--max-concurrent <n>', 'attempts it may run at once, at most what it asked for', integer(1, FIELD_LIMITS.maxConcurrent))
    .action(async (worker: string, opts: SetOptions) => { await (await import('../actions/workers.js')).runSet(worker, opts) })

  const disconnect = clientOptions(new Command('disconnect'))
    .description('close a worker\'s connection; what it runs goes back to the queue (it may connect again: use an allow-list to keep it out)')
    .argument('<worker>', 'worker name or peer id')
    .action(async (worker: string, opts: ClientOptions) => { await (await import('../actions/workers.js')).runDisconnect(worker, opts) })

  return new Command('workers')
    .description('list the workers of a running admin, or steer one (set, disconnect)')
    .addCommand(list, { isDefault: true })
    .addCommand(set)
    .addCommand(disconnect)
}
