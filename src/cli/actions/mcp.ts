import { exitCodeFor } from '../exit-codes.js'
import { createLogger } from '../log.js'
import { onShutdownSignal } from '../signals.js'
import { connect } from './client.js'
import type { LogOptions } from '../log-options.js'
import type { ClientOptions } from './client.js'

export type McpOptions = ClientOptions & LogOptions

/** Stdout carries the protocol and nothing else: logs go to stderr. */
export async function runMcp (opts: McpOptions): Promise<void> {
  const log = createLogger({ name: 'mcp', logLevel: opts.logLevel, logFormat: opts.logFormat })
  // the SDK is loaded here, not when the CLI starts
  const [{ StdioServerTransport }, { AdminLink }, { createMcpServer }, { LineLimit }] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/stdio.js'),
    import('../../mcp/admin-link.js'),
    import('../../mcp/server.js'),
    import('../../mcp/line-limit.js')
  ])
  let closing = false
  const link = new AdminLink(async () => {
    const client = await connect(opts)
    log.info({ admin: opts.admin }, 'connected to the admin')
    client.signal.addEventListener('abort', () => {
      if (closing) return
      log.warn({ reason: String(client.signal.reason?.message ?? client.signal.reason) }, 'lost the admin; reconnecting on the next call')
    }, { once: true })
    return client
  })
  const server = createMcpServer(link)
  const input = process.stdin.pipe(new LineLimit())
  // one byte more than a message for its newline: the transport counts it, and should never refuse before us
  const transport = new StdioServerTransport(input, process.stdout, { maxBufferSize: input.maxBytes + 1 })
  // resolves with the error that stops the server, or with nothing for a normal end
  const closed = new Promise<Error | undefined>(resolve => {
    transport.onclose = () => { resolve(undefined) }
    onShutdownSignal(() => { resolve(undefined) })
    // the client closing our stdin ends the session, once the transport has read all it sent
    input.once('end', () => { resolve(undefined) })
    // a line over the limit (LineLimit), or stdin failing: the session cannot go on
    input.once('error', (err) => { resolve(err) })
    process.stdin.on('error', (err) => { resolve(err) })
  })
  await server.connect(transport)
  log.info('MCP server on stdio')
  const failure = await closed
  closing = true
  if (failure != null) {
    log.fatal({ error: failure.name }, `${failure.message}; the MCP server stops`)
    process.exitCode = exitCodeFor(failure)
  }
  await server.close().catch(() => {})
  await link.close()
}
