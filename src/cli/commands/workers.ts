import { FIELD_LIMITS } from '../../protocol/constants.js'
import { Command } from 'commander'
import { integer } from '../options.js'
import { printWorkers, workerState } from '../report.js'
import { UsageError } from '../exit-codes.js'
import { clientOptions, withClient, type ClientOptions } from './client.js'
import type { WorkerStatusUpdate } from '../../core/registry.js'
import { printable } from '../../util/printable.js'

interface SetOptions extends ClientOptions {
  draining?: boolean
  online?: boolean
  offline?: boolean
  priority?: number
  maxConcurrent?: number
}

/**
 * `taskmesh workers`: the workers of a running admin, and an operator's hand on them: drain, pause,
 * re-prioritise, cap or disconnect one, by name or peer id.
 */
export function workersCommand (): Command {
  const list = clientOptions(new Command('list'))
    .description('the workers of a running admin (the default)')
    .action(async (opts: ClientOptions) => {
      await withClient(opts, async (client, out) => {
        const workers = await client.workers()
        out.event('workers', { workers })
        printWorkers(out, workers)
        out.say(`${workers.length} ${workers.length === 1 ? 'worker' : 'workers'}, ${workers.filter(w => w.online).length} online`)
      })
    })

  const set = clientOptions(new Command('set'))
    .description('steer a worker until it registers again: drain it, take it offline or back, change its priority or how much it runs at once')
    .argument('<worker>', 'worker name or peer id')
    .option('--draining', 'finish what it runs, take nothing new')
    .option('--no-draining', 'take work again after --draining')
    .option('--offline', 'like --draining, and counted as offline')
    .option('--online', 'back online after --offline')
    .option('--priority <n>', 'preference under the priority strategy (higher first)', integer(-FIELD_LIMITS.priority, FIELD_LIMITS.priority))
    .option('--max-concurrent <n>', 'attempts it may run at once, at most what it asked for', integer(1, FIELD_LIMITS.maxConcurrent))
    .action(async (worker: string, opts: SetOptions) => {
      if (opts.online === true && opts.offline === true) throw new UsageError('give --online or --offline, not both')
      const update: WorkerStatusUpdate = {}
      if (opts.draining != null) update.draining = opts.draining
      if (opts.online === true) update.online = true
      if (opts.offline === true) update.online = false
      if (opts.priority != null) update.priority = opts.priority
      if (opts.maxConcurrent != null) update.maxConcurrent = opts.maxConcurrent
      if (Object.keys(update).length === 0) throw new UsageError('nothing to change: give --draining, --no-draining, --offline, --online, --priority or --max-concurrent')
      await withClient(opts, async (client, out) => {
        const w = await client.updateWorker(worker, update)
        out.event('worker:updated', { worker: w })
        out.say(`worker ${printable(w.name)}: ${workerState(w)}, priority ${w.priority}, runs up to ${w.maxConcurrent} at once (${w.running} running now)`)
      })
    })

  const disconnect = clientOptions(new Command('disconnect'))
    .description('close a worker\'s connection; what it runs goes back to the queue (it may connect again: use an allow-list to keep it out)')
    .argument('<worker>', 'worker name or peer id')
    .action(async (worker: string, opts: ClientOptions) => {
      await withClient(opts, async (client, out) => {
        const { disconnected } = await client.disconnectWorker(worker)
        out.event('worker:disconnected', { worker, peerId: disconnected })
        out.say(`worker ${worker} (${printable(disconnected)}) disconnected; its running tasks are back in the queue`)
      })
    })

  return new Command('workers')
    .description('list the workers of a running admin, or steer one (set, disconnect)')
    .addCommand(list, { isDefault: true })
    .addCommand(set)
    .addCommand(disconnect)
}
