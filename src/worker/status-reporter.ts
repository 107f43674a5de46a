import { StatusChannel } from '../status/status-channel.js'
import { STATUS_BROADCAST_MS } from './constants.js'
import { LoadSampler } from './load-sampler.js'
import type { WorkerStatus } from '../status/status-channel.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Logger } from '@libp2p/interface'

/** What the worker says about itself, apart from its machine's figures. */
export type ReportedState = Pick<WorkerStatus, 'name' | 'state' | 'running' | 'capacity' | 'completed' | 'failed' | 'skill' | 'capabilities'>

export interface StatusReporterInit {
  pubsub: GossipSub
  network: string
  peerId: string
  log: Logger
  /** Broadcasts at most this often. */
  intervalMs: number
  /** The worker's state now. */
  state(): ReportedState
}

/**
 * The worker's status broadcasts, for whoever follows the network's topic: its state, load, and its
 * process's CPU and memory. Each costs a signature here and a verification on every receiver, and on a
 * star of a thousand workers the admin relays them, so they go out when the worker's state changes
 * (connected, disconnected, draining; coalesced, at most one per interval) and every 30 s. The admin
 * learns the load it uses from the heartbeats on the task stream.
 */
export class StatusReporter {
  private readonly init: StatusReporterInit
  private readonly channel: StatusChannel
  private heartbeat: ReturnType<typeof setInterval> | undefined
  private pending: ReturnType<typeof setTimeout> | undefined
  private lastAt = -Infinity
  private readonly load = new LoadSampler()

  constructor (init: StatusReporterInit) {
    this.init = init
    this.channel = new StatusChannel(init.pubsub, { network: init.network, log: init.log })
  }

  start (): void {
    this.channel.start()
    this.heartbeat = setInterval(() => { this.changed() }, STATUS_BROADCAST_MS)
    this.heartbeat.unref()
  }

  stop (): void {
    clearInterval(this.heartbeat)
    clearTimeout(this.pending)
    this.pending = undefined
    this.channel.stop()
  }

  /** The state changed: broadcast it now, or at the end of the interval. */
  changed (): void {
    if (this.pending != null) return
    const wait = this.lastAt + this.init.intervalMs - performance.now()
    if (wait <= 0) {
      this.broadcast()
      return
    }
    this.pending = setTimeout(() => {
      this.pending = undefined
      this.broadcast()
    }, wait)
    this.pending.unref()
  }

  private broadcast (): void {
    this.lastAt = performance.now()
    this.channel.publish({
      worker: {
        ...this.init.state(),
        ...this.load.sample(),
        peerId: this.init.peerId,
        timestamp: Date.now()
      }
    })
  }
}
