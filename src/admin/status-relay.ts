import { StatusChannel } from '../status/status-channel.js'
import { PROGRESS_BROADCAST_MIN_INTERVAL_MS, PROGRESS_BROADCAST_REFRESH_MS } from './constants.js'
import { sameCounts, type TaskCounts } from '../core/counts.js'
import type { Admission } from './admission.js'
import type { FlushRequests } from './pull-workers.js'
import type { Announcer } from './announcer.js'
import type { Scheduler } from '../core/scheduler.js'
import type { AdminEvents } from './events.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Logger, TypedEventTarget } from '@libp2p/interface'

export interface StatusRelayInit {
  pubsub: GossipSub
  network: string
  peerId: string
  /** Where workers' loads go, and what progress is read from. */
  scheduler: Pick<Scheduler, 'recordLoad' | 'view'>
  log: Logger
  clock: () => number
  /** `done` is heard from there. */
  events: TypedEventTarget<AdminEvents>
  /** Where `worker:status` is said. */
  announcer: Announcer
  /** A status message refused counts against its sender. */
  admission: Admission
  /** Runs the scheduler when a worker became busy or free. */
  cycle: FlushRequests
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
  private lastPublished = -Infinity
  private lastCounts?: TaskCounts
  private trailing?: ReturnType<typeof setTimeout>

  constructor (init: StatusRelayInit) {
    this.init = init
    this.channel = new StatusChannel(init.pubsub, {
      network: init.network,
      log: init.log,
      relayWorkerStatus: false,
      onWorkerStatus: status => {
        const { scheduler, announcer } = this.init
        // only registered workers are recorded, so strangers cannot grow anything here
        const worker = scheduler.view.worker(status.peerId)
        if (worker == null) return
        if (scheduler.recordLoad(status.peerId, { cpu: status.cpu, memoryBytes: status.memoryBytes, at: status.timestamp })) this.init.cycle.request()
        announcer.workerStatus(worker)
      },
      onRejected: (from, reason) => { this.init.admission.strike(from, `status message: ${reason}`, 1) }
    })
  }

  start (): void {
    this.channel.start()
    this.init.events.addEventListener('done', this.onDone)
  }

  stop (): void {
    this.init.events.removeEventListener('done', this.onDone)
    clearTimeout(this.trailing)
    this.trailing = undefined
    this.channel.stop()
  }

  /**
   * Broadcasts the admin's progress, at most once per {@link PROGRESS_BROADCAST_MIN_INTERVAL_MS}: asked
   * again sooner, it goes out once at the end of the interval, with the counts of then. A signed message
   * per completed run would put a signature, and the workers' checks of it, on every task's path.
   */
  publishProgress (): void {
    if (this.trailing != null) return
    // an idle admin has nothing new to say: the same counts go out again only once in a while
    const { counts } = this.init.scheduler.view.summary()
    if (this.lastCounts != null && sameCounts(this.lastCounts, counts) && performance.now() - this.lastPublished < PROGRESS_BROADCAST_REFRESH_MS) return
    const wait = this.lastPublished + PROGRESS_BROADCAST_MIN_INTERVAL_MS - performance.now()
    if (wait > 0) {
      this.trailing = setTimeout(() => {
        this.trailing = undefined
        this.publishProgress()
      }, wait)
      this.trailing.unref()
      return
    }
    this.lastPublished = performance.now()
    this.lastCounts = counts
    const { total, workers } = this.init.scheduler.view.summary()
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

/** The pubsub service of a node's components when it has one (it is optional for a user's own node). */
export function optionalPubsub (components: { pubsub?: GossipSub }): GossipSub | undefined {
  try {
    return components.pubsub
  } catch {
    return undefined
  }
}
