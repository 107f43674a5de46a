import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { InvalidAddressError } from '../errors.js'
import type { PeerId } from '@libp2p/interface'

/** Where a worker finds its admin: a full address, or only a peer id to look up by mDNS. */
export type AdminTarget =
  | { kind: 'address', address: Multiaddr, peerId: PeerId }
  | { kind: 'peer-id', peerId: PeerId }

/**
 * Reads the `--admin` value. A multiaddr must end in `/p2p/<peerId>` (Noise authenticates that id, so a
 * worker never talks to an impostor); a bare peer id is found on the local network by mDNS.
 */
export function parseAdminAddress (input: string): AdminTarget {
  const text = input.trim()
  if (text.startsWith('/')) {
    let address: Multiaddr
    try {
      address = multiaddr(text)
    } catch (err) {
      throw new InvalidAddressError(`admin address "${text}" is not a valid multiaddr (${(err as Error).message}); copy the address the admin printed at start`)
    }
    const p2p = address.getComponents().filter(c => c.name === 'p2p').pop()
    if (p2p?.value == null) {
      throw new InvalidAddressError(`admin address "${text}" does not end in /p2p/<peerId>; copy the full address the admin printed at start (it ends in /p2p/12D3KooW...)`)
    }
    return { kind: 'address', address, peerId: peerIdFromString(p2p.value) }
  }
  try {
    return { kind: 'peer-id', peerId: peerIdFromString(text) }
  } catch {
    throw new InvalidAddressError(`admin "${text}" is neither a multiaddr ending in /p2p/<peerId> nor a peer id; pass the address the admin printed at start`)
  }
}
