import { networkInterfaces } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { TypedEventEmitter, type ComponentLogger, type Libp2pEvents, type Logger, type PeerId, type Startable, type TypedEventTarget } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { InvalidAddressError } from '../errors.js'
import { backoffDelay, type BackoffPolicy } from '../core/backoff.js'
import { RELAY_RESERVATION_TIMEOUT_MS, RELAY_RETRY_INITIAL_MS, RELAY_RETRY_MAX_MS } from './constants.js'
import type { AddressManager, ConnectionManager, TransportManager } from '@libp2p/interface-internal'

export interface RelayKeeperEvents {
  /**
   * A slot is reserved on `relay`: peers reach this node at `addresses`. `seenAs`: the address the relay
   * sees this node's connection come from; `behindNat`: that address is none of this machine's own, so
   * peers on other networks cannot dial this node directly (only through the relay).
   */
  'relay:reserved': CustomEvent<RelaySlot>
  /** The relay dropped this node (it stopped, or the network did): it is dialled again. */
  'relay:lost': CustomEvent<{ relay: string }>
  /** The relay could not be reached or refused the reservation: tried again in `retryInMs`. */
  'relay:unreachable': CustomEvent<{ relay: string, reason: string, retryInMs: number }>
}

/** A slot on a relay: how peers reach this node through it, and what the relay saw of this node. */
export interface RelaySlot {
  relay: string
  addresses: string[]
  seenAs?: string
  behindNat?: boolean
}

export interface RelayKeeperComponents {
  transportManager: TransportManager
  connectionManager: ConnectionManager
  addressManager: AddressManager
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

/** This machine's own IP addresses. */
function ownAddresses (): Set<string> {
  return new Set(Object.values(networkInterfaces()).flat().map(i => i?.address).filter((a): a is string => a != null))
}

/**
 * Reads a `--relay` value: the relay's address as it printed it, ending in /p2p/<relay id>.
 */
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
 * node unreachable. Each relay is dialled (with a bounded wait), reserved, watched, and dialled again with
 * a growing pause when it goes, for ever.
 */
export class RelayKeeper extends TypedEventEmitter<RelayKeeperEvents> implements Startable {
  private readonly components: RelayKeeperComponents
  private readonly relays: Array<{ address: Multiaddr, relay: string }>
  private readonly log: Logger
  private readonly backoff: BackoffPolicy = { backoff: 'exponential', initialDelayMs: RELAY_RETRY_INITIAL_MS, maxDelayMs: RELAY_RETRY_MAX_MS, jitter: 0.2 }
  private controller = new AbortController()
  private loops: Array<Promise<void>> = []
  /** The slots held now, by relay id. */
  readonly reserved = new Map<string, RelaySlot>()
  /** Where each relay saw this node come from (identify's observed address), by relay id. */
  private readonly seen = new Map<string, string>()
  private readonly onIdentify = ({ detail }: CustomEvent<{ peerId: PeerId, observedAddr?: Multiaddr }>): void => {
    const id = detail.peerId.toString()
    const host = detail.observedAddr?.getComponents()[0]
    if (host?.value != null && this.relays.some(r => r.relay === id)) this.seen.set(id, host.value)
  }

  readonly [Symbol.toStringTag] = 'taskmesh:relay-keeper'

  constructor (components: RelayKeeperComponents, init: { relays: string[] }) {
    super()
    this.components = components
    this.relays = init.relays.map(parseRelayAddress)
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
    this.loops = this.relays.map(async r => { await this.keep(r.address, r.relay, this.controller.signal) })
  }

  async stop (): Promise<void> {
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    this.controller.abort()
    await Promise.all(this.loops)
    this.loops = []
  }

  /** Relays tried at least once since start (reserved, or found unreachable). */
  private readonly tried = new Set<string>()

  /**
   * Resolves once every relay has been tried (a slot, or a first failure: it is tried again meanwhile), or
   * when `signal` aborts.
   */
  async triedAll (signal: AbortSignal): Promise<void> {
    while (this.tried.size < this.relays.length && !signal.aborted) {
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

  private async keep (address: Multiaddr, relay: string, signal: AbortSignal): Promise<void> {
    let failures = 0
    while (!signal.aborted) {
      try {
        const { gone } = await this.reserve(address, relay, signal)
        failures = 0
        this.tried.add(relay)
        this.safeDispatchEvent('relay:reserved', { detail: this.reserved.get(relay)! })
        await gone
        this.reserved.delete(relay)
        if (signal.aborted) return
        this.safeDispatchEvent('relay:lost', { detail: { relay } })
      } catch (err) {
        if (signal.aborted) return
        failures++
        this.tried.add(relay)
        const retryInMs = backoffDelay(this.backoff, failures + 1, Math.random)
        this.log.error('relay %s: %e', relay, err)
        this.safeDispatchEvent('relay:unreachable', { detail: { relay, reason: (err as Error).message, retryInMs } })
        await sleep(retryInMs, undefined, { signal }).catch(() => {})
        continue
      }
      await sleep(RELAY_RETRY_INITIAL_MS, undefined, { signal }).catch(() => {})
    }
  }

  /** Dials the relay and reserves a slot; `gone` resolves when the relay's connection closes. */
  private async reserve (address: Multiaddr, relay: string, signal: AbortSignal): Promise<{ gone: Promise<void> }> {
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(RELAY_RESERVATION_TIMEOUT_MS)])
    // dialled first, so that an unreachable relay leaves no half-made listener behind in libp2p
    const connection = await this.components.connectionManager.openConnection(address, { signal: bounded })
    const peer: PeerId = connection.remotePeer
    const gone = this.closed(peer, signal)
    await this.components.transportManager.listen([address.encapsulate('/p2p-circuit')])
    const addresses = this.components.addressManager.getAddresses().map(a => a.toString()).filter(a => a.includes(`/p2p/${relay}/p2p-circuit`))
    const seenAs = this.seen.get(relay)
    this.reserved.set(relay, { relay, addresses, ...(seenAs != null ? { seenAs, behindNat: !ownAddresses().has(seenAs) } : {}) })
    return { gone }
  }

  /** Resolves when this node has no connection to `peer` left (or on abort). */
  private async closed (peer: PeerId, signal: AbortSignal): Promise<void> {
    const events = this.components.events
    await new Promise<void>(resolve => {
      const check = (): void => {
        if (!signal.aborted && this.components.connectionManager.getConnections(peer).length > 0) return
        events.removeEventListener('connection:close', check)
        signal.removeEventListener('abort', check)
        resolve()
      }
      events.addEventListener('connection:close', check)
      signal.addEventListener('abort', check)
    })
  }
}
