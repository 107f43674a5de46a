import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { parseRelayAddress, RelayKeeper } from './relay-keeper.js'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import { InvalidAddressError } from '../errors.js'
import { isLoopbackAddress, ListenAddresses, type ListenAddressesComponents } from './announce.js'
import { checkWebSocketOrigins, type WebSocketOriginCheck } from './websocket-origins.js'
import { quietLogger } from './quiet-logger.js'
import { DEFAULT_MAX_STATUS_BYTES } from '../protocol/constants.js'
import type { GossipSub, gossipsub } from '@libp2p/gossipsub'
import type { Libp2p, PrivateKey, ServiceMap, Transport } from '@libp2p/interface'
import type { Registry } from 'prom-client'
import { HUB_INBOUND_CONNECTION_THRESHOLD, HUB_MAX_CONNECTIONS, HUB_MAX_INCOMING_PENDING_CONNECTIONS, RELAY_MAX_CIRCUITS_PER_PEER, RELAY_RESERVATION_TIMEOUT_MS } from './constants.js'

export interface NodeOptions<S extends ServiceMap> {
  privateKey?: PrivateKey
  /** Multiaddrs to listen on; none for a peer that only dials out. */
  listen?: string[]
  /** Pre-shared key bytes (the swarm key file's content): only peers with the same key can connect. */
  swarmKey?: Uint8Array
  /** Announce and discover peers by multicast DNS on the local network. */
  mdns?: 'announce' | 'discover'
  /** Topics gossipsub accepts; anything else is dropped on arrival. */
  topics?: string[]
  /** This node accepts many workers (the admin): raise the per-host connection limits. */
  hub?: boolean
  /** Run gossipsub for status broadcasts. Clients that only talk to the admin do not need it. @default true */
  pubsub?: boolean
  /** Refuse connections from this peer (checked once its id is authenticated). */
  deny?: (peerId: string) => boolean
  /** Collect libp2p's own metrics (connections, streams, bytes) into this Prometheus registry. */
  metricsRegistry?: Registry
  /**
   * Circuit relays to reserve a slot on (multiaddrs ending in /p2p/<relay id>), kept while the node runs:
   * peers reach this node through them when it has no address they can dial (behind NAT).
   */
  relays?: string[]
  /** Dial relayed addresses (…/p2p-circuit/p2p/<id>) and take part in hole punching (DCUtR). @default true with relays */
  circuit?: boolean
  /**
   * With a WebSocket listen address: the pages whose browsers may connect (by their `Origin`); programs,
   * which send none, always may. @default none: no browser page
   */
  webSocketOrigins?: WebSocketOriginCheck
  /** Start the node at once; `false` leaves it to the caller, after it has wired its listeners. @default true */
  start?: boolean
  services: { [K in keyof S]: (components: any) => S[K] }
}

export type TaskmeshServices<S extends ServiceMap> = S & { pubsub: GossipSub, identify: unknown, ping: unknown }

/**
 * The libp2p stack every taskmesh peer runs: TCP, Noise, Yamux, identify, ping, gossipsub for status
 * broadcasts, optionally a private network and mDNS.
 */
export async function createNode<S extends ServiceMap> (options: NodeOptions<S>): Promise<Libp2p<TaskmeshServices<S>>> {
  const listen = options.listen ?? []
  for (const addr of listen) {
    try {
      multiaddr(addr)
    } catch (err) {
      throw new InvalidAddressError(`cannot listen on "${addr}": ${(err as Error).message}; use a multiaddr such as /ip4/0.0.0.0/tcp/4001`)
    }
  }
  // what only some peers use is loaded only by them: a client of the admin runs no gossipsub, mDNS or metrics
  const relays = options.relays ?? []
  const circuit = options.circuit === true || relays.length > 0
  const websockets = listen.some(a => /\/wss?(\/|$)/.test(a))
  const [pubsub, discovery, protector, metrics, relaying, ws] = await Promise.all([
    options.pubsub === false ? undefined : gossipsubService(options),
    options.mdns != null ? import('@libp2p/mdns').then(({ mdns }) => mdns({ broadcast: options.mdns === 'announce', interval: 1000 })) : undefined,
    options.swarmKey != null ? import('@libp2p/pnet').then(({ preSharedKey }) => preSharedKey({ psk: options.swarmKey! })) : undefined,
    options.metricsRegistry != null ? import('@libp2p/prometheus-metrics').then(({ prometheusMetrics }) => prometheusMetrics({ registry: options.metricsRegistry })) : undefined,
    circuit ? relayServices(relays) : undefined,
    websockets ? import('@libp2p/websockets').then(m => webSocketsFor(m.webSockets(), options.webSocketOrigins ?? (() => false))) : undefined
  ])
  const config: Libp2pOptions<TaskmeshServices<S>> = {
    start: options.start ?? true,
    logger: quietLogger(),
    addresses: {
      listen,
      // relayed addresses only through the relays this node was given (see `announced`)
      ...(relays.length > 0 ? { announceFilter: announcedThrough(relays) } : {})
    },
    transports: [tcp(), ...(ws != null ? [ws] : []), ...(relaying != null ? [relaying.transport] : [])],
    connectionEncrypters: [noise()],
    // liveness is the task stream's heartbeats, which a worker that hears nothing turns into probes the
    // admin answers on the same stream: yamux's keep-alive pings and libp2p's connection monitor (a new
    // stream per ping) would be more of the same, a thousand of them per interval on the admin
    streamMuxers: [yamux({ enableKeepAlive: false })],
    connectionManager: options.hub === true
      ? {
          // workers of a simulation, or behind one NAT, share an IP: the default of 5 new connections per
          // second per host and 10 pending handshakes resets them
          inboundConnectionThreshold: HUB_INBOUND_CONNECTION_THRESHOLD,
          maxIncomingPendingConnections: HUB_MAX_INCOMING_PENDING_CONNECTIONS,
          maxConnections: HUB_MAX_CONNECTIONS
        }
      : {},
    connectionMonitor: { enabled: false },
    peerDiscovery: discovery != null ? [discovery] : [],
    services: {
      identify: identify(),
      ping: ping(),
      ...(pubsub != null ? { pubsub } : {}),
      ...relaying?.services,
      ...(listen.length > 0 ? { listenAddresses: (components: ListenAddressesComponents) => new ListenAddresses(components) } : {}),
      ...options.services
    } as any
  }
  if (options.privateKey != null) config.privateKey = options.privateKey
  if (protector != null) config.connectionProtector = protector
  if (metrics != null) config.metrics = metrics
  const deny = options.deny
  if (deny != null) config.connectionGater = { denyInboundEncryptedConnection: peerId => deny(peerId.toString()) }
  return createLibp2p(config)
}

/** libp2p's WebSocket transport, with browsers of other origins refused (see checkWebSocketOrigins). */
function webSocketsFor (factory: (components: any) => Transport, allowed: WebSocketOriginCheck): (components: any) => Transport {
  return (components: any) => checkWebSocketOrigins(factory(components), allowed)
}

/**
 * What a node with `relays` announces: its own addresses, and its relayed ones through those relays only.
 * A relay gives its every address in a reservation; those through its loopback one reach the node only
 * from the relay's machine, and are kept only when the relay itself was given so.
 */
function announcedThrough (relays: string[]): (addresses: Multiaddr[]) => Multiaddr[] {
  // relay id → whether it was given by a loopback address
  const given = new Map<string, boolean>()
  for (const r of relays) {
    const { relay } = parseRelayAddress(r)
    given.set(relay, given.get(relay) === true || isLoopbackAddress(r.trim()))
  }
  return addresses => addresses.filter(a => {
    const address = a.toString()
    const at = address.indexOf('/p2p-circuit')
    if (at === -1) return true
    const via = address.slice(0, at)
    const loopbackGiven = given.get(via.split('/').at(-1) ?? '')
    return loopbackGiven != null && (loopbackGiven || !isLoopbackAddress(via))
  })
}

/**
 * What a node behind NAT, or one that dials such a node, runs: the circuit relay transport (to dial
 * …/p2p-circuit addresses and to be reached through a reserved slot), DCUtR to move a relayed connection to a
 * direct one, and, with relays, the keeper of their reservations.
 */
async function relayServices (relays: string[]): Promise<{ transport: (components: any) => any, services: Record<string, (components: any) => unknown> }> {
  const [{ circuitRelayTransport }, { dcutr }, { RelayGuard }] = await Promise.all([import('@libp2p/circuit-relay-v2'), import('@libp2p/dcutr'), import('./relay-guard.js')])
  const ids = relays.map(r => parseRelayAddress(r).relay)
  return {
    // an admin behind NAT takes each worker that reaches it through the relay on a stream of its own
    transport: circuitRelayTransport({ reservationCompletionTimeout: RELAY_RESERVATION_TIMEOUT_MS, maxInboundStopStreams: RELAY_MAX_CIRCUITS_PER_PEER }),
    services: {
      dcutr: dcutr(),
      relayGuard: (components: any) => new RelayGuard(components, { relays: ids }),
      ...(relays.length > 0 ? { relays: (components: any) => new RelayKeeper(components, { relays }) } : {})
    }
  }
}

async function gossipsubService (options: NodeOptions<any>): Promise<ReturnType<typeof gossipsub>> {
  const { gossipsub: create } = await import('@libp2p/gossipsub')
  return create({
    // a star of many peers on few IPs: without this the IP-colocation penalty graylists a one-host
    // simulation. The mesh keeps gossipsub's degree: the admin publishes to every subscriber anyway
    // (floodPublish), and relays no worker's status (StatusChannel's relayWorkerStatus)
    scoreParams: { IPColocationFactorWeight: 0 },
    allowPublishToZeroTopicPeers: true,
    emitSelf: false,
    maxInboundDataLength: DEFAULT_MAX_STATUS_BYTES * 4,
    ...(options.topics != null ? { allowedTopics: options.topics } : {})
  })
}
