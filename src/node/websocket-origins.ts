import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Listener, Transport } from '@libp2p/interface'
import { InvalidAddressError } from '../errors.js'

/**
 * Whether a browser page of this origin may open a WebSocket to the node. Requests with no `Origin` (every
 * program that is not a browser) are let in without asking: they are peers like any other.
 */
export type WebSocketOriginCheck = (origin: string) => boolean

/**
 * libp2p's WebSocket transport accepts an upgrade from any page: a web page the operator (or anyone on the
 * network) opens could then reach the admin as a client or a worker. This wraps the transport so that each
 * listener, once listening, refuses (403) an upgrade whose `Origin` the check does not accept, before
 * libp2p sees it. It relies on the listener's HTTP server (`http` or `https`), and refuses to listen
 * without one rather than leave the door open.
 */
export function checkWebSocketOrigins<T extends Transport> (transport: T, allowed: WebSocketOriginCheck): T {
  const createListener = transport.createListener.bind(transport)
  transport.createListener = (options) => {
    const listener: Listener = createListener(options)
    const listen = listener.listen.bind(listener)
    listener.listen = async (address) => {
      await listen(address)
      const internal = listener as unknown as { http?: Server, https?: Server }
      const server = internal.http ?? internal.https
      if (server == null) {
        await listener.close()
        throw new InvalidAddressError(`cannot check the origin of browsers on ${address.toString()} with this version of @libp2p/websockets: not listening there`)
      }
      const upgrades = server.listeners('upgrade') as Array<(req: IncomingMessage, socket: Duplex, head: Buffer) => void>
      server.removeAllListeners('upgrade')
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        const origin = req.headers.origin
        if (origin != null && !allowed(origin)) {
          socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
          return
        }
        for (const upgrade of upgrades) upgrade.call(server, req, socket, head)
      })
    }
    return listener
  }
  return transport
}
