import { StatusChannel } from '../status/status-channel.js'
import { STATUS_HEARTBEAT_MS } from './constants.js'
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
 * The worker's status broadcasts: its state, load, and its process's CPU and memory. Each broadcast costs
 * a signature here and a verification on every receiver, so changes are coalesced into at most one per
 * interval carrying the latest state, and one goes out every few seconds regardless.
 */
export class StatusReporter {
  private readonly init: StatusReporterInit
  private readonly channel: StatusChannel
  private heartbeat: ReturnType<typeof setInterval> | undefined
  private pending: ReturnType<typeof setTimeout> | undefined
  private lastAt = -Infinity
  private cpuMark = { usage: process.cpuUsage(), at: performance.now() }

  constructor (init: StatusReporterInit) {
    this.init = init
    this.channel = new StatusChannel(init.pubsub, { network: init.network, log: init.log })
  }

  start (): void {
    this.channel.start()
    this.heartbeat = setInterval(() => { this.changed() }, STATUS_HEARTBEAT_MS)
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
    const now = performance.now()
    this.lastAt = now
    const usage = process.cpuUsage()
    const busyUs = (usage.user - this.cpuMark.usage.user) + (usage.system - this.cpuMark.usage.system)
    const cpu = now > this.cpuMark.at ? busyUs / 1000 / (now - this.cpuMark.at) : 0
    this.cpuMark = { usage, at: now }
    this.channel.publish({
      worker: {
        ...this.init.state(),
        peerId: this.init.peerId,
        cpu,
        memoryBytes: process.memoryUsage.rss(),
        timestamp: Date.now()
      }
    })
  }
}
