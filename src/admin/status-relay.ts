import { workerSnapshot } from '../core/registry.js'
import { StatusChannel } from '../status/status-channel.js'
import type { Scheduler } from '../core/scheduler.js'
import type { AdminEvents } from './events.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Logger, TypedEventEmitter } from '@libp2p/interface'

export interface StatusRelayInit {
  pubsub: GossipSub
  network: string
  peerId: string
  scheduler: Scheduler
  log: Logger
  clock: () => number
  /** The admin service: `worker:status` is dispatched there, and `done` heard from there. */
  events: TypedEventEmitter<AdminEvents>
  /** A status message was refused: count it against its sender. */
  strike(peerId: string, reason: string): void
}

/**
 * The admin's side of the status broadcasts: what registered workers say about their machines goes onto
 * their records (CPU, memory), and the admin's own progress goes out every scheduling interval and when
 * every task is final. Advisory only: task state travels on the task streams.
 */
export class StatusRelay {
  private readonly init: StatusRelayInit
  private readonly channel: StatusChannel
  private readonly onDone = (): void => { this.publishProgress() }

  constructor (init: StatusRelayInit) {
    this.init = init
    this.channel = new StatusChannel(init.pubsub, {
      network: init.network,
      log: init.log,
      onWorkerStatus: status => {
        const { scheduler, events } = this.init
        // only registered workers are recorded, so strangers cannot grow anything here
        const worker = scheduler.view.worker(status.peerId)
        if (worker == null) return
        scheduler.recordLoad(status.peerId, { cpu: status.cpu, memoryBytes: status.memoryBytes, at: status.timestamp })
        if (events.listenerCount('worker:status') > 0) events.safeDispatchEvent('worker:status', { detail: workerSnapshot(worker) })
      },
      onRejected: (from, reason) => { this.init.strike(from, `status message: ${reason}`) }
    })
  }

  start (): void {
    this.channel.start()
    this.init.events.addEventListener('done', this.onDone)
  }

  stop (): void {
    this.init.events.removeEventListener('done', this.onDone)
    this.channel.stop()
  }

  publishProgress (): void {
    const { total, counts, workers } = this.init.scheduler.view.summary()
    this.channel.publish({
      admin: {
        peerId: this.init.peerId,
        total,
        waiting: counts.waiting + counts.ready + counts.delayed,
        running: counts.running,
        succeeded: counts.succeeded,
        failed: counts.failed,
        skipped: counts.skipped,
        cancelled: counts.cancelled,
        workers,
        timestamp: this.init.clock()
      }
    })
  }
}
