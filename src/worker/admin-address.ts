import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { InvalidAddressError } from '../errors.js'
import type { PeerId } from '@libp2p/interface'

/** Where a worker finds its admin: a full address, or only a peer id to look up by mDNS. */
export type AdminTarget =
  | { kind: 'address', address: Multiaddr, peerId: PeerId, addresses: Multiaddr[] }
  | { kind: 'peer-id', peerId: PeerId }

/**
 * Several `--admin` values: addresses of one admin (replicas on one PostgreSQL journal share its key, so
 * its peer id), tried in turn. One value may also be a bare peer id, found by mDNS.
 */
export function parseAdminAddresses (inputs: string | readonly string[]): AdminTarget {
  const list = typeof inputs === 'string' ? [inputs] : inputs
  if (list.length === 0) throw new InvalidAddressError('no admin address: give --admin')
  if (list.length === 1) return parseAdminAddress(list[0]!)
  const targets = list.map(parseAdminAddress)
  const first = targets[0]!
  for (const t of targets) {
    if (t.kind !== 'address') throw new InvalidAddressError('several --admin values must all be full addresses (ending in /p2p/<peerId>), not bare peer ids')
    if (!t.peerId.equals(first.peerId)) throw new InvalidAddressError(`the --admin addresses name different admins (${first.peerId.toString()} and ${t.peerId.toString()}); give addresses of one admin: its replicas share one key, so one peer id`)
  }
  return { kind: 'address', address: (first as { address: Multiaddr }).address, peerId: first.peerId, addresses: targets.map(t => (t as { address: Multiaddr }).address) }
}

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
    return { kind: 'address', address, peerId: peerIdFromString(p2p.value), addresses: [address] }
  }
  try {
    return { kind: 'peer-id', peerId: peerIdFromString(text) }
  } catch {
    throw new InvalidAddressError(`admin "${text}" is neither a multiaddr ending in /p2p/<peerId> nor a peer id; pass the address the admin printed at start`)
  }
}
