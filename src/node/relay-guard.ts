import { TypedEventEmitter, type ComponentLogger, type Logger, type Startable } from '@libp2p/interface'
import { ProtocolError } from '../errors.js'
import type { Registrar } from '@libp2p/interface-internal'

/** libp2p's stop protocol: a relay opens it to hand this node a relayed connection. */
export const RELAY_STOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/stop'

/**
 * Takes relayed connections only from the relays this node was given. libp2p's relay transport answers a
 * stop stream from any peer by reserving a slot on it and announcing the addresses it returns, before any
 * check: one connection from a hostile peer would put its addresses among the admin's, and each such peer
 * would leave a listener behind. This wraps the transport's handler: a stop stream from any other peer is
 * aborted before the transport reads it. A node with no relays (a worker, a client) takes none.
 */
export class RelayGuard extends TypedEventEmitter<Record<string, never>> implements Startable {
  private readonly components: { registrar: Registrar, logger: ComponentLogger }
  private readonly relays: ReadonlySet<string>
  private readonly log: Logger
  private started = false

  readonly [Symbol.toStringTag] = 'taskmesh:relay-guard'

  constructor (components: { registrar: Registrar, logger: ComponentLogger }, init: { relays: Iterable<string> }) {
    super()
    this.components = components
    this.relays = new Set(init.relays)
    this.log = components.logger.forComponent('taskmesh:relay-guard')
  }

  isStarted (): boolean {
    return this.started
  }

  start (): void {
    this.started = true
  }

  /** The transport registered its handler when it started; every service has started by now. */
  async afterStart (): Promise<void> {
    const registrar = this.components.registrar
    const { handler, options } = registrar.getHandler(RELAY_STOP_PROTOCOL)
    await registrar.handle(RELAY_STOP_PROTOCOL, async (stream, connection) => {
      const relay = connection.remotePeer.toString()
      if (!this.relays.has(relay)) {
        this.log('refused a relayed connection handed over by %s, not a relay of this node', relay)
        stream.abort(new ProtocolError(`${relay} is not a relay this node uses`))
        return
      }
      await handler(stream, connection)
    }, { ...options, force: true })
  }

  stop (): void {
    this.started = false
  }
}
