import { AuthorizationError, ProtocolError } from '../errors.js'
import { readFrames } from '../protocol/frame-reader.js'
import { FrameWriter } from '../protocol/frame-writer.js'
import { decodeJson, encodeJson } from '../protocol/json.js'
import { ClientRequest, ClientResponse } from '../protocol/pb/client.js'
import { watchAdmin } from './watch.js'
import type { AdminApi } from './api.js'
import type { AdminService } from './admin-service.js'
import type { Connection, Logger, Stream } from '@libp2p/interface'

export const DEFAULT_MAX_CLIENT_FRAME_BYTES = 32 * 1024 * 1024

export interface ClientServerOptions {
  maxFrameBytes?: number
  /** Returns true when a peer may use the client protocol, or the reason it may not. */
  authorize?: (peerId: string) => true | string
}

/**
 * The admin's side of /taskmesh/client/1.0.0: requests in, responses out, and for `watch` a response per
 * admin event until the client closes the stream. Every method goes through {@link AdminApi}.
 */
export class ClientServer {
  private readonly admin: AdminService
  private readonly api: AdminApi
  private readonly log: Logger
  private readonly options: ClientServerOptions

  constructor (admin: AdminService, api: AdminApi, log: Logger, options: ClientServerOptions = {}) {
    this.admin = admin
    this.api = api
    this.log = log
    this.options = options
  }

  handle (stream: Stream, connection: Connection): void {
    const peerId = connection.remotePeer.toString()
    const writer = new FrameWriter(stream, ClientResponse, { maxBufferedBytes: 4 * (this.options.maxFrameBytes ?? DEFAULT_MAX_CLIENT_FRAME_BYTES) })
    const unwatch: Array<() => void> = []
    stream.addEventListener('close', () => { for (const u of unwatch) u() })
    const allowed = this.options.authorize?.(peerId) ?? true

    readFrames(stream, ClientRequest, {
      maxFrameBytes: this.options.maxFrameBytes ?? DEFAULT_MAX_CLIENT_FRAME_BYTES,
      onInvalid: (err, fatal) => { this.admin.rejected(peerId, `client frame: ${err.message}`, fatal ? 5 : 1, connection) },
      onFrame: (req) => {
        const fail = (err: Error): void => {
          writer.write({ id: req.id, ok: false, result: new Uint8Array(0), error: err.message, errorName: err.name, more: false })
        }
        if (allowed !== true) {
          this.log.error('refused client %s: %s', peerId, allowed)
          fail(new AuthorizationError(`peer ${peerId} may not use this admin as a client: ${allowed}`))
          // the refusal goes out before the stream closes
          writer.flush()
          void stream.close().catch(() => {})
          return
        }
        let params: unknown
        try {
          params = decodeJson(req.params, 'params')
        } catch (err) {
          fail(err as Error)
          return
        }
        if (req.method === 'watch') {
          if (unwatch.length > 0) {
            fail(new ProtocolError('this stream already watches; open another stream for a second watch'))
            return
          }
          unwatch.push(watchAdmin(this.admin, event => {
            writer.write({ id: req.id, ok: true, result: encodeJson(event), error: '', errorName: '', more: true })
          }))
          return
        }
        try {
          const result = this.api.call(req.method, params)
          writer.write({ id: req.id, ok: true, result: encodeJson(result), error: '', errorName: '', more: false })
        } catch (err) {
          fail(err as Error)
        }
      }
    })
  }
}
