import { networkInterfaces } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { TypedEventEmitter, type ComponentLogger, type Connection, type Libp2pEvents, type Listener, type Logger, type PeerId, type Startable, type TypedEventTarget } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { InvalidAddressError } from '../errors.js'
import { backoffDelay, type BackoffPolicy } from '../core/backoff.js'
import { RELAY_KEEPALIVE_MS, RELAY_RESERVATION_TIMEOUT_MS, RELAY_RETRY_INITIAL_MS, RELAY_RETRY_MAX_MS } from './constants.js'
import type { AddressManager, ConnectionManager, TransportManager } from '@libp2p/interface-internal'

/** A slot on a relay: how peers reach this node through it, and what the relay saw of this node. */
export interface RelaySlot {
  relay: string
  addresses: string[]
  /** The address the relay sees this node's connection come from (identify's observed address). */
  seenAs?: string
  /** `seenAs` is none of this machine's addresses: peers on other networks cannot dial it directly. */
  behindNat?: boolean
}

export interface RelayKeeperEvents {
  /** A slot is reserved on `relay`: peers reach this node at `addresses`. */
  'relay:reserved': CustomEvent<RelaySlot>
  /** The relay dropped this node (it stopped, or the network did): it is dialled again. */
  'relay:lost': CustomEvent<{ relay: string }>
  /** The relay could not be reached or refused the reservation: tried again in `retryInMs`. */
  'relay:unreachable': CustomEvent<{ relay: string, reason: string, retryInMs: number }>
}

export interface RelayKeeperComponents {
  transportManager: TransportManager
  connectionManager: ConnectionManager
  addressManager: AddressManager
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  /** libp2p's ping service: a relay's connection with no traffic would be closed after 2 minutes. */
  ping?: { ping: (peer: PeerId, options?: { signal?: AbortSignal }) => Promise<number> }
}

/** Reads a `--relay` value: the relay's address as it printed it, ending in /p2p/<relay id>. */
export function parseRelayAddress (input: string): { address: Multiaddr, relay: string } {
  let address: Multiaddr
  try {
    address = multiaddr(input.trim())
  } catch (err) {
    throw new InvalidAddressError(`relay address "${input}" is not a valid multiaddr (${(err as Error).message}); copy the address the relay printed at start`)
  }
  const parts = address.getComponents()
  if (parts.some(c => c.name === 'p2p-circuit')) throw new InvalidAddressError(`relay address "${input}" is itself relayed; give the relay's own address (/ip4/.../tcp/.../p2p/<relay id>)`)
  const relay = parts.at(-1)
  if (relay?.name !== 'p2p' || relay.value == null) throw new InvalidAddressError(`relay address "${input}" does not end in /p2p/<relay id>; copy the full address the relay printed at start`)
  return { address, relay: relay.value }
}

/**
 * Keeps a slot on each relay it is given, for as long as the node runs: libp2p's relay transport reserves
 * one when asked and lets it go with the relay's connection, so a relay that restarts would leave this
 * node unreachable. Each relay (its addresses, several for one relay id) is dialled with a bounded wait,
 * reserved, kept alive, watched, and dialled again with a growing pause when it goes, for ever. One libp2p
 * listener per relay serves every reservation on it, so a relay that comes and goes leaves nothing behind.
 */
export class RelayKeeper extends TypedEventEmitter<RelayKeeperEvents> implements Startable {
  private readonly components: RelayKeeperComponents
  private readonly relays: Map<string, Multiaddr[]>
  private readonly log: Logger
  private readonly backoff: BackoffPolicy = { backoff: 'exponential', initialDelayMs: RELAY_RETRY_INITIAL_MS, maxDelayMs: RELAY_RETRY_MAX_MS, jitter: 0.2 }
  private controller = new AbortController()
  private loops: Array<Promise<void>> = []
  /** The slots held now, by relay id. */
  readonly reserved = new Map<string, RelaySlot>()
  /** Relays tried at least once since start (reserved, or found unreachable). */
  private readonly tried = new Set<string>()
  /** The libp2p listener of each relay, made by the first try and used by every later one. */
  private readonly listeners = new Map<string, Listener>()
  /** Where each relay saw this node come from, by relay id. */
  private readonly seen = new Map<string, string>()
  private readonly onIdentify = ({ detail }: CustomEvent<{ peerId: PeerId, observedAddr?: Multiaddr }>): void => {
    const id = detail.peerId.toString()
    const host = detail.observedAddr?.getComponents()[0]
    if (host?.value != null && this.relays.has(id)) this.seen.set(id, host.value)
  }

  readonly [Symbol.toStringTag] = 'taskmesh:relay-keeper'

  constructor (components: RelayKeeperComponents, init: { relays: string[] }) {
    super()
    this.components = components
    this.relays = new Map()
    for (const { address, relay } of init.relays.map(parseRelayAddress)) this.relays.set(relay, [...(this.relays.get(relay) ?? []), address])
    this.log = components.logger.forComponent('taskmesh:relay-keeper')
  }

  isStarted (): boolean {
    return this.loops.length > 0
  }

  start (): void {
    this.controller = new AbortController()
    this.components.events.addEventListener('peer:identify', this.onIdentify)
  }

  afterStart (): void {
    this.loops = [...this.relays].map(async ([relay, addresses]) => {
      await this.keep(relay, addresses, this.controller.signal).catch(err => { this.log.error('keeping the slot on relay %s stopped: %e', relay, err) })
    })
  }

  async stop (): Promise<void> {
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    this.controller.abort()
    await Promise.all(this.loops)
    this.loops = []
  }

  /**
   * Resolves once every relay has been tried (a slot, or a first failure: it is tried again meanwhile), or
   * when `signal` aborts.
   */
  async triedAll (signal: AbortSignal): Promise<void> {
    while (this.tried.size < this.relays.size && !signal.aborted) {
      await new Promise<void>(resolve => {
        const done = (): void => {
          this.removeEventListener('relay:reserved', done)
          this.removeEventListener('relay:unreachable', done)
          signal.removeEventListener('abort', done)
          resolve()
        }
        this.addEventListener('relay:reserved', done)
        this.addEventListener('relay:unreachable', done)
        signal.addEventListener('abort', done)
      })
    }
  }

  private async keep (relay: string, addresses: Multiaddr[], signal: AbortSignal): Promise<void> {
    let failures = 0
    while (!signal.aborted) {
      let connection: Connection
      try {
        connection = await this.reserve(relay, addresses, signal)
      } catch (err) {
        if (signal.aborted) return
        failures++
        this.tried.add(relay)
        const retryInMs = backoffDelay(this.backoff, failures + 1, Math.random)
        this.log.error('relay %s: %e', relay, err)
        this.safeDispatchEvent('relay:unreachable', { detail: { relay, reason: reasonOf(err), retryInMs } })
        await sleep(retryInMs, undefined, { signal }).catch(() => {})
        continue
      }
      failures = 0
      this.tried.add(relay)
      this.safeDispatchEvent('relay:reserved', { detail: this.reserved.get(relay)! })
      await this.held(connection.remotePeer, signal)
      this.reserved.delete(relay)
      if (signal.aborted) return
      this.safeDispatchEvent('relay:lost', { detail: { relay } })
      await sleep(RELAY_RETRY_INITIAL_MS, undefined, { signal }).catch(() => {})
    }
  }

  /** Dials the relay and reserves a slot on it; resolves with the relay's connection. */
  private async reserve (relay: string, addresses: Multiaddr[], signal: AbortSignal): Promise<Connection> {
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(RELAY_RESERVATION_TIMEOUT_MS)])
    // dialled first: the reservation is made on this connection, at the address that answered
    const connection = await this.components.connectionManager.openConnection(addresses.length === 1 ? addresses[0]! : addresses, { signal: bounded })
    const at = connection.remoteAddr.getComponents().some(c => c.name === 'p2p') ? connection.remoteAddr : connection.remoteAddr.encapsulate(`/p2p/${relay}`)
    const circuit = at.encapsulate('/p2p-circuit')
    const listener = this.listeners.get(relay)
    if (listener != null) {
      await listener.listen(circuit)
    } else {
      const before = new Set(this.components.transportManager.getListeners())
      try {
        await this.components.transportManager.listen([circuit])
      } finally {
        // the listener libp2p made for this relay, kept whether or not this first try worked
        const made = this.components.transportManager.getListeners().find(l => !before.has(l))
        if (made != null) this.listeners.set(relay, made)
      }
    }
    const addressesNow = this.components.addressManager.getAddresses().map(a => a.toString()).filter(a => a.includes(`/p2p/${relay}/p2p-circuit`))
    const seenAs = this.seen.get(relay)
    this.reserved.set(relay, { relay, addresses: addressesNow, ...(seenAs != null ? { seenAs, behindNat: !ownAddresses().has(seenAs) } : {}) })
    return connection
  }

  /**
   * Resolves when this node has no connection to the relay left (or on abort). Meanwhile the connection is
   * pinged now and then: with no relayed worker on it, it would carry nothing and be closed as idle.
   */
  private async held (peer: PeerId, signal: AbortSignal): Promise<void> {
    const events = this.components.events
    const keepAlive = setInterval(() => {
      void this.components.ping?.ping(peer, { signal: AbortSignal.any([signal, AbortSignal.timeout(RELAY_RESERVATION_TIMEOUT_MS)]) }).catch(err => { this.log('ping of relay %p: %e', peer, err) })
    }, RELAY_KEEPALIVE_MS)
    await new Promise<void>(resolve => {
      const check = (): void => {
        if (!signal.aborted && this.components.connectionManager.getConnections(peer).length > 0) return
        events.removeEventListener('connection:close', check)
        signal.removeEventListener('abort', check)
        resolve()
      }
      events.addEventListener('connection:close', check)
      signal.addEventListener('abort', check)
      // gone already, between the reservation and now
      check()
    })
    clearInterval(keepAlive)
  }
}

/** This machine's own IP addresses. */
function ownAddresses (): Set<string> {
  return new Set(Object.values(networkInterfaces()).flat().map(i => i?.address).filter((a): a is string => a != null))
}

/**
 * What went wrong, in a line: libp2p wraps a refused reservation in advice about a setting this program
 * does not have (`transportManager.faultTolerance`), and a stack.
 */
function reasonOf (err: unknown): string {
  const error = err as { name?: unknown, message?: unknown, errors?: unknown } | undefined
  const message = typeof error?.message === 'string' && error.message !== '' ? error.message : undefined
  // several addresses tried: each one's reason
  if (message == null && Array.isArray(error?.errors) && error.errors.length > 0) return error.errors.map(reasonOf).join('; ')
  if (message == null) return typeof error?.name === 'string' ? error.name : String(err)
  const inner = /failed to be listened on[^\n]*\n\s*\S+: ([^\n]+)/.exec(message)?.[1]
  return (inner ?? message.split('\n')[0]!).trim()
}
