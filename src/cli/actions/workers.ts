import { printWorkers, workerState } from '../report.js'
import { UsageError } from '../exit-codes.js'
import { printable } from '../../util/printable.js'
import { withClient } from './client.js'
import type { WorkerStatusUpdate } from '../../core/registry.js'
import type { ClientOptions } from './client.js'

export interface SetOptions extends ClientOptions {
  draining?: boolean
  online?: boolean
  offline?: boolean
  priority?: number
  maxConcurrent?: number
}

export async function runList (opts: ClientOptions): Promise<void> {
  await withClient(opts, async (client, out) => {
    const workers = await client.workers()
    out.event('workers', { workers })
    printWorkers(out, workers)
    out.say(`${workers.length} ${workers.length === 1 ? 'worker' : 'workers'}, ${workers.filter(w => w.online).length} online`)
  })
}

export async function runSet (worker: string, opts: SetOptions): Promise<void> {
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
}

export async function runDisconnect (worker: string, opts: ClientOptions): Promise<void> {
  await withClient(opts, async (client, out) => {
    const { disconnected } = await client.disconnectWorker(worker)
    out.event('worker:disconnected', { worker, peerId: disconnected })
    out.say(`worker ${worker} (${printable(disconnected)}) disconnected; its running tasks are back in the queue`)
  })
}
