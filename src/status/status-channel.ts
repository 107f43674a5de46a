import { TopicValidatorResult } from '@libp2p/gossipsub'
import { DEFAULT_MAX_STATUS_BYTES, statusTopic } from '../protocol/constants.js'
import { StatusMessage, type AdminProgress, type WorkerStatus } from '../protocol/pb/status.js'
import type { GossipSub, Message } from '@libp2p/gossipsub'
import type { Logger } from '@libp2p/interface'

export type { AdminProgress, WorkerStatus } from '../protocol/pb/status.js'

export interface StatusChannelInit {
  network: string
  log: Logger
  maxMessageBytes?: number
  onWorkerStatus?(status: WorkerStatus): void
  onAdminProgress?(progress: AdminProgress): void
  /** A status message was refused (unsigned, too large, undecodable, or describing another peer). */
  onRejected?(from: string, reason: string): void
  /**
   * Pass workers' statuses on to this peer's other subscribers. The admin, at the centre of a star of
   * workers that have no use for each other's statuses, does not: it would send each one to every peer
   * of its mesh. @default true
   */
  relayWorkerStatus?: boolean
}

/**
 * Status broadcasts on `taskmesh/<network>/status`. Advisory only: task state travels on the task stream.
 * A message is accepted only when it is signed (gossipsub StrictSign), decodes within the size limit, and
 * describes the peer that signed it; anything else is rejected before gossipsub forwards it.
 */
export class StatusChannel {
  readonly topic: string
  private readonly pubsub: GossipSub
  private readonly init: StatusChannelInit
  private readonly maxBytes: number

  constructor (pubsub: GossipSub, init: StatusChannelInit) {
    this.pubsub = pubsub
    this.init = init
    this.topic = statusTopic(init.network)
    this.maxBytes = init.maxMessageBytes ?? DEFAULT_MAX_STATUS_BYTES
    this.onMessage = this.onMessage.bind(this)
  }

  start (): void {
    // gossipsub asks this before it delivers or forwards a message: a rejected one never reaches a listener,
    // so this is where a rejection is reported
    this.pubsub.topicValidators.set(this.topic, (_from, message) => {
      const reason = this.validate(message)
      if (reason != null) {
        this.init.onRejected?.(message.type === 'signed' ? message.from.toString() : 'unsigned', reason)
        return TopicValidatorResult.Reject
      }
      if (this.init.relayWorkerStatus === false) {
        const decoded = StatusMessage.decode(message.data)
        if (decoded.worker != null) {
          // taken here, and ignored by gossipsub: neither delivered again nor forwarded
          this.init.onWorkerStatus?.(decoded.worker)
          return TopicValidatorResult.Ignore
        }
      }
      return TopicValidatorResult.Accept
    })
    this.pubsub.addEventListener('message', this.onMessage)
    this.pubsub.subscribe(this.topic)
  }

  stop (): void {
    this.pubsub.removeEventListener('message', this.onMessage)
    this.pubsub.topicValidators.delete(this.topic)
    try {
      this.pubsub.unsubscribe(this.topic)
    } catch {
      // the pubsub service may already be stopped
    }
  }

  publish (message: StatusMessage): void {
    this.pubsub.publish(this.topic, StatusMessage.encode(message)).catch((err: Error) => {
      // status is advisory: a broadcast nobody hears yet is not an error worth more than a debug line
      this.init.log('status broadcast not sent: %s', err.message)
    })
  }

  /** Returns the reason a message is refused, or undefined when it is acceptable. */
  validate (message: Message): string | undefined {
    if (message.type !== 'signed') return 'unsigned status message'
    if (message.data.byteLength > this.maxBytes) return `status message of ${message.data.byteLength} bytes exceeds ${this.maxBytes}`
    let decoded: StatusMessage
    try {
      decoded = StatusMessage.decode(message.data)
    } catch (err) {
      return `undecodable status message: ${(err as Error).message}`
    }
    const signer = message.from.toString()
    const described = decoded.worker?.peerId ?? decoded.admin?.peerId
    if (described !== signer) return `status message signed by ${signer} describes ${described ?? 'nobody'}`
    return undefined
  }

  private onMessage (evt: CustomEvent<Message>): void {
    const message = evt.detail
    // messages of this topic arriving here passed the validator
    if (message.topic !== this.topic) return
    const decoded = StatusMessage.decode(message.data)
    if (decoded.worker != null) this.init.onWorkerStatus?.(decoded.worker)
    if (decoded.admin != null) this.init.onAdminProgress?.(decoded.admin)
  }
}
