import { EVENT_STREAM_PING_MS, MAX_EVENT_BACKLOG_BYTES } from './constants.js'
import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * The Server-Sent Event streams open on the HTTP API (`/api/events`, `/api/updates`): at most `max` at once,
 * each pinged while idle, and a reader that cannot keep up let go (EventSource reconnects) rather than
 * buffered for without end.
 */
export class EventStreams {
  private readonly open = new Set<() => void>()
  private readonly max: number

  constructor (max: number) {
    this.max = max
  }

  /**
   * Answers `req` with a stream of what `subscribe` writes; `subscribe` returns the function that stops
   * it. A 503 with Retry-After when `max` streams are open.
   */
  async serve (req: FastifyRequest, reply: FastifyReply, subscribe: (write: (chunk: string) => void) => () => void): Promise<void> {
    if (this.open.size >= this.max) {
      return await reply.code(503).header('retry-after', '5').send({ error: 'LimitExceededError', message: `${this.max} event streams are open already, the limit; close one or try again later` })
    }
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    res.write('retry: 2000\n\n')
    let ended = false
    // set once subscribed; a reader let go during its first write is stopped right after
    const subscription: { stop?: () => void } = {}
    const end = (): void => {
      if (ended) return
      ended = true
      clearInterval(ping)
      subscription.stop?.()
      this.open.delete(end)
      res.end()
    }
    const ping = setInterval(() => { res.write(': ping\n\n') }, EVENT_STREAM_PING_MS)
    this.open.add(end)
    req.raw.on('close', end)
    subscription.stop = subscribe(chunk => {
      if (ended) return
      if (res.writableLength > MAX_EVENT_BACKLOG_BYTES) {
        end()
        return
      }
      res.write(chunk)
    })
    if (ended) subscription.stop()
  }

  /** Ends every stream (the server closes). */
  closeAll (): void {
    for (const end of this.open) end()
  }
}
