import { AbortError, TimeoutError } from '../errors.js'
import type { AdminTarget } from './admin-address.js'
import type { AbortOptions, Connection, Libp2pEvents, PeerId, PeerStore, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

export interface AdminDialerComponents {
  connectionManager: ConnectionManager
  peerStore: PeerStore
  events: TypedEventTarget<Libp2pEvents>
}

/**
 * Reaches the admin: at its address, or, given only its peer id, wherever mDNS says it is. Noise
 * authenticates the peer id either way, so a worker never talks to an impostor.
 */
export class AdminDialer {
  private readonly components: AdminDialerComponents
  private readonly target: AdminTarget
  private readonly discoveryTimeoutMs: number

  constructor (components: AdminDialerComponents, target: AdminTarget, discoveryTimeoutMs: number) {
    this.components = components
    this.target = target
    this.discoveryTimeoutMs = discoveryTimeoutMs
  }

  async dial (options: AbortOptions = {}): Promise<Connection> {
    if (this.target.kind === 'address') return await this.components.connectionManager.openConnection(this.target.address, options)
    const peerId = this.target.peerId
    const known = await this.components.peerStore.get(peerId).then(p => p.addresses.length > 0, () => false)
    if (!known) await this.discover(peerId, options)
    return await this.components.connectionManager.openConnection(peerId, options)
  }

  /** Waits for mDNS to announce the admin's peer id. */
  private async discover (peerId: PeerId, options: AbortOptions): Promise<void> {
    const timeoutMs = this.discoveryTimeoutMs
    await new Promise<void>((resolve, reject) => {
      const events = this.components.events
      const done = (err?: Error): void => {
        clearTimeout(timer)
        events.removeEventListener('peer:discovery', onPeer)
        options.signal?.removeEventListener('abort', onAbort)
        if (err != null) reject(err)
        else resolve()
      }
      const onPeer = (evt: CustomEvent<{ id: PeerId }>): void => { if (evt.detail.id.equals(peerId)) done() }
      const onAbort = (): void => { done(new AbortError()) }
      const timer = setTimeout(() => { done(new TimeoutError(`no admin ${peerId.toString()} found by mDNS within ${timeoutMs} ms; pass its full address instead`)) }, timeoutMs)
      events.addEventListener('peer:discovery', onPeer)
      options.signal?.addEventListener('abort', onAbort)
    })
  }
}

/** Dial errors in words a user can act on. */
export function describeDialError (err: Error): string {
  const text = `${err.name}: ${err.message}`
  if (/ECONNRESET|Message length too long|EncryptionFailed/i.test(text)) return `${text} (probably a different swarm key, or none where the admin uses one)`
  if (/ECONNREFUSED/.test(text)) return `${text} (nothing listens there: is the admin running, on that port?)`
  if (/TimeoutError|timed out|aborted due to timeout/i.test(text)) return `${text} (no answer: is the address right? probably a different swarm key, or none where the admin uses one)`
  return text
}
