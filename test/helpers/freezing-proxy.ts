import { createConnection, createServer, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy on loopback that can go silent the way a cut network does: once `freezeOn` sees its marker in
 * what a client sends, it forwards nothing more in either direction and closes nothing. The moment is
 * exact (for PostgreSQL, a statement's text is in its Parse message), so a test can cut a session between
 * two statements of one transaction.
 */
export class FreezingProxy {
  readonly port: number
  private readonly server: Server
  private readonly sockets = new Set<Socket>()
  private marker: Buffer | undefined
  private frozen = false
  /** The chunk holding the marker is forwarded before the proxy goes silent. */
  private deliverMarker = false
  /** Resolves when the marker went by and the proxy froze. */
  froze: Promise<void>
  private onFroze: () => void = () => {}

  private constructor (server: Server, port: number) {
    this.server = server
    this.port = port
    this.froze = new Promise(resolve => { this.onFroze = resolve })
  }

  static async start (targetPort: number): Promise<FreezingProxy> {
    const made: { proxy?: FreezingProxy } = {}
    const server = createServer(client => { made.proxy!.pipe(client, targetPort) })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    made.proxy = new FreezingProxy(server, (server.address() as { port: number }).port)
    return made.proxy
  }

  /** Freezes every session just before the first client chunk that contains `marker` is forwarded. */
  freezeOn (marker: string): void {
    this.marker = Buffer.from(marker)
    this.deliverMarker = false
    // each freeze is waited for on its own
    this.froze = new Promise(resolve => { this.onFroze = resolve })
  }

  /** As `freezeOn`, but what carries the marker still reaches the server: it runs, and its answer is lost. */
  freezeAfter (marker: string): void {
    this.freezeOn(marker)
    this.deliverMarker = true
  }

  /** Drops every session (closing them now, as the host's return would reset them) and forwards again. */
  thaw (): void {
    this.frozen = false
    this.marker = undefined
    for (const s of this.sockets) s.destroy()
    this.sockets.clear()
  }

  async stop (): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>(resolve => { this.server.close(() => { resolve() }) })
  }

  private pipe (client: Socket, targetPort: number): void {
    const server = createConnection(targetPort, '127.0.0.1')
    for (const s of [client, server]) {
      this.sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => { this.sockets.delete(s) })
    }
    client.on('data', (chunk: Buffer) => {
      if (!this.frozen && this.marker != null && chunk.includes(this.marker)) {
        if (this.deliverMarker) server.write(chunk)
        this.frozen = true
        this.onFroze()
      }
      if (!this.frozen) server.write(chunk)
    })
    server.on('data', (chunk: Buffer) => { if (!this.frozen) client.write(chunk) })
    client.on('end', () => { if (!this.frozen) server.end() })
    server.on('end', () => { if (!this.frozen) client.end() })
  }
}
