import { AuthorizationError, ProtocolError } from '../errors.js'
import { readFrames } from '../protocol/frame-reader.js'
import { FrameWriter } from '../protocol/frame-writer.js'
import { decodeJson, encodeJson } from '../protocol/json.js'
import { ClientRequest, ClientResponse } from '../protocol/pb/client.js'
import { FATAL_FRAME_STRIKES } from './constants.js'
import { watchEvents } from './watch.js'
import type { Admission } from './admission.js'
import type { AdminApi } from './api.js'
import type { NetworkEvents } from './events.js'
import type { Connection, Stream, TypedEventTarget } from '@libp2p/interface'

export interface ClientServerInit {
  api: AdminApi
  /** What `watch` follows. */
  events: TypedEventTarget<NetworkEvents>
  /** Counts what a client sends that is invalid against it. */
  admission: Admission
  maxFrameBytes: number
  /** Returns true when a peer may use the client protocol, or the reason it may not. */
  authorize?: (peerId: string) => true | string
}

const EMPTY = new Uint8Array(0)

/**
 * The admin's side of /taskmesh/client/1.0.0: requests in, responses out, and for `watch` a response per
 * event until the client closes the stream. Every method goes through {@link AdminApi}.
 */
export class ClientServer {
  private readonly init: ClientServerInit
  /** Requests whose answer waits for the journal: the admin answers them before it stops. */
  private pending = 0
  private readonly whenIdle = new Set<() => void>()

  constructor (init: ClientServerInit) {
    this.init = init
  }

  /**
   * Resolves once every request taken has been answered (its frame handed to the stream), or after
   * `timeoutMs`: a client whose cancel made the last task final hears that it did, from an admin that then
   * exits (`--exit-when-done`).
   */
  async answered (timeoutMs: number): Promise<void> {
    if (this.pending === 0) return
    await new Promise<void>(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        this.whenIdle.delete(done)
        resolve()
      }
      const timer = setTimeout(done, timeoutMs)
      this.whenIdle.add(done)
    })
  }

  handle (stream: Stream, connection: Connection): void {
    const { api, admission, maxFrameBytes } = this.init
    const peerId = connection.remotePeer.toString()
    // the client's peer id is authenticated by Noise: what it claims as an agent is bound to it
    const caller = { door: 'client' as const, peerId }
    const writer = new FrameWriter(stream, ClientResponse, { maxBufferedBytes: 4 * maxFrameBytes })
    const unwatch: Array<() => void> = []
    stream.addEventListener('close', () => { for (const u of unwatch) u() })
    const allowed = this.init.authorize?.(peerId) ?? true

    readFrames(stream, ClientRequest, {
      maxFrameBytes,
      onInvalid: (err, fatal) => {
        if (admission.strike(peerId, `client frame: ${err.message}`, fatal ? FATAL_FRAME_STRIKES : 1)) connection.abort(new ProtocolError(`banned for ${admission.banMs} ms: too much invalid data`))
      },
      onFrame: (req) => {
        const fail = (err: Error): void => {
          writer.write({ id: req.id, ok: false, result: EMPTY, error: err.message, errorName: err.name, more: false })
        }
        if (allowed !== true) {
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
          unwatch.push(watchEvents(this.init.events, event => {
            writer.write({ id: req.id, ok: true, result: encodeJson(event), error: '', errorName: '', more: true })
          }))
          return
        }
        const answer = (result: unknown): void => {
          writer.write({ id: req.id, ok: true, result: encodeJson(result), error: '', errorName: '', more: false })
        }
        try {
          const result = api.call(req.method, params, caller)
          if (!(result instanceof Promise)) {
            answer(result)
            return
          }
          this.pending++
          result.then(answer, fail).finally(() => {
            // out now rather than at the end of the turn: the admin may be about to stop
            writer.flush()
            if (--this.pending === 0) for (const done of [...this.whenIdle]) done()
          })
        } catch (err) {
          fail(err as Error)
        }
      }
    })
  }
}
