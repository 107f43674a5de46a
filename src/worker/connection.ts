import { createSocket } from 'node:dgram'
import { AbortError, TimeoutError } from '../errors.js'
import type { AdminTarget } from './admin-address.js'
import { DIRECT_UPGRADE_WAIT_MS } from './constants.js'
import type { AbortOptions, Connection, Libp2pEvents, PeerId, PeerStore, TypedEventTarget } from '@libp2p/interface'
import type { AddressManager, ConnectionManager } from '@libp2p/interface-internal'
import { isPrivateIp } from '@libp2p/utils'

export interface AdminDialerComponents {
  connectionManager: ConnectionManager
  addressManager: Pick<AddressManager, 'getAddresses'>
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

  /** The address that answered last: tried first next time. */
  private preferred = 0

  /**
   * A connection to the admin; one through a relay is exchanged for a direct one when hole punching
   * (DCUtR, which the admin starts as soon as it sees a relayed connection) opens it within a moment.
   */
  async dial (options: AbortOptions = {}): Promise<Connection> {
    const connection = await this.dialOnce(options)
    return isRelayed(connection) ? await this.preferDirect(connection, options) : connection
  }

  /**
   * Waits up to DIRECT_UPGRADE_WAIT_MS for a direct connection to the admin; the relayed one otherwise. The
   * admin opens one when this worker has a public address it can dial (hole punching between two NATs needs
   * a transport that dials from its listening port, which TCP here does not): without one, there is
   * nothing to wait for.
   */
  private async preferDirect (relayed: Connection, options: AbortOptions): Promise<Connection> {
    const publicAddress = this.components.addressManager.getAddresses().some(a => {
      const host = a.getComponents()[0]
      return (host?.name === 'ip4' || host?.name === 'ip6') && host.value != null && isPrivateIp(host.value) === false && !a.toString().includes('/p2p-circuit')
    })
    if (!publicAddress) return relayed
    const peer = relayed.remotePeer
    const direct = (): Connection | undefined => this.components.connectionManager.getConnections(peer).find(c => !isRelayed(c) && c.status === 'open')
    const found = direct()
    if (found != null) return found
    const events = this.components.events
    return await new Promise<Connection>(resolve => {
      const done = (connection: Connection): void => {
        clearTimeout(timer)
        events.removeEventListener('connection:open', onOpen)
        options.signal?.removeEventListener('abort', onAbort)
        resolve(connection)
      }
      const onOpen = ({ detail }: CustomEvent<Connection>): void => { if (detail.remotePeer.equals(peer) && !isRelayed(detail)) done(detail) }
      const onAbort = (): void => { done(relayed) }
      const timer = setTimeout(() => { done(direct() ?? relayed) }, DIRECT_UPGRADE_WAIT_MS)
      events.addEventListener('connection:open', onOpen)
      options.signal?.addEventListener('abort', onAbort)
    })
  }

  private async dialOnce (options: AbortOptions): Promise<Connection> {
    if (this.target.kind === 'address') {
      const addresses = this.target.addresses
      if (addresses.length === 1) return await this.components.connectionManager.openConnection(addresses[0]!, options)
      // replicas of one admin: whichever leads listens; try each, the last one that answered first
      let last: Error | undefined
      const first = this.preferred
      for (let i = 0; i < addresses.length; i++) {
        const at = (first + i) % addresses.length
        options.signal?.throwIfAborted()
        try {
          const connection = await this.components.connectionManager.openConnection(addresses[at]!, options)
          this.preferred = at
          return connection
        } catch (err) {
          last = err as Error
        }
      }
      // none answered: the next round starts one further, not with the same host (a cut one takes a while to fail)
      this.preferred = (first + 1) % addresses.length
      throw last!
    }
    const peerId = this.target.peerId
    const known = await this.components.peerStore.get(peerId).then(p => p.addresses.length > 0, () => false)
    if (!known) {
      try {
        await this.discover(peerId, options)
      } catch (err) {
        if ((err as Error).name !== TimeoutError.name) throw err
        // the commonest reason nothing was heard: this host cannot send multicast at all
        const route = await multicastRouteProblem()
        throw new TimeoutError(route != null
          ? `no admin ${peerId.toString()} found by mDNS: ${route}; add one (as root: ip route add 224.0.0.0/4 dev <the LAN interface>), or give the admin's full address (/ip4/.../tcp/.../p2p/${peerId.toString()})`
          : `no admin ${peerId.toString()} found by mDNS within ${this.discoveryTimeoutMs} ms: is it running with --mdns, on this LAN? Or give its full address (/ip4/.../tcp/.../p2p/${peerId.toString()})`)
      }
    }
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
      const timer = setTimeout(() => { done(new TimeoutError(`no admin ${peerId.toString()} found by mDNS within ${timeoutMs} ms`)) }, timeoutMs)
      events.addEventListener('peer:discovery', onPeer)
      options.signal?.addEventListener('abort', onAbort)
    })
  }
}

/** The connection runs through a circuit relay (its remote address has /p2p-circuit). */
export function isRelayed (connection: Pick<Connection, 'remoteAddr'>): boolean {
  return connection.remoteAddr.getComponents().some(c => c.name === 'p2p-circuit')
}

/**
 * Why this host cannot send to the mDNS group, or undefined when it has a route for it. Connecting a UDP
 * socket only looks the route up (nothing is sent); without a route Linux leaves it no source address.
 */
export async function multicastRouteProblem (): Promise<string | undefined> {
  const socket = createSocket('udp4')
  const noRoute = `this host has no route for multicast (${MDNS_GROUP}), which mDNS needs`
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.connect(MDNS_PORT, MDNS_GROUP, () => { resolve() })
    })
    return socket.address().address === '0.0.0.0' ? noRoute : undefined
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    return code === 'ENETUNREACH' || code === 'EHOSTUNREACH' ? noRoute : undefined
  } finally {
    socket.close()
  }
}

const MDNS_GROUP = '224.0.0.251'
const MDNS_PORT = 5353

/** Dial errors in words a user can act on. */
export function describeDialError (err: Error): string {
  const text = `${err.name}: ${err.message}`
  // discovery says its own cause
  if (/found by mDNS/.test(text)) return text
  if (/ECONNRESET|Message length too long|EncryptionFailed/i.test(text)) return `${text} (probably a different swarm key, or none where the admin uses one)`
  if (/ECONNREFUSED/.test(text)) return `${text} (nothing listens there: is the admin running, on that port?)`
  if (/TimeoutError|timed out|aborted due to timeout/i.test(text)) return `${text} (no answer: is the address right? probably a different swarm key, or none where the admin uses one)`
  return text
}
