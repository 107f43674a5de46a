import { createNode } from './create-node.js'
import { RELAY_MAX_CIRCUITS_PER_PEER, RELAY_MAX_RESERVATIONS, RELAY_RESERVATION_TTL_MS } from './constants.js'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'

export interface RelayOptions {
  privateKey?: PrivateKey
  /** Multiaddrs to listen on, such as /ip4/0.0.0.0/tcp/4003. */
  listen: string[]
  /** Only peers with this pre-shared key connect. */
  swarmKey?: Uint8Array
  /** Only these peers connect (admins, workers and clients of the network). */
  allow?: (peerId: string) => boolean
  /** Peers holding a slot at once. @default 64 */
  maxReservations?: number
  /** Relayed connections through one peer's slot. @default 1024 */
  maxCircuits?: number
  /** A relayed connection is reset after this long; none by default: a worker's connection lasts as long as it works. */
  durationLimitMs?: number
  /** A relayed connection is reset after this many bytes, both ways together; none by default. */
  dataLimitBytes?: bigint
}

const UNLIMITED_MS = 2 ** 31 - 1
const UNLIMITED_BYTES = 2n ** 62n

export type RelayNode = Libp2p<{ relay: CircuitRelayService }>

/**
 * A circuit relay v2 server for a task network: admins behind NAT reserve a slot on it, and the peers that
 * dial them reach them through it. libp2p's defaults (2 minutes and 128 KiB a relayed connection) suit a
 * first contact before hole punching; a task network's connections carry work for hours, so by default this
 * relay puts no limit on a relayed connection and relies on who may use it (`allow`, `swarmKey`).
 */
export async function createRelay (options: RelayOptions): Promise<RelayNode> {
  const { circuitRelayServer } = await import('@libp2p/circuit-relay-v2')
  const limited = options.durationLimitMs != null || options.dataLimitBytes != null
  const maxCircuits = options.maxCircuits ?? RELAY_MAX_CIRCUITS_PER_PEER
  const allow = options.allow
  const node = await createNode({
    ...(options.privateKey != null ? { privateKey: options.privateKey } : {}),
    listen: options.listen,
    ...(options.swarmKey != null ? { swarmKey: options.swarmKey } : {}),
    ...(allow != null ? { deny: (peerId: string) => !allow(peerId) } : {}),
    pubsub: false,
    hub: true,
    services: {
      relay: circuitRelayServer({
        reservations: {
          maxReservations: options.maxReservations ?? RELAY_MAX_RESERVATIONS,
          reservationTtl: RELAY_RESERVATION_TTL_MS,
          applyDefaultLimit: limited,
          // a limit given for one of the two leaves the other unlimited, not at libp2p's default
          defaultDurationLimit: options.durationLimitMs ?? UNLIMITED_MS,
          defaultDataLimit: options.dataLimitBytes ?? UNLIMITED_BYTES
        },
        // each relayed connection is one hop stream from the dialer and one stop stream to the slot's holder
        maxInboundHopStreams: maxCircuits,
        maxOutboundStopStreams: maxCircuits
      })
    }
  })
  return node as unknown as RelayNode
}
