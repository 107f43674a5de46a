import { networkInterfaces } from 'node:os'
import { multiaddr } from '@multiformats/multiaddr'

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
