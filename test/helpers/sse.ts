/** A Server-Sent Events stream read with fetch: every event kept, and awaited by condition. */
export class SseStream {
  readonly events: Array<{ event: string, data: any }> = []
  private readonly controller = new AbortController()
  private waiters: Array<() => void> = []
  private ended: Error | undefined

  private constructor () {}

  /** Resolves once the response headers arrived, so events from then on are caught. */
  static async open (url: string, headers: Record<string, string> = {}): Promise<SseStream> {
    const stream = new SseStream()
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: stream.controller.signal })
    if (!res.ok || res.body == null) throw new Error(`${url}: ${res.status} ${await res.text()}`)
    void stream.read(res.body)
    return stream
  }

  async waitFor (match: (e: { event: string, data: any }) => boolean, timeoutMs = 30_000): Promise<{ event: string, data: any }> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.events.find(match)
      if (found != null) return found
      if (this.ended != null) throw new Error(`event stream ended without the awaited event: ${this.ended.message}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`awaited event not sent within ${timeoutMs} ms; got ${this.events.map(e => e.event).join(', ')}`)
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => { clearTimeout(timer); resolve() })
      })
    }
  }

  close (): void {
    this.controller.abort()
  }

  private async read (body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          let event = 'message'
          const data: string[] = []
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7)
            else if (line.startsWith('data: ')) data.push(line.slice(6))
          }
          if (data.length > 0) this.events.push({ event, data: JSON.parse(data.join('\n')) })
        }
        for (const wake of this.waiters.splice(0)) wake()
      }
      this.ended = new Error('closed by the server')
    } catch (err) {
      this.ended = err as Error
    }
    for (const wake of this.waiters.splice(0)) wake()
  }
}
