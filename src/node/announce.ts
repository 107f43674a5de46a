import { networkInterfaces } from 'node:os'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2pEvents, TypedEventTarget } from '@libp2p/interface'
import type { AddressManager, TransportManager } from '@libp2p/interface-internal'

/** A multiaddr on this machine's loopback (127.x, ::1): reachable from this machine only. */
export function isLoopbackAddress (address: string): boolean {
  return address.startsWith('/ip4/127.') || address.startsWith('/ip6/::1/')
}

/**
 * The addresses a node will be reached at once it listens on `listen`, before it does (a standby replica
 * tells the others where it will be): an unspecified host (0.0.0.0, ::) stands for each of this machine's
 * addresses of that family, as libp2p's TCP transport does; a port of 0 is not known yet and is left out.
 * Each ends in `/p2p/<peerId>`.
 */
export function intendedAddresses (listen: readonly string[], peerId: string): string[] {
  const out: string[] = []
  for (const address of listen) {
    let parts: ReturnType<ReturnType<typeof multiaddr>['getComponents']>
    try {
      parts = multiaddr(address).getComponents()
    } catch {
      continue
    }
    const [host, transport] = parts
    if (host == null || transport?.name !== 'tcp' || transport.value === '0' || (host.name !== 'ip4' && host.name !== 'ip6')) continue
    const hosts = host.value === '0.0.0.0' || host.value === '::'
      ? Object.values(networkInterfaces()).flat().filter(i => i != null && !i.internal && i.family === (host.name === 'ip4' ? 'IPv4' : 'IPv6') && !i.address.startsWith('fe80')).map(i => i!.address)
      : [host.value!]
    for (const h of hosts) out.push(`/${host.name}/${h}/tcp/${transport.value}/p2p/${peerId}`)
  }
  return out
}

/**
 * libp2p announces a public address only once AutoNAT has had it confirmed by several other peers, which a
 * task network's star rarely has (a public admin, a relay, a worker that listens would not be dialable
 * for an hour, or ever). The addresses a node listens on are the operator's own choice: this service
 * confirms each as it starts listening, so they are printed, sent in identify and given in relay
 * reservations.
 */
export class ListenAddresses {
  private readonly components: ListenAddressesComponents

  constructor (components: ListenAddressesComponents) {
    this.components = components
  }

  readonly [Symbol.toStringTag] = 'taskmesh:listen-addresses'

  start (): void {
    this.components.events.addEventListener('transport:listening', this.confirm)
  }

  afterStart (): void {
    this.confirm()
  }

  stop (): void {
    this.components.events.removeEventListener('transport:listening', this.confirm)
  }

  private readonly confirm = (): void => {
    for (const address of this.components.transportManager.getAddrs()) {
      if (address.getComponents().some(c => c.name === 'p2p-circuit')) continue
      this.components.addressManager.confirmObservedAddr(address, { type: 'transport' })
    }
  }
}

export interface ListenAddressesComponents {
  transportManager: Pick<TransportManager, 'getAddrs'>
  addressManager: Pick<AddressManager, 'confirmObservedAddr'>
  events: TypedEventTarget<Libp2pEvents>
}
